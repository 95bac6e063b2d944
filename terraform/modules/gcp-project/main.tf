# APIs and the Google-managed service agents that CMEK keys are granted to.

data "google_project" "this" {
  project_id = var.project_id
}

resource "google_project_service" "this" {
  for_each = toset(var.services)

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

resource "google_project_service_identity" "this" {
  provider = google-beta
  for_each = toset(var.service_identities)

  project    = var.project_id
  service    = each.value
  depends_on = [google_project_service.this]
}

data "google_storage_project_service_account" "this" {
  project    = var.project_id
  depends_on = [google_project_service.this]
}

locals {
  number = data.google_project.this.number
  service_agents = {
    artifactregistry = "serviceAccount:service-${local.number}@gcp-sa-artifactregistry.iam.gserviceaccount.com"
    cloudsql         = "serviceAccount:service-${local.number}@gcp-sa-cloud-sql.iam.gserviceaccount.com"
    compute          = "serviceAccount:service-${local.number}@compute-system.iam.gserviceaccount.com"
    container        = "serviceAccount:service-${local.number}@container-engine-robot.iam.gserviceaccount.com"
    secretmanager    = "serviceAccount:service-${local.number}@gcp-sa-secretmanager.iam.gserviceaccount.com"
    storage          = "serviceAccount:${data.google_storage_project_service_account.this.email_address}"
  }
}
