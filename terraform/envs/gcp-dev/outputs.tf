output "tracelens" {
  description = "Everything the Helm install and the bootstrap runbook need."
  value = {
    cluster_name                  = module.tracelens.cluster_name
    cluster_dns_endpoint          = module.tracelens.cluster_dns_endpoint
    registry_url                  = module.tracelens.registry_url
    buckets                       = module.tracelens.buckets
    ksa_annotations               = module.tracelens.ksa_annotations
    secret_ids                    = module.tracelens.secret_ids
    ingress_address_name          = module.tracelens.ingress_address_name
    ingress_address               = module.tracelens.ingress_address
    name_servers                  = module.tracelens.name_servers
    hostnames                     = module.tracelens.hostnames
    disk_kms_key                  = module.tracelens.disk_kms_key
    bastion                       = module.tracelens.bastion
    cloud_sql_connection_name     = module.tracelens.cloud_sql_connection_name
    ci_workload_identity_provider = module.tracelens.ci_workload_identity_provider
    ci_deployer_email             = module.tracelens.ci_deployer_email
    chart_registry_url            = module.tracelens.chart_registry_url
    image_signing_key             = module.tracelens.image_signing_key
    attestor                      = module.tracelens.attestor
    ci_release_email              = module.tracelens.ci_release_email
    cert_manager_gsa              = module.tracelens.cert_manager_gsa
  }
}
