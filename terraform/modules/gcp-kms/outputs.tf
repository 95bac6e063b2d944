output "key_ids" {
  description = "Crypto key ids by name (projects/P/locations/L/keyRings/R/cryptoKeys/K)."
  value       = { for name, key in google_kms_crypto_key.this : name => key.id }
  # Callers must not use a key before its service agent may.
  depends_on = [google_kms_crypto_key_iam_member.this]
}

output "key_ring_id" {
  description = "Key ring id."
  value       = google_kms_key_ring.this.id
}

output "signing_key_ids" {
  description = "Asymmetric signing key ids by name."
  value       = { for name, key in google_kms_crypto_key.signing : name => key.id }
}
