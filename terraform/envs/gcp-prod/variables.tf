variable "project_id" {
  description = "GCP project of the prod environment."
  type        = string
}

variable "region" {
  description = "Region of the environment; node pools span all of its zones."
  type        = string
  default     = "us-central1"
}

variable "bastion_zone" {
  description = "Zone of the bastion VM."
  type        = string
  default     = "us-central1-a"
}

variable "domain" {
  description = "DNS zone of the prod environment."
  type        = string
}

variable "admin_members" {
  description = "IAM members allowed to reach the bastion through IAP."
  type        = list(string)
  default     = []
}

variable "rbac_security_group" {
  description = "gke-security-groups@DOMAIN for Google Groups for RBAC; null for none."
  type        = string
  default     = null
}

variable "enable_cloud_sql" {
  description = "Use Cloud SQL for PostgreSQL instead of the in-cluster database."
  type        = bool
  default     = false
}

variable "jenkins_aws_account_id" {
  description = "AWS account running Jenkins; null leaves CI federation out."
  type        = string
  default     = null
}
