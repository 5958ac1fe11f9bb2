#!/usr/bin/env bash
# Trains FaceAge's own age/gender network: faceres-deep fine-tuned whole on fairface-train + utkface-dev + fgnet-dev,
# the epoch chosen on fairface-val and on held-out subjects of the exact-age sets (fairface-dev stays a final check).
# Runs for hours on 2 cores: start it in the background; it checkpoints every epoch and, started again with the same
# arguments, goes on from the last finished epoch.
#
#   tools/training/train-network.sh OUT_DIR [SIZE] [EPOCHS] [SEED] [extra finetune.py options]
#   nohup tools/training/train-network.sh runs/net128 128 10 1 > runs/net128.log 2>&1 &
#
# LIMIT=N takes a seeded sample of N images per data set (a quick check of the whole pipeline, as the tests run it).
#
# Needs ./build.sh setup (the faceage CLI and models/faceres-deep.onnx), ../shared/datasets and Debian's python3-torch.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:?usage: train-network.sh OUT_DIR [SIZE] [EPOCHS] [SEED] [finetune.py options]}
SIZE=${2:-128}
EPOCHS=${3:-10}
SEED=${4:-1}
shift $(( $# < 4 ? $# : 4 ))
DATA=${FACEAGE_SHARED:-../shared}/datasets
FACEAGE="dotnet src/FaceAge.Cli/bin/${CONFIG:-Release}/net10.0/faceage.dll"
mkdir -p "$OUT"

# The crops the product cuts: the default detector's largest face with the default margin, as `faceage eval
# --mode detect` finds it (made once; the age/gender figures it prints are the stock int8 model's).
if [ ! -s "$OUT/crops.csv" ]; then
  FACEAGE_Analysis__AgeGenderModel=faceres-deep-int8.onnx $FACEAGE eval --mode detect --tiles 1 --head none --flip false ${LIMIT:+--limit $LIMIT} \
    --labels "$DATA/fairface-train/labels.csv" "$DATA/utkface-dev/labels.csv" "$DATA/fgnet-dev/labels.csv" "$DATA/fairface-val/labels.csv" \
    --predictions "$OUT/crops.tmp.csv" --json "$OUT/crops-eval.json" > "$OUT/crops-eval.txt"
  mv "$OUT/crops.tmp.csv" "$OUT/crops.csv"
fi
awk -F, 'NR == 1 || $1 != "fairface-val"' "$OUT/crops.csv" > "$OUT/train-crops.csv"
awk -F, 'NR == 1 || $1 == "fairface-val"' "$OUT/crops.csv" > "$OUT/val-crops.csv"

exec /usr/bin/python3 tools/training/finetune.py --onnx models/faceres-deep.onnx --out "$OUT/network.onnx" \
  --crops "$OUT/train-crops.csv" --val "$OUT/val-crops.csv" --holdout 0.2 --holdout-sets utkface-dev fgnet-dev \
  --fill-misses "fairface-train=$DATA/fairface-train/labels.csv" \
  --size "$SIZE" --epochs "$EPOCHS" --seed "$SEED" --lr 2e-4 --batch 32 --checkpoint "$OUT/checkpoint.pt" --network faceage-net \
  ${LIMIT:+--limit $LIMIT} "$@"
