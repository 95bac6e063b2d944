# Private regional GKE Standard cluster: Dataplane V2 (NetworkPolicy enforced), Workload
# Identity, Binary Authorization, shielded nodes, CMEK for etcd secrets and boot disks,
# Managed Prometheus, a system pool and a tainted spot pool.

resource "google_service_account" "nodes" {
  project      = var.project_id
  account_id   = "${var.name}-nodes"
  display_name = "GKE nodes of ${var.name} (logs, metrics, image pulls only)"
}

resource "google_project_iam_member" "nodes" {
  for_each = toset([
    "roles/autoscaling.metricsWriter",
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
  ])

  project = var.project_id
  role    = each.value
  member  = google_service_account.nodes.member
}

resource "google_container_cluster" "this" {
  project             = var.project_id
  name                = var.name
  location            = var.region
  node_locations      = length(var.node_locations) == 0 ? null : var.node_locations
  min_master_version  = var.kubernetes_version
  deletion_protection = var.deletion_protection
  resource_labels     = var.labels

  network         = var.network_id
  subnetwork      = var.subnet_self_link
  networking_mode = "VPC_NATIVE"

  # Dataplane V2 (Cilium) enforces NetworkPolicy without the Calico add-on.
  datapath_provider           = "ADVANCED_DATAPATH"
  enable_intranode_visibility = true
  enable_shielded_nodes       = true
  enable_legacy_abac          = false

  # Node pools are managed below; the default one is removed after creation.
  remove_default_node_pool = true
  initial_node_count       = 1

  # Calico stays off: Dataplane V2 enforces NetworkPolicy itself (the two are exclusive).
  network_policy {
    enabled = false
  }

  ip_allocation_policy {
    cluster_secondary_range_name  = var.pods_range_name
    services_secondary_range_name = var.services_range_name
  }

  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = true
    master_ipv4_cidr_block  = var.master_ipv4_cidr_block

    master_global_access_config {
      enabled = false
    }
  }

  control_plane_endpoints_config {
    dns_endpoint_config {
      allow_external_traffic = var.dns_endpoint_external_access
    }
  }

  master_authorized_networks_config {
    gcp_public_cidrs_access_enabled = false

    dynamic "cidr_blocks" {
      for_each = var.master_authorized_cidrs
      content {
        display_name = cidr_blocks.key
        cidr_block   = cidr_blocks.value
      }
    }
  }

  master_auth {
    client_certificate_config {
      issue_client_certificate = false
    }
  }

  workload_identity_config {
    workload_pool = "${var.project_id}.svc.id.goog"
  }

  binary_authorization {
    evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE"
  }

  database_encryption {
    state    = "ENCRYPTED"
    key_name = var.database_encryption_key
  }

  release_channel {
    channel = var.release_channel
  }

  maintenance_policy {
    recurring_window {
      start_time = var.maintenance_window.start_time
      end_time   = var.maintenance_window.end_time
      recurrence = var.maintenance_window.recurrence
    }
  }

  monitoring_config {
    enable_components = ["SYSTEM_COMPONENTS"]

    managed_prometheus {
      enabled = true
    }
  }

  logging_config {
    enable_components = ["SYSTEM_COMPONENTS", "WORKLOADS"]
  }

  addons_config {
    http_load_balancing {
      disabled = false
    }
    horizontal_pod_autoscaling {
      disabled = false
    }
    gce_persistent_disk_csi_driver_config {
      enabled = true
    }
  }

  # Lets pods mount Secret Manager secrets with their own Workload Identity.
  secret_manager_config {
    enabled = true
  }

  security_posture_config {
    mode               = "BASIC"
    vulnerability_mode = "VULNERABILITY_BASIC"
  }

  vertical_pod_autoscaling {
    enabled = true
  }

  dynamic "authenticator_groups_config" {
    for_each = var.rbac_security_group == null ? [] : [var.rbac_security_group]
    content {
      security_group = authenticator_groups_config.value
    }
  }

  # Only for the throwaway default pool; the real pools set the same hardening.
  node_config {
    service_account   = google_service_account.nodes.email
    oauth_scopes      = ["https://www.googleapis.com/auth/cloud-platform"]
    image_type        = "COS_CONTAINERD"
    boot_disk_kms_key = var.boot_disk_key

    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }

    workload_metadata_config {
      mode = "GKE_METADATA"
    }

    metadata = {
      disable-legacy-endpoints = "true"
    }
  }

  lifecycle {
    # The default pool's node_config is only read at creation.
    ignore_changes = [node_config]
  }
}

locals {
  pools = {
    system = {
      config = var.system_pool
      spot   = false
      labels = { "tracelens.io/pool" = "system" }
      taints = []
    }
    spot = {
      config = var.spot_pool
      spot   = true
      labels = { "tracelens.io/pool" = "spot" }
      taints = [{ key = "cloud.google.com/gke-spot", value = "true", effect = "NO_SCHEDULE" }]
    }
  }
}

resource "google_container_node_pool" "this" {
  for_each = local.pools

  project  = var.project_id
  name     = each.key
  cluster  = google_container_cluster.this.id
  location = var.region

  autoscaling {
    min_node_count = each.value.config.min_nodes
    max_node_count = each.value.config.max_nodes
  }

  management {
    auto_repair  = true
    auto_upgrade = true
  }

  upgrade_settings {
    max_surge       = 1
    max_unavailable = 0
  }

  node_config {
    machine_type      = each.value.config.machine_type
    disk_size_gb      = each.value.config.disk_size_gb
    disk_type         = "pd-balanced"
    image_type        = "COS_CONTAINERD"
    spot              = each.value.spot
    service_account   = google_service_account.nodes.email
    oauth_scopes      = ["https://www.googleapis.com/auth/cloud-platform"]
    boot_disk_kms_key = var.boot_disk_key
    labels            = merge(var.labels, each.value.labels)
    resource_labels   = var.labels
    tags              = ["gke-${var.name}", "gke-${var.name}-${each.key}"]

    dynamic "taint" {
      for_each = each.value.taints
      content {
        key    = taint.value.key
        value  = taint.value.value
        effect = taint.value.effect
      }
    }

    shielded_instance_config {
      enable_secure_boot          = true
      enable_integrity_monitoring = true
    }

    workload_metadata_config {
      mode = "GKE_METADATA"
    }

    metadata = {
      disable-legacy-endpoints = "true"
    }
  }
}
