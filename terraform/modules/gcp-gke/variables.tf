variable "project_id" {
  description = "GCP project of the cluster."
  type        = string
}

variable "region" {
  description = "Region of the (regional) cluster."
  type        = string
}

variable "name" {
  description = "Cluster name."
  type        = string
}

variable "kubernetes_version" {
  description = <<-EOT
    The one place the GKE minor version is pinned (the Helm chart is validated against
    Kubernetes 1.35, in standard support). Used as min_master_version; the release channel
    upgrades from there, so raise this floor with the chart's validated version.
  EOT
  type        = string
  default     = "1.35"

  validation {
    condition     = can(regex("^1\\.[0-9]+$", var.kubernetes_version))
    error_message = "kubernetes_version is a minor version such as 1.35."
  }
}

variable "release_channel" {
  description = "GKE release channel. REGULAR keeps the cluster in standard support (no extended-support fee); EXTENDED keeps a minor version past its 14 months, for a fee."
  type        = string
  default     = "REGULAR"

  validation {
    condition     = contains(["RAPID", "REGULAR", "STABLE", "EXTENDED"], var.release_channel)
    error_message = "release_channel must be RAPID, REGULAR, STABLE or EXTENDED."
  }
}

variable "node_locations" {
  description = "Zones of the node pools; empty means every zone of the region (three nodes per pool size unit)."
  type        = list(string)
  default     = []
}

variable "network_id" {
  description = "Id of the VPC the cluster runs in."
  type        = string
}

variable "subnet_self_link" {
  description = "Self link of the nodes subnet."
  type        = string
}

variable "pods_range_name" {
  description = "Secondary range name for pods."
  type        = string
}

variable "services_range_name" {
  description = "Secondary range name for services."
  type        = string
}

variable "master_ipv4_cidr_block" {
  description = "/28 range of the control plane's private endpoint."
  type        = string
  default     = "172.16.0.0/28"
}

variable "master_authorized_cidrs" {
  description = "Internal ranges allowed to reach the private endpoint (the nodes subnet, which holds the bastion)."
  type        = map(string)
}

variable "dns_endpoint_external_access" {
  description = "Allow the IAM-authenticated DNS endpoint of the control plane from outside the VPC (how Jenkins on AWS deploys; the IP endpoints stay private)."
  type        = bool
  default     = false
}

variable "database_encryption_key" {
  description = "Cloud KMS key that encrypts Kubernetes Secrets in etcd (application-layer secrets encryption)."
  type        = string
}

variable "boot_disk_key" {
  description = "Cloud KMS key that encrypts the nodes' boot disks."
  type        = string
}

variable "system_pool" {
  description = "The system node pool (API, UI, relay, MLflow, in-cluster PostgreSQL). Sizes are per zone."
  type = object({
    machine_type = string
    disk_size_gb = number
    min_nodes    = number
    max_nodes    = number
  })
  default = {
    machine_type = "e2-standard-4"
    disk_size_gb = 50
    min_nodes    = 1
    max_nodes    = 2
  }
}

variable "spot_pool" {
  description = "The spot node pool for workers and re-embed jobs, tainted so only pods that tolerate eviction land on it. Sizes are per zone."
  type = object({
    machine_type = string
    disk_size_gb = number
    min_nodes    = number
    max_nodes    = number
  })
  default = {
    machine_type = "e2-standard-8"
    disk_size_gb = 50
    min_nodes    = 0
    max_nodes    = 3
  }
}

variable "maintenance_window" {
  description = "Recurring maintenance window (RFC 3339 start and end of the first occurrence, RFC 5545 recurrence). GKE wants at least 48 hours in any 32 days, in windows of 4 hours or more: 6 hours on Saturday and Sunday (UTC) by default."
  type = object({
    start_time = string
    end_time   = string
    recurrence = string
  })
  default = {
    start_time = "2026-01-03T03:00:00Z"
    end_time   = "2026-01-03T09:00:00Z"
    recurrence = "FREQ=WEEKLY;BYDAY=SA,SU"
  }
}

variable "rbac_security_group" {
  description = "Google Group for Kubernetes RBAC (gke-security-groups@DOMAIN); null leaves Google Groups for RBAC off."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Refuse terraform destroy of the cluster."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Resource labels of the cluster and its nodes."
  type        = map(string)
  default     = {}
}
