variable "project_id" {
  description = "GCP project whose (singleton) Binary Authorization policy this is."
  type        = string
}

variable "allowed_image_patterns" {
  description = "Image name patterns admitted without attestation: the project's Artifact Registry and any mirror of the chart's third-party images. Everything else is refused."
  type        = list(string)
}

variable "enforcement_mode" {
  description = "ENFORCED_BLOCK_AND_AUDIT_LOG, or DRYRUN_AUDIT_LOG_ONLY while images are being moved into the registry."
  type        = string
  default     = "ENFORCED_BLOCK_AND_AUDIT_LOG"

  validation {
    condition     = contains(["ENFORCED_BLOCK_AND_AUDIT_LOG", "DRYRUN_AUDIT_LOG_ONLY"], var.enforcement_mode)
    error_message = "enforcement_mode must be ENFORCED_BLOCK_AND_AUDIT_LOG or DRYRUN_AUDIT_LOG_ONLY."
  }
}
