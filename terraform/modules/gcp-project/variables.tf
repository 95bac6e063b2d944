variable "project_id" {
  description = "GCP project that holds the TraceLens environment."
  type        = string
}

variable "services" {
  description = "APIs enabled in the project. They are never disabled on destroy, so tearing down one module cannot break another."
  type        = list(string)
  default = [
    "artifactregistry.googleapis.com",
    "binaryauthorization.googleapis.com",
    "cloudkms.googleapis.com",
    "compute.googleapis.com",
    "container.googleapis.com",
    "containeranalysis.googleapis.com",
    "dns.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "iap.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "secretmanager.googleapis.com",
    "servicenetworking.googleapis.com",
    "sqladmin.googleapis.com",
    "storage.googleapis.com",
    "sts.googleapis.com",
  ]
}

variable "service_identities" {
  description = "APIs whose service agent must exist before it can be granted a KMS key (these agents are created lazily by Google otherwise)."
  type        = list(string)
  default = [
    "artifactregistry.googleapis.com",
    "secretmanager.googleapis.com",
    "sqladmin.googleapis.com",
  ]
}
