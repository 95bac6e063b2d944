output "network_id" {
  description = "VPC id."
  value       = google_compute_network.this.id
}

output "network_self_link" {
  description = "VPC self link."
  value       = google_compute_network.this.self_link
}

output "subnet_self_link" {
  description = "Self link of the nodes subnet."
  value       = google_compute_subnetwork.nodes.self_link
}

output "nodes_cidr" {
  description = "Primary range of the nodes subnet."
  value       = google_compute_subnetwork.nodes.ip_cidr_range
}

output "pods_range_name" {
  description = "Name of the secondary range for pods."
  value       = "pods"
}

output "services_range_name" {
  description = "Name of the secondary range for services."
  value       = "services"
}

output "private_services_network" {
  description = "The VPC as seen through the private services peering (null when disabled); Cloud SQL takes its network from here so it is created after the peering."
  value       = try(google_service_networking_connection.private_services[0].network, null)
}

output "pods_cidr" {
  description = "Secondary range of the pods (allowed to the control plane's private endpoint)."
  value       = var.pods_cidr
}
