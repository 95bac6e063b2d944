"""Each property check flags a violation planted in a small snippet: none of them can pass by
looking at nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.platform_terraform import hcl


def parsed(text: str) -> list[hcl.Block]:
    return hcl.blocks(hcl.parse_text(text), Path("snippet.tf"))


@pytest.mark.parametrize(
    "snippet",
    [
        'resource "google_compute_firewall" "f" {\n  allow {\n    protocol = "tcp"\n'
        '    ports    = ["22"]\n  }\n  source_ranges = ["0.0.0.0/0"]\n}\n',
        'resource "google_compute_firewall" "f" {\n  allow {\n    protocol = "all"\n  }\n'
        '  source_ranges = ["10.0.0.0/8", "0.0.0.0/0"]\n}\n',
        'resource "google_compute_firewall" "f" {\n  allow {\n    protocol = "tcp"\n'
        '    ports    = ["3000-4000"]\n  }\n}\n',
        'variable "open" {\n  default = ["0.0.0.0/0"]\n}\n'
        'resource "aws_security_group" "g" {\n  ingress {\n    from_port   = 3389\n'
        '    to_port     = 3389\n    protocol    = "tcp"\n    cidr_blocks = var.open\n  }\n}\n',
        'resource "aws_security_group" "g" {\n  ingress {\n    from_port        = 0\n'
        '    to_port          = 0\n    protocol         = "-1"\n'
        '    ipv6_cidr_blocks = ["::/0"]\n  }\n}\n',
        'resource "aws_security_group_rule" "r" {\n  type        = "ingress"\n  from_port   = 22\n'
        '  to_port     = 22\n  protocol    = "tcp"\n  cidr_blocks = [var.unknown]\n}\n',
        'resource "aws_vpc_security_group_ingress_rule" "r" {\n  from_port   = 20\n'
        '  to_port     = 25\n  ip_protocol = "tcp"\n  cidr_ipv4   = "0.0.0.0/0"\n}\n',
        'source "amazon-ebs" "x" {\n  ssh_interface = "session_manager"\n}\n',
    ],
)
def test_open_admin_ports_are_flagged(snippet: str) -> None:
    assert hcl.open_admin_ports(parsed(snippet))


@pytest.mark.parametrize(
    "snippet",
    [
        'variable "iap" {\n  default = "35.235.240.0/20"\n}\n'
        'resource "google_compute_firewall" "f" {\n  allow {\n    protocol = "tcp"\n'
        '    ports    = ["22"]\n  }\n  source_ranges = [var.iap]\n}\n',
        'resource "aws_security_group" "g" {\n  ingress {\n    from_port   = 443\n'
        '    to_port     = 443\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n',
    ],
)
def test_narrow_or_https_rules_pass(snippet: str) -> None:
    assert hcl.open_admin_ports(parsed(snippet)) == []


def test_public_endpoint_and_public_nodes_are_flagged() -> None:
    bad = parsed(
        'resource "google_container_cluster" "c" {\n  private_cluster_config {\n'
        "    enable_private_nodes    = false\n    enable_private_endpoint = false\n  }\n}\n"
        'resource "google_container_node_pool" "p" {\n  network_config {\n'
        "    enable_private_nodes = false\n  }\n}\n"
    )
    assert len(hcl.private_cluster_violations(bad)) == 4


@pytest.mark.parametrize(
    "snippet",
    [
        'resource "google_storage_bucket" "b" {\n  name = "x"\n}\n',
        'resource "google_container_cluster" "c" {\n  database_encryption {\n'
        '    state = "DECRYPTED"\n  }\n}\n',
        'resource "google_container_node_pool" "p" {\n  node_config {\n'
        '    machine_type = "e2-small"\n  }\n}\n',
        'resource "aws_ebs_volume" "v" {\n  encrypted = true\n}\n',
        'resource "google_secret_manager_secret" "s" {\n  replication {\n    auto {}\n  }\n}\n',
        'resource "google_sql_database_instance" "d" {\n  name = "x"\n}\n',
    ],
)
def test_missing_cmek_is_flagged(snippet: str) -> None:
    assert hcl.cmek_violations(parsed(snippet))


def test_public_bucket_is_flagged() -> None:
    bad = parsed(
        'resource "google_storage_bucket" "b" {\n  public_access_prevention = "inherited"\n'
        "  uniform_bucket_level_access = true\n}\n"
    )
    problems = hcl.bucket_violations(bad)
    assert any("public_access_prevention" in p for p in problems)


@pytest.mark.parametrize(
    "snippet",
    [
        'resource "google_secret_manager_secret_version" "v" {\n  secret_data = var.x\n}\n',
        'resource "aws_db_instance" "d" {\n  password = "hunter2hunter2"\n}\n',
        'variable "db_password" {\n  default = "changeme"\n}\n',
        'variable "x" {\n  sensitive = true\n  default   = "abc"\n}\n',
        'variable "creds" {\n  default = { api_key = "abc123" }\n}\n',
        'provider "github" {\n  token = "literal-token"\n}\n',
    ],
)
def test_secret_values_are_flagged(snippet: str) -> None:
    assert hcl.secret_values(parsed(snippet))


def test_references_to_secrets_pass() -> None:
    ok = parsed('resource "aws_db_instance" "d" {\n  password = var.password\n}\n')
    assert hcl.secret_values(ok) == []


def test_credentials_in_text_are_found() -> None:
    assert hcl.credentials_in_text("key = AKIAIOSFODNN7EXAMPLE") == ["AWS access key id"]
    assert hcl.credentials_in_text("-----BEGIN RSA PRIVATE KEY-----\nMIIE") == ["private key"]
    assert hcl.credentials_in_text("password = ${var.x}") == []


@pytest.mark.parametrize(
    "snippet",
    [
        'resource "aws_instance" "i" {\n  ami = "ami-1"\n}\n',
        'resource "aws_launch_template" "t" {\n  metadata_options {\n'
        '    http_tokens = "optional"\n  }\n}\n',
        'source "amazon-ebs" "x" {\n  metadata_options {\n    http_tokens = "required"\n  }\n}\n',
    ],
)
def test_imdsv1_is_flagged(snippet: str) -> None:
    assert hcl.imds_violations(parsed(snippet))


def test_undocumented_inputs_are_flagged() -> None:
    bad = parsed('variable "x" {\n  type = string\n}\noutput "y" {\n  value = 1\n}\n')
    assert len(hcl.undocumented(bad)) == 2


def test_version_constraints() -> None:
    assert hcl.exact_pin("7.40.0") == "7.40.0"
    assert hcl.exact_pin("= 1.3.10") == "1.3.10"
    assert hcl.exact_pin(">= 7.40.0") is None
    assert hcl.exact_pin("~> 6.8") is None
    assert hcl.bounded(">= 7.40.0, < 8.0.0")
    assert hcl.bounded("~> 6.8")
    assert not hcl.bounded(">= 7.0")
    assert not hcl.bounded(None)
    assert hcl.satisfies("7.40.0", ">= 7.40.0, < 8.0.0")
    assert not hcl.satisfies("8.0.0", ">= 7.40.0, < 8.0.0")
    assert not hcl.satisfies("7.39.9", ">= 7.40.0, < 8.0.0")
    assert hcl.satisfies("6.20.0", "~> 6.8")
    assert not hcl.satisfies("7.0.0", "~> 6.8")
    assert not hcl.satisfies("6.9.0", "~> 6.8.1")


def test_unknown_at_plan() -> None:
    values = {"local.members": "${module.gke.node_service_account}", "local.fixed": ["a"]}
    assert hcl.unknown_at_plan("serviceAccount:${module.gke.email}", {})
    assert hcl.unknown_at_plan(["${google_service_account.this.member}"], {})
    assert hcl.unknown_at_plan("${data.google_project.this.number}", {})
    assert hcl.unknown_at_plan("${local.members}", values)
    assert not hcl.unknown_at_plan("${local.fixed}", values)
    assert not hcl.unknown_at_plan(["${var.admin_members}", "user:a@example.edu"], {})


def test_module_cycles_are_found() -> None:
    bs = parsed(
        "locals {\n  m = module.c.member\n}\n"
        'module "a" {\n  source = "./a"\n  x      = local.m\n}\n'
        'module "b" {\n  source     = "./b"\n  depends_on = [module.a]\n}\n'
        'module "c" {\n  source     = "./c"\n  depends_on = [module.b]\n}\n'
    )
    graph = hcl.module_graph(bs)
    assert graph == {"a": {"c"}, "b": {"a"}, "c": {"b"}}
    assert hcl.find_cycle(graph) == ["a", "c", "b", "a"]
    assert hcl.find_cycle({"a": {"b"}, "b": set()}) is None
