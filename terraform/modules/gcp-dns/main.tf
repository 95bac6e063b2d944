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
