variable "region" {
  description = "AWS region of Jenkins."
  type        = string
  default     = "us-east-1"
}

variable "availability_zone" {
  description = "Availability zone of the Jenkins subnet and volumes."
  type        = string
  default     = "us-east-1a"
}

variable "route53_zone_id" {
  description = "Hosted zone that gets the Jenkins record."
  type        = string
}

variable "hostname" {
  description = "Jenkins host name, e.g. ci.tracelens.example.edu."
  type        = string
}

variable "acme_email" {
  description = "Contact address for the ACME CA."
  type        = string
}

variable "https_ingress_cidrs" {
  description = "Who may reach Jenkins on 443."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "ami_id" {
  description = "AMI built by packer/; null takes the newest tracelens-jenkins-* image of the account."
  type        = string
  default     = null
}

variable "gcp_workload_identity_provider" {
  description = "Output ci_workload_identity_provider of the gcp-dev root, where the agents run (not a secret)."
  type        = string
  default     = ""
}

variable "gcp_deployer_email" {
  description = "Output ci_deployer_email of the gcp-dev root (not a secret)."
  type        = string
  default     = ""
}

variable "gke_agent_cluster" {
  description = "GKE cluster the Jenkinsfile's agent pods run in (the dev cluster); not secrets."
  type = object({
    project   = string
    region    = string
    cluster   = string
    namespace = string
  })
  default = {
    project   = ""
    region    = "us-central1"
    cluster   = "tracelens-dev"
    namespace = "jenkins"
  }
}
