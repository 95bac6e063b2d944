# Project-wide admission policy: GKE runs only images from the listed registries (Google's own
# system images are admitted by the global policy). Attestors can be added to the default rule
# later without changing the cluster.

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
    evaluation_mode  = "ALWAYS_DENY"
    enforcement_mode = var.enforcement_mode
  }
}
