variable "project_id" {
  description = "GCP project of the instance."
  type        = string
}

variable "region" {
  description = "Region of the instance."
  type        = string
}

variable "name" {
  description = "Instance name (names cannot be reused for a week after deletion)."
  type        = string
}

variable "database_version" {
  description = "PostgreSQL major version; 16 or newer. 18 is what the embedded server and the tests run."
  type        = string
  default     = "POSTGRES_18"

  validation {
    condition     = can(regex("^POSTGRES_[0-9]+$", var.database_version)) && tonumber(trimprefix(var.database_version, "POSTGRES_")) >= 16
    error_message = "database_version must be POSTGRES_16 or newer."
  }
}

variable "tier" {
  description = "Machine tier (db-custom-CPUS-MEMORY_MB)."
  type        = string
  default     = "db-custom-2-8192"
}

variable "availability_type" {
  description = "ZONAL, or REGIONAL for a standby in a second zone."
  type        = string
  default     = "ZONAL"
}

variable "disk_size_gb" {
  description = "Initial SSD size; it grows automatically."
  type        = number
  default     = 50
}

variable "network_id" {
  description = "VPC the private IP is allocated in, as output by the private services peering (so the instance is created after it)."
  type        = string
}

variable "kms_key_id" {
  description = "Cloud KMS key that encrypts the instance's disks and backups (held by the Cloud SQL service agent)."
  type        = string
}

variable "databases" {
  description = "Databases to create."
  type        = list(string)
  default     = ["tracelens", "mlflow"]
}

variable "iam_service_accounts" {
  description = "Google service account emails that log in with IAM database authentication (no passwords), by workload."
  type        = map(string)
  default     = {}
}

variable "backup_retained_count" {
  description = "Automated daily backups kept."
  type        = number
  default     = 14
}

variable "log_retention_days" {
  description = "Days of write-ahead log kept for point-in-time recovery (1 to 7)."
  type        = number
  default     = 7
}

variable "maintenance_day" {
  description = "Day of the weekly maintenance window (1 = Monday ... 7 = Sunday)."
  type        = number
  default     = 7
}

variable "maintenance_hour" {
  description = "UTC hour of the weekly maintenance window."
  type        = number
  default     = 5
}

variable "deletion_protection" {
  description = "Refuse deletion of the instance, in Terraform and in the API."
  type        = bool
  default     = true
}

variable "labels" {
  description = "User labels of the instance."
  type        = map(string)
  default     = {}
}
