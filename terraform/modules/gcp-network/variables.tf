variable "project_id" {
  description = "GCP project of the VPC."
  type        = string
}

variable "region" {
  description = "Region of the subnet, router and NAT."
  type        = string
}

variable "name" {
  description = "Name prefix of the network resources."
  type        = string
}

variable "nodes_cidr" {
  description = "Primary range of the subnet (GKE nodes, bastion)."
  type        = string
  default     = "10.10.0.0/20"
}

variable "pods_cidr" {
  description = "Secondary range for GKE pods."
  type        = string
  default     = "10.20.0.0/14"
}

variable "services_cidr" {
  description = "Secondary range for GKE services."
  type        = string
  default     = "10.24.0.0/20"
}

variable "private_service_access_cidr" {
  description = "Range reserved for private services access (Cloud SQL private IP); null disables the peering."
  type        = string
  default     = "10.30.0.0/20"
}

variable "nat_log_filter" {
  description = "What Cloud NAT logs: ERRORS_ONLY, TRANSLATIONS_ONLY or ALL."
  type        = string
  default     = "ERRORS_ONLY"
}

variable "flow_log_sampling" {
  description = "Fraction of VPC flow logs kept (0 to 1)."
  type        = number
  default     = 0.5
}
