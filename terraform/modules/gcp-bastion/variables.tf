variable "project_id" {
  description = "GCP project of the bastion."
  type        = string
}

variable "zone" {
  description = "Zone of the bastion VM."
  type        = string
}

variable "name" {
  description = "Name of the VM and its service account."
  type        = string
}

variable "network_id" {
  description = "Id of the VPC the bastion runs in (its firewall rule is attached there)."
  type        = string
}

variable "subnet_self_link" {
  description = "Subnet of the bastion (no external address is attached)."
  type        = string
}

variable "machine_type" {
  description = "Machine type of the bastion."
  type        = string
  default     = "e2-micro"
}

variable "image" {
  description = "Boot image of the bastion."
  type        = string
  default     = "debian-cloud/debian-12"
}

variable "disk_kms_key" {
  description = "Cloud KMS key that encrypts the boot disk."
  type        = string
}

variable "admin_members" {
  description = "IAM members (user:, group:) allowed to open an IAP tunnel and log in with OS Login."
  type        = list(string)
  default     = []
}

variable "iap_source_range" {
  description = "The range IAP TCP forwarding connects from (Google's documented 35.235.240.0/20); SSH is allowed from it only."
  type        = string
  default     = "35.235.240.0/20"
}
