#!/bin/bash
# Last provisioning step: leave no state, key or credential in the image.
set -euxo pipefail

systemctl stop jenkins.service caddy.service || true

# JENKINS_HOME lives on its own volume; the image's mount point stays empty. Caddy gets its
# certificate on first boot, so no private key is baked in either.
find /var/lib/jenkins -mindepth 1 -delete
rm -rf /var/lib/caddy/.local/share/caddy /var/lib/caddy/.config/caddy

# No SSH in the running instance: Session Manager only. Remove the build's temporary key.
systemctl disable ssh.service ssh.socket || true
rm -f /home/ubuntu/.ssh/authorized_keys /root/.ssh/authorized_keys
rm -f /etc/ssh/ssh_host_*

rm -rf /tmp/tracelens
apt-get clean
rm -rf /var/lib/apt/lists/*
cloud-init clean --logs
truncate -s 0 /etc/machine-id
