"""Training recipes compared: the published walk-through's against fsat_nb's, same data, model and time budget.

Both train ConvNeXt-Tiny (timm, random initialisation from the same seed, one input channel) on the same
spectrogram images of the synthetic sample, for the same wall-time budget, and both are scored the same exact way:
lwlrap (`fsat_nb.metrics.lwlrap`) over all validation clips, one score row per clip.

  walk-through: each whole image resized to a fixed size (time axis squashed or stretched), inputs scaled to
                [0, 1] and normalised with ImageNet-style grey statistics, no augmentation, timm's own head
                (LayerNorm, Linear), plain Adam at a constant learning rate on head and body, BCE loss,
                per-batch LRAP logged as its training metric; a clip's prediction is its one resized image.
  fsat_nb:      `train` with ConvNeXt-Tiny's from-scratch recipe (`timm-scratch`, what `fsat_demo` trains)
                except the epoch count, which is set so training fits the budget (from a timed calibration epoch):
                random fixed-width windows, dataset normalisation, fastai's head, AdamW one-cycle; a clip's
                prediction averages all its windows.
Both use bfloat16 autocast where the CPU runs it natively, float32 elsewhere.

    python benchmarks/train_vs_walkthrough.py [--budget 240] [--size 128] [--lr 1e-3] [--out benchmarks/results/train_vs_walkthrough.json]
"""
import argparse, json, sys, time
from dataclasses import replace
from pathlib import Path
import numpy as np, pandas as pd, torch, torch.nn.functional as F
from fsat_nb.sample import data_path
from fsat_nb.labels import CATEGORIES
from fsat_nb.images import read_png
from fsat_nb.export import spec_set
from fsat_nb.metrics import lwlrap
from fsat_nb.walkthrough import batch_lrap
from machine import machine_info
from fsat_nb.config import TrainConfig, device_settings, recipe
from fsat_nb.training import train
from fsat_nb.learner import valid_scores

def squashed(images_dir, files, size):
    "Whole images resized to size x size, as the walk-through's fixed-size resize does."
    x = [F.interpolate(torch.from_numpy(read_png(Path(images_dir) / f)).float()[None, None] / 255, size=(size, size),
                       mode='bilinear', align_corners=False)[0] for f in files]
    return (torch.stack(x) - 0.449) / 0.226

def walkthrough(split, budget, size, lr, bs=32, seed=42, bf16=False):
    import timm
    torch.manual_seed(seed); np.random.seed(seed)
    tab, images_dir = split.table, split.path                         # the split training makes
    tr, va = tab[~tab.is_valid], tab[tab.is_valid]
    xt, yt = squashed(images_dir, tr.image, size), torch.tensor(tr[list(CATEGORIES)].values, dtype=torch.float32)
    xv, yv = squashed(images_dir, va.image, size), va[list(CATEGORIES)].values
    model = timm.create_model('convnext_tiny', pretrained=False, num_classes=len(CATEGORIES), in_chans=1)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    t0, epochs, log = time.perf_counter(), 0, []
    while True:
        te = time.perf_counter()
        model.train()
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), bs):
            idx = perm[i:i + bs]
            with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16): out = model(xt[idx])
            loss = F.binary_cross_entropy_with_logits(out.float(), yt[idx])
            opt.zero_grad(); loss.backward(); opt.step()
        epochs += 1
        model.eval()
        with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
            pv = torch.cat([model(xv[i:i + 64]).float() for i in range(0, len(xv), 64)]).numpy()
        log.append(batch_lrap(yv, pv, bs))                 # the walk-through's training metric
        elapsed, per_epoch = time.perf_counter() - t0, time.perf_counter() - te
        if elapsed + per_epoch > budget: break
    return dict(valid_lwlrap=lwlrap(yv, pv), per_batch_lrap=log[-1], epochs=epochs, seconds=time.perf_counter() - t0)

def ours(split, budget, seed=42):
    tc = recipe(TrainConfig(arch='convnext_tiny', seed=seed))             # the timm-scratch recipe
    t0 = time.perf_counter(); train(split, replace(tc, epochs=1), quiet=True); cal = time.perf_counter() - t0
    epochs = max(1, int(budget / cal))
    t0 = time.perf_counter()
    t = train(split, replace(tc, epochs=epochs), quiet=True)
    _, vt, vs = valid_scores(t.learn)
    return dict(valid_lwlrap=lwlrap(vt, vs), epochs=epochs, seconds=time.perf_counter() - t0, calibration_seconds=cal)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--budget', type=float, default=240., help='wall-time budget for each recipe (seconds)')
    ap.add_argument('--size', type=int, default=128, help="walk-through's fixed image size")
    ap.add_argument('--lr', type=float, default=1e-3, help="walk-through's constant Adam learning rate")
    ap.add_argument('--data', default=None, help='dataset in the Kaggle layout (default: data_path())')
    ap.add_argument('--out', default=None, help='also write the results here (JSON)')
    a = ap.parse_args()
    torch.set_num_threads(torch.get_num_threads())
    data = Path(a.data) if a.data else data_path()
    seed = 42
    tc = recipe(TrainConfig(arch='convnext_tiny', seed=seed))
    split = spec_set(data, quiet=True).split_by(tc.valid_fold, tc.group_col, tc.valid_pct, tc.seed)
    imgs = split.path
    bf16 = device_settings(TrainConfig(precision='auto'), 'cpu')['precision'] == 'bf16'   # both recipes get the same arithmetic: bfloat16 where the CPU runs it natively
    w = walkthrough(split, a.budget, a.size, a.lr, seed=seed, bf16=bf16)
    o = ours(split, a.budget, seed)
    print(f"same data ({imgs}), ConvNeXt-Tiny from random init, budget {a.budget:.0f} s each, {torch.get_num_threads()} CPU threads, "
          f"{'bfloat16' if bf16 else 'float32'} for both")
    print(f"{'recipe':14s} {'valid lwlrap':>12s} {'epochs':>7s} {'seconds':>8s}")
    print(f"{'walk-through':14s} {w['valid_lwlrap']:12.4f} {w['epochs']:7d} {w['seconds']:8.0f}   (its own per-batch LRAP: {w['per_batch_lrap']:.4f})")
    print(f"{'fsat_nb':14s} {o['valid_lwlrap']:12.4f} {o['epochs']:7d} {o['seconds']:8.0f}   (+ {o['calibration_seconds']:.0f} s calibration epoch)")
    ok = o['valid_lwlrap'] > w['valid_lwlrap']
    if a.out:
        Path(a.out).write_text(json.dumps(dict(budget_s=a.budget, size=a.size, walkthrough_lr=a.lr, precision='bfloat16' if bf16 else 'float32',
                                               machine=machine_info(), walkthrough=w, fsat_nb=o), indent=1) + '\n')
    print(f"ratio fsat_nb / walk-through lwlrap: {o['valid_lwlrap'] / w['valid_lwlrap']:.2f}: " + ('ours ahead' if ok else 'ours NOT ahead'))
    return 0 if ok else 1

if __name__ == '__main__': sys.exit(main())
