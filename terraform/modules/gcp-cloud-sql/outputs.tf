output "connection_name" {
  description = "PROJECT:REGION:INSTANCE, for the Cloud SQL Auth Proxy or connectors."
  value       = google_sql_database_instance.this.connection_name
}

output "private_ip" {
  description = "Private IP of the instance."
  value       = google_sql_database_instance.this.private_ip_address
}

output "iam_users" {
  description = "Database user names of the IAM-authenticated workloads."
  value       = { for key, user in google_sql_user.iam : key => user.name }
}
