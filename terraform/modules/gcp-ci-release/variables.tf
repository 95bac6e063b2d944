variable "project_id" {
  description = "GCP project of the cluster the release agents run in."
  type        = string
}

variable "namespace" {
  description = "Namespace of the Jenkins Kubernetes-plugin agent pods."
  type        = string
}

variable "ksa_name" {
  description = "Kubernetes service account of the release agent pod (the Jenkinsfile's serviceAccountName)."
  type        = string
  default     = "jenkins-release"
}

variable "account_id" {
  description = "Account id of the release Google service account."
  type        = string
  default     = "jenkins-release"
}
