"""How export, a training epoch and prediction grow with the data: time and peak memory at fractions of FAT2019's size.

For each fraction (default 1/8, 1/4, 1/2) a synthetic stand-in with FAT2019's shape is made (80 classes, about 62
curated clips per class at full size, durations 0.3 to 30 s with a mean near 7.6 s, a test set of 3,361 clips at full
size; audio made of repeated 5 s segments, which costs the pipeline the same as real audio of that length). Then, each
as the user would run it, in a subprocess whose wall time and peak memory (largest process) are recorded:

  export:  `fsat_export DATA IMGS`                  all curated clips to PNGs (all CPUs); disk used by audio and images
  decode:  the test clips decoded and turned into spectrogram images in one process, no model: what `fsat_predict`
           spends on the CPU whatever the device, so the floor of prediction on a GPU
  load:    one training epoch of the DataLoader alone (PNG reading, windows, batch transforms; a worker per CPU):
           the floor of an epoch on a GPU fed by this CPU
  epoch:   `fsat_train DATA OUT --epochs 1 --images IMGS ...` one training epoch of each architecture (no validation during it;
           `audio_cnn`'s recipe trains two networks, one after the other: one epoch of each)
  predict: `fsat_predict OUT/model.pth DATA/test`   every test clip, every window

and written, with the audio hours each stage handled, to --out (JSON) and a plot (PNG). The last lines project to the
full size by a straight line through the measured points (time ~ audio length); memory should not grow.

    python benchmarks/scale.py [--fractions 0.125 0.25 0.5] [--archs audio_cnn convnext_tiny] [--out benchmarks/out/scale.json]
    python benchmarks/scale.py --plot benchmarks/results/scale.json      # redraw the plot of a result file
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np, pandas as pd, soundfile as sf
from fsat_nb.sample import make_sample
from machine import machine_info

FULL = dict(curated_per_class=62, test=3361, classes=80)

_PEAK = "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(r.returncode)"

def run(cmd):
    "Wall seconds and peak memory (GB, the largest process of `cmd` and its children) of `cmd`; stops on failure."
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, '-c', _PEAK, *map(str, cmd)], capture_output=True, text=True)   # its own rusage, not ours
    dt = time.perf_counter() - t0
    if p.returncode: sys.exit(f"{' '.join(map(str, cmd))} failed:\n{p.stdout[-1500:]}\n{p.stderr[-3000:]}")
    return dt, int(p.stderr.strip().splitlines()[-1]) / 2**20

def hours(folder): return sum(sf.info(p).duration for p in Path(folder).glob('*.wav')) / 3600

def disk_gb(folder): return sum(p.stat().st_size for p in Path(folder).rglob('*') if p.is_file()) / 2**30

_DECODE = '''import sys, time
from pathlib import Path
from fsat_nb.spectrogram import MelConfig, clip_image
fs = sorted(Path(sys.argv[1]).glob('*.wav')); cfg = MelConfig()
t0 = time.perf_counter()
for f in fs: clip_image(f, cfg)
print(time.perf_counter() - t0)'''

_LOAD = '''import sys, time
from fsat_nb.config import TrainConfig, recipe
from fsat_nb.export import read_images
from fsat_nb.windows import spec_dls
dls = spec_dls(read_images(sys.argv[1]).split_by(), recipe(TrainConfig(arch='convnext_tiny', num_workers=int(sys.argv[2]))), device='cpu')
t0 = time.perf_counter(); n = sum(len(b[0]) for b in dls.train); print(n, time.perf_counter() - t0)'''

def plot(df, fn):
    "Time and peak memory of each stage against the hours of audio it handled, to `fn` (PNG)."
    import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 3.8))
    for i, ((stage, arch), g) in enumerate(df.groupby(['stage', 'arch'], sort=False)):
        lab = f'{stage} {arch}'.strip()
        a1.plot(g.audio_hours, g.seconds / 60, 'o-', label=lab, color=f'C{i}')
        if g.peak_gb.notna().any(): a2.plot(g.audio_hours, g.peak_gb, 'o-', label=lab, color=f'C{i}')
    a1.set(xlabel='audio handled (hours)', ylabel='minutes', title='time against audio length')
    a2.set(xlabel='audio handled (hours)', ylabel='peak memory (GB)', title='peak memory of the largest process', ylim=(0, None))
    a1.legend(fontsize=7); fig.tight_layout(); fig.savefig(fn, dpi=100)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--fractions', type=float, nargs='+', default=[0.125, 0.25, 0.5])
    ap.add_argument('--archs', nargs='+', default=['audio_cnn', 'convnext_tiny'])
    ap.add_argument('--precision', default='auto')
    ap.add_argument('--dir', default=str(Path(__file__).parent / 'out'))
    ap.add_argument('--out', default=str(Path(__file__).parent / 'out' / 'scale.json'))
    ap.add_argument('--plot', default=None, help='only draw the plot of an earlier result file (JSON)')
    a = ap.parse_args()
    if a.plot: plot(pd.DataFrame(json.loads(Path(a.plot).read_text())['rows']), Path(a.plot).with_suffix('.png')); return 0
    Path(a.dir).mkdir(parents=True, exist_ok=True)
    rows = []
    for f in sorted(a.fractions):
        tmp = Path(tempfile.mkdtemp(prefix='scale_', dir=a.dir))
        try:
            t0 = time.perf_counter()
            data = make_sample(tmp / 'data', n_classes=FULL['classes'], n_train=max(2, round(FULL['curated_per_class'] * f)),
                               n_test=max(1, round(FULL['test'] * f / FULL['classes'])), durations='fat2019', max_sec=30,
                               tile_sec=5, n_workers=os.cpu_count(), seed=1)
            made = time.perf_counter() - t0
            n_cur, n_test = len(pd.read_csv(data / 'train_curated.csv')), len(list((data / 'test').glob('*.wav')))
            h_cur, h_test = hours(data / 'train_curated'), hours(data / 'test')
            print(f"fraction {f:g}: {n_cur} curated clips ({h_cur:.2f} h), {n_test} test clips ({h_test:.2f} h); made in {made:.0f} s", flush=True)
            imgs = tmp / 'images'
            t, m = run(['fsat_export', str(data), str(imgs)])
            rows.append(dict(fraction=f, stage='export', arch='', clips=n_cur, audio_hours=h_cur, seconds=t, peak_gb=m,
                             audio_gb=disk_gb(data / 'train_curated'), images_gb=disk_gb(imgs)))
            p = subprocess.run([sys.executable, '-c', _LOAD, str(imgs), str(os.cpu_count())], capture_output=True, text=True)
            if p.returncode: sys.exit(f'loading failed:\n{p.stderr[-3000:]}')
            n_items, t = map(float, p.stdout.split()[-2:])
            rows.append(dict(fraction=f, stage='load', arch=f'{os.cpu_count()} workers', clips=int(n_items), audio_hours=h_cur * n_items / n_cur,
                             seconds=t, peak_gb=float('nan'), base_clips=n_cur))
            p = subprocess.run([sys.executable, '-c', _DECODE, str(data / 'test')], capture_output=True, text=True)
            if p.returncode: sys.exit(f'decoding failed:\n{p.stderr[-3000:]}')
            rows.append(dict(fraction=f, stage='decode', arch='1 process', clips=n_test, audio_hours=h_test, seconds=float(p.stdout.split()[-1]),
                             peak_gb=float('nan')))
            for arch in a.archs:
                out = tmp / f'run_{arch}'
                t, m = run(['fsat_train', str(data), str(out), '--arch', arch, '--epochs', '1', '--valid_every', '-1',
                               '--precision', a.precision, '--images', str(imgs)])          # the images exported above
                r = json.loads((out / 'results.json').read_text())
                n_train = r['n_train']
                rows.append(dict(fraction=f, stage='epoch', arch=arch, clips=n_train, audio_hours=h_cur * n_train / n_cur,
                                 seconds=r['seconds']['train'], peak_gb=m, base_clips=n_cur))
                t, m = run(['fsat_predict', str(out / 'model.pth'), str(data / 'test'), str(out / 'scores.csv')])
                rows.append(dict(fraction=f, stage='predict', arch=arch, clips=n_test, audio_hours=h_test, seconds=t, peak_gb=m))
            print(pd.DataFrame([r for r in rows if r['fraction'] == f]).round(3).to_string(index=False), flush=True)
        finally: shutil.rmtree(tmp, ignore_errors=True)
    df = pd.DataFrame(rows)
    proj = []
    for (stage, arch), g in df.groupby(['stage', 'arch'], sort=False):
        k, c = np.polyfit(g.audio_hours, g.seconds, 1)          # seconds = k * hours + c
        full_n = FULL['test'] if stage in ('predict', 'decode') else FULL['curated_per_class'] * FULL['classes']
        n_base = g.clips.iloc[-1] if stage in ('export', 'predict', 'decode') else g.base_clips.iloc[-1]
        full_h = g.audio_hours.iloc[-1] * full_n / n_base          # the largest stand-in, scaled to the real number of clips
        proj.append(dict(stage=stage, arch=arch, seconds_per_audio_hour=k, full_audio_hours=full_h, projected_full_seconds=k * full_h + c,
                         peak_gb_range=(float(g.peak_gb.min()), float(g.peak_gb.max()))))
        if stage == 'export':
            k_n = FULL['curated_per_class'] * FULL['classes'] / g.clips.iloc[-1]
            proj[-1].update(audio_gb_full=float(g.audio_gb.iloc[-1] * k_n), images_gb_full=float(g.images_gb.iloc[-1] * k_n))
    res = dict(rows=rows, projection=proj, cpu=os.cpu_count(), precision=a.precision, machine=machine_info())
    Path(a.out).write_text(json.dumps(res, indent=1) + '\n')
    print(df.round(3).to_string(index=False))
    print(pd.DataFrame(proj).round(1).to_string(index=False))
    plot(df, Path(a.out).with_suffix('.png'))
    return 0

if __name__ == '__main__': sys.exit(main())
