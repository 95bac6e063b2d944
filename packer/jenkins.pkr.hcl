# The Jenkins AMI: Ubuntu 24.04 LTS (SSM agent preinstalled) with Jenkins LTS, Caddy (automatic
# TLS through TLS-ALPN-01 on 443), the build tools, and Jenkins configuration as code. No secret
# is baked in: the instance reads them from Secrets Manager at boot (files/ and scripts/).
#
#   packer init packer/ && packer build packer/

packer {
  required_version = ">= 1.14.1, < 2.0.0"

  required_plugins {
    amazon = {
      source  = "github.com/hashicorp/amazon"
      version = "= 1.3.10"
    }
  }
}

locals {
  timestamp = formatdate("YYYYMMDDhhmmss", timestamp())
}

source "amazon-ebs" "jenkins" {
  region          = var.region
  instance_type   = var.build_instance_type
  ami_name        = "tracelens-jenkins-${local.timestamp}"
  ami_description = "TraceLens Jenkins (Jenkins ${var.jenkins_version}, Caddy, build tools)"

  source_ami_filter {
    filters = {
      name                = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"
      virtualization-type = "hvm"
      root-device-type    = "ebs"
      architecture        = "x86_64"
    }
    owners      = ["099720109477"] # Canonical
    most_recent = true
  }

  # The build instance is reached through SSM Session Manager, like the running one.
  communicator                              = "ssh"
  ssh_username                              = "ubuntu"
  ssh_interface                             = "session_manager"
  temporary_security_group_source_public_ip = true
  temporary_iam_instance_profile_policy_document {
    Version = "2012-10-17"
    Statement {
      Effect = "Allow"
      Action = [
        "ssm:UpdateInstanceInformation",
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
      ]
      Resource = ["*"]
    }
  }

  # IMDSv2 only, for the build instance and for every instance launched from the AMI.
  imds_support = "v2.0"
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  encrypt_boot = true
  kms_key_id   = var.kms_key_id

  launch_block_device_mappings {
    device_name           = "/dev/sda1"
    volume_size           = 20
    volume_type           = "gp3"
    encrypted             = true
    delete_on_termination = true
  }

  tags = {
    Name            = "tracelens-jenkins"
    app             = "tracelens"
    jenkins_version = var.jenkins_version
    base_ami        = "{{ .SourceAMI }}"
  }
  run_tags = {
    Name = "packer-tracelens-jenkins"
  }
}

build {
  sources = ["source.amazon-ebs.jenkins"]

  provisioner "shell" {
    inline = ["mkdir -p /tmp/tracelens"]
  }

  provisioner "file" {
    source      = "${path.root}/files/"
    destination = "/tmp/tracelens"
  }

  provisioner "shell" {
    script          = "${path.root}/scripts/install.sh"
    execute_command = "sudo -E bash '{{ .Path }}'"
    environment_vars = [
      "JENKINS_VERSION=${var.jenkins_version}",
      "HELM_VERSION=${var.helm_version}",
      "KUBECTL_VERSION=${var.kubectl_version}",
      "PLUGIN_MANAGER_VERSION=${var.plugin_manager_version}",
    ]
  }

  # Last: removes the build's temporary SSH key and turns sshd off in the image.
  provisioner "shell" {
    script          = "${path.root}/scripts/cleanup.sh"
    execute_command = "sudo -E bash '{{ .Path }}'"
  }

  post-processor "manifest" {
    output     = "packer-manifest.json"
    strip_path = true
  }
}
