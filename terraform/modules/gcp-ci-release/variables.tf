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

variable "region" {
  description = "Region of the Artifact Registry repositories."
  type        = string
}

variable "repositories" {
  description = "Artifact Registry repositories the release pushes to (images, charts, cosign signatures)."
  type        = list(string)
}

variable "sign" {
  description = "Whether the release signs and attests images (image_attestation of the environment)."
  type        = bool
  default     = false
}

variable "signing_key_id" {
  description = "Cloud KMS asymmetric key it signs with (when sign is true)."
  type        = string
  default     = ""
}

variable "attestor_name" {
  description = "Binary Authorization attestor, which is also the name of its Container Analysis note (when sign is true)."
  type        = string
  default     = ""
}

variable "account_id" {
  description = "Account id of the release Google service account."
  type        = string
  default     = "jenkins-release"
}
