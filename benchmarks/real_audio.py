"""Real recordings: the default recipe against a simple baseline on the UrbanSound8K development subset.

The subset (540 real field recordings, 10 classes, folds 1, 2 and 10; see its README) lives outside this project, in
../shared/data/urbansound8k-dev, for development and testing only: it is read in place and never copied here.
The dataset's own folds keep the slices of one recording on one side of a split. Both models see the same exported
spectrogram images and are scored on the same validation clips:

  baseline: one-vs-rest logistic regression on `band_features` (mean, std and 90th percentile of each mel band),
            standardised; its C chosen by cross-validation across the training folds, never on the validation fold;
  fsat_nb:  `run_training` with the default `TrainConfig` (random initialisation, no pretrained weights), on the CPU,
            or with the settings given as options (`--arch`, `--epochs`, ... every `TrainConfig` field).

`--cv` runs all three folds (train on two, validate on the third, once per fold) and prints each fold and the mean
and spread (standard deviation over folds) of accuracy and lwlrap for both models side by side, with seconds.
Each validation clip's scores go beside the results (`<out>_preds.csv`), for a confusion matrix.
Without `--cv`, one split: folds 1 and 2 train, `--valid_fold` (10) validates. Orientation only (full data, 10-fold, not
comparable): Piczak's CNN about 73% accuracy, Salamon and Bello's SB-CNN 79% with augmentation.

`--seeds 42 1 7` trains each fold once per seed and scores a fold by the mean over seeds: single runs of a small
network on 360 clips move by several points with the seed alone.

    python benchmarks/real_audio.py --cv --seeds 42 1 7 [--out benchmarks/results/real_audio_cv.json] [--epochs N] [--precision fp32|bf16|auto]
"""
import argparse, json, shutil, sys, tempfile, time
from dataclasses import fields, replace
from pathlib import Path
import numpy as np, pandas as pd, torch, soundfile as sf
from fsat_nb.sample import project_root
from fsat_nb.datasets import read_dataset
from fsat_nb.images import read_png
from fsat_nb.baseline import band_features, baseline_scores
from fsat_nb.export import export_dataset
from fsat_nb.metrics import lwlrap, top1_accuracy
from fsat_nb.config import TrainConfig, recipe, device_settings
from fsat_nb.pipeline import run_training
from machine import machine_info

def baseline(X, Y, folds, valid, grid=(0.003, 0.01, 0.03, 0.1, 0.3, 1.0)):
    "Logistic regression, C chosen by leave-one-fold-out over the training folds; accuracy and lwlrap on `valid`."
    tr = ~valid
    tf = sorted(set(folds[tr]))
    def cv(C):
        accs = [top1_accuracy(Y[tr & (folds == f)], baseline_scores(X[tr & (folds != f)], Y[tr & (folds != f)], X[tr & (folds == f)], C))
                for f in tf]
        return np.mean(accs)
    C = max(grid, key=cv)
    s = baseline_scores(X[tr], Y[tr], X[valid], C)
    return dict(C=C, accuracy=top1_accuracy(Y[valid], s), lwlrap=lwlrap(Y[valid], s))

def _parse(v:str, typ:str):
    if v.lower() == 'none': return None
    if 'bool' in typ: return v.lower() in ('1', 'true', 'yes')
    return int(v) if 'int' in typ else float(v) if 'float' in typ else v

def summary(rows:list, key:str) -> tuple:
    v = np.array([r[key] for r in rows], float)
    return float(v.mean()), float(v.std())

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', default=str(project_root().parent / 'shared' / 'data' / 'urbansound8k-dev'))
    ap.add_argument('--cv', action='store_true', help='every fold in turn (train on the others); mean and spread')
    ap.add_argument('--seeds', type=int, nargs='+', default=None, help='train each fold once per seed; a fold scores the mean over seeds')
    ap.add_argument('--dir', default=str(Path(__file__).parent / 'out'), help='scratch folder for images and the runs')
    ap.add_argument('--out', default=None, help='where the results go (JSON; default out/real_audio[_cv].json)')
    for f in fields(TrainConfig): ap.add_argument(f'--{f.name}', default=None, help=f'TrainConfig.{f.name} (default: the recipe\'s)')
    a = ap.parse_args()
    if a.arch and a.arch.startswith('audio_cnn_'): import tune_real_audio  # noqa: F401 (registers the tuning rounds' network variants, e.g. audio_cnn_lite)
    data = Path(a.data)
    if not data.is_dir(): sys.exit(f'real_audio: {data}: not here (the UrbanSound8K development subset; see shared/data)')
    over = {f.name: _parse(getattr(a, f.name), str(f.type)) for f in fields(TrainConfig) if getattr(a, f.name) is not None}
    out_fn = Path(a.out or Path(a.dir) / ('real_audio_cv.json' if a.cv else 'real_audio.json'))
    Path(a.dir).mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix='real_audio_', dir=a.dir))
    try:
        ds = read_dataset(data)
        print(f'{ds}')
        t0 = time.perf_counter(); specs = export_dataset(ds, tmp / 'images', progress=False, quiet=True); t_export = time.perf_counter() - t0
        tab, imgs = specs.table, specs.path
        audio_s = sum(sf.info(str(ds.root / f)).duration for f in tab.fname)
        print(f'export of {len(tab)} clips ({audio_s / 60:.0f} min of audio) in {t_export:.1f} s')
        X = np.stack([band_features(read_png(imgs / f)) for f in tab.image]); Y = tab[list(ds.vocab)].values
        vfolds = sorted(tab.fold.unique().tolist()) if a.cv else [int(over.pop('valid_fold', ds.valid_fold or 10))]
        over.pop('valid_fold', None)
        rows, preds = [], []
        for k in vfolds:
            tc = TrainConfig(valid_fold=int(k), **over)
            split = specs.split_by(int(k)); valid, how = split.table.is_valid.values, split.split
            t0 = time.perf_counter(); b = baseline(X, Y, tab.fold.values, valid); t_base = time.perf_counter() - t0
            runs = []
            for seed in (a.seeds or [tc.seed]):
                r = run_training(specs, tmp / f'fold{k}_{seed}', replace(tc, seed=seed), quiet=True); runs.append(r)
                preds.append(pd.read_csv(tmp / f'fold{k}_{seed}' / 'valid_preds.csv').assign(valid_fold=int(k), seed=seed))
                if a.seeds: print(f"  fold {k}, seed {seed}: {r['valid_accuracy']:.1%} / {r['valid_lwlrap']:.3f} in {r['seconds']['train']:.0f} s", flush=True)
            acc, lw = [r['valid_accuracy'] for r in runs], [r['valid_lwlrap'] for r in runs]
            rows.append(dict(valid_fold=int(k), split=how, n_train=int((~valid).sum()), n_valid=int(valid.sum()),
                             baseline_accuracy=b['accuracy'], baseline_lwlrap=b['lwlrap'], baseline_C=b['C'], baseline_seconds=t_base,
                             accuracy=float(np.mean(acc)), lwlrap=float(np.mean(lw)), seeds=[r['train_config']['seed'] for r in runs],
                             accuracy_seeds=acc, lwlrap_seeds=lw, train_seconds=float(np.mean([r['seconds']['train'] for r in runs]))))
            print(f"fold {k}: {how}: {rows[-1]['n_train']} training, {rows[-1]['n_valid']} validation clips; baseline {b['accuracy']:.1%} / "
                  f"{b['lwlrap']:.3f}, fsat_nb {rows[-1]['accuracy']:.1%} / {rows[-1]['lwlrap']:.3f} in {rows[-1]['train_seconds']:.0f} s"
                  + (f' (mean of {len(runs)} seeds)' if len(runs) > 1 else ''), flush=True)
        rc = recipe(TrainConfig(**over))
        cpu = 'bfloat16' if device_settings(rc, 'cpu')['precision'] == 'bf16' else 'float32'
        mi = machine_info()
        print(f"\n{mi['cpu']}, {torch.get_num_threads()} CPU threads, {cpu}; {rc.members} x {rc.arch} from random initialisation, {rc.epochs} epochs each"
              + (f"; each fold the mean of seeds {a.seeds}" if a.seeds else ''))
        if a.seeds and len(rows) > 1:
            for i, sd in enumerate(a.seeds):
                print(f"  seed {sd}: accuracy {np.mean([r['accuracy_seeds'][i] for r in rows]):.1%}, lwlrap {np.mean([r['lwlrap_seeds'][i] for r in rows]):.3f} over the folds")
        n = len(rows)
        print(f"{'model':38s} {'accuracy':>15s} {'lwlrap':>15s} {'seconds':>8s}" + ('   (mean +- std over ' + str(n) + ' folds)' if n > 1 else ''))
        for name, p, s in [('baseline: logistic regression', 'baseline_', 'baseline_seconds'), (f'fsat_nb: {rc.arch}', '', 'train_seconds')]:
            (am, asd), (lm, lsd), sec = summary(rows, p + 'accuracy'), summary(rows, p + 'lwlrap'), summary(rows, s)[0]
            print(f"{name:38s} {am:8.1%} +-{asd:5.1%} {lm:8.3f} +-{lsd:5.3f} {sec:8.0f}")
        gain = [r['accuracy'] - r['baseline_accuracy'] for r in rows]
        ahead = all(r['lwlrap'] > r['baseline_lwlrap'] for r in rows)
        print(f"fsat_nb - baseline: {100 * np.mean(gain):+.1f} points of accuracy on average (per fold: "
              f"{', '.join(f'{100 * g:+.1f}' for g in gain)}); lwlrap higher on {'every fold' if ahead else 'NOT every fold'}")
        res = dict(folds=rows, train_config=rc.to_dict(), settings=over, seeds=a.seeds, precision=cpu, machine=mi, export_seconds=t_export,
                   audio_seconds=audio_s, n_clips=len(tab))
        for p in ('baseline_', ''):
            for m in ('accuracy', 'lwlrap'): res[f'{p}{m}_mean'], res[f'{p}{m}_std'] = summary(rows, p + m)
        res['train_seconds_mean'] = summary(rows, 'train_seconds')[0]
        out_fn.parent.mkdir(parents=True, exist_ok=True)
        out_fn.write_text(json.dumps(res, indent=1, default=str) + '\n')
        pd.concat(preds).round(5).to_csv(out_fn.with_name(out_fn.stem + '_preds.csv'), index=False)   # scores only: no audio
        print(f"wrote {out_fn} and {out_fn.with_name(out_fn.stem + '_preds.csv')} (each validation clip's scores)")
        return 0 if ahead and min(gain) >= 0.05 else 1
    finally: shutil.rmtree(tmp, ignore_errors=True)

if __name__ == '__main__': sys.exit(main())
