output "gsa_emails" {
  description = "Google service account email by workload."
  value       = { for key, sa in google_service_account.this : key => sa.email }
}

output "ksa_annotations" {
  description = "iam.gke.io/gcp-service-account annotation of each Kubernetes service account, for the Helm values."
  value = {
    for key, ksa in local.service_accounts : ksa => {
      "iam.gke.io/gcp-service-account" = google_service_account.this[key].email
    }
  }
}
