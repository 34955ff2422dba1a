"""Real recordings: the default recipe against a simple baseline on the UrbanSound8K development subset.

The subset (540 real field recordings, 10 classes, folds 1, 2 and 10; see its README) lives outside this project, in
../shared/data/urbansound8k-dev, for development and testing only: it is read in place and never copied here.
Training uses folds 1 and 2, validation fold 10 (the dataset's own folds: slices of one recording never straddle the
split). Both models see the same exported spectrogram images and are scored on the same 180 validation clips:

  baseline: one-vs-rest logistic regression on `band_features` (mean, std and 90th percentile of each mel band),
            standardised; its C chosen by cross-validation across the training folds (fold 1 vs fold 2), not on fold 10;
  fsat_nb:  `run_training` with the default `TrainConfig` (random initialisation, no pretrained weights), on the CPU.

Prints accuracy, lwlrap and seconds for both. Target: the CNN clearly ahead, at least 5 points of accuracy and a
higher lwlrap. Orientation only (full data, 10-fold, not comparable): Piczak's CNN about 73% accuracy, Salamon and
Bello's SB-CNN 79% with augmentation.

    python benchmarks/real_audio.py [--data PATH] [--epochs N] [--precision fp32|bf16|auto] [--valid_fold 10]
"""
import argparse, json, shutil, sys, tempfile, time
from dataclasses import replace, fields
from pathlib import Path
import numpy as np, pandas as pd, torch, soundfile as sf
from fsat_nb.sample import project_root
from fsat_nb.datasets import read_dataset, split_dataset
from fsat_nb.spectrogram import read_png
from fsat_nb.explore import band_features, baseline_scores
from fsat_nb.export import export_dataset, read_images
from fsat_nb.metrics import lwlrap, top1_accuracy
from fsat_nb.config import TrainConfig, recipe, device_settings
from fsat_nb.pipeline import run_training
from machine import machine_info

def baseline(X, Y, folds, valid, grid=(0.003, 0.01, 0.03, 0.1, 0.3, 1.0)):
    "Logistic regression, C chosen by leave-one-fold-out over the training folds; fold-`valid` accuracy and lwlrap."
    tr = ~valid
    tf = sorted(set(folds[tr]))
    def cv(C):
        accs = [top1_accuracy(Y[tr & (folds == f)], baseline_scores(X[tr & (folds != f)], Y[tr & (folds != f)], X[tr & (folds == f)], C))
                for f in tf]
        return np.mean(accs)
    C = max(grid, key=cv)
    s = baseline_scores(X[tr], Y[tr], X[valid], C)
    return dict(C=C, accuracy=top1_accuracy(Y[valid], s), lwlrap=lwlrap(Y[valid], s))

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', default=str(project_root().parent / 'shared' / 'data' / 'urbansound8k-dev'))
    ap.add_argument('--valid_fold', type=int, default=10)
    ap.add_argument('--dir', default=str(Path(__file__).parent / 'out'), help='scratch folder for images and the run')
    ap.add_argument('--out', default=str(Path(__file__).parent / 'out' / 'real_audio.json'), help='where the results go (JSON)')
    for f in fields(TrainConfig):
        if f.name in ('epochs', 'arch', 'precision', 'lr', 'width', 'seed'): ap.add_argument(f'--{f.name}', type=type(f.default), default=None)
    a = ap.parse_args()
    data = Path(a.data)
    if not data.is_dir(): sys.exit(f'real_audio: {data}: not here (the UrbanSound8K development subset; see shared/data)')
    tc = TrainConfig(valid_fold=a.valid_fold, **{k: v for k, v in vars(a).items() if k in {f.name for f in fields(TrainConfig)} and v is not None and k != 'valid_fold'})
    Path(a.dir).mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix='real_audio_', dir=a.dir))
    try:
        ds = read_dataset(data)
        print(f'{ds}')
        t0 = time.perf_counter(); imgs = export_dataset(ds, tmp / 'images', progress=False, quiet=True); t_export = time.perf_counter() - t0
        tab, meta = read_images(imgs)
        valid, how = split_dataset(tab, ds.vocab, a.valid_fold, default_fold=ds.valid_fold)
        audio_s = sum(sf.info(str(ds.root / f)).duration for f in tab.fname)
        print(f'{how}: {(~valid).sum()} training clips, {valid.sum()} validation clips; export of {audio_s / 60:.0f} min of audio '
              f'in {t_export:.1f} s: {audio_s / t_export:.0f} s of audio per second')
        X = np.stack([band_features(read_png(imgs / f)) for f in tab.image]); Y = tab[list(ds.vocab)].values
        t0 = time.perf_counter(); b = baseline(X, Y, tab.fold.values, valid); t_base = time.perf_counter() - t0
        t0 = time.perf_counter(); r = run_training(imgs, tmp / 'run', tc, quiet=True); t_cnn = time.perf_counter() - t0
        cpu, rc = 'bfloat16' if device_settings(tc, 'cpu')['precision'] == 'bf16' else 'float32', recipe(tc)
        print(f"{torch.get_num_threads()} CPU threads, {cpu}; {rc.arch} from random initialisation, {rc.epochs} epochs")
        print(f"{'model':36s} {'accuracy':>9s} {'lwlrap':>7s} {'seconds':>8s}")
        print(f"{'baseline: logistic regression (C=' + str(b['C']) + ')':36s} {b['accuracy']:9.1%} {b['lwlrap']:7.3f} {t_base:8.0f}")
        print(f"{'fsat_nb: ' + rc.arch:36s} {r['valid_accuracy']:9.1%} {r['valid_lwlrap']:7.3f} {r['seconds']['train']:8.0f}")
        ok = r['valid_accuracy'] >= b['accuracy'] + 0.05 and r['valid_lwlrap'] > b['lwlrap']
        print(f"CNN - baseline: {100 * (r['valid_accuracy'] - b['accuracy']):+.1f} points of accuracy, "
              f"{r['valid_lwlrap'] - b['lwlrap']:+.3f} lwlrap: " + ('clearly ahead' if ok else 'NOT clearly ahead'))
        out = dict(baseline=b, cnn={k: r[k] for k in ('valid_accuracy', 'valid_lwlrap', 'seconds', 'train_config', 'split')},
                   baseline_seconds=t_base, export_seconds=t_export, audio_seconds=audio_s, precision=cpu, machine=machine_info(), n_train=int((~valid).sum()), n_valid=int(valid.sum()))
        Path(a.out).write_text(json.dumps(out, indent=1, default=str) + '\n')
        print(f'wrote {a.out}')
        return 0 if ok else 1
    finally: shutil.rmtree(tmp, ignore_errors=True)

if __name__ == '__main__': sys.exit(main())
