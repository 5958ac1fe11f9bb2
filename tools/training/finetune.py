#!/usr/bin/python3
"""Fine-tunes a whole face backbone (faceres-deep, as FaceAge converted it to ONNX) on labelled faces, with augmentation.

FaceAge's frozen-feature heads (`faceage train`) cannot change what the backbone sees; this tool trains every weight of
the network with Debian's python3-torch (CPU, oneDNN). Its input is the crop list `faceage eval --predictions` writes
(data set, image, labels, and where the face crop lies in the image), so the faces are cut exactly as the product cuts
them; its output is the same ONNX graph with the trained weights (optionally at a smaller input size), which the C#
runtime loads like the stock model (Analysis:AgeGenderModel). Deterministic for a seed on one machine.

    /usr/bin/python3 tools/training/finetune.py --crops crops.csv --onnx models/faceres-deep.onnx --out models/tuned.onnx

Labels: an exact age (label-distribution learning over the model's 100 age bins, ages 1-100), an age group (its log
probability), a gender (logistic); every data set weighs about the same; one subject's photos stay on one side of the
held-out split. Validation sets (--val, e.g. fairface-val) are scored beside the held-out part and never trained on;
the epoch kept is the one with the best score over both. The figures per data set are printed every epoch and written
to <out>.json. With --checkpoint the run saves everything it needs after each epoch (weights, optimizer, schedule,
random states) and a run started again with the same arguments goes on from the last finished epoch, to the same
result as an uninterrupted run.
"""
import argparse
import csv
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_net import OnnxNet  # noqa: E402

AGE_LOGITS, MALE_LOGIT, DESCRIPTOR = "age_pred/BiasAdd", "gender_pred/BiasAdd", "global_pooling/Mean:0"
BGR_MEAN = torch.tensor([103.939, 116.779, 123.68])
BINS = 100  # bin i = age i + 1
CONTEXT = 1.3  # the stored region is this much larger than the crop, for shifts and zooms


def parse_group(text):
    if not text:
        return None
    if text.endswith("+"):
        return int(text[:-1]), 121
    lo, hi = text.split("-")
    return int(lo), int(hi) + 1


def read_crops(paths):
    rows = []
    for path in paths:
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                rows.append({
                    "dataset": r["dataset"], "path": r["path"], "subject": r["subject"] or None,
                    "age": float(r["true_age"]) if r["true_age"] else None, "group": parse_group(r["true_age_group"]),
                    "male": {"Male": 1.0, "Female": 0.0}.get(r["true_gender"]),
                    "cx": float(r["crop_cx"]), "cy": float(r["crop_cy"]), "side": float(r["crop_side"]), "angle": float(r["crop_angle"]),
                })
    return rows


def fill_misses(rows, labels_path, dataset):
    """Faces of `labels_path` the detector missed (absent from the crop list) at the median crop of the found ones.

    FairFace photos are centred on the face with a fixed margin, so where the found faces' crops lie, as a share of the
    photo, tells where a missed one lies; keeping the missed faces keeps the groups the detector misses more often (it
    missed Black faces more) in the training data."""
    found = {r["path"] for r in rows if r["dataset"] == dataset}
    ours = [r for r in rows if r["dataset"] == dataset]
    if not ours:
        raise SystemExit("--fill-misses %s: no found faces of data set '%s' in the crop lists" % (labels_path, dataset))
    sizes = {}
    rel = []
    for r in ours:
        w, h = sizes.get(r["path"]) or Image.open(r["path"]).size
        rel.append((r["cx"] / w, r["cy"] / h, r["side"] / max(w, h)))
        if len(rel) >= 500:
            break
    cx, cy, side = (float(np.median([x[k] for x in rel])) for k in range(3))
    base = os.path.dirname(os.path.abspath(labels_path))
    added = []
    with open(labels_path, newline="") as f:
        for r in csv.DictReader(f):
            path = os.path.join(base, r["path"])
            if path in found:
                continue
            w, h = Image.open(path).size
            added.append({
                "dataset": dataset, "path": path, "subject": r.get("subject") or None,
                "age": float(r["age"]) if r.get("age") else None, "group": parse_group(r.get("age_group", "")),
                "male": {"M": 1.0, "F": 0.0}.get(r.get("gender", "")),
                "cx": cx * w, "cy": cy * h, "side": side * max(w, h), "angle": 0.0, "filled": True,
            })
    return added


def split(rows, fraction, seed):
    """Per data set, whole subjects (or single images) in a seeded order until the fraction is reached."""
    rng = random.Random(seed)
    held = set()
    for dataset in sorted({r["dataset"] for r in rows}):
        idx = [i for i, r in enumerate(rows) if r["dataset"] == dataset]
        groups = {}
        for i in idx:
            groups.setdefault(rows[i]["subject"] or "#%d" % i, []).append(i)
        keys = sorted(groups)
        rng.shuffle(keys)
        want, taken = round(len(idx) * fraction), 0
        for k in keys:
            if taken >= want:
                break
            held.update(groups[k])
            taken += len(groups[k])
    return [i for i in range(len(rows)) if i not in held], sorted(held)


def load_region(row, size):
    """The crop's square grown by CONTEXT, upright (the crop's rotation undone), as size x size RGB uint8."""
    image = Image.open(row["path"]).convert("RGB")
    side = row["side"] * CONTEXT
    a = math.radians(row["angle"])
    # PIL's affine maps output pixels to input pixels: rotate about the centre and scale side -> size.
    s = side / size
    cos, sin = math.cos(a) * s, math.sin(a) * s
    c = size / 2
    coeffs = (cos, -sin, row["cx"] - cos * c + sin * c, sin, cos, row["cy"] - sin * c - cos * c)
    return np.asarray(image.transform((size, size), Image.AFFINE, coeffs, resample=Image.BILINEAR, fillcolor=None))


def batch_views(regions, size, train, generator):
    """Crops of the stored regions at `size`: centred (evaluation) or jittered (training: zoom, shift, turn, mirror, light)."""
    n = regions.shape[0]
    x = regions.permute(0, 3, 1, 2).float()
    scale = torch.full((n,), 1 / CONTEXT)
    angle = torch.zeros(n)
    shift = torch.zeros(n, 2)
    flip = torch.ones(n)
    if train:
        scale = scale * (1 + (torch.rand(n, generator=generator) - 0.5) * 0.24)
        angle = (torch.rand(n, generator=generator) - 0.5) * math.radians(20)
        shift = (torch.rand(n, 2, generator=generator) - 0.5) * 0.12 / CONTEXT
        flip = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = scale * torch.cos(angle) * flip
    theta[:, 0, 1] = -scale * torch.sin(angle)
    theta[:, 1, 0] = scale * torch.sin(angle) * flip
    theta[:, 1, 1] = scale * torch.cos(angle)
    theta[:, :, 2] = shift
    grid = F.affine_grid(theta, (n, 3, size, size), align_corners=False)
    y = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)
    if train:
        contrast = 1 + (torch.rand(n, 1, 1, 1, generator=generator) - 0.5) * 0.4
        brightness = (torch.rand(n, 1, 1, 1, generator=generator) - 0.5) * 40
        mean = y.mean(dim=(1, 2, 3), keepdim=True)
        y = ((y - mean) * contrast + mean + brightness).clamp(0, 255)
        grey = torch.rand(n, generator=generator) < 0.1
        if grey.any():
            g = (y[grey] * torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)).sum(1, keepdim=True)
            y[grey] = g.expand(-1, 3, -1, -1)
    # The model's pixels: NHWC, BGR minus the ImageNet means.
    y = y.permute(0, 2, 3, 1)[..., [2, 1, 0]] - BGR_MEAN
    return y.contiguous()


def targets(rows, sigma):
    """Per row: a soft target over the bins (exact age), a bin mask (group) and the gender."""
    ages = torch.arange(1, BINS + 1, dtype=torch.float32)
    soft = torch.zeros(len(rows), BINS)
    mask = torch.zeros(len(rows), BINS)
    kind = torch.zeros(len(rows), dtype=torch.long)  # 0 none, 1 exact, 2 group
    exact = torch.full((len(rows),), float("nan"))
    lo = torch.zeros(len(rows))
    hi = torch.zeros(len(rows))
    male = torch.full((len(rows),), float("nan"))
    for i, r in enumerate(rows):
        if r["age"] is not None:
            a = min(max(r["age"], 1.0), float(BINS))
            t = torch.exp(-0.5 * ((ages - a) / sigma) ** 2)
            soft[i] = t / t.sum()
            kind[i], exact[i] = 1, r["age"]
        elif r["group"] is not None:
            g0, g1 = r["group"]
            mask[i] = ((ages >= g0) & (ages < g1)).float()
            if mask[i].sum() == 0:
                mask[i, -1] = 1
            kind[i], lo[i], hi[i] = 2, g0, g1
        if r["male"] is not None:
            male[i] = r["male"]
    return soft, mask, kind, exact, lo, hi, male


def row_weights(rows, train_idx, age_power, balance):
    """Age re-weighting ((count of the 5-year bin)^-power) and data-set balance ((all / this set)^balance), mean 1."""
    def nominal(r):
        if r["age"] is not None:
            return r["age"]
        if r["group"] is not None:
            return (r["group"][0] + min(r["group"][1], 80)) / 2
        return None
    bins = [None if nominal(rows[i]) is None else min(int(nominal(rows[i]) // 5), 24) for i in train_idx]
    counts = {}
    for b in bins:
        if b is not None:
            counts[b] = counts.get(b, 0) + 1
    sets = [rows[i]["dataset"] for i in train_idx]
    set_counts = {s: sets.count(s) for s in set(sets)}
    w_age = torch.tensor([0.0 if b is None else counts[b] ** -age_power for b in bins])
    w_age = w_age / w_age[w_age > 0].mean()
    w_set = torch.tensor([(len(sets) / set_counts[s]) ** balance for s in sets])
    w_set = w_set / w_set.mean()
    return w_age * w_set, w_set


def losses(out, soft, mask, kind, exact, lo, hi, male, w_age, w_gender, expectation_weight):
    logits = out[AGE_LOGITS]
    logp = torch.log_softmax(logits, dim=1)
    p = logp.exp()
    ages = torch.arange(1, BINS + 1, dtype=torch.float32)
    expected = (p * ages).sum(1)
    loss = torch.zeros(())
    ex = kind == 1
    if ex.any():
        ce = -(soft[ex] * logp[ex]).sum(1)
        l1 = (expected[ex] - exact[ex].clamp(1, BINS)).abs()
        loss = loss + ((ce + expectation_weight * l1) * w_age[ex]).sum()
    gr = kind == 2
    if gr.any():
        mass = (p[gr] * mask[gr]).sum(1).clamp_min(1e-12)
        dist = F.relu(lo[gr] - expected[gr]) + F.relu(expected[gr] - hi[gr])
        loss = loss + ((-mass.log() + expectation_weight * dist) * w_age[gr]).sum()
    gm = ~torch.isnan(male)
    if gm.any():
        bce = F.binary_cross_entropy_with_logits(out[MALE_LOGIT].view(-1)[gm], male[gm], reduction="none")
        loss = loss + (bce * w_gender[gm]).sum()
    return loss / len(kind)


def evaluate(net, regions, rows, idx, size, batch):
    """Held-out figures per data set (crop and mirror averaged, as the CLI does)."""
    net.eval()
    preds = {}
    with torch.no_grad():
        for s in range(0, len(idx), batch):
            part = idx[s:s + batch]
            x = batch_views(regions[part], size, False, None)
            both = torch.cat([x, x.flip(2)])
            out = net(both, [AGE_LOGITS, MALE_LOGIT])
            p = torch.softmax(out[AGE_LOGITS], 1)
            p = (p[:len(part)] + p[len(part):]) / 2
            q = torch.sigmoid(out[MALE_LOGIT].view(-1))
            q = (q[:len(part)] + q[len(part):]) / 2
            age = (p * torch.arange(1, BINS + 1, dtype=torch.float32)).sum(1)
            for k, i in enumerate(part):
                preds[i] = (float(age[k]), float(q[k]))
    net.train()
    report = {}
    for dataset in sorted({rows[i]["dataset"] for i in idx}):
        ids = [i for i in idx if rows[i]["dataset"] == dataset]
        m = {"n": len(ids)}
        aged = [i for i in ids if rows[i]["age"] is not None]
        if aged:
            err = [preds[i][0] - rows[i]["age"] for i in aged]
            m["mae"] = float(np.mean(np.abs(err)))
            m["cs5"] = float(np.mean(np.abs(err) <= 5))
            kids = [e for i, e in zip(aged, err) if rows[i]["age"] <= 12]
            if kids:
                m["children_signed"] = float(np.mean(kids))
            decades = {}
            for i, e in zip(aged, err):
                decades.setdefault(int(rows[i]["age"] // 10) * 10, []).append(abs(e))
            m["decades"] = {"%d-%d" % (d, d + 9): round(float(np.mean(v)), 2) for d, v in sorted(decades.items())}
        grouped = [i for i in ids if rows[i]["group"] is not None]
        if grouped:
            groups = sorted({rows[i]["group"] for i in grouped})

            def group_of(a):
                return min(groups, key=lambda g: 0 if g[0] <= a < g[1] else min(abs(a - g[0]), abs(a - g[1])))
            m["group_hit"] = float(np.mean([group_of(preds[i][0]) == rows[i]["group"] for i in grouped]))
            m["interval_mae"] = float(np.mean([max(0, rows[i]["group"][0] - preds[i][0], preds[i][0] - rows[i]["group"][1]) for i in grouped]))
        gendered = [i for i in ids if rows[i]["male"] is not None]
        if gendered:
            m["gender"] = float(np.mean([(preds[i][1] >= 0.5) == (rows[i]["male"] == 1) for i in gendered]))
        report[dataset] = m
    errors = [m.get("mae", m.get("interval_mae")) for m in report.values() if "mae" in m or "interval_mae" in m]
    genders = [1 - m["gender"] for m in report.values() if "gender" in m]
    score = (np.mean(errors) if errors else 0) + 10 * (np.mean(genders) if genders else 0)
    return float(score), report


def write_check(model_path, prefix, regions, rows, idx, size):
    """The exported model (reloaded from its file) on a few centred crops: <prefix>.input.f32 (NHWC, the model's pixels),
    <prefix>.age.f32 and <prefix>.male.f32, and <prefix>.json with their shapes."""
    net = OnnxNet(model_path)
    net.eval()
    with torch.no_grad():
        x = batch_views(regions[idx], size, False, None)
        out = net(x, ["age_pred/Softmax:0", "gender_pred/Sigmoid:0"])
    x.numpy().astype(np.float32).tofile(prefix + ".input.f32")
    out["age_pred/Softmax:0"].numpy().astype(np.float32).tofile(prefix + ".age.f32")
    out["gender_pred/Sigmoid:0"].numpy().astype(np.float32).tofile(prefix + ".male.f32")
    with open(prefix + ".json", "w") as f:
        json.dump({"faces": len(idx), "size": size, "paths": [rows[i]["path"] for i in idx]}, f)


# Arguments that do not change what is trained (a resumed run may give them anew).
NOT_TRAINING = {"threads", "network", "check", "stop_after"}


def training_args(args):
    return {k: v for k, v in vars(args).items() if k not in NOT_TRAINING}


def save_checkpoint(path, state):
    """Written to a temporary file first, so a run stopped while saving keeps the previous epoch's checkpoint."""
    torch.save(state, path + ".tmp")
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--crops", nargs="+", required=True, help="crop lists from faceage eval --predictions")
    ap.add_argument("--onnx", required=True, help="the backbone to start from (FaceAge's faceres-deep.onnx)")
    ap.add_argument("--out", required=True, help="the fine-tuned ONNX file to write")
    ap.add_argument("--size", type=int, default=160, help="input size the network is trained and exported at (112-224)")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-4, help="peak learning rate (cosine decay after a one-epoch warm-up)")
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--sigma", type=float, default=2.5, help="width (years) of the soft age targets")
    ap.add_argument("--expectation-weight", type=float, default=0.1)
    ap.add_argument("--age-reweight", type=float, default=0.5)
    ap.add_argument("--dataset-balance", type=float, default=0.5)
    ap.add_argument("--holdout", type=float, default=0.2, help="share of each data set (whole subjects) held out and scored; 0 = train on all")
    ap.add_argument("--limit", type=int, default=0, help="use only N rows of each data set (a quick run)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=max(1, os.cpu_count() or 1))
    ap.add_argument("--check", help="also write the exported model's inputs and outputs for a few faces (raw float32 + JSON), for the C# runtime to reproduce")
    ap.add_argument("--val", nargs="*", default=[], help="crop lists scored every epoch and used to choose the epoch, never trained on (e.g. fairface-val)")
    ap.add_argument("--holdout-sets", nargs="*", help="data sets a --holdout part is taken from (default: every training set)")
    ap.add_argument("--fill-misses", nargs="*", default=[], metavar="DATASET=LABELS",
                    help="add the faces of LABELS (a label CSV) that the crop list lacks (the detector missed them) at the data set's median crop")
    ap.add_argument("--checkpoint", help="file saved after every epoch; a run with the same arguments goes on from it")
    ap.add_argument("--stop-after", type=int, default=0,
                    help="end this sitting after N more epochs (with --checkpoint; the same command goes on from there)")
    ap.add_argument("--network", help="name the exported network in its metadata (faceage.network), e.g. faceage-net: the C# runtime then runs "
                                      "it as that network of its registry (FaceModelRegistry.Networks)")
    args = ap.parse_args()
    if not 96 <= args.size <= 256:
        ap.error("--size must be 96-256, got %d" % args.size)
    if not 0 <= args.holdout < 0.5:
        ap.error("--holdout must be in [0, 0.5), got %s" % args.holdout)

    metadata = {"faceage.network": args.network} if args.network else None
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    torch.set_num_threads(args.threads)
    rows = read_crops(args.crops)
    for spec in args.fill_misses:
        dataset, _, labels = spec.partition("=")
        rows += fill_misses(rows, labels, dataset)
    if args.limit:
        rng = random.Random(args.seed)
        keep = []
        for d in sorted({r["dataset"] for r in rows}):
            ids = [i for i, r in enumerate(rows) if r["dataset"] == d]
            rng.shuffle(ids)
            keep += sorted(ids[:args.limit])
        rows = [rows[i] for i in sorted(keep)]
    if args.holdout > 0:
        holdout_sets = set(args.holdout_sets) if args.holdout_sets is not None else {r["dataset"] for r in rows}
        inside = [i for i, r in enumerate(rows) if r["dataset"] in holdout_sets]
        part_train, part_held = split([rows[i] for i in inside], args.holdout, args.seed)
        held_idx = sorted(inside[k] for k in part_held)
        train_idx = sorted(set(range(len(rows))) - set(held_idx))
    else:
        train_idx, held_idx = list(range(len(rows))), []
    # Validation sets come after the training rows: scored with the held-out part, never trained on.
    if args.val:
        val_rows = read_crops(args.val)
        if args.limit:
            val_rows = val_rows[:args.limit]
        held_idx = held_idx + list(range(len(rows), len(rows) + len(val_rows)))
        rows = rows + val_rows
    print("finetune: %d faces (%s); %d train, %d held out or validation; size %d" % (len(rows), ", ".join(
        "%s %d" % (d, sum(r["dataset"] == d for r in rows)) for d in sorted({r["dataset"] for r in rows})), len(train_idx), len(held_idx), args.size), flush=True)

    store = round(args.size * CONTEXT)
    t0 = time.time()
    regions = torch.from_numpy(np.stack([load_region(r, store) for r in rows]))
    print("finetune: regions cut in %.0f s (%.0f MB)" % (time.time() - t0, regions.numel() / 1e6), flush=True)

    net = OnnxNet(args.onnx)
    net = net.to(memory_format=torch.channels_last)
    soft, mask, kind, exact, lo, hi, male = targets(rows, args.sigma)
    w_age_all, w_set_all = row_weights(rows, train_idx, args.age_reweight, args.dataset_balance)
    w_age = torch.zeros(len(rows))
    w_gender = torch.zeros(len(rows))
    w_age[train_idx] = w_age_all
    # Balanced genders within the training rows, times the data-set weight.
    tm = male[train_idx]
    n_m, n_f = int((tm == 1).sum()), int((tm == 0).sum())
    for k, i in enumerate(train_idx):
        if not math.isnan(male[i]):
            w_gender[i] = w_set_all[k] * (n_m + n_f) / (2 * (n_m if male[i] == 1 else n_f))

    optimizer = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    steps_per_epoch = math.ceil(len(train_idx) / args.batch)
    total = steps_per_epoch * args.epochs

    def rate(step):
        if step < steps_per_epoch:
            return (step + 1) / steps_per_epoch
        return 0.5 * (1 + math.cos(math.pi * (step - steps_per_epoch) / max(1, total - steps_per_epoch)))
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, rate)
    generator = torch.Generator().manual_seed(args.seed)
    history = []
    best = None
    order_rng = random.Random(args.seed)
    first_epoch = 1
    if args.checkpoint and os.path.exists(args.checkpoint):
        state = torch.load(args.checkpoint)
        if {k: v for k, v in state["args"].items() if k not in NOT_TRAINING} != training_args(args):
            raise SystemExit("--checkpoint %s was made with other arguments: %s" % (args.checkpoint, state["args"]))
        net.load_state_dict(state["net"])
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        generator.set_state(state["generator"])
        order_rng.setstate(state["order_rng"])
        history, best, first_epoch = state["history"], state["best"], state["epoch"] + 1
        print("finetune: resumed from %s after epoch %d (best so far: epoch %s)" % (args.checkpoint, state["epoch"], best and best[1]), flush=True)
    elif held_idx:
        score, report = evaluate(net, regions, rows, held_idx, args.size, 64)
        print("epoch 0 (stock): score %.3f %s" % (score, json.dumps(report)), flush=True)
        history.append({"epoch": 0, "score": score, "held_out": report})
        best = (score, 0)
        net.export(args.out, args.size, metadata)
    last_epoch = args.epochs if not args.stop_after else min(args.epochs, first_epoch + args.stop_after - 1)
    for epoch in range(first_epoch, last_epoch + 1):
        t0 = time.time()
        order = train_idx[:]
        order_rng.shuffle(order)
        running = 0.0
        for step, s in enumerate(range(0, len(order), args.batch)):
            part = order[s:s + args.batch]
            x = batch_views(regions[part], args.size, True, generator)
            out = net(x, [AGE_LOGITS, MALE_LOGIT])
            loss = losses(out, soft[part], mask[part], kind[part], exact[part], lo[part], hi[part], male[part], w_age[part], w_gender[part], args.expectation_weight)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            running += float(loss) * len(part)
            if step % 200 == 0:
                print("epoch %d: %d/%d faces, loss %.3f, %.0f s" % (epoch, s + len(part), len(order), running / (s + len(part)), time.time() - t0), flush=True)
        entry = {"epoch": epoch, "loss": running / len(order), "seconds": round(time.time() - t0)}
        if held_idx:
            score, report = evaluate(net, regions, rows, held_idx, args.size, 64)
            entry.update(score=score, held_out=report)
            if score < best[0]:
                best = (score, epoch)
                net.export(args.out, args.size, metadata)
        history.append(entry)
        print("epoch %d: loss %.3f, %d s%s" % (epoch, entry["loss"], entry["seconds"], "" if not held_idx else ", score %.3f %s" % (entry["score"], json.dumps(entry["held_out"]))), flush=True)
        if args.checkpoint:
            save_checkpoint(args.checkpoint, {
                "args": training_args(args), "epoch": epoch, "net": net.state_dict(),
                "optimizer": optimizer.state_dict(), "schedule": schedule.state_dict(), "generator": generator.get_state(),
                "order_rng": order_rng.getstate(), "history": history, "best": best,
            })
    if last_epoch < args.epochs:
        print("finetune: stopped after epoch %d of %d; the same command goes on from %s" % (last_epoch, args.epochs, args.checkpoint), flush=True)
    if not held_idx:
        net.export(args.out, args.size, metadata)
    if args.check:
        write_check(args.out, args.check, regions, rows, (held_idx or train_idx)[:8], args.size)
    summary = {"args": vars(args), "best_epoch": best[1] if best else args.epochs, "history": history}
    with open(os.path.splitext(args.out)[0] + ".json", "w") as f:
        json.dump(summary, f, indent=1)
    print("finetune: wrote %s (best epoch %s)" % (args.out, summary["best_epoch"]), flush=True)


if __name__ == "__main__":
    main()
