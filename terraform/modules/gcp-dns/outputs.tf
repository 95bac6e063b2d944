output "ingress_address" {
  description = "The static IPv4 address of the ingress."
  value       = google_compute_global_address.ingress.address
}

output "ingress_address_name" {
  description = "Name of the global address (kubernetes.io/ingress.global-static-ip-name in the chart)."
  value       = google_compute_global_address.ingress.name
}

output "name_servers" {
  description = "Name servers to delegate the domain to at its registrar."
  value       = google_dns_managed_zone.this.name_servers
}

output "hostnames" {
  description = "Fully qualified host names of the records."
  value       = [for r in google_dns_record_set.ingress : trimsuffix(r.name, ".")]
}
