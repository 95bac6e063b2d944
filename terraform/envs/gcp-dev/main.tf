# Dev: one zone, small pools, nothing protected from destroy.
module "tracelens" {
  source = "../../modules/gcp-environment"

  project_id     = var.project_id
  environment    = "dev"
  region         = var.region
  bastion_zone   = var.zone
  node_locations = [var.zone]
  domain         = var.domain
  admin_members  = var.admin_members

  system_pool = {
    machine_type = "e2-standard-4"
    disk_size_gb = 50
    min_nodes    = 1
    max_nodes    = 2
  }

  spot_pool = {
    machine_type = "e2-standard-8"
    disk_size_gb = 50
    min_nodes    = 0
    max_nodes    = 2
  }

  # The Jenkinsfile deploys dev to this namespace, runs its agents in `jenkins` and attests images.
  kubernetes_namespace = "tracelens-dev"
  ci_release_namespace = "jenkins"
  image_attestation    = true

  jenkins_aws_account_id = var.jenkins_aws_account_id
  deletion_protection    = false
  force_destroy_buckets  = true
}
