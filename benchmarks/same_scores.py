"""Two runs of `real_audio.py` compared run by run and clip by clip: did a change of code change any score?

Issue 33 rewrote the training path without meaning to change its computation. This reads two results of
`real_audio.py --cv --seeds ...` made on the same machine with the same precision, threads and seeds (the `before`
with the old code, the `after` with the new) and their clip scores (`<out>_preds.csv`, which `real_audio.py` writes
beside its results), and prints, for every fold and seed, both sides' accuracy and lwlrap, how many runs each side won on accuracy,
the mean difference, and the largest difference between the two sides' scores of one clip for one class (to the 5
decimals `real_audio.py` keeps).
It refuses two results made with other settings, machines or seeds.

    python benchmarks/same_scores.py BEFORE.json AFTER.json [--labels 5b45302 HEAD] [--out benchmarks/results/same_scores.json]
"""
import argparse, json
from pathlib import Path
import numpy as np, pandas as pd

def runs(d:dict) -> dict:
    "{(fold, seed): (accuracy, lwlrap)} of one `real_audio.py --cv` result."
    return {(f['valid_fold'], s): (a, l) for f in d['folds'] for s, a, l in zip(f['seeds'], f['accuracy_seeds'], f['lwlrap_seeds'])}

def compare(before:Path, after:Path, labels=('before', 'after')) -> dict:
    b, a = (json.loads(Path(p).read_text()) for p in (before, after))
    for k in ('train_config', 'precision', 'machine', 'seeds'):
        vb, va = b.get(k), a.get(k)
        if vb != va:
            if isinstance(vb, dict) and isinstance(va, dict): vb, va = ({f: v.get(f) for f in sorted(set(vb) | set(va)) if vb.get(f) != va.get(f)} for v in (vb, va))
            raise ValueError(f"{before} and {after}: made with other {k} ({vb} and {va}): not comparable")
    rb, ra = runs(b), runs(a)
    if rb.keys() != ra.keys(): raise ValueError(f"{before} and {after}: other runs ({sorted(rb)} and {sorted(ra)})")
    pb, pa = (pd.read_csv(Path(p).with_name(Path(p).stem + '_preds.csv')) for p in (before, after))
    rest = [c for c in pb.columns if c in ('fname', 'labels', 'valid_fold', 'seed')]   # which clip of which run; the rest are scores
    score_cols = [c for c in pb.columns if c not in rest]
    if list(pb.columns) != list(pa.columns) or not pb[rest].equals(pa[rest]):
        raise ValueError(f"{before} and {after}: their clip scores are not for the same clips in the same order")
    diff = {k: ra[k][0] - rb[k][0] for k in rb}
    return dict(labels=list(labels), before=str(before), after=str(after), machine=a['machine'], precision=a['precision'], seeds=a['seeds'],
                runs=[dict(fold=f, seed=s, accuracy=[rb[f, s][0], ra[f, s][0]], lwlrap=[rb[f, s][1], ra[f, s][1]]) for f, s in sorted(rb)],
                accuracy_mean=[b['accuracy_mean'], a['accuracy_mean']], lwlrap_mean=[b['lwlrap_mean'], a['lwlrap_mean']],
                mean_accuracy_difference=float(np.mean(list(diff.values()))),
                won=sum(v > 0 for v in diff.values()), lost=sum(v < 0 for v in diff.values()), tied=sum(v == 0 for v in diff.values()),
                clip_scores=len(pb) * len(score_cols), max_score_difference=float(np.abs(pb[score_cols].values - pa[score_cols].values).max()))

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('before'); p.add_argument('after')
    p.add_argument('--labels', nargs=2, default=['before', 'after'], help='what made each side (a commit)')
    p.add_argument('--out', default='benchmarks/out/same_scores.json')
    args = p.parse_args()
    r = compare(Path(args.before), Path(args.after), args.labels)
    lb, la = r['labels']
    print(f"{'fold':>4s} {'seed':>4s}  {'accuracy ' + lb:>18s} {'accuracy ' + la:>18s}  {'lwlrap ' + lb:>16s} {'lwlrap ' + la:>16s}")
    for x in r['runs']: print(f"{x['fold']:4d} {x['seed']:4d}  {x['accuracy'][0]:18.1%} {x['accuracy'][1]:18.1%}  {x['lwlrap'][0]:16.4f} {x['lwlrap'][1]:16.4f}")
    print(f"mean accuracy {r['accuracy_mean'][0]:.1%} ({lb}) and {r['accuracy_mean'][1]:.1%} ({la}): difference {r['mean_accuracy_difference']:+.2%}; "
          f"{la} won {r['won']}, lost {r['lost']}, tied {r['tied']} of {len(r['runs'])} runs")
    print(f"largest difference of one clip's score for one class, over {r['clip_scores']:,} scores (5 decimals, as real_audio.py writes them): {r['max_score_difference']:.2g}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True); Path(args.out).write_text(json.dumps(r, indent=1))
    print(f"wrote {args.out}")

if __name__ == '__main__': main()
