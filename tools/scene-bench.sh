#!/usr/bin/env bash
# Scene benchmark: does the worker count every person once? For each seed it builds a 1280x720, 10 fps scene of
# known people (utkface-dev chips crossing a real background video whose own face is painted out, 25 % of them
# coming back; ../shared/tools/scene),
# serves it over a real RTSP server (GStreamer), runs the worker on it with its default settings and the embedded
# broker, collects the person events over MQTT and scores them against the scene's truth (tools/scene_score.py).
#
#   tools/scene-bench.sh [--seeds "1 2 3"] [--people 40] [--seconds 150] [--out artifacts/scene-bench]
#
# Needs ./build.sh setup, ../shared, and the test packages (gstreamer1.0-rtsp, python3-gi, mosquitto-clients,
# python3-opencv). Results: <out>/seed-<n>/score.json and <out>/summary.json (docs/benchmarks.md, "Scenes").
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS="1 2 3"; PEOPLE=40; SECONDS_=150; OUT=artifacts/scene-bench; SHARED=${FACEAGE_SHARED:-../shared}
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) SEEDS=$2; shift 2 ;; --people) PEOPLE=$2; shift 2 ;; --seconds) SECONDS_=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;; *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -d "$SHARED/tools/scene" ] || { echo "scene-bench: $SHARED/tools/scene not found (development data only)" >&2; exit 2; }
PY=/usr/bin/python3   # Debian's python (cv2, gi)
WORKER=$(pwd)/src/FaceAge.Worker/bin/${CONFIG:-Release}/net10.0/faceage-worker.dll
MODELS=$(pwd)/models
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# The background: a real street-side video (s32) with its one person's face painted out, so that every face in a
# scene is a known one.
BG="$OUT/background.mp4"
[ -s "$BG" ] || dotnet src/FaceAge.Cli/bin/${CONFIG:-Release}/net10.0/faceage.dll bench face-free-video --video "$SHARED/videos/s32.mp4" --out "$BG"

for seed in $SEEDS; do
  dir="$OUT/seed-$seed"; mkdir -p "$dir"
  if [ ! -s "$dir/truth.json" ]; then
    $PY "$SHARED/tools/scene/make_scene.py" --labels "$SHARED/datasets/utkface-dev/labels.csv" --bg "$BG" \
      --out "$dir/scene.mp4" --truth "$dir/truth.json" --seconds "$SECONDS_" --people "$PEOPLE" --reentry 0.25 \
      --min-face 32 --max-face 160 --seed "$seed" > "$dir/make.json"
  fi
  rtsp_port=$(free_port); mqtt_port=$(free_port); http_port=$(free_port)
  $PY tests/FaceAge.Worker.Tests/Support/rtsp_server.py "$rtsp_port" "scene=$dir/scene.mp4" > "$dir/rtsp.log" 2>&1 & pids+=($!)
  for _ in $(seq 50); do grep -q ready "$dir/rtsp.log" && break; sleep 0.2; done
  # The worker's defaults (appsettings.json) with only the camera, ports and state folder changed, and a long
  # reconnect back-off: the stream ending is the end of the scene, not something to replay.
  cat > "$dir/appsettings.json" <<JSON
{ "Cameras": [ { "Id": "scene", "Name": "Scene $seed", "Url": "rtsp://127.0.0.1:$rtsp_port/scene", "MaxFps": 10, "DetectionWidth": 1280 } ],
  "Analysis": { "ModelsDirectory": "$MODELS" },
  "Mqtt": { "Port": $mqtt_port }, "Http": { "Urls": "http://127.0.0.1:$http_port" },
  "LiveView": { "Enabled": false }, "Outbox": { "Path": "$dir/outbox.db" },
  "Watchdog": { "BackoffInitialSeconds": 60, "BackoffMaxSeconds": 60 } }
JSON
  rm -f "$dir/outbox.db" "$dir/events.jsonl" "$dir/status.jsonl"
  (cd "$dir" && exec dotnet "$WORKER") > "$dir/worker.log" 2>&1 & worker=$!; pids+=($worker)
  for _ in $(seq 200); do (echo > "/dev/tcp/127.0.0.1/$mqtt_port") 2>/dev/null && break; sleep 0.3; done
  mosquitto_sub -h 127.0.0.1 -p "$mqtt_port" -t faceage/scene/person > "$dir/events.jsonl" & pids+=($!)
  mosquitto_sub -h 127.0.0.1 -p "$mqtt_port" -t faceage/scene/status -F '%I %p' > "$dir/status.jsonl" & pids+=($!)
  # The scene plays once: when the stream ends the camera reports offline (after having been online).
  for _ in $(seq $((SECONDS_ * 4 + 120))); do grep -A100 '"online"' "$dir/status.jsonl" 2>/dev/null | grep -q '"offline"' && break; sleep 0.5; done
  curl -s "http://127.0.0.1:$http_port/metrics" | grep -E '^faceage_(persons|track|frames_dropped|detections)' > "$dir/metrics.txt" || true
  kill -TERM "$worker"; wait "$worker" 2>/dev/null || true   # shutdown publishes everyone still held
  sleep 1
  cleanup; pids=()
  $PY tools/scene_score.py "$dir/truth.json" "$dir/events.jsonl" "$dir/status.jsonl" > "$dir/score.json"
  echo "seed-$seed $(cat "$dir/score.json")"
done
$PY - "$OUT" $SEEDS <<'PYEOF'
import json, sys
out, seeds = sys.argv[1], sys.argv[2:]
rows = [json.load(open(f"{out}/seed-{s}/score.json")) | {"seed": int(s)} for s in seeds]
def total(k): return sum(r[k] for r in rows)
people = total("people")
summary = dict(seeds=[r["seed"] for r in rows], people=people, distinct_ids=total("distinct_ids"),
               count_error=round((total("distinct_ids") - people) / people, 3), found=round(total("found") / people, 3),
               split=round(total("split") / people, 3), false_merges=round(total("false_merges") / people, 3),
               events_matching_nobody=total("events_matching_nobody"), reentries_merged=f"{total('reentries_merged')}/{total('returning')}",
               age_mae=round(sum(r["age_mae"] * r["found"] for r in rows) / total("found"), 2),
               gender_acc=round(sum(r["gender_acc"] * r["found"] for r in rows) / total("found"), 3),
               samples_min=min(r["samples_min"] for r in rows), per_seed=rows)
json.dump(summary, open(f"{out}/summary.json", "w"), indent=1)
print(json.dumps({k: v for k, v in summary.items() if k != "per_seed"}))
PYEOF
