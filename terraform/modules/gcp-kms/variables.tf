variable "project_id" {
  description = "GCP project that holds the key ring."
  type        = string
}

variable "region" {
  description = "Region of the key ring; CMEK keys must be in the same location as the resources they protect."
  type        = string
}

variable "key_ring_name" {
  description = "Name of the Cloud KMS key ring (key rings cannot be deleted, so pick a name once per environment)."
  type        = string
}

variable "keys" {
  description = "Crypto keys to create, each with the IAM members (service agents) allowed to encrypt and decrypt with it, under fixed labels (for_each keys must be known at plan time; members may not be)."
  type        = map(map(string))
}

variable "signing_keys" {
  description = "Names of asymmetric signing keys (EC P-256, SHA-256) to create; who may sign is granted by the signer's module. They cannot rotate automatically (a new version is a new trusted key)."
  type        = list(string)
  default     = []
}

variable "rotation_period" {
  description = "Automatic rotation period of every key, in seconds with an 's' suffix (90 days by default)."
  type        = string
  default     = "7776000s"

  validation {
    condition     = can(regex("^[0-9]+s$", var.rotation_period)) && tonumber(trimsuffix(var.rotation_period, "s")) <= 7776000
    error_message = "rotation_period must be at most 7776000s (90 days)."
  }
}

variable "protection_level" {
  description = "SOFTWARE or HSM. HSM keys cost more per key version and per operation."
  type        = string
  default     = "SOFTWARE"

  validation {
    condition     = contains(["SOFTWARE", "HSM"], var.protection_level)
    error_message = "protection_level must be SOFTWARE or HSM."
  }
}

variable "labels" {
  description = "Labels applied to every key."
  type        = map(string)
  default     = {}
}
