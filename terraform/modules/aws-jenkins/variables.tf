variable "name" {
  description = "Name prefix of the instance, its role and its secrets."
  type        = string
  default     = "tracelens-jenkins"
}

variable "vpc_id" {
  description = "VPC of the instance."
  type        = string
}

variable "subnet_id" {
  description = "Subnet of the instance."
  type        = string
}

variable "availability_zone" {
  description = "Availability zone of the subnet (for the JENKINS_HOME volume)."
  type        = string
}

variable "ami_id" {
  description = "AMI to run; null picks the newest image named tracelens-jenkins-* owned by this account (built by packer/)."
  type        = string
  default     = null
}

variable "instance_type" {
  description = "EC2 instance type."
  type        = string
  default     = "t3.large"
}

variable "root_volume_gb" {
  description = "Size of the encrypted root volume."
  type        = number
  default     = 30
}

variable "data_volume_gb" {
  description = "Size of the encrypted JENKINS_HOME volume, which outlives AMI replacements."
  type        = number
  default     = 100
}

variable "snapshot_retain_count" {
  description = "Daily snapshots of JENKINS_HOME kept by Data Lifecycle Manager."
  type        = number
  default     = 14
}

variable "https_ingress_cidrs" {
  description = "Ranges allowed to reach Jenkins on 443 (users and the Git host's webhooks). Nothing else is open."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone the Jenkins record is created in."
  type        = string
}

variable "hostname" {
  description = "Fully qualified name of Jenkins; Caddy obtains its certificate for this name."
  type        = string
}

variable "acme_email" {
  description = "Contact address given to the ACME CA (Let's Encrypt) by Caddy."
  type        = string
}

variable "secret_names" {
  description = "Secrets Manager secrets the instance reads at boot (without values: they are set out of band with aws secretsmanager put-secret-value)."
  type        = map(string)
  default = {
    admin-password        = "Password of the Jenkins admin user."
    github-token          = "Token Jenkins uses to read repositories and report commit statuses."
    github-webhook-secret = "Shared secret that signs the Git host's webhooks."
  }
}

variable "gcp_workload_identity_provider" {
  description = "Full name of the GCP workload identity provider that trusts this instance's role (from the gcp-* roots); not a secret."
  type        = string
  default     = ""
}

variable "gcp_deployer_email" {
  description = "GCP service account the pipelines impersonate through federation; not a secret."
  type        = string
  default     = ""
}

variable "gke_agent_cluster" {
  description = "GKE cluster the build agents run in (project, region, cluster name, namespace); empty strings leave Jenkins without cloud agents. Not secrets."
  type = object({
    project   = string
    region    = string
    cluster   = string
    namespace = string
  })
  default = {
    project   = ""
    region    = ""
    cluster   = ""
    namespace = "jenkins"
  }
}

variable "tags" {
  description = "Tags of every resource (merged with the provider's default tags)."
  type        = map(string)
  default     = {}
}
