# Jenkins on EC2 from the Packer-built AMI: reached on 443 only (Caddy with automatic TLS in front
# of Jenkins on 127.0.0.1:8080), administered through SSM Session Manager (no SSH, no key pair),
# IMDSv2 required, every volume encrypted with a customer-managed key, JENKINS_HOME on its own
# volume with daily snapshots, secrets read from Secrets Manager at boot.

data "aws_caller_identity" "this" {}

data "aws_region" "this" {}

data "aws_ami" "jenkins" {
  count = var.ami_id == null ? 1 : 0

  most_recent = true
  owners      = ["self"]

  filter {
    name   = "name"
    values = ["tracelens-jenkins-*"]
  }
}

locals {
  ami_id        = var.ami_id == null ? data.aws_ami.jenkins[0].id : var.ami_id
  secret_prefix = "tracelens/${var.name}"
}

data "aws_iam_policy_document" "key" {
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.this.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "${var.name}: EBS volumes, snapshots and secrets"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}

resource "aws_secretsmanager_secret" "this" {
  for_each = var.secret_names

  name                    = "${local.secret_prefix}/${each.key}"
  description             = each.value
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = 7
  tags                    = var.tags
}

resource "aws_security_group" "this" {
  name        = var.name
  description = "Jenkins: HTTPS in; HTTPS and HTTP (package mirrors) out"
  vpc_id      = var.vpc_id
  tags        = var.tags

  ingress {
    description = "HTTPS to Caddy (TLS-ALPN-01 challenges arrive here too)"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = var.https_ingress_cidrs
  }

  egress {
    description = "HTTPS: Git host, plugin site, registries, AWS and GCP APIs"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    description = "HTTP: Debian package mirrors"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "instance" {
  statement {
    sid       = "ReadOwnSecrets"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [for s in aws_secretsmanager_secret.this : s.arn]
  }

  statement {
    sid       = "DecryptOwnSecrets"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.this.arn]
  }
}

resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "ssm" {
  role       = aws_iam_role.this.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_role_policy" "instance" {
  name   = "read-jenkins-secrets"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.instance.json
}

resource "aws_iam_instance_profile" "this" {
  name = var.name
  role = aws_iam_role.this.name
}

resource "aws_ebs_volume" "home" {
  availability_zone = var.availability_zone
  size              = var.data_volume_gb
  type              = "gp3"
  encrypted         = true
  kms_key_id        = aws_kms_key.this.arn
  tags              = merge(var.tags, { Name = "${var.name}-home", Snapshot = "${var.name}-home" })
}

resource "aws_instance" "this" {
  ami                         = local.ami_id
  instance_type               = var.instance_type
  subnet_id                   = var.subnet_id
  vpc_security_group_ids      = [aws_security_group.this.id]
  iam_instance_profile        = aws_iam_instance_profile.this.name
  associate_public_ip_address = false
  ebs_optimized               = true
  monitoring                  = true
  tags                        = merge(var.tags, { Name = var.name })

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  root_block_device {
    encrypted             = true
    kms_key_id            = aws_kms_key.this.arn
    volume_type           = "gp3"
    volume_size           = var.root_volume_gb
    delete_on_termination = true
  }

  # Plain settings only; the AMI's boot units read the secrets from Secrets Manager themselves.
  user_data = <<-EOT
    #cloud-config
    write_files:
      - path: /etc/tracelens/jenkins.env
        permissions: "0644"
        content: |
          JENKINS_HOSTNAME=${var.hostname}
          ACME_EMAIL=${var.acme_email}
          AWS_REGION=${data.aws_region.this.region}
          JENKINS_SECRET_PREFIX=${local.secret_prefix}
          JENKINS_HOME_VOLUME_ID=${aws_ebs_volume.home.id}
          GCP_WORKLOAD_IDENTITY_PROVIDER=${var.gcp_workload_identity_provider}
          GCP_DEPLOYER_EMAIL=${var.gcp_deployer_email}
          GCP_PROJECT=${var.gke_agent_cluster.project}
          GKE_REGION=${var.gke_agent_cluster.region}
          GKE_CLUSTER=${var.gke_agent_cluster.cluster}
          GKE_AGENT_NAMESPACE=${var.gke_agent_cluster.namespace}
  EOT
}

resource "aws_volume_attachment" "home" {
  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.home.id
  instance_id = aws_instance.this.id
}

resource "aws_eip" "this" {
  domain   = "vpc"
  instance = aws_instance.this.id
  tags     = merge(var.tags, { Name = var.name })
}

resource "aws_route53_record" "this" {
  zone_id = var.route53_zone_id
  name    = var.hostname
  type    = "A"
  ttl     = 300
  records = [aws_eip.this.public_ip]
}

data "aws_iam_policy_document" "dlm_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["dlm.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "dlm" {
  name               = "${var.name}-snapshots"
  assume_role_policy = data.aws_iam_policy_document.dlm_assume.json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "dlm" {
  role       = aws_iam_role.dlm.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole"
}

resource "aws_dlm_lifecycle_policy" "home" {
  description        = "Daily snapshots of ${var.name} JENKINS_HOME"
  execution_role_arn = aws_iam_role.dlm.arn
  state              = "ENABLED"
  tags               = var.tags

  policy_details {
    resource_types = ["VOLUME"]
    target_tags    = { Snapshot = "${var.name}-home" }

    schedule {
      name      = "daily"
      copy_tags = true

      create_rule {
        interval      = 24
        interval_unit = "HOURS"
        times         = ["04:00"]
      }

      retain_rule {
        count = var.snapshot_retain_count
      }
    }
  }
}
