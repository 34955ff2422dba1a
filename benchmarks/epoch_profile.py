"""Where the default recipe's training time goes on this CPU: data, forward, loss, backward, optimiser step and
validation, for one network on one view of each window and on the recipe's two views, with the operators that take
the time, against the machine's yardstick.

A CPU without AVX-512 (most laptops) can be emulated on one that has it; the script records which kernels ran
(`torch.backends.cpu.get_cpu_capability()`) and times `../shared/tools/yardstick.py` in the same environment before and
after, so the figures compare across machines as yardsticks:

    ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 python benchmarks/epoch_profile.py --precision fp32

The data are `recipe_cost.py`'s (synthetic clips of 5 s, 10 classes), `--clips` of them; each network trains
`--epochs` epochs after a warm-up epoch, validating after every epoch so that validation is timed too (the recipe
itself validates each network once, after its last epoch, and the ensemble once). Per batch: `data` is the time from
one batch's end to the next one's start (reading windows, the batch transforms), `forward` includes mixup and the
device callbacks, `after` the callbacks after the optimiser step. Per network means one member of the ensemble: the
recipe trains two, one after the other, each costing the same.

    python benchmarks/epoch_profile.py [--clips 200] [--epochs 3] [--precision fp32|bf16|auto] [--arch ARCH] [--out FILE]
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np, torch
from fastai.callback.core import Callback
from machine import machine_info, yardstick
from fsat_nb.sample import make_folder_sample, project_root
from fsat_nb.export import spec_set
from fsat_nb.config import TrainConfig, recipe, device_settings
from fsat_nb.training import train

class PhaseTimer(Callback):
    "Times each training batch by phase, and each validation pass."
    order = -10                                    # before every other callback: a batch's clock starts first
    def before_fit(self): self.rows, self.valid, self.last = [], [], None
    def before_epoch(self): self.last = time.perf_counter()
    def _t(self, k):
        if self.training: setattr(self, k, time.perf_counter())
    def before_batch(self): self._t('t_b')
    def after_pred(self): self._t('t_p')
    def after_loss(self): self._t('t_l')
    def after_backward(self): self._t('t_bw')
    def after_step(self): self._t('t_s')
    def after_batch(self):
        if not self.training: return
        t = time.perf_counter()
        self.rows.append((self.epoch, self.t_b - self.last, self.t_p - self.t_b, self.t_l - self.t_p, self.t_bw - self.t_l, self.t_s - self.t_bw, t - self.t_s))
        self.last = t
    def before_validate(self): self.t_v = time.perf_counter()
    def after_validate(self): self.valid.append((self.epoch, time.perf_counter() - self.t_v)); self.last = time.perf_counter()

PHASES = ['data', 'forward', 'loss', 'backward', 'step', 'after']

def profile(split, tc, epochs):
    "Per-epoch phase seconds (epochs after the first) and validation seconds per pass, for one network of `tc`."
    pt = PhaseTimer()
    train(split, TrainConfig.from_dict({**tc.to_dict(), 'epochs': epochs + 1, 'valid_every': 1, 'members': 1}), cbs=[pt], quiet=True)
    r = np.array([x[1:] for x in pt.rows if x[0] > 0])
    per_epoch = r.sum(0) / epochs
    return dict(zip(PHASES, per_epoch.tolist())), float(np.median([v for e, v in pt.valid if e > 0])), int(len(r) / epochs)

def top_ops(split, tc, steps=4, n=12):
    "The operators of a few training steps of one network, by their own CPU time (torch.profiler)."
    from torch.profiler import profile as tprof, ProfilerActivity
    class Prof(Callback):
        order = -5
        i, p, done = 0, None, None
        def before_batch(self):
            if self.training and self.i == 2: self.p = tprof(activities=[ProfilerActivity.CPU]); self.p.__enter__()
        def after_batch(self):
            if not self.training: return
            self.i += 1
            if self.p is not None and self.i == 2 + steps: self.p.__exit__(None, None, None); self.done, self.p = self.p, None
    pr = Prof()
    train(split, TrainConfig.from_dict({**tc.to_dict(), 'epochs': 3, 'valid_every': -1, 'members': 1}), cbs=[pr], quiet=True)
    ev = sorted(pr.done.key_averages(), key=lambda e: -e.self_cpu_time_total)
    tot = sum(e.self_cpu_time_total for e in ev)
    return [dict(op=e.key, share=e.self_cpu_time_total / tot, ms_per_step=e.self_cpu_time_total / 1e3 / steps) for e in ev[:n]]

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--clips', type=int, default=200)
    ap.add_argument('--epochs', type=int, default=3)
    ap.add_argument('--precision', default='fp32')
    ap.add_argument('--arch', default=None, help="another network than the recipe's (any timm architecture)")
    ap.add_argument('--out', default=str(Path(__file__).parent / 'out' / 'epoch_profile.json'))
    a = ap.parse_args()
    cap, info = torch.backends.cpu.get_cpu_capability(), machine_info()
    ys0 = yardstick()
    full = recipe(TrainConfig(precision=a.precision))
    if a.arch: full = TrainConfig.from_dict({**full.to_dict(), 'arch': a.arch})
    prec = device_settings(full, 'cpu')['precision']
    print(f"{info['cpu']}, {info['cores']} CPUs, kernels {cap}, {prec}, {full.arch}; yardstick {ys0:.2f} s", flush=True)
    res = dict(machine=info, capability=cap, emulated=bool(os.environ.get('ATEN_CPU_CAPABILITY')), arch=full.arch, precision=prec,
               threads=torch.get_num_threads(), yardstick_before=ys0, views={})
    with tempfile.TemporaryDirectory() as d:
        data = make_folder_sample(Path(d) / 'data', n_classes=10, n_recordings=max(1, a.clips // 40), n_slices=4, seconds=5.)
        split = spec_set(data, Path(d) / 'images', quiet=True).split_by(valid_fold=full.valid_fold, seed=full.seed)
        n_train = int((~split.table.is_valid).sum())
        for name, norm in (('one view', 'global'), ('two views (the recipe)', 'both')):
            phases, valid_s, batches = profile(split, TrainConfig.from_dict({**full.to_dict(), 'norm': norm}), a.epochs)
            epoch_s = sum(phases.values())
            res['views'][name] = dict(norm=norm, phases=phases, epoch_s=epoch_s, valid_pass_s=valid_s, batches=batches)
            print(f"{name}: an epoch of {n_train} training clips ({batches} batches) {epoch_s:.1f} s: "
                  + ', '.join(f'{k} {v:.2f} s ({v / epoch_s:.0%})' for k, v in phases.items()) + f"; a validation pass {valid_s:.1f} s", flush=True)
        ops = top_ops(split, full)
        res['top_ops'] = ops
        print('operators of a training step of the recipe\'s network, by own CPU time: ' + ', '.join(f"{o['op']} {o['share']:.0%}" for o in ops[:8]))
        two, one = res['views']['two views (the recipe)'], res['views']['one view']
        per_clip = two['epoch_s'] / n_train
        recipe_s = full.members * (full.epochs * two['epoch_s'] + two['valid_pass_s']) + two['valid_pass_s']   # each network validates once, then the ensemble
        scale = 1000 * 0.76 / n_train                   # recipe_cost.py's 1,000 clips: 760 train, the valid clips scale alike
        res.update(n_train=n_train, second_view_share=1 - one['epoch_s'] / two['epoch_s'], recipe_seconds_here=recipe_s,
                   recipe_seconds_per_1000_clips=recipe_s * scale)
    ys1 = yardstick()
    res['yardstick_after'] = ys1; ys = min(ys0, ys1)
    res['recipe_yardsticks_per_1000_clips'] = res['recipe_seconds_per_1000_clips'] / ys
    print(f"the second view costs {res['second_view_share']:.0%} of an epoch; the recipe ({full.members} networks x {full.epochs} epochs, "
          f"validation once per network and for the ensemble) projected for 1,000 clips: {res['recipe_seconds_per_1000_clips']:.0f} s "
          f"= {res['recipe_yardsticks_per_1000_clips']:.0f} yardsticks (yardstick {ys:.2f} s, before {ys0:.2f}, after {ys1:.2f})")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=1) + '\n')
    print(f'wrote {a.out}')

if __name__ == '__main__': main()
