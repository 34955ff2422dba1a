"""The whole `fsat_demo` with today's recipe against the recipe it replaced, same machine, same precision, same run.

Both runs are the full demo (make the sample, export the spectrograms, train ConvNeXt-Tiny from random
initialisation offline, score validation, predict the test clips, write the submission), each in a fresh folder:

  before: 128 x 128 windows, 75 epochs, lr 4e-3, mixup 0.4 (the recipe of the first release)
  now:    the default demo recipe (`RECIPES['timm-scratch']`)

Prints the wall time of each stage, the validation and test lwlrap of both, and the speed-up of the whole demo.
Target: the demo at least 3x faster with validation lwlrap >= 0.80. Measure the no-bfloat16 case on any machine with
`--precision fp32` (the default); `--precision auto` uses bfloat16 where the CPU has it.

    python benchmarks/demo_speed.py [--precision fp32|auto|bf16] [--only now|before]
"""
import argparse, json, sys, tempfile
from pathlib import Path
from machine import machine_info
from fsat_nb.config import TrainConfig, RECIPES
from fsat_nb.pipeline import demo

BEFORE = dict(arch='convnext_tiny', epochs=75, lr=4e-3, mixup=0.4, freq_masks=0, time_masks=0, freq_pool=1, time_pool=1,
              valid_every=0, keep_best=False, freeze_epochs=0)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--precision', default='fp32')
    ap.add_argument('--only', choices=['now', 'before'], default=None)
    ap.add_argument('--out', default=str(Path(__file__).parent / 'out' / 'demo_speed.json'))
    a = ap.parse_args()
    runs = {'before': TrainConfig(precision=a.precision, **BEFORE), 'now': TrainConfig(arch='convnext_tiny', precision=a.precision)}
    if a.only: runs = {a.only: runs[a.only]}
    res = {}
    for name, tc in runs.items():
        with tempfile.TemporaryDirectory() as d:
            r = demo(d, tc, quiet=True)
        res[name] = dict(seconds=r['seconds'], valid_lwlrap=r['valid_lwlrap'], test_lwlrap=r['test_lwlrap'], epochs=r['epochs'],
                         train_config=r['train_config'])
        s = r['seconds']
        print(f"{name:7s} valid lwlrap {r['valid_lwlrap']:.3f}, test lwlrap {r['test_lwlrap']:.3f}; seconds: sample {s['sample']:.0f}, "
              f"export {s['export']:.0f}, train {s['train']:.0f}, predict {s['predict']:.0f}, total {s['total']:.0f}", flush=True)
    info = dict(machine_info(), precision=a.precision)
    print(f"{info['cpu']}, {info['cores']} CPUs, precision {a.precision}")
    ok = True
    if len(res) == 2:
        speedup = res['before']['seconds']['total'] / res['now']['seconds']['total']
        ok = speedup >= 3 and res['now']['valid_lwlrap'] >= 0.80
        print(f"whole demo: {speedup:.2f}x faster (target >= 3x), validation lwlrap {res['now']['valid_lwlrap']:.3f} (target >= 0.80)")
        info['speedup'] = speedup
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(dict(info=info, runs=res), indent=1) + '\n')
    return 0 if ok else 1

if __name__ == '__main__': sys.exit(main())
