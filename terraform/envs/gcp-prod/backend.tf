# State bucket created once by hand (README, "Bootstrap (Terraform)"); rename if the name is taken.
terraform {
  backend "gcs" {
    bucket = "tracelens-tfstate-prod"
    prefix = "envs/gcp-prod"
  }
}
