# The three buckets of TraceLens: uploaded reports, database backups, MLflow artifacts.
# Uniform access, public access prevention enforced, versioning, lifecycle rules and CMEK on all.

locals {
  buckets = {
    uploads = {
      lifecycle = [
        { action = "SetStorageClass", storage_class = "NEARLINE", age = var.uploads_nearline_days, with_state = "LIVE", days_since_noncurrent_time = null, num_newer_versions = null },
        { action = "Delete", storage_class = null, age = null, with_state = "ARCHIVED", days_since_noncurrent_time = var.uploads_noncurrent_days, num_newer_versions = null },
      ]
    }
    backups = {
      lifecycle = [
        { action = "Delete", storage_class = null, age = var.backup_retention_days, with_state = "ANY", days_since_noncurrent_time = null, num_newer_versions = null },
        { action = "Delete", storage_class = null, age = null, with_state = "ARCHIVED", days_since_noncurrent_time = 7, num_newer_versions = null },
      ]
    }
    mlflow = {
      lifecycle = [
        { action = "Delete", storage_class = null, age = null, with_state = "ARCHIVED", days_since_noncurrent_time = null, num_newer_versions = var.mlflow_noncurrent_versions },
      ]
    }
  }
}

resource "google_storage_bucket" "this" {
  for_each = local.buckets

  project                     = var.project_id
  name                        = "${var.name_prefix}-${each.key}"
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = var.force_destroy
  labels                      = merge(var.labels, { purpose = each.key })

  versioning {
    enabled = true
  }

  encryption {
    default_kms_key_name = var.kms_key_id
  }

  dynamic "lifecycle_rule" {
    for_each = each.value.lifecycle
    content {
      action {
        type          = lifecycle_rule.value.action
        storage_class = lifecycle_rule.value.storage_class
      }
      condition {
        age                        = lifecycle_rule.value.age
        with_state                 = lifecycle_rule.value.with_state
        days_since_noncurrent_time = lifecycle_rule.value.days_since_noncurrent_time
        num_newer_versions         = lifecycle_rule.value.num_newer_versions
      }
    }
  }
}

# Object reads and writes are audited in Cloud Audit Logs (instead of legacy bucket access logs).
resource "google_project_iam_audit_config" "storage" {
  project = var.project_id
  service = "storage.googleapis.com"

  audit_log_config {
    log_type = "DATA_READ"
  }

  audit_log_config {
    log_type = "DATA_WRITE"
  }
}
