variable "project_id" {
  description = "GCP project whose (singleton) Binary Authorization policy this is."
  type        = string
}

variable "allowed_image_patterns" {
  description = "Image name patterns admitted without an attestation (third-party images mirrored for the chart). With an attestor, the project's own images need its attestation; without one, list the registry here."
  type        = list(string)
  default     = []
}

variable "attestor" {
  description = "Attestor that CI signs with (name, and the Cloud KMS asymmetric key whose version 1 signs); null admits allowed_image_patterns only."
  type = object({
    name           = string
    signing_key_id = string
  })
  default = null
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
