output "policy_id" {
  description = "Binary Authorization policy id."
  value       = google_binary_authorization_policy.this.id
}

output "note" {
  description = "Container Analysis note of the attestor (null without one)."
  value       = try(google_container_analysis_note.attestor[0].name, null)
}

output "attestor" {
  description = "Full attestor name for the Jenkinsfile's ATTESTOR (null without one)."
  value       = try(google_binary_authorization_attestor.this[0].id, null)
}
