# Project-wide admission policy. With an attestor, GKE runs only images CI attested (signed with
# the KMS key) plus the listed third-party patterns; without one, only the listed patterns.
# Google's own system images are admitted by the global policy either way.

data "google_kms_crypto_key_version" "signing" {
  count = var.attestor == null ? 0 : 1

  crypto_key = var.attestor.signing_key_id
  version    = 1
}

resource "google_container_analysis_note" "attestor" {
  count = var.attestor == null ? 0 : 1

  project = var.project_id
  name    = var.attestor.name

  attestation_authority {
    hint {
      human_readable_name = "Built, tested and signed by TraceLens CI"
    }
  }
}

resource "google_binary_authorization_attestor" "this" {
  count = var.attestor == null ? 0 : 1

  project = var.project_id
  name    = var.attestor.name

  attestation_authority_note {
    note_reference = google_container_analysis_note.attestor[0].name

    public_keys {
      id = data.google_kms_crypto_key_version.signing[0].id

      pkix_public_key {
        public_key_pem      = data.google_kms_crypto_key_version.signing[0].public_key[0].pem
        signature_algorithm = data.google_kms_crypto_key_version.signing[0].public_key[0].algorithm
      }
    }
  }
}

resource "google_binary_authorization_policy" "this" {
  project                       = var.project_id
  global_policy_evaluation_mode = "ENABLE"

  dynamic "admission_whitelist_patterns" {
    for_each = var.allowed_image_patterns
    content {
      name_pattern = admission_whitelist_patterns.value
    }
  }

  default_admission_rule {
    evaluation_mode         = var.attestor == null ? "ALWAYS_DENY" : "REQUIRE_ATTESTATION"
    require_attestations_by = var.attestor == null ? null : [google_binary_authorization_attestor.this[0].name]
    enforcement_mode        = var.enforcement_mode
  }
}
