# One TraceLens environment on GCP, wired from the modules beside this one. The env roots
# (terraform/envs/gcp-*) only choose sizes and names.

locals {
  name          = "tracelens-${var.environment}"
  labels        = { app = "tracelens", environment = var.environment, managed-by = "terraform" }
  repository_id = "tracelens"
  # Built from inputs, not from the registry module, so the admission policy does not wait on it.
  registry_pattern = "${var.region}-docker.pkg.dev/${var.project_id}/${local.repository_id}/**"
  attestor_name    = "tracelens-built-by-ci"
}

module "project" {
  source     = "../gcp-project"
  project_id = var.project_id
}

module "kms" {
  source        = "../gcp-kms"
  project_id    = var.project_id
  region        = var.region
  key_ring_name = local.name
  labels        = local.labels
  keys = {
    gke-secrets   = { container = module.project.service_agents.container }
    compute-disks = { compute = module.project.service_agents.compute }
    storage       = { storage = module.project.service_agents.storage }
    secrets       = { secretmanager = module.project.service_agents.secretmanager }
    artifacts     = { artifactregistry = module.project.service_agents.artifactregistry }
    cloudsql      = { cloudsql = module.project.service_agents.cloudsql }
  }
  # The Jenkinsfile signs images (cosign) and attestations with this key.
  signing_keys = var.image_attestation ? ["image-signing"] : []
}

module "network" {
  source     = "../gcp-network"
  project_id = var.project_id
  region     = var.region
  name       = local.name
  depends_on = [module.project]
}

module "registry" {
  source        = "../gcp-artifact-registry"
  project_id    = var.project_id
  region        = var.region
  repository_id = local.repository_id
  kms_key_id    = module.kms.key_ids["artifacts"]
  labels        = local.labels
  readers       = { nodes = "serviceAccount:${module.gke.node_service_account}" }
}

module "chart_registry" {
  source        = "../gcp-artifact-registry"
  project_id    = var.project_id
  region        = var.region
  repository_id = "charts"
  description   = "TraceLens Helm charts (OCI)"
  kms_key_id    = module.kms.key_ids["artifacts"]
  labels        = local.labels
}

module "binauthz" {
  source     = "../gcp-binauthz"
  project_id = var.project_id
  # With attestation the environment's own images need CI's attestation; without, the pattern.
  allowed_image_patterns = (
    var.image_attestation
    ? var.extra_allowed_image_patterns
    : concat([local.registry_pattern], var.extra_allowed_image_patterns)
  )
  attestor = var.image_attestation ? {
    name           = local.attestor_name
    signing_key_id = module.kms.signing_key_ids["image-signing"]
  } : null
  enforcement_mode = var.binauthz_enforcement_mode
  depends_on       = [module.project]
}

module "gke" {
  source                       = "../gcp-gke"
  project_id                   = var.project_id
  region                       = var.region
  name                         = local.name
  node_locations               = var.node_locations
  network_id                   = module.network.network_id
  subnet_self_link             = module.network.subnet_self_link
  pods_range_name              = module.network.pods_range_name
  services_range_name          = module.network.services_range_name
  master_authorized_cidrs      = { nodes-subnet = module.network.nodes_cidr, pods = module.network.pods_cidr }
  dns_endpoint_external_access = var.jenkins_aws_account_id != null
  database_encryption_key      = module.kms.key_ids["gke-secrets"]
  boot_disk_key                = module.kms.key_ids["compute-disks"]
  system_pool                  = var.system_pool
  spot_pool                    = var.spot_pool
  rbac_security_group          = var.rbac_security_group
  deletion_protection          = var.deletion_protection
  labels                       = local.labels
  depends_on                   = [module.binauthz]
}

module "buckets" {
  source        = "../gcp-buckets"
  project_id    = var.project_id
  region        = var.region
  name_prefix   = coalesce(var.bucket_prefix, local.name)
  kms_key_id    = module.kms.key_ids["storage"]
  force_destroy = var.force_destroy_buckets
  labels        = local.labels
}

module "secrets" {
  source     = "../gcp-secrets"
  project_id = var.project_id
  region     = var.region
  kms_key_id = module.kms.key_ids["secrets"]
  labels     = local.labels
}

module "workload_identity" {
  source     = "../gcp-workload-identity"
  project_id = var.project_id
  # The chart's default GSA is tracelens-COMPONENT@PROJECT (one project per environment).
  gsa_prefix                  = "tracelens"
  kubernetes_namespace        = var.kubernetes_namespace
  buckets                     = module.buckets.names
  secret_ids                  = module.secrets.secret_ids
  additional_service_accounts = var.chart_service_accounts
  additional_bucket_roles = {
    for name in ["evaluation"] : name => {
      mlflow = ["roles/storage.objectViewer", "roles/storage.objectCreator"]
    } if contains(keys(var.chart_service_accounts), name)
  }
  additional_secret_access = {
    for name, ksa in var.chart_service_accounts : name => (
      # The External Secrets store reads every secret on the chart's behalf.
      name == "secrets" ? keys(module.secrets.secret_ids) : ["tracelens-database-url"]
    )
  }
  # The workload pool exists once the cluster does.
  depends_on = [module.gke]
}

module "dns" {
  source     = "../gcp-dns"
  project_id = var.project_id
  region     = var.region
  name       = local.name
  domain     = var.domain
  records    = var.dns_records
  labels     = local.labels
  # cert-manager's Workload Identity binding needs the cluster's pool.
  depends_on = [module.project, module.gke]
}

module "bastion" {
  source           = "../gcp-bastion"
  project_id       = var.project_id
  zone             = var.bastion_zone
  name             = "${local.name}-bastion"
  network_id       = module.network.network_id
  subnet_self_link = module.network.subnet_self_link
  disk_kms_key     = module.kms.key_ids["compute-disks"]
  admin_members    = var.admin_members
}

module "cloud_sql" {
  source = "../gcp-cloud-sql"
  count  = var.enable_cloud_sql ? 1 : 0

  project_id          = var.project_id
  region              = var.region
  name                = "${local.name}-pg"
  tier                = var.cloud_sql_tier
  availability_type   = var.cloud_sql_availability
  network_id          = module.network.private_services_network
  kms_key_id          = module.kms.key_ids["cloudsql"]
  deletion_protection = var.deletion_protection
  labels              = local.labels
  iam_service_accounts = {
    for workload, email in module.workload_identity.gsa_emails : workload => email
    if !contains(["ui", "secrets"], workload)
  }
}

module "ci_federation" {
  source = "../gcp-ci-federation"
  count  = var.jenkins_aws_account_id == null ? 0 : 1

  project_id     = var.project_id
  project_number = module.project.project_number
  aws_account_id = var.jenkins_aws_account_id
  aws_role_name  = var.jenkins_aws_role_name
  depends_on     = [module.project]
}

module "ci_release" {
  source = "../gcp-ci-release"
  count  = var.ci_release_namespace == null ? 0 : 1

  project_id     = var.project_id
  namespace      = var.ci_release_namespace
  region         = var.region
  repositories   = [local.repository_id, "charts"]
  sign           = var.image_attestation
  signing_key_id = try(module.kms.signing_key_ids["image-signing"], "")
  attestor_name  = local.attestor_name
  # The workload pool exists once the cluster does; the repositories and the attestor before
  # anything is granted on them.
  depends_on = [module.gke, module.registry, module.chart_registry, module.binauthz]
}
