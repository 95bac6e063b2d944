output "ingress_address" {
  description = "The static IPv4 address of the way in (the Istio ingress gateway Service's loadBalancerIP)."
  value       = local.address
}

output "ingress_address_name" {
  description = "Name of the reserved address."
  value       = "${var.name}-ingress"
}

output "name_servers" {
  description = "Name servers to delegate the domain to at its registrar."
  value       = google_dns_managed_zone.this.name_servers
}

output "hostnames" {
  description = "Fully qualified host names of the records."
  value       = [for r in google_dns_record_set.ingress : trimsuffix(r.name, ".")]
}

output "dns01_service_account" {
  description = "GSA for cert-manager's KSA annotation iam.gke.io/gcp-service-account (null without)."
  value       = try(google_service_account.dns01[0].email, null)
}
