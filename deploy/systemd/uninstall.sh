#!/usr/bin/env bash
# Stops and removes the FaceAge service and its files. Keeps /etc/faceage (settings, secrets) unless --purge.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
systemctl disable --now faceage 2>/dev/null || true
rm -f /etc/systemd/system/faceage.service
systemctl daemon-reload
rm -rf /opt/faceage /var/lib/faceage
if [ "${1:-}" = "--purge" ]; then rm -rf /etc/faceage; userdel faceage 2>/dev/null || true; fi
echo "FaceAge removed"
