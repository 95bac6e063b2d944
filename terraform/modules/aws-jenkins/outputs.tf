output "instance_id" {
  description = "Instance id (aws ssm start-session --target ID)."
  value       = aws_instance.this.id
}

output "public_ip" {
  description = "The Elastic IP."
  value       = aws_eip.this.public_ip
}

output "url" {
  description = "Jenkins URL."
  value       = "https://${var.hostname}/"
}

output "role_name" {
  description = "IAM role of the instance (trusted by the GCP workload identity provider)."
  value       = aws_iam_role.this.name
}

output "secret_arns" {
  description = "Secrets Manager ARNs by short name; set their values out of band."
  value       = { for key, s in aws_secretsmanager_secret.this : key => s.arn }
}
