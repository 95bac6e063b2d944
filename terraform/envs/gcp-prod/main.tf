# Prod: nodes in every zone of the region, deletion protection on, Cloud SQL optional (REGIONAL).
module "tracelens" {
  source = "../../modules/gcp-environment"

  project_id          = var.project_id
  environment         = "prod"
  region              = var.region
  bastion_zone        = var.bastion_zone
  domain              = var.domain
  admin_members       = var.admin_members
  rbac_security_group = var.rbac_security_group

  system_pool = {
    machine_type = "e2-standard-4"
    disk_size_gb = 100
    min_nodes    = 1
    max_nodes    = 2
  }

  spot_pool = {
    machine_type = "e2-standard-8"
    disk_size_gb = 100
    min_nodes    = 0
    max_nodes    = 3
  }

  enable_cloud_sql       = var.enable_cloud_sql
  cloud_sql_tier         = "db-custom-4-16384"
  cloud_sql_availability = "REGIONAL"

  # Prod admits its own registry by name until a promotion pipeline attests there too.
  kubernetes_namespace = "tracelens"
  image_attestation    = false

  jenkins_aws_account_id = var.jenkins_aws_account_id
  deletion_protection    = true
  force_destroy_buckets  = false
}
