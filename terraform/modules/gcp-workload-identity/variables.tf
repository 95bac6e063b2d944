variable "project_id" {
  description = "GCP project of the cluster and the service accounts."
  type        = string
}

variable "gsa_prefix" {
  description = "Prefix of the Google service account ids (id = PREFIX-WORKLOAD, at most 30 characters). The chart's default is tracelens-COMPONENT@PROJECT, so prefix tracelens needs no per-component override in the values."
  type        = string
}

variable "kubernetes_namespace" {
  description = "Namespace the Helm release is installed in."
  type        = string
  default     = "tracelens"
}

variable "kubernetes_service_accounts" {
  description = "Kubernetes service account of each workload: the names a Helm release called tracelens creates (RELEASE-COMPONENT)."
  type        = map(string)
  default = {
    api             = "tracelens-api"
    worker          = "tracelens-worker"
    relay           = "tracelens-relay"
    ui              = "tracelens-ui"
    mlflow          = "tracelens-mlflow"
    reembed         = "tracelens-reembed"
    backup-operator = "tracelens-backup-operator"
  }
}

variable "additional_service_accounts" {
  description = "Further workloads (name => Kubernetes service account) that get the same one-GSA-per-KSA treatment, e.g. components the chart adds beyond the seven above."
  type        = map(string)
  default     = {}
}

variable "buckets" {
  description = "Bucket names by purpose (uploads, backups, mlflow)."
  type        = map(string)
}

variable "bucket_roles" {
  description = "Object roles each workload holds on each bucket. Roles are granted on the bucket only, never on the project."
  type        = map(map(list(string)))
  default = {
    api             = { uploads = ["roles/storage.objectUser"] }
    worker          = { uploads = ["roles/storage.objectViewer"] }
    mlflow          = { mlflow = ["roles/storage.objectUser"] }
    reembed         = { mlflow = ["roles/storage.objectViewer", "roles/storage.objectCreator"] }
    backup-operator = { backups = ["roles/storage.objectViewer", "roles/storage.objectCreator"] }
  }

  validation {
    condition = alltrue(flatten([
      for workload, grants in var.bucket_roles : [
        for bucket, roles in grants : [
          for role in roles : contains([
            "roles/storage.objectViewer",
            "roles/storage.objectCreator",
            "roles/storage.objectUser",
          ], role)
        ]
      ]
    ]))
    error_message = "Workloads get object roles only (objectViewer, objectCreator, objectUser), never bucket or project admin."
  }
}

variable "additional_bucket_roles" {
  description = "Object roles of the additional service accounts, merged over bucket_roles (same rules)."
  type        = map(map(list(string)))
  default     = {}

  validation {
    condition = alltrue(flatten([
      for workload, grants in var.additional_bucket_roles : [
        for bucket, roles in grants : [
          for role in roles : contains([
            "roles/storage.objectViewer",
            "roles/storage.objectCreator",
            "roles/storage.objectUser",
          ], role)
        ]
      ]
    ]))
    error_message = "Workloads get object roles only (objectViewer, objectCreator, objectUser), never bucket or project admin."
  }
}

variable "secret_ids" {
  description = "Full Secret Manager ids by short id."
  type        = map(string)
}

variable "secret_access" {
  description = "Secrets each workload may read (secretAccessor on that secret only)."
  type        = map(list(string))
  default = {
    api             = ["tracelens-api-keys", "tracelens-llm-api-key", "tracelens-database-url"]
    worker          = ["tracelens-llm-api-key", "tracelens-database-url"]
    relay           = ["tracelens-database-url"]
    ui              = ["tracelens-ui-api-key"]
    mlflow          = ["tracelens-mlflow-database-url"]
    reembed         = ["tracelens-database-url"]
    backup-operator = ["tracelens-database-url"]
  }
}

variable "additional_secret_access" {
  description = "Secrets the additional service accounts may read, merged over secret_access."
  type        = map(list(string))
  default     = {}
}
