variable "project_id" {
  description = "GCP project of the buckets."
  type        = string
}

variable "region" {
  description = "Bucket location (a region, the same as the KMS key's)."
  type        = string
}

variable "name_prefix" {
  description = "Globally unique prefix of the bucket names (bucket names are global)."
  type        = string
}

variable "kms_key_id" {
  description = "Cloud KMS key that encrypts every object (the GCS service agent must hold encrypter/decrypter on it)."
  type        = string
}

variable "uploads_noncurrent_days" {
  description = "Days a replaced or deleted upload is kept as a noncurrent version."
  type        = number
  default     = 30
}

variable "uploads_nearline_days" {
  description = "Age in days after which uploaded reports move to Nearline storage."
  type        = number
  default     = 90
}

variable "backup_retention_days" {
  description = "Age in days after which database backups are deleted."
  type        = number
  default     = 35
}

variable "mlflow_noncurrent_versions" {
  description = "Noncurrent versions of an MLflow artifact kept before the oldest is deleted."
  type        = number
  default     = 3
}

variable "force_destroy" {
  description = "Allow terraform destroy to delete non-empty buckets (never in production)."
  type        = bool
  default     = false
}

variable "labels" {
  description = "Labels of every bucket."
  type        = map(string)
  default     = {}
}
