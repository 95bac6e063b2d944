output "policy_id" {
  description = "Binary Authorization policy id."
  value       = google_binary_authorization_policy.this.id
}

output "attestor" {
  description = "Full attestor name for the Jenkinsfile's ATTESTOR (null without one)."
  value       = try(google_binary_authorization_attestor.this[0].id, null)
}
