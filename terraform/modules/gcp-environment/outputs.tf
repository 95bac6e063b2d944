output "cluster_name" {
  description = "GKE cluster name."
  value       = module.gke.cluster_name
}

output "cluster_dns_endpoint" {
  description = "DNS endpoint of the control plane."
  value       = module.gke.dns_endpoint
}

output "registry_url" {
  description = "Where CI pushes the images."
  value       = module.registry.repository_url
}

output "buckets" {
  description = "Bucket names by purpose."
  value       = module.buckets.names
}

output "ksa_annotations" {
  description = "Workload Identity annotations for the chart's service accounts."
  value       = module.workload_identity.ksa_annotations
}

output "secret_ids" {
  description = "Secret Manager secrets whose values must be added out of band."
  value       = module.secrets.secret_ids
}

output "ingress_address_name" {
  description = "Name of the reserved static address."
  value       = module.dns.ingress_address_name
}

output "ingress_address" {
  description = "Static address of the way in (the Istio ingress gateway Service's loadBalancerIP)."
  value       = module.dns.ingress_address
}

output "name_servers" {
  description = "Delegate the domain to these name servers."
  value       = module.dns.name_servers
}

output "hostnames" {
  description = "Host names pointing at the ingress."
  value       = module.dns.hostnames
}

output "disk_kms_key" {
  description = "Key for the chart's StorageClass (disk-encryption-kms-key) so PersistentVolumes use CMEK too."
  value       = module.kms.key_ids["compute-disks"]
}

output "bastion" {
  description = "Bastion VM name."
  value       = module.bastion.name
}

output "cloud_sql_connection_name" {
  description = "Cloud SQL connection name (null when the in-cluster database is used)."
  value       = try(module.cloud_sql[0].connection_name, null)
}

output "ci_workload_identity_provider" {
  description = "Workload identity provider for Jenkins (null without federation)."
  value       = try(module.ci_federation[0].provider_name, null)
}

output "ci_deployer_email" {
  description = "Service account Jenkins impersonates (null without federation)."
  value       = try(module.ci_federation[0].deployer_email, null)
}

output "chart_registry_url" {
  description = "OCI repository the Jenkinsfile pushes the chart to (oci://...)."
  value       = "oci://${module.chart_registry.repository_url}"
}

output "image_signing_key" {
  description = "KMS key the Jenkinsfile signs with (append /cryptoKeyVersions/1); null without attestation."
  value       = try(module.kms.signing_key_ids["image-signing"], null)
}

output "attestor" {
  description = "Binary Authorization attestor of CI (null without attestation)."
  value       = module.binauthz.attestor
}

output "ci_release_email" {
  description = "GSA of the Jenkinsfile's release agent (null without release agents)."
  value       = try(module.ci_release[0].email, null)
}

output "cert_manager_gsa" {
  description = "GSA for cert-manager's KSA (DNS-01 in the zone)."
  value       = module.dns.dns01_service_account
}
