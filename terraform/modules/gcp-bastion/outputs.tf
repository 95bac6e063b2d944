output "name" {
  description = "VM name (gcloud compute ssh NAME --tunnel-through-iap)."
  value       = google_compute_instance.this.name
}

output "internal_ip" {
  description = "Internal address of the bastion."
  value       = google_compute_instance.this.network_interface[0].network_ip
}
