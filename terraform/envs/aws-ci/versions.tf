terraform {
  # use_lockfile (S3 native state locking) needs Terraform 1.10.
  required_version = ">= 1.10.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "6.8.0"
    }
  }
}
