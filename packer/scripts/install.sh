#!/bin/bash
# Provisions the Jenkins AMI. Runs as root on the build instance. Every download is either a
# signed apt repository or checked against the SHA-256 its publisher lists beside it.
set -euxo pipefail
export DEBIAN_FRONTEND=noninteractive
src=/tmp/tracelens

: "${JENKINS_VERSION:?}" "${HELM_VERSION:?}" "${KUBECTL_VERSION:?}" "${PLUGIN_MANAGER_VERSION:?}"

apt-get update
apt-get -y upgrade
apt-get install -y --no-install-recommends \
  ca-certificates curl gnupg rsync unzip jq \
  git make build-essential python3 python3-venv python3-pip \
  openjdk-21-jre-headless fontconfig \
  docker.io caddy

install -d -m 0755 /etc/apt/keyrings

# Jenkins LTS from the Jenkins Debian repository, held at the pinned version.
curl -fsSL https://pkg.jenkins.io/debian-stable/jenkins.io-2023.key -o /etc/apt/keyrings/jenkins.asc
echo "deb [signed-by=/etc/apt/keyrings/jenkins.asc] https://pkg.jenkins.io/debian-stable binary/" \
  > /etc/apt/sources.list.d/jenkins.list

# Google Cloud CLI with the GKE auth plugin (deploys authenticate through federation, no keys).
curl -fsSL https://packages.cloud.google.com/apt/doc/apt-key.gpg | gpg --dearmor -o /etc/apt/keyrings/cloud.google.gpg
echo "deb [signed-by=/etc/apt/keyrings/cloud.google.gpg] https://packages.cloud.google.com/apt cloud-sdk main" \
  > /etc/apt/sources.list.d/google-cloud-sdk.list

apt-get update
apt-get install -y "jenkins=${JENKINS_VERSION}" google-cloud-cli google-cloud-cli-gke-gcloud-auth-plugin
apt-mark hold jenkins
usermod -aG docker jenkins

# AWS CLI v2 (reads the Jenkins secrets at boot).
snap install aws-cli --classic

# Helm and kubectl, verified against their published checksums.
work=$(mktemp -d)
cd "$work"
curl -fsSLO "https://get.helm.sh/helm-${HELM_VERSION}-linux-amd64.tar.gz"
curl -fsSLO "https://get.helm.sh/helm-${HELM_VERSION}-linux-amd64.tar.gz.sha256sum"
sha256sum -c "helm-${HELM_VERSION}-linux-amd64.tar.gz.sha256sum"
tar -xzf "helm-${HELM_VERSION}-linux-amd64.tar.gz"
install -m 0755 linux-amd64/helm /usr/local/bin/helm

curl -fsSLO "https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/amd64/kubectl"
echo "$(curl -fsSL "https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/amd64/kubectl.sha256")  kubectl" | sha256sum -c
install -m 0755 kubectl /usr/local/bin/kubectl

# Plugins go into the image; tracelens-jenkins-home copies them into JENKINS_HOME at boot.
curl -fsSLo plugin-manager.jar \
  "https://github.com/jenkinsci/plugin-installation-manager-tool/releases/download/${PLUGIN_MANAGER_VERSION}/jenkins-plugin-manager-${PLUGIN_MANAGER_VERSION}.jar"
sha256sum plugin-manager.jar
install -d -m 0755 /usr/share/tracelens/jenkins-plugins
java -jar plugin-manager.jar \
  --war /usr/share/java/jenkins.war \
  --plugin-file "$src/plugins.txt" \
  --plugin-download-directory /usr/share/tracelens/jenkins-plugins
java -jar plugin-manager.jar --war /usr/share/java/jenkins.war \
  --plugin-download-directory /usr/share/tracelens/jenkins-plugins --list
cd /
rm -rf "$work"

# Configuration: JCasC, Caddy, systemd units and drop-ins.
install -D -m 0644 "$src/jenkins.yaml" /etc/jenkins/casc/jenkins.yaml
install -D -m 0644 "$src/Caddyfile" /etc/caddy/Caddyfile
install -D -m 0644 "$src/jenkins-override.conf" /etc/systemd/system/jenkins.service.d/tracelens.conf
install -D -m 0644 "$src/caddy-override.conf" /etc/systemd/system/caddy.service.d/tracelens.conf
install -m 0644 "$src/tracelens-jenkins-home.service" /etc/systemd/system/
install -m 0644 "$src/tracelens-jenkins-secrets.service" /etc/systemd/system/
install -m 0644 "$src/tracelens-jenkins-gke.service" /etc/systemd/system/
install -m 0755 "$src/tracelens-jenkins-home" /usr/local/sbin/
install -m 0755 "$src/tracelens-jenkins-secrets" /usr/local/sbin/
install -m 0755 "$src/tracelens-jenkins-gke" /usr/local/sbin/
install -d -m 0755 /etc/tracelens

systemctl daemon-reload
systemctl enable tracelens-jenkins-home.service tracelens-jenkins-secrets.service \
  tracelens-jenkins-gke.service jenkins.service caddy.service docker.service
