output "names" {
  description = "Bucket names by purpose (uploads, backups, mlflow)."
  value       = { for key, bucket in google_storage_bucket.this : key => bucket.name }
}

output "urls" {
  description = "gs:// URLs by purpose."
  value       = { for key, bucket in google_storage_bucket.this : key => bucket.url }
}
