variable "region" {
  description = "AWS region the AMI is built and registered in."
  type        = string
  default     = "us-east-1"
}

variable "build_instance_type" {
  description = "Instance type of the temporary build instance."
  type        = string
  default     = "t3.medium"
}

variable "kms_key_id" {
  description = "KMS key that encrypts the AMI's snapshot; null uses the account's default EBS key."
  type        = string
  default     = null
}

variable "jenkins_version" {
  description = "Jenkins LTS version installed from the Jenkins Debian repository (bump deliberately)."
  type        = string
  default     = "2.516.3"
}

variable "plugin_manager_version" {
  description = "Version of the Jenkins plugin installation manager that installs files/plugins.txt."
  type        = string
  default     = "2.13.2"
}

variable "helm_version" {
  description = "Helm release installed (checked against its published SHA-256)."
  type        = string
  default     = "v3.18.4"
}

variable "kubectl_version" {
  description = "kubectl release, the cluster's minor version (1.33); checked against its published SHA-256."
  type        = string
  default     = "v1.33.10"
}
