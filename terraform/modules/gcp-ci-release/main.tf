# The identity of the Jenkinsfile's release stage: an agent pod in the dev cluster whose KSA
# impersonates this GSA (Workload Identity, no key). It may push to the listed repositories,
# sign with the image-signing key and attest for the attestor; what it may change in the cluster
# is Kubernetes RBAC in the dev namespace (README). Everything it is granted on lives here, so
# no other module depends on this one.

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

resource "google_artifact_registry_repository_iam_member" "writer" {
  for_each = toset(var.repositories)

  project    = var.project_id
  location   = var.region
  repository = each.value
  role       = "roles/artifactregistry.writer"
  member     = google_service_account.this.member
}

resource "google_kms_crypto_key_iam_member" "signer" {
  count = var.sign ? 1 : 0

  crypto_key_id = var.signing_key_id
  role          = "roles/cloudkms.signerVerifier"
  member        = google_service_account.this.member
}

# What `gcloud beta container binauthz attestations sign-and-create` needs.
resource "google_container_analysis_note_iam_member" "attacher" {
  count = var.sign ? 1 : 0

  project = var.project_id
  note    = var.attestor_name
  role    = "roles/containeranalysis.notes.attacher"
  member  = google_service_account.this.member
}

resource "google_binary_authorization_attestor_iam_member" "viewer" {
  count = var.sign ? 1 : 0

  project  = var.project_id
  attestor = var.attestor_name
  role     = "roles/binaryauthorization.attestorsViewer"
  member   = google_service_account.this.member
}

resource "google_project_iam_member" "occurrences" {
  count = var.sign ? 1 : 0

  project = var.project_id
  role    = "roles/containeranalysis.occurrences.editor"
  member  = google_service_account.this.member
}
