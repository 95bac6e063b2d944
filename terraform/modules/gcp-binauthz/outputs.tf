output "policy_id" {
  description = "Binary Authorization policy id."
  value       = google_binary_authorization_policy.this.id
}
