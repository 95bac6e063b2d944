# The identity of the Jenkinsfile's release stage: an agent pod in the dev cluster whose KSA
# impersonates this GSA (Workload Identity, no key). What it may push, sign and attest is granted
# by the registry, KMS and Binary Authorization modules; what it may change in the cluster by
# Kubernetes RBAC in the dev namespace (README).

resource "google_service_account" "this" {
  project      = var.project_id
  account_id   = var.account_id
  display_name = "Jenkins release agent (KSA ${var.namespace}/${var.ksa_name})"
}

resource "google_service_account_iam_member" "workload_identity" {
  service_account_id = google_service_account.this.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.project_id}.svc.id.goog[${var.namespace}/${var.ksa_name}]"
}

# Enough for `gcloud container clusters get-credentials`; nothing inside the cluster.
resource "google_project_iam_member" "cluster_viewer" {
  project = var.project_id
  role    = "roles/container.clusterViewer"
  member  = google_service_account.this.member
}
