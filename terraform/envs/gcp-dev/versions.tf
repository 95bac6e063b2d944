terraform {
  # S3 native locking (aws-ci) needs 1.10; every root uses the same range.
  required_version = ">= 1.10.0, < 2.0.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "7.40.0"
    }
    google-beta = {
      source  = "hashicorp/google-beta"
      version = "7.40.0"
    }
  }
}
