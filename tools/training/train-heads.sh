#!/usr/bin/env bash
# Trains the default age/gender head (age-gender-lite: faceres-deep + face-api features, both the worker's and the CLI's)
# on fairface-train + utkface-dev + fgnet-dev, and its CC BY variant on fairface-train alone, leaving out the faces
# listed in tools/training/holdout.txt (20 % of utkface-dev, whole FG-NET subjects: the faces train-network.sh holds
# out with seed 1), so that fairface-val, fairface-dev and those faces stay unseen for docs/accuracy.md. Then scores
# the head as the worker runs it (int8 backbone, no flip) on those unseen faces and measures its window error model
# (age-gender-lite.shares.json: on fairface-val + the utkface-dev part; windows simulated from fairface-dev + the
# FG-NET part; docs/accuracy.md, "Window figures").
#
#   tools/training/train-heads.sh [OUT_DIR]        (default models/heads; about 1.5 h on 2 cores with an empty
#                                                   feature cache, minutes with a filled one)
#   tools/training/train-heads.sh --split-only DIR  (only write DIR/{train,holdout}/{utkface-dev,fgnet-dev}/labels.csv)
#   tools/training/train-heads.sh --shares-only [OUT_DIR]  (only the scoring and the error model, for heads already trained)
#
# Needs ./build.sh setup (the faceage CLI and its models) and ../shared/datasets (or $FACEAGE_SHARED).
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=$(realpath "${FACEAGE_SHARED:-../shared}/datasets")
FACEAGE="dotnet src/FaceAge.Cli/bin/${CONFIG:-Release}/net10.0/faceage.dll"

split() {
  local dir=$1
  for d in utkface-dev fgnet-dev; do
    mkdir -p "$dir/train/$d" "$dir/holdout/$d"
    # Paths become absolute so the split files work from anywhere; the header goes to both sides.
    awk -F, -v set="$d" -v root="$DATA/$d/" -v train="$dir/train/$d/labels.csv" -v held="$dir/holdout/$d/labels.csv" '
      NR == FNR { out[$0] = 1; next }
      FNR == 1 { print > train; print > held; next }
      { line = root $0; if ((set "/" $1) in out) print line > held; else print line > train }
    ' tools/training/holdout.txt "$DATA/$d/labels.csv"
  done
}

# The worker's estimator on the unseen faces, then its error model for the default age groups and the FairFace table.
shares() {
  local out=$1 eval=artifacts/heads-eval
  mkdir -p "$eval"
  FACEAGE_Analysis__AgeGenderModel=faceres-deep-int8.onnx $FACEAGE eval --mode detect --tiles 1 --flip false \
    --head "$(realpath "$out/age-gender-lite.onnx")" --labels "$DATA/fairface-val/labels.csv" "$DATA/fairface-dev/labels.csv" \
    "$SPLIT/holdout/utkface-dev/labels.csv" "$SPLIT/holdout/fgnet-dev/labels.csv" --predictions "$eval/predictions.csv" --json "$eval/eval.json" \
    | tee "$eval/eval.txt"
  awk -F, -v v="$eval/validation.csv" -v t="$eval/test.csv" 'NR == 1 { print > v; print > t; next }
    $1 == "fairface-val" || $1 == "utkface-dev" { print > v; next } { print > t }' "$eval/predictions.csv"
  $FACEAGE bench shares --validation "$eval/validation.csv" --test "$eval/test.csv" --network "faceres-deep-int8 + age-gender-lite" \
    --error-model "$out/age-gender-lite.shares.json" --json "$eval/shares.json" | tee "$eval/shares.txt"
  $FACEAGE bench shares --validation "$eval/validation.csv" --test "$eval/test.csv" --age-groups 0 3 10 20 30 40 50 60 70 \
    --json "$eval/shares-fairface.json" | tee "$eval/shares-fairface.txt"
}

if [ "${1:-}" = "--split-only" ]; then
  split "${2:?usage: train-heads.sh --split-only DIR}"
  exit 0
fi
SPLIT=artifacts/holdout-split
if [ "${1:-}" = "--shares-only" ]; then
  split "$SPLIT"
  shares "${2:-models/heads}"
  exit 0
fi
OUT=${1:-models/heads}
split "$SPLIT"
COMMON=(--mode detect --tiles 1 --features faceres-deep+faceapi-age-gender --folds 0 --seed 1)
$FACEAGE train --labels "$DATA/fairface-train/labels.csv" "$SPLIT/train/utkface-dev/labels.csv" "$SPLIT/train/fgnet-dev/labels.csv" \
  "${COMMON[@]}" --out "$OUT/age-gender-lite.onnx"
$FACEAGE train --labels "$DATA/fairface-train/labels.csv" "${COMMON[@]}" --out "$OUT/age-gender-lite-ccby.onnx"
shares "$OUT"
