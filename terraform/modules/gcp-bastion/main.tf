# Bastion reached only through IAP TCP forwarding: no external address, SSH allowed from the IAP
# range only, OS Login instead of keys. It runs tinyproxy on 127.0.0.1:8888 so kubectl reaches the
# cluster's private endpoint through an IAP tunnel (see the README).

resource "google_service_account" "this" {
  project      = var.project_id
  account_id   = var.name
  display_name = "Bastion ${var.name} (logs and metrics only)"
}

resource "google_project_iam_member" "this" {
  for_each = toset(["roles/logging.logWriter", "roles/monitoring.metricWriter"])

  project = var.project_id
  role    = each.value
  member  = google_service_account.this.member
}

resource "google_compute_instance" "this" {
  project      = var.project_id
  name         = var.name
  zone         = var.zone
  machine_type = var.machine_type
  tags         = ["bastion"]

  boot_disk {
    kms_key_self_link = var.disk_kms_key
    initialize_params {
      image = var.image
      size  = 10
      type  = "pd-balanced"
    }
  }

  # No access_config block: the VM has no external address.
  network_interface {
    subnetwork = var.subnet_self_link
  }

  shielded_instance_config {
    enable_secure_boot          = true
    enable_vtpm                 = true
    enable_integrity_monitoring = true
  }

  service_account {
    email  = google_service_account.this.email
    scopes = ["cloud-platform"]
  }

  metadata = {
    enable-oslogin         = "TRUE"
    block-project-ssh-keys = "TRUE"
    serial-port-enable     = "FALSE"
  }

  metadata_startup_script = <<-EOT
    #!/bin/sh
    set -eu
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y tinyproxy
    sed -i 's/^#\?Listen .*/Listen 127.0.0.1/' /etc/tinyproxy/tinyproxy.conf
    systemctl restart tinyproxy
  EOT

  can_ip_forward = false
}

resource "google_compute_firewall" "iap_ssh" {
  project     = var.project_id
  name        = "${var.name}-allow-iap-ssh"
  network     = var.network_id
  direction   = "INGRESS"
  priority    = 1000
  target_tags = ["bastion"]

  allow {
    protocol = "tcp"
    ports    = ["22"]
  }

  source_ranges = [var.iap_source_range]

  log_config {
    metadata = "INCLUDE_ALL_METADATA"
  }
}

resource "google_iap_tunnel_instance_iam_member" "this" {
  for_each = toset(var.admin_members)

  project  = var.project_id
  zone     = var.zone
  instance = google_compute_instance.this.name
  role     = "roles/iap.tunnelResourceAccessor"
  member   = each.value
}

resource "google_compute_instance_iam_member" "os_login" {
  for_each = toset(var.admin_members)

  project       = var.project_id
  zone          = var.zone
  instance_name = google_compute_instance.this.name
  role          = "roles/compute.osLogin"
  member        = each.value
}

# OS Login users must be allowed to act as the VM's service account.
resource "google_service_account_iam_member" "act_as" {
  for_each = toset(var.admin_members)

  service_account_id = google_service_account.this.name
  role               = "roles/iam.serviceAccountUser"
  member             = each.value
}
