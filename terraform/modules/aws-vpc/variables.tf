variable "name" {
  description = "Name prefix (Name tags, log group)."
  type        = string
}

variable "cidr" {
  description = "CIDR of the Jenkins VPC."
  type        = string
  default     = "10.60.0.0/24"
}

variable "public_subnet_cidr" {
  description = "CIDR of the subnet the Jenkins instance lives in (it is reached through its Elastic IP on 443 only)."
  type        = string
  default     = "10.60.0.0/26"
}

variable "availability_zone" {
  description = "Availability zone of the subnet."
  type        = string
}

variable "flow_log_retention_days" {
  description = "Days VPC flow logs are kept in CloudWatch Logs."
  type        = number
  default     = 365
}
