# Jenkins for TraceLens: its VPC and the instance built from the Packer AMI.
module "vpc" {
  source            = "../../modules/aws-vpc"
  name              = "tracelens-ci"
  availability_zone = var.availability_zone
}

module "jenkins" {
  source                         = "../../modules/aws-jenkins"
  vpc_id                         = module.vpc.vpc_id
  subnet_id                      = module.vpc.public_subnet_id
  availability_zone              = module.vpc.availability_zone
  ami_id                         = var.ami_id
  route53_zone_id                = var.route53_zone_id
  hostname                       = var.hostname
  acme_email                     = var.acme_email
  https_ingress_cidrs            = var.https_ingress_cidrs
  gcp_workload_identity_provider = var.gcp_workload_identity_provider
  gcp_deployer_email             = var.gcp_deployer_email
  gke_agent_cluster              = var.gke_agent_cluster
}
