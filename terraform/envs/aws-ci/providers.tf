provider "aws" {
  region = var.region

  default_tags {
    tags = {
      app        = "tracelens"
      component  = "ci"
      managed-by = "terraform"
    }
  }
}
