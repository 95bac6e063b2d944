variable "project_id" {
  description = "GCP project of the repository."
  type        = string
}

variable "region" {
  description = "Repository location."
  type        = string
}

variable "repository_id" {
  description = "Repository name; images are REGION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE."
  type        = string
  default     = "tracelens"
}

variable "kms_key_id" {
  description = "Cloud KMS key that encrypts the repository (the Artifact Registry service agent must hold it)."
  type        = string
}

variable "description" {
  description = "What the repository holds."
  type        = string
  default     = "TraceLens container images"
}

variable "readers" {
  description = "IAM members that pull (label => member, e.g. nodes => the GKE nodes' service account)."
  type        = map(string)
  default     = {}
}

variable "writers" {
  description = "IAM members that push (label => member, e.g. release => the CI release identity)."
  type        = map(string)
  default     = {}
}

variable "keep_tagged_versions" {
  description = "Most recent tagged versions of each image kept by the cleanup policy."
  type        = number
  default     = 30
}

variable "untagged_max_age" {
  description = "Age after which untagged images are deleted (duration, e.g. 1209600s for 14 days)."
  type        = string
  default     = "1209600s"
}

variable "labels" {
  description = "Labels of the repository."
  type        = map(string)
  default     = {}
}
