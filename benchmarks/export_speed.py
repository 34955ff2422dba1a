"""Spectrogram export speed: the walk-through's matplotlib export vs `export_spectrograms` vs the floor.

On the same clips in the same run:
  (a) walk-through: `walkthrough_png` (librosa.load, specshow, savefig at 400 dpi), one process, as published;
  (b) ours: `export_spectrograms` with N worker processes;
  (c) floor: decode + `mel_db` only (no image, no PNG), with the same N worker processes and chunking.
Each is timed on a small and a large batch of clips; the marginal cost per clip is
(t_large - t_small) / (n_large - n_small), so process start-up and imports are excluded.
Targets: (a)/(b) >= 20, (b)/(c) <= 1.5.

    python benchmarks/export_speed.py [--seconds 5] [--n_small 100] [--n_large 600] [--n_workers 2]
"""
import argparse, multiprocessing as mp, os, shutil, sys, tempfile, time
from pathlib import Path
import numpy as np, soundfile as sf
import matplotlib; matplotlib.use('Agg')
from fsat_nb.sample import synth_clip, SAMPLE_CLASSES
from fsat_nb.audio import load_audio, SR
from fsat_nb.spectrogram import MelConfig, mel_db
from fsat_nb.export import export_spectrograms, _worker_init
from fsat_nb.walkthrough import walkthrough_png

def make_clips(d, n, seconds, n_distinct=60):
    "n clip files of about `seconds` each (n_distinct different clips, hard-linked to make up the number)."
    d.mkdir(parents=True)
    base = []
    for i in range(min(n, n_distinct)):
        rng = np.random.default_rng(i)
        y = synth_clip([SAMPLE_CLASSES[i % len(SAMPLE_CLASSES)]], seconds * rng.uniform(0.8, 1.2), rng)
        p = d / f'clip{i:05d}.wav'; sf.write(p, y, SR, subtype='PCM_16'); base.append(p)
    for i in range(len(base), n): os.link(base[i % len(base)], d / f'clip{i:05d}.wav')
    return sorted(d.glob('*.wav'))

def _floor_one(args):
    f, cfg = args
    return mel_db(load_audio(f, cfg.sr), cfg).shape[1]

def floor(files, cfg, n_workers):
    ctx = mp.get_context('fork')
    with ctx.Pool(n_workers, initializer=_worker_init) as pool:
        tasks = [(f, cfg) for f in files]
        return sum(pool.imap_unordered(_floor_one, tasks, chunksize=max(1, min(32, len(tasks) // (8 * n_workers)))))

def timed(fn):
    os.sync()   # start each measurement with no dirty pages left over from the one before
    t0 = time.perf_counter(); fn(); return time.perf_counter() - t0

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--seconds', type=float, default=5.)
    ap.add_argument('--n_small', type=int, default=100)
    ap.add_argument('--n_large', type=int, default=600)
    ap.add_argument('--mpl_small', type=int, default=10, help='clips for the small matplotlib batch')
    ap.add_argument('--mpl_large', type=int, default=40, help='clips for the large matplotlib batch')
    ap.add_argument('--n_workers', type=int, default=2)
    ap.add_argument('--repeats', type=int, default=3, help='runs of (b) and (c); the fastest is kept')
    ap.add_argument('--dir', default=str(Path(__file__).parent / 'out'), help='scratch folder (on the disk the images would go to)')
    a = ap.parse_args()
    cfg = MelConfig()
    Path(a.dir).mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix='export_speed_', dir=a.dir))
    try:
        files = make_clips(tmp / 'clips', a.n_large, a.seconds)
        print(f'{len(files)} clips of about {a.seconds:g} s, {a.n_workers} workers, {os.cpu_count()} CPUs')
        walkthrough_png(files[0], tmp / 'warm.png')   # librosa/matplotlib imports and numba compile, not timed
        mel_db(load_audio(files[0]))

        def mpl(n):
            out = tmp / f'mpl{n}'; out.mkdir()
            return timed(lambda: [walkthrough_png(f, out / f'{f.stem}.png') for f in files[:n]])
        def ours(n, r):
            return timed(lambda: export_spectrograms(files[:n], tmp / f'ours{n}_{r}', cfg, n_workers=a.n_workers, root=tmp / 'clips', progress=False, quiet=True))
        def flo(n): return timed(lambda: floor(files[:n], cfg, a.n_workers))

        res = {}
        ts, tl = mpl(a.mpl_small), mpl(a.mpl_large)
        res['walk-through (matplotlib, 1 process)'] = (tl - ts) / (a.mpl_large - a.mpl_small)
        best_o, best_f = np.inf, np.inf
        for r in range(a.repeats):
            o = (ours(a.n_large, r) - ours(a.n_small, r)) / (a.n_large - a.n_small)
            f = (flo(a.n_large) - flo(a.n_small)) / (a.n_large - a.n_small)
            best_o, best_f = min(best_o, o), min(best_f, f)
        res[f'export_spectrograms ({a.n_workers} workers)'] = best_o
        res[f'floor: decode + mel_db ({a.n_workers} workers)'] = best_f
        print(f"{'method':48s} {'ms/clip':>9s} {'clips/s':>9s}")
        for k, v in res.items(): print(f'{k:48s} {v * 1e3:9.2f} {1 / v:9.1f}')
        walk, o, f = res.values()
        print(f'speed-up over the walk-through: {walk / o:.1f}x (target >= 20x)')
        print(f'cost over the floor:            {o / f:.2f}x (target <= 1.5x)')
        sz = [p.stat().st_size for p in (tmp / f'mpl{a.mpl_large}').glob('*.png')]
        so = [p.stat().st_size for p in (tmp / f'ours{a.n_large}_0').glob('*.png')]
        print(f'mean PNG size: walk-through {np.mean(sz) / 1e3:.0f} kB, ours {np.mean(so) / 1e3:.0f} kB')
        ok = walk / o >= 20 and o / f <= 1.5
        print('targets met' if ok else 'targets NOT met')
        return 0 if ok else 1
    finally: shutil.rmtree(tmp, ignore_errors=True)

if __name__ == '__main__': sys.exit(main())
