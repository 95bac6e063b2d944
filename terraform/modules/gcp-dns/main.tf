# The static address of the way in (regional for the chart's Istio ingress gateway Service,
# global for a GKE Ingress) and a public zone with DNSSEC whose records point at it.

resource "google_compute_address" "ingress" {
  count = var.global_address ? 0 : 1

  project      = var.project_id
  name         = "${var.name}-ingress"
  region       = var.region
  address_type = "EXTERNAL"
  network_tier = "PREMIUM"
  labels       = var.labels
}

resource "google_compute_global_address" "ingress" {
  count = var.global_address ? 1 : 0

  project      = var.project_id
  name         = "${var.name}-ingress"
  address_type = "EXTERNAL"
  ip_version   = "IPV4"
}

locals {
  address = var.global_address ? google_compute_global_address.ingress[0].address : google_compute_address.ingress[0].address
}

resource "google_dns_managed_zone" "this" {
  project     = var.project_id
  name        = var.name
  dns_name    = "${var.domain}."
  description = "TraceLens public zone"
  visibility  = "public"
  labels      = var.labels

  dnssec_config {
    state = "on"

    default_key_specs {
      algorithm  = "rsasha256"
      key_length = 2048
      key_type   = "keySigning"
    }

    default_key_specs {
      algorithm  = "rsasha256"
      key_length = 1024
      key_type   = "zoneSigning"
    }
  }
}

resource "google_dns_record_set" "ingress" {
  for_each = toset(var.records)

  project      = var.project_id
  managed_zone = google_dns_managed_zone.this.name
  name         = each.value == "" ? google_dns_managed_zone.this.dns_name : "${each.value}.${google_dns_managed_zone.this.dns_name}"
  type         = "A"
  ttl          = var.ttl
  rrdatas      = [local.address]
}

# cert-manager's DNS-01 solver (the chart's ACME ClusterIssuer): record changes in this zone only,
# plus read-only listing so it can find the zone.
resource "google_service_account" "dns01" {
  count = var.dns01_service_account == null ? 0 : 1

  project      = var.project_id
  account_id   = "${var.name}-dns01"
  display_name = "cert-manager DNS-01 for ${var.domain} (KSA ${var.dns01_service_account})"
}

resource "google_service_account_iam_member" "dns01" {
  count = var.dns01_service_account == null ? 0 : 1

  service_account_id = google_service_account.dns01[0].name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.project_id}.svc.id.goog[${var.dns01_service_account}]"
}

resource "google_dns_managed_zone_iam_member" "dns01" {
  count = var.dns01_service_account == null ? 0 : 1

  project      = var.project_id
  managed_zone = google_dns_managed_zone.this.name
  role         = "roles/dns.admin"
  member       = google_service_account.dns01[0].member
}

resource "google_project_iam_member" "dns01_reader" {
  count = var.dns01_service_account == null ? 0 : 1

  project = var.project_id
  role    = "roles/dns.reader"
  member  = google_service_account.dns01[0].member
}
