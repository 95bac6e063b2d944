output "cluster_id" {
  description = "Cluster id."
  value       = google_container_cluster.this.id
}

output "cluster_name" {
  description = "Cluster name (for gcloud container clusters get-credentials)."
  value       = google_container_cluster.this.name
}

output "dns_endpoint" {
  description = "The control plane's DNS endpoint (IAM-authenticated)."
  value       = google_container_cluster.this.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint
}

output "node_service_account" {
  description = "Email of the nodes' service account (granted image pulls on the registry)."
  value       = google_service_account.nodes.email
}

output "workload_pool" {
  description = "Workload Identity pool of the cluster."
  value       = "${var.project_id}.svc.id.goog"
}
