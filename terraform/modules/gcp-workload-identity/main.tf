# One Google service account per workload, impersonated by exactly one Kubernetes service
# account (Workload Identity), holding object roles on the buckets it needs and read access to
# the secrets it needs. No project-level role is granted here.

locals {
  service_accounts = merge(var.kubernetes_service_accounts, var.additional_service_accounts)
}

resource "google_service_account" "this" {
  for_each = local.service_accounts

  project      = var.project_id
  account_id   = "${var.gsa_prefix}-${each.key}"
  display_name = "TraceLens ${each.key} (KSA ${var.kubernetes_namespace}/${each.value})"
}

resource "google_service_account_iam_member" "workload_identity" {
  for_each = local.service_accounts

  service_account_id = google_service_account.this[each.key].name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.project_id}.svc.id.goog[${var.kubernetes_namespace}/${each.value}]"
}

locals {
  bucket_grants = merge(flatten([
    for workload, grants in merge(var.bucket_roles, var.additional_bucket_roles) : [
      for bucket, roles in grants : {
        for role in roles : "${workload}/${bucket}/${role}" => {
          workload = workload
          bucket   = var.buckets[bucket]
          role     = role
        }
      }
    ]
  ])...)

  secret_grants = merge([
    for workload, secrets in merge(var.secret_access, var.additional_secret_access) : {
      for secret in secrets : "${workload}/${secret}" => {
        workload = workload
        secret   = var.secret_ids[secret]
      }
    }
  ]...)
}

resource "google_storage_bucket_iam_member" "this" {
  for_each = local.bucket_grants

  bucket = each.value.bucket
  role   = each.value.role
  member = google_service_account.this[each.value.workload].member
}

resource "google_secret_manager_secret_iam_member" "this" {
  for_each = local.secret_grants

  project   = var.project_id
  secret_id = each.value.secret
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.this[each.value.workload].member
}
