"""What the default from-scratch recipe costs at the size the issue sets: about 1,000 clips of 5 s, on this CPU.

Makes a folder-per-class dataset of synthetic clips (`make_folder_sample`: 10 classes x 25 recordings x 4 slices of
5 s = 1,000 clips, 83 minutes of audio; the content does not matter for the cost, which grows with the number of
clips and epochs), then runs `run_training` with the default `TrainConfig` in each precision asked for, each in a
fresh folder (the export is timed once, in the first run), and prints export, training and total seconds. Target: the
training at most 10 minutes on a 2-core CPU. bfloat16 is emulated, and slower, on CPUs without native support: the
script says which the CPU is. `--epochs N` times N epochs and projects the recipe's epochs linearly (marked so).

The default trains two networks one after the other (`TrainConfig.members=2`); `--members 1` times one network, and
`--arch audio_cnn+audio_cnn_s2` a cheaper pair (the second network on half the frames), `--arch audio_cnn_s2` both so,
`--coarse 0.83` the first 25 of 30 epochs on every other frame (`TrainConfig.coarse`; with `--epochs N` the same share of N).

Machines differ in speed as well as in instruction set, so each run is also given in yardsticks: the seconds of
`../shared/tools/yardstick.py` (20 float32 training steps of a fixed network), the best of three runs before and after,
in the same environment. The kernels that ran are recorded (`torch.backends.cpu.get_cpu_capability()`); a CPU without
AVX-512, most laptops, is emulated on one that has it with
`ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 python benchmarks/recipe_cost.py --precision fp32`.
Target for the default recipe in float32 on such a CPU: at most 48 yardsticks (10 minutes where the yardstick takes 12.6 s).

    python benchmarks/recipe_cost.py [--precision fp32 bf16] [--clips 1000] [--seconds 5] [--epochs N] [--arch A] [--members 1] [--time_pool N] [--coarse S] [--out FILE]
"""
import argparse, json, os, sys, tempfile, time
from dataclasses import replace
from pathlib import Path
import torch
from machine import machine_info, yardstick

from fsat_nb.sample import make_folder_sample
from fsat_nb.config import TrainConfig, recipe
from fsat_nb.pipeline import run_training

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--precision', nargs='+', default=['fp32', 'bf16'])
    ap.add_argument('--clips', type=int, default=1000, help='about this many clips (10 classes, 4 slices per recording)')
    ap.add_argument('--seconds', type=float, default=5.)
    ap.add_argument('--epochs', type=int, default=None, help="time this many epochs and project the recipe's (default: all of them)")
    ap.add_argument('--arch', default='auto', help="the network(s) (default: the scratch recipe's)")
    ap.add_argument('--members', type=int, default=None, help="networks in the ensemble (default: the recipe's)")
    ap.add_argument('--time_pool', type=int, default=None, help="frames averaged into one before the network (default: the recipe's)")
    ap.add_argument('--coarse', type=float, default=None, help="share of the epochs on every other frame (progressive resizing in time; default: the recipe's)")
    ap.add_argument('--out', default=str(Path(__file__).parent / 'out' / 'recipe_cost.json'))
    a = ap.parse_args()
    full = recipe(TrainConfig(arch=a.arch, members=a.members, time_pool=a.time_pool, coarse=a.coarse))
    res, info, cap = {}, machine_info(), torch.backends.cpu.get_cpu_capability()
    ys0 = yardstick()
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        data = make_folder_sample(Path(d) / 'data', n_classes=10, n_recordings=max(1, a.clips // 40), n_slices=4, seconds=a.seconds)
        t_make = time.perf_counter() - t0
        images = Path(d) / 'images'
        for p in a.precision:
            tc = replace(full, precision=p, epochs=a.epochs or full.epochs)
            r = run_training(data, Path(d) / f'run_{p}', tc, quiet=True, images=images)
            s = r['seconds']
            scale = full.epochs / tc.epochs
            res[p] = dict(export=s['export'], train=s['train'], train_projected=s['train'] * scale, epochs=tc.epochs,
                          n_train=r['n_train'], n_valid=r['n_valid'], valid_lwlrap=r['valid_lwlrap'])
            print(f"{p}: {r['n_train']} training + {r['n_valid']} validation clips; export {s['export']:.0f} s, training "
                  f"{s['train']:.0f} s for {tc.epochs} epochs" + (f" -> {res[p]['train_projected']:.0f} s projected for {full.epochs}" if scale != 1 else ''), flush=True)
    ys1 = yardstick(); ys = min(ys0, ys1)
    for r in res.values(): r['yardsticks'] = r['train_projected'] / ys
    print(f"{info['cpu']}, {info['cores']} CPUs, kernels {cap}, native bfloat16: {info['bf16_native']}; {full.arch}, {full.epochs} epochs, "
          f"{full.members} network(s); yardstick {ys:.2f} s (before {ys0:.2f}, after {ys1:.2f})")
    ok = all(r['yardsticks'] <= 48 for p, r in res.items() if p == 'fp32')
    print(', '.join(f"{p} training {r['train_projected']:.0f} s = {r['train_projected'] / 60:.1f} min = {r['yardsticks']:.0f} yardsticks" for p, r in res.items())
          + ('; float32 ' + ('within' if ok else 'OVER') + ' the target of 48 yardsticks' if 'fp32' in res else ''))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(dict(machine=info, capability=cap, emulated=bool(os.environ.get('ATEN_CPU_CAPABILITY')),
                                           yardstick=ys, yardstick_before=ys0, yardstick_after=ys1, threads=torch.get_num_threads(),
                                           clips=a.clips, seconds=a.seconds, make_seconds=t_make, train_config=full.to_dict(), runs=res), indent=1) + '\n')
    print(f'wrote {a.out}')
    return 0 if ok else 1

if __name__ == '__main__': sys.exit(main())
