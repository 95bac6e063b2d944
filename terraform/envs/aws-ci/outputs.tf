output "jenkins_url" {
  description = "Jenkins URL."
  value       = module.jenkins.url
}

output "jenkins_instance_id" {
  description = "For aws ssm start-session --target."
  value       = module.jenkins.instance_id
}

output "jenkins_public_ip" {
  description = "Elastic IP of Jenkins."
  value       = module.jenkins.public_ip
}

output "jenkins_role_name" {
  description = "Role trusted by the GCP workload identity provider (jenkins_aws_role_name there)."
  value       = module.jenkins.role_name
}

output "jenkins_secret_arns" {
  description = "Secrets to fill out of band."
  value       = module.jenkins.secret_arns
}
