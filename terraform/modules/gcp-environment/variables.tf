variable "project_id" {
  description = "GCP project of the environment (one project per environment)."
  type        = string
}

variable "environment" {
  description = "Short environment name (dev, prod); part of resource names."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,7}$", var.environment))
    error_message = "environment is 2 to 8 lowercase letters or digits."
  }
}

variable "region" {
  description = "Region of everything regional (cluster, buckets, keys, database)."
  type        = string
}

variable "bastion_zone" {
  description = "Zone of the bastion VM."
  type        = string
}

variable "node_locations" {
  description = "Zones of the GKE node pools; empty means every zone of the region."
  type        = list(string)
  default     = []
}

variable "system_pool" {
  description = "System node pool size per zone (see the gcp-gke module)."
  type = object({
    machine_type = string
    disk_size_gb = number
    min_nodes    = number
    max_nodes    = number
  })
}

variable "spot_pool" {
  description = "Spot node pool size per zone (see the gcp-gke module)."
  type = object({
    machine_type = string
    disk_size_gb = number
    min_nodes    = number
    max_nodes    = number
  })
}

variable "bucket_prefix" {
  description = "Prefix of the bucket names (PREFIX-uploads, -backups, -mlflow); null means tracelens-ENVIRONMENT, the chart's values. Bucket names are global: change both if taken."
  type        = string
  default     = null
}

variable "chart_service_accounts" {
  description = "Kubernetes service accounts the chart creates beyond the seven workloads (its migration Job, evaluation CronJob and External Secrets store), each bound to its own GSA."
  type        = map(string)
  default = {
    migrations = "tracelens-migrations"
    evaluation = "tracelens-evaluation"
    secrets    = "tracelens-secrets"
  }
}

variable "domain" {
  description = "DNS zone of the environment, e.g. tracelens.example.edu."
  type        = string
}

variable "dns_records" {
  description = "Host names in the zone that point at the ingress address (the empty string is the apex, the chart's gateway host)."
  type        = list(string)
  default     = [""]
}

variable "admin_members" {
  description = "IAM members allowed through IAP to the bastion (user:... or group:...)."
  type        = list(string)
  default     = []
}

variable "rbac_security_group" {
  description = "gke-security-groups@DOMAIN group for Google Groups for RBAC; null for none."
  type        = string
  default     = null
}

variable "kubernetes_namespace" {
  description = "Namespace the chart is installed in; the Workload Identity bindings name it."
  type        = string
  default     = "tracelens"
}

variable "ci_release_namespace" {
  description = "Namespace of the Jenkins agent pods in this cluster; set, it creates the jenkins-release identity the Jenkinsfile's release stage runs as. null: no release agents here."
  type        = string
  default     = null
}

variable "image_attestation" {
  description = "Require a CI attestation (KMS key image-signing, attestor tracelens-built-by-ci) for the environment's own images. Needs a signer: ci_release_namespace."
  type        = bool
  default     = false
}

variable "extra_allowed_image_patterns" {
  description = "Image patterns admitted by Binary Authorization besides the environment's own registry (mirror third-party images instead when you can)."
  type        = list(string)
  default     = []
}

variable "binauthz_enforcement_mode" {
  description = "ENFORCED_BLOCK_AND_AUDIT_LOG, or DRYRUN_AUDIT_LOG_ONLY while images are being moved into the registry."
  type        = string
  default     = "ENFORCED_BLOCK_AND_AUDIT_LOG"
}

variable "enable_cloud_sql" {
  description = "Create Cloud SQL for PostgreSQL instead of relying on the in-cluster database."
  type        = bool
  default     = false
}

variable "cloud_sql_tier" {
  description = "Cloud SQL machine tier."
  type        = string
  default     = "db-custom-2-8192"
}

variable "cloud_sql_availability" {
  description = "ZONAL or REGIONAL Cloud SQL."
  type        = string
  default     = "ZONAL"
}

variable "jenkins_aws_account_id" {
  description = "AWS account of Jenkins (workload identity federation); null skips the federation."
  type        = string
  default     = null
}

variable "jenkins_aws_role_name" {
  description = "IAM role name of the Jenkins instance (output role_name of the aws-ci root)."
  type        = string
  default     = "tracelens-jenkins"
}

variable "deletion_protection" {
  description = "Protect the cluster and the database from deletion."
  type        = bool
  default     = true
}

variable "force_destroy_buckets" {
  description = "Let terraform destroy delete buckets that still hold objects (dev only)."
  type        = bool
  default     = false
}
