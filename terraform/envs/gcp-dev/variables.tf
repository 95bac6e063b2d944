variable "project_id" {
  description = "GCP project of the dev environment."
  type        = string
}

variable "region" {
  description = "Region of the environment."
  type        = string
  default     = "us-central1"
}

variable "zone" {
  description = "The one zone dev nodes and the bastion run in."
  type        = string
  default     = "us-central1-a"
}

variable "domain" {
  description = "DNS zone of the dev environment."
  type        = string
}

variable "admin_members" {
  description = "IAM members allowed to reach the bastion through IAP."
  type        = list(string)
  default     = []
}

variable "jenkins_aws_account_id" {
  description = "AWS account running Jenkins; null leaves CI federation out."
  type        = string
  default     = null
}
