"""Memory layout on this CPU: a training step in `channels_last` against the default (contiguous) layout.

For each network of the recipes (the scratch recipe's two-tower `audio_cnn` on 2 x 64 x 128 windows, ConvNeXt-Tiny
on the `timm-scratch` recipe's 32 x 64 ones) and each precision: forward, BCE loss, backward and an AdamW step on a
random batch of 32, the two layouts taking turns (`--rounds` rounds of `--steps` steps each, after a warm-up), so
both see the same drift of a shared machine. Prints the median step of each and the ratio channels_last / default
(below 1: channels_last is faster). `device_settings` uses channels_last on every device because of this reading.

    python benchmarks/layout_speed.py [--precision fp32 bf16] [--rounds 5] [--steps 4]
"""
import argparse, json, statistics, sys, time
from pathlib import Path
import torch
from machine import machine_info
from fsat_nb.models import spec_model

NETS = {'audio_cnn': dict(n_in=2, shape=(2, 64, 128)), 'convnext_tiny': dict(n_in=1, shape=(1, 32, 64))}

def stepper(arch, n_in, shape, cl, bf16, bs=32):
    torch.manual_seed(0)
    m = spec_model(arch, 10, n_in=n_in)
    x, y = torch.randn(bs, *shape), torch.rand(bs, 10).round()
    if cl: m, x = m.to(memory_format=torch.channels_last), x.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(m.parameters(), 1e-3)
    def step():
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
            loss = torch.nn.functional.binary_cross_entropy_with_logits(m(x).float(), y)
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
    return step

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--precision', nargs='+', default=['fp32', 'bf16'])
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--steps', type=int, default=4)
    ap.add_argument('--out', default=str(Path(__file__).parent / 'out' / 'layout_speed.json'))
    a = ap.parse_args()
    info, res = machine_info(), {}
    for arch, kw in NETS.items():
        for p in a.precision:
            steps = {cl: stepper(arch, kw['n_in'], kw['shape'], cl, p == 'bf16') for cl in (False, True)}
            times = {False: [], True: []}
            for s in steps.values(): s(); s()                       # warm-up
            for _ in range(a.rounds):
                for cl, s in steps.items():
                    for _ in range(a.steps):
                        t = time.perf_counter(); s(); times[cl].append(time.perf_counter() - t)
            d, c = statistics.median(times[False]), statistics.median(times[True])
            res[f'{arch}_{p}'] = dict(default_ms=d * 1e3, channels_last_ms=c * 1e3, ratio=c / d)
            print(f'{arch:14s} {p}: default {d * 1e3:.0f} ms, channels_last {c * 1e3:.0f} ms per step: ratio {c / d:.2f}', flush=True)
    print(f"{info['cpu']}, {info['cores']} CPUs, native bfloat16: {info['bf16_native']}")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(dict(machine=info, threads=torch.get_num_threads(), runs=res), indent=1) + '\n')
    print(f'wrote {a.out}')

if __name__ == '__main__': sys.exit(main())
