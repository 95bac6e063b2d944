# Keyless CI: the Jenkins controller on EC2 exchanges its instance-role credentials for a
# short-lived token of the deployer service account (workload identity federation), so no GCP
# key exists anywhere. The deployer may fetch cluster credentials; inside the cluster, Kubernetes
# RBAC lets it run the agent pods in the Jenkins namespace (README). Pushing, signing and
# deploying are done by those pods as jenkins-release (gcp-ci-release), not by the controller.

resource "google_iam_workload_identity_pool" "this" {
  project                   = var.project_id
  workload_identity_pool_id = var.pool_id
  display_name              = "Jenkins on AWS"
}

locals {
  aws_role_session = "arn:aws:sts::${var.aws_account_id}:assumed-role/${var.aws_role_name}"
}

resource "google_iam_workload_identity_pool_provider" "aws" {
  project                            = var.project_id
  workload_identity_pool_id          = google_iam_workload_identity_pool.this.workload_identity_pool_id
  workload_identity_pool_provider_id = "aws"
  display_name                       = "AWS account ${var.aws_account_id}"

  attribute_mapping = {
    "google.subject"     = "assertion.arn"
    "attribute.aws_role" = "assertion.arn.contains('assumed-role') ? assertion.arn.extract('{account_arn}assumed-role/') + 'assumed-role/' + assertion.arn.extract('assumed-role/{role_name}/') : assertion.arn"
  }

  attribute_condition = "attribute.aws_role == '${local.aws_role_session}'"

  aws {
    account_id = var.aws_account_id
  }
}

resource "google_service_account" "deployer" {
  project      = var.project_id
  account_id   = var.deployer_account_id
  display_name = "CI deployer (Jenkins on AWS, federated)"
}

resource "google_service_account_iam_member" "federation" {
  service_account_id = google_service_account.deployer.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/projects/${var.project_number}/locations/global/workloadIdentityPools/${google_iam_workload_identity_pool.this.workload_identity_pool_id}/attribute.aws_role/${local.aws_role_session}"
}

resource "google_project_iam_member" "cluster_viewer" {
  project = var.project_id
  role    = "roles/container.clusterViewer"
  member  = google_service_account.deployer.member
}
