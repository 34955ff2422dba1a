"""Training-step time of the cheaper networks considered for the default recipe (issue 34), against the default's own, on this CPU.

Each candidate does the default's work, a training step of one network on a batch of 32 windows of the recipe's two
views (2 x 64 mel rows x 128 frames), float32, AdamW, in the layout `device_settings` uses (channels_last) unless the
name says `contig`:
- `towers`: the default, `audio_cnn` with one tower per view (as `spec_model` builds it);
- `grouped`: the two towers as one network of grouped convolutions (2 groups: the same arithmetic in one call per layer);
- `towers tp2`: the default on windows pooled 2x in time (`time_pool=2`: 64 frames);
- `grouped lite`: one convolution instead of two in each tower's first block (`audio_cnn_lite` of the tuning runs);
- `grouped4 (2 nets)`: both networks of the ensemble as one grouped network, trained together (4 groups);
- `grouped compiled`: `grouped` under `torch.compile` (`--compile`); its compile time is reported beside it;
- `multires (1 net)`: `audio_cnn_multires` of the tuning runs, the default's towers plus a tower per view on the window
  pooled 2x in time, one head (`--multires`); the recipe would train one such network instead of two of the default's,
  so its cost against the recipe is half its ratio here;
- `towers batch 16`, `towers batch 64`: the default on smaller and larger batches (`--batches`), their step time scaled to
  32 windows, so the ratio compares the cost of a window (the same epoch's work in more or fewer steps);
- `widths 16-24-48-96` and so on (`--widths 16,24,48,96 ...`): `AudioCNN` with other channels per block, each with a
  plain linear head, beside `widths 16-32-64-128`, the default's widths with the same head, for the ratio between them.
`--precision bf16` times the steps under bfloat16 autocast instead (for a CPU that runs it natively).
The candidates take turns, three steps each per round, so a shared machine's drift hits all alike; the figure is the
median step. Accuracy is not measured here: `benchmarks/real_audio.py --cv` measured the two that change the arithmetic
(`results/real_audio_cv_tp2.json`, `results/real_audio_cv_lite.json`) against the default's own runs on the same machine
(`results/real_audio_cv_xeon.json`). Emulate a CPU without AVX-512 with
`ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2`.

    python benchmarks/step_candidates.py [--rounds 4] [--compile] [--batches] [--multires] [--widths W ...] [--precision bf16] [--out FILE]
"""
import argparse, json, os, statistics, time
from functools import partial
from pathlib import Path
import torch, torch.nn as nn
from machine import machine_info
from fsat_nb.models import spec_model, AudioCNN

class Grouped(nn.Module):
    "`audio_cnn`'s towers as one network of grouped convolutions: group `i` is tower `i`."
    def __init__(self, chans=(16, 32, 64, 128), g=2, num_classes=80, lite=False):
        super().__init__()
        layers, c0 = [], 1
        for i, c in enumerate(chans):
            layers += [nn.Conv2d(c0 * g, c * g, 3, padding=1, groups=g, bias=False), nn.BatchNorm2d(c * g), nn.ReLU(inplace=True)]
            if not (lite and i == 0): layers += [nn.Conv2d(c * g, c * g, 3, padding=1, groups=g, bias=False), nn.BatchNorm2d(c * g), nn.ReLU(inplace=True)]
            layers += [nn.AvgPool2d(2)]; c0 = c
        self.f = nn.Sequential(*layers); self.head = nn.Linear(chans[-1] * g, num_classes)
    def forward(self, x): return self.head(self.f(x).mean((2, 3)))

def stepper(m, x, channels_last=True, compile=False, bf16=False):
    "A function that runs one training step of `m` on `x`, and the seconds its first two steps took (compilation, warm-up)."
    y = (torch.rand(x.shape[0], 80) < 0.05).float()
    if channels_last: m, x = m.to(memory_format=torch.channels_last), x.contiguous(memory_format=torch.channels_last)
    if compile: m = torch.compile(m)
    opt = torch.optim.AdamW(m.parameters(), 1e-3)
    def step():
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16): out = m(x)
        nn.functional.binary_cross_entropy_with_logits(out.float(), y).backward(); opt.step(); opt.zero_grad(set_to_none=True)
    t = time.perf_counter(); step(); step()
    return step, time.perf_counter() - t

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--rounds', type=int, default=4)
    ap.add_argument('--compile', action='store_true', help='also time `grouped` under torch.compile')
    ap.add_argument('--batches', action='store_true', help='also time the default on batches of 16 and 64 windows (per 32 windows)')
    ap.add_argument('--multires', action='store_true', help="also time tune_real_audio's audio_cnn_multires (one network for the recipe's two)")
    ap.add_argument('--widths', nargs='*', default=[], help="also time AudioCNN with these channels per block, e.g. 16,24,48,96 (and the default's 16,32,64,128 with the same head)")
    ap.add_argument('--precision', default='fp32', choices=['fp32', 'bf16'], help='bf16: the steps under bfloat16 autocast')
    ap.add_argument('--out', default=str(Path(__file__).parent / 'out' / 'step_candidates.json'))
    a = ap.parse_args()
    step_of = partial(stepper, bf16=a.precision == 'bf16')
    torch.manual_seed(0)
    x2, x2h, x4 = torch.randn(32, 2, 64, 128), torch.randn(32, 2, 64, 64), torch.randn(32, 4, 64, 128)
    made = {'towers (the default)': step_of(spec_model('audio_cnn', 80, n_in=2), x2),
            'towers contig': step_of(spec_model('audio_cnn', 80, n_in=2), x2, channels_last=False),
            'grouped': step_of(Grouped(), x2), 'towers tp2': step_of(spec_model('audio_cnn', 80, n_in=2), x2h),
            'grouped lite': step_of(Grouped(lite=True), x2), 'grouped4 (2 nets)': step_of(Grouped(g=4), x4)}
    if a.compile: made['grouped compiled'] = step_of(Grouped(), x2, compile=True)
    if a.multires:
        import tune_real_audio  # noqa: F401 (registers audio_cnn_multires)
        made['multires (1 net)'] = step_of(spec_model('audio_cnn_multires', 80, n_in=2), x2)
    for w in (['16,32,64,128'] + a.widths if a.widths else []):
        made[f"widths {w.replace(',', '-')}"] = step_of(AudioCNN(chans=tuple(int(c) for c in w.split(',')), in_chans=2, num_classes=80), x2)
    per32 = {}                                                        # candidates on other batch sizes: their time scaled to 32 windows
    if a.batches:
        for bs in (16, 64):
            k = f'towers batch {bs}'; made[k], per32[k] = step_of(spec_model('audio_cnn', 80, n_in=2), torch.randn(bs, 2, 64, 128)), 32 / bs
    times = {k: [] for k in made}
    for _ in range(a.rounds):
        for k, (step, _) in made.items():
            for _ in range(3):
                t = time.perf_counter(); step(); times[k].append(time.perf_counter() - t)
    base = statistics.median(times['towers (the default)'])
    med = {k: statistics.median(v) * per32.get(k, 1) for k, v in times.items()}
    rows = [dict(candidate=k, step_ms=med[k] * 1e3, ratio=med[k] / base, first_two_steps_s=made[k][1]) for k in times]
    cap = torch.backends.cpu.get_cpu_capability()
    print(f"{machine_info()['cpu']}, kernels {cap}, {torch.get_num_threads()} threads, {'bfloat16 autocast' if a.precision == 'bf16' else 'float32'}; median training step of a batch of 32 (or its time for 32 windows):")
    for r in rows: print(f"  {r['candidate']:26s} {r['step_ms']:6.0f} ms  {r['ratio']:5.2f}x" + (f"  (compiling and the first two steps: {r['first_two_steps_s']:.0f} s)" if 'compiled' in r['candidate'] else ''))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(dict(machine=machine_info(), capability=cap, emulated=bool(os.environ.get('ATEN_CPU_CAPABILITY')),
                                           precision=a.precision, rows=rows), indent=1) + '\n')
    print(f'wrote {a.out}')

if __name__ == '__main__': main()
