# Customer-managed encryption keys: one key per purpose so each service agent can use only its own.

resource "google_kms_key_ring" "this" {
  project  = var.project_id
  name     = var.key_ring_name
  location = var.region
}

resource "google_kms_crypto_key" "this" {
  for_each = var.keys

  name            = each.key
  key_ring        = google_kms_key_ring.this.id
  purpose         = "ENCRYPT_DECRYPT"
  rotation_period = var.rotation_period
  labels          = var.labels

  version_template {
    algorithm        = "GOOGLE_SYMMETRIC_ENCRYPTION"
    protection_level = var.protection_level
  }

  # Destroying a key destroys every disk, bucket object and secret encrypted with it.
  lifecycle {
    prevent_destroy = true
  }
}

resource "google_kms_crypto_key" "signing" {
  for_each = toset(var.signing_keys)

  name     = each.key
  key_ring = google_kms_key_ring.this.id
  purpose  = "ASYMMETRIC_SIGN"
  labels   = var.labels

  version_template {
    algorithm        = "EC_SIGN_P256_SHA256"
    protection_level = var.protection_level
  }

  lifecycle {
    prevent_destroy = true
  }
}

locals {
  grants = merge([
    for key, members in var.keys : {
      for label, member in members : "${key}/${label}" => { key = key, member = member }
    }
  ]...)
}

resource "google_kms_crypto_key_iam_member" "this" {
  for_each = local.grants

  crypto_key_id = google_kms_crypto_key.this[each.value.key].id
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = each.value.member
}
