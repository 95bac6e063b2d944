output "secret_ids" {
  description = "Full secret ids by short id (projects/P/secrets/S)."
  value       = { for key, secret in google_secret_manager_secret.this : key => secret.id }
}
