# State bucket created once by hand (README, "Bootstrap (Terraform)"); locking is S3-native
# (a .tflock object beside the state), so no DynamoDB table is needed.
terraform {
  backend "s3" {
    bucket       = "tracelens-tfstate-ci"
    key          = "envs/aws-ci/terraform.tfstate"
    region       = "us-east-1"
    encrypt      = true
    use_lockfile = true
  }
}
