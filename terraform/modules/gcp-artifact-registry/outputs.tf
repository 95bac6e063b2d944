output "repository_url" {
  description = "Registry path to push to and pull from."
  value       = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.this.repository_id}"
}

output "image_pattern" {
  description = "Binary Authorization name pattern that admits every image of this repository."
  value       = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.this.repository_id}/**"
}
