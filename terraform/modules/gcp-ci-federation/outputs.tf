output "deployer_email" {
  description = "Email of the deployer service account."
  value       = google_service_account.deployer.email
}

output "deployer_member" {
  description = "IAM member of the deployer (for the registry's writers)."
  value       = google_service_account.deployer.member
}

output "provider_name" {
  description = "Full provider name for gcloud iam workload-identity-pools create-cred-config."
  value       = google_iam_workload_identity_pool_provider.aws.name
}
