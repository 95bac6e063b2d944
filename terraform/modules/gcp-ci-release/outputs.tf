output "email" {
  description = "Email of the release service account."
  value       = google_service_account.this.email
}

output "member" {
  description = "IAM member of the release service account."
  value       = google_service_account.this.member
}
