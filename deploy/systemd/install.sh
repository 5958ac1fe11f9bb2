#!/usr/bin/env bash
# Installs the FaceAge worker as a systemd service (run as root from the repository root after
# ./build.sh setup). Publishes a self-contained build to /opt/faceage, copies the built models and
# appsettings.json, creates the unprivileged 'faceage' user and starts the service.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
[ -f models/faceres-deep.onnx ] || { echo "models missing: run ./build.sh setup first" >&2; exit 1; }
id faceage >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin --groups video faceage
dotnet publish src/FaceAge.Worker -c Release -r linux-x64 --self-contained true -o /opt/faceage -nologo
mkdir -p /opt/faceage/models/heads /etc/faceage
cp models/*.onnx models/manifest.json /opt/faceage/models/
# The committed heads (age/gender, face check, head pose), the verification calibration and the crowd error model, with the cards they are checked against.
cp models/heads/*.onnx models/heads/*.json /opt/faceage/models/heads/
[ -f /etc/faceage/appsettings.json ] || cp appsettings.json /etc/faceage/appsettings.json
ln -sf /etc/faceage/appsettings.json /opt/faceage/appsettings.json
[ -f /etc/faceage/faceage.env ] || install -m 600 /dev/null /etc/faceage/faceage.env
install -m 644 deploy/systemd/faceage.service /etc/systemd/system/faceage.service
systemctl daemon-reload
systemctl enable --now faceage
echo "installed: edit /etc/faceage/appsettings.json (cameras), then: systemctl restart faceage; journalctl -u faceage -f"
