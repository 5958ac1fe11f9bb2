#!/usr/bin/python3
"""Scores the worker's person events of one scene (tools/scene-bench.sh) against the scene's truth (make_scene.py).

Events carry wall-clock times; the stream's start is known only roughly (the camera's `online` time), so the clock
offset between truth and events is found first: the offset in ±3 s (0.1 s steps) that maximises the summed time
overlap of events with the people they match. Then every event is matched to the person whose appearance (or whole
visit, for people who come back) it overlaps best in time (IoU ≥ 0.3), one person per event: first one event per
person (best pairs first), then the events left over (splits).

Reports: distinct person ids vs people (count error), people found, people split into several ids, events matching
nobody, re-entries merged (one id spans both appearances), false merges (an id that also spans, outside its own
person's visit, most of an appearance of someone who was not there at the same time: two people under one id; people
who are in view together cannot be told apart by time alone, so a merge between them is not seen here), per-person
age MAE and gender accuracy (of each found person's longest event), and the samples of published events.

usage: scene_score.py truth.json events.jsonl status.jsonl > score.json
"""
import json, sys
from datetime import datetime

truth = json.load(open(sys.argv[1]))
events = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
status = [json.loads(l.split(' ', 1)[1]) for l in open(sys.argv[3]) if l.strip()]

def epoch(s):
    s = str(s).replace('Z', '+00:00'); head, _, tail = s.partition('.')
    digits = ''.join(c for c in tail if c.isdigit()); zone = tail[len(digits):]
    return datetime.fromisoformat(f"{head}.{digits[:6]}{zone}" if digits else s).timestamp()

t0 = epoch(next(s['since'] for s in status if s['state'] == 'online'))
people = truth['people']
def tiou(f, l, s, t):
    inter = max(0, min(l, t) - max(f, s)); union = max(l, t) - min(f, s)
    return inter / union if union > 0 else 0
def visit(p): return (min(a['t0'] for a in p['appearances']), max(a['t1'] for a in p['appearances']))
def score(span, p):
    return max([tiou(*span, a['t0'], a['t1']) for a in p['appearances']] + [tiou(*span, *visit(p))])

def match(offset):
    spans = [(epoch(e['firstSeen']) - t0 - offset, epoch(e['lastSeen']) - t0 - offset) for e in events]
    pairs = sorted(((score(sp, p), ei, pi) for ei, sp in enumerate(spans) for pi, p in enumerate(people)), reverse=True)
    # One event per person first (the best pairs), then the events left over go to whom they fit best (splits):
    # when two people are in view at about the same time, a second event that fits both belongs to the one with none.
    owner, total = {}, 0.0
    for one_to_one in (True, False):
        for s, ei, pi in pairs:
            if s < 0.3: break
            if ei not in owner and (not one_to_one or pi not in owner.values()): owner[ei] = pi; total += s
    return total, owner, spans

best = max((match(k / 10) + (k / 10,) for k in range(-30, 31)), key=lambda r: r[0])
_, owner, spans, offset = best
by_person = {}
for ei, pi in owner.items(): by_person.setdefault(pi, []).append(ei)
ids = lambda evs: set(events[i]['personId'] for i in evs)
returning = [pi for pi, p in enumerate(people) if len(p['appearances']) > 1]
merged = sum(1 for pi in returning if pi in by_person and len(ids(by_person[pi])) == 1
             and any(spans[i][0] <= people[pi]['appearances'][0]['t1'] and spans[i][1] >= people[pi]['appearances'][-1]['t0'] for i in by_person[pi]))

def concurrent(a, p):
    return any(min(a['t1'], b['t1']) > max(a['t0'], b['t0']) for b in p['appearances'])
false_merges = 0
for ei, pi in owner.items():
    f, l = spans[ei]; vs, ve = visit(people[pi])
    outside = [(f, min(l, vs - 0.5)), (max(f, ve + 0.5), l)]
    for qi, q in enumerate(people):
        if qi == pi: continue
        if any(not concurrent(a, people[pi]) and sum(max(0, min(e, a['t1']) - max(s, a['t0'])) for s, e in outside if e > s) >= 0.5 * (a['t1'] - a['t0'])
               for a in q['appearances']):
            false_merges += 1
            break

ae = gok = n = 0
for pi, evs in by_person.items():
    e = events[max(evs, key=lambda i: spans[i][1] - spans[i][0])]
    ae += abs(e['age'] - people[pi]['age']); gok += e['gender'][:1].upper() == people[pi]['gender']; n += 1
samples = sorted(e['samples'] for e in events)
out = dict(people=len(people), appearances=sum(len(p['appearances']) for p in people), events=len(events),
           distinct_ids=len(set(e['personId'] for e in events)),
           count_error=round((len(set(e['personId'] for e in events)) - len(people)) / len(people), 3),
           found=len(by_person), split=sum(1 for evs in by_person.values() if len(ids(evs)) > 1),
           events_matching_nobody=len(events) - len(owner), reentries_merged=merged, returning=len(returning),
           false_merges=false_merges, clock_offset_s=offset,
           age_mae=round(ae / n, 2) if n else None, gender_acc=round(gok / n, 3) if n else None,
           samples_min=samples[0] if samples else None, samples_median=samples[len(samples) // 2] if samples else None,
           unmatched_event_samples=sorted(events[i]['samples'] for i in range(len(events)) if i not in owner),
           split_event_samples=sorted(events[i]['samples'] for evs in by_person.values() if len(ids(evs)) > 1
                                      for i in sorted(evs, key=lambda i: events[i]['samples'])[:-1]),
           missed=[dict(id=p['id'], face=[a['mean_face'] for a in p['appearances']], seconds=[round(a['t1'] - a['t0'], 1) for a in p['appearances']])
                   for pi, p in enumerate(people) if pi not in by_person])
print(json.dumps(out))
