variable "project_id" {
  description = "GCP project the CI deploys to."
  type        = string
}

variable "project_number" {
  description = "Numeric id of the project (principal sets are addressed by number)."
  type        = string
}

variable "pool_id" {
  description = "Workload identity pool id."
  type        = string
  default     = "jenkins-aws"
}

variable "aws_account_id" {
  description = "AWS account that runs Jenkins."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.aws_account_id))
    error_message = "aws_account_id is a 12-digit AWS account id."
  }
}

variable "aws_role_name" {
  description = "IAM role of the Jenkins instance profile; only sessions of this role may impersonate the deployer."
  type        = string
}

variable "deployer_account_id" {
  description = "Account id of the deployer service account."
  type        = string
  default     = "ci-deployer"
}
