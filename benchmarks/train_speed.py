"""Training and prediction speed against the model's own limit on this machine.

Training, same model, batch size, window, optimiser and precision, in the same run:
  (a) the limit: a bare PyTorch loop (forward, BCE loss, backward, optimiser step) on a random batch already in memory;
  (b) fsat_nb: `train`'s fastai loop on the sample (random windows from the spectrogram PNGs, scaling, pooling,
      normalisation, mixup, callbacks), after a warm-up epoch, without validation.
The two take turns: after every training epoch of (b) the benchmark takes as many steps of (a), on a copy of the
model, as the epoch had batches. On a shared machine a step's time drifts by 10-20% from one minute to the next;
taking turns every few seconds, both loops see the same drift. (Turns of a single step were tried too: switching
models after every step slowed both by about a fifth, the bare loop most, which made fastai's overhead look
smaller than it is.) Both use the project's optimiser (`FusedAdam`); (a) clears gradients the cheapest way
(`grad = None`).

Readings (overhead = the share of (b)'s time that (a) does not need):
  - whole epochs: all the time of (b)'s epochs (every batch, every callback, epoch start and end) against the time
    of the bare steps taken in turn with them. This is the target reading: at most 10%.
  - per batch: the median fastai batch against the median bare step.
  - per phase: medians of each phase of (b) (data, forward, loss and backward, optimiser step, callbacks after it)
    beside the bare step's forward, loss and backward, and step: where the overhead goes.
  - cross-check: bare steps back to back after training, with `FusedAdam` and with PyTorch's fused AdamW kernel,
    against the median fastai batch; timed apart, so the machine's drift is back in this one.
Prediction, same model and clips, run alternately three times each (medians):
  (c) the limit: decode + `mel_db` + image + every window through the model, batched, in a plain loop;
  (d) fsat_nb: `predict_clips`.

    python benchmarks/train_speed.py [--arch convnext_tiny] [--precision auto|fp32|bf16] [--epochs 6]

CPU only (on a machine with a GPU: CUDA_VISIBLE_DEVICES= python benchmarks/train_speed.py).
"""
import argparse, copy, json, sys, time, tempfile, shutil
from functools import partial
from pathlib import Path
import numpy as np, torch
from fastai.vision.all import Callback
from fsat_nb.sample import data_path
from fsat_nb.audio import load_audio, list_audio
from fsat_nb.spectrogram import mel_db, mel_image
from fsat_nb.export import spec_set
from fsat_nb.config import TrainConfig, device_settings, recipe
from fsat_nb.training import train
from fsat_nb.models import save_model, load_model
from fsat_nb.windows import window_starts, crop_window
from fsat_nb.optimizer import FusedAdam
from fsat_nb.predict import predict_clips
from machine import machine_info

class BareStep:
    "One step of a bare PyTorch loop on a copy of `model`: random in-memory batch, BCE loss, `FusedAdam`; returns its phase times."
    def __init__(self, model, tc, shape, n_out, bf16, channels_last=False, opt_func=None):
        self.model, self.bf16 = copy.deepcopy(model).train(), bf16
        self.params = list(self.model.parameters())
        self.opt = (opt_func or partial(FusedAdam, wd=tc.wd))(self.params, lr=1e-4)
        self.x, self.y = torch.randn(tc.bs, *shape), (torch.rand(tc.bs, n_out) < 0.05).float()
        if channels_last: self.x = self.x.contiguous(memory_format=torch.channels_last)
    def __call__(self):
        t0 = time.perf_counter()
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=self.bf16): out = self.model(self.x)
        t1 = time.perf_counter()
        for p in self.params: p.grad = None
        torch.nn.functional.binary_cross_entropy_with_logits(out.float(), self.y).backward()
        t2 = time.perf_counter()
        self.opt.step()
        return t1 - t0, t2 - t1, time.perf_counter() - t2

class SideBySide(Callback):
    "Times every training batch of fastai's loop by phase; after each training epoch, as many `BareStep`s as it had batches."
    order = 1000                                   # after every other callback: the epoch's time includes them
    def __init__(self, make_bare): self.make_bare = make_bare
    def before_fit(self): self.rows, self.bare_rows, self.epochs, self.bare = [], [], [], None
    def before_epoch(self): self.t_epoch = self.last = time.perf_counter(); self.n, self.nb = 0, 0
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
        self.rows.append((self.epoch, self.t_b - self.last, self.t_p - self.t_b, self.t_l - self.t_p, self.t_bw - self.t_l,
                          self.t_s - self.t_bw, t - self.t_s))
        self.n, self.nb, self.last = self.n + len(self.xb[0]), self.nb + 1, t
    def after_epoch(self):
        t_fastai = time.perf_counter() - self.t_epoch
        if self.bare is None: self.bare = self.make_bare(self.learn)
        b = [self.bare() for _ in range(self.nb)]
        self.bare_rows += [(self.epoch, *r) for r in b]
        self.epochs.append((self.epoch, t_fastai, float(np.sum(b)), self.n))
def bare_predict(sm, files, bs=64):
    "Clips per second of decode + mel_db + image + every window through the model, batched, no fastai."
    tc, (m, s) = sm.train_config, sm.stats
    bf16 = device_settings(tc, 'cpu')['precision'] == 'bf16'
    t0 = time.perf_counter()
    wins = []
    for f in files:
        img = mel_image(mel_db(load_audio(f, sm.mel_config.sr), sm.mel_config), sm.mel_config)
        wins += [crop_window(img, st, tc.width) for st in window_starts(img.shape[1], tc.width, tc.hop)]
    sm.model.eval()
    with torch.inference_mode(), torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16):
        for i in range(0, len(wins), bs):
            x = torch.from_numpy(np.stack(wins[i:i + bs])).float()[:, None] / 255
            x = (torch.nn.functional.avg_pool2d(x, (tc.freq_pool, tc.time_pool)) - m) / s
            torch.sigmoid(sm.model(x).float())
    return len(files) / (time.perf_counter() - t0)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--arch', default='convnext_tiny')
    ap.add_argument('--precision', default='auto')
    ap.add_argument('--epochs', type=int, default=6, help='training epochs timed, after one warm-up epoch')
    a = ap.parse_args()
    if torch.cuda.is_available():     # GPU work is asynchronous: these wall-clock phase timings would not mean anything there
        sys.exit("train_speed.py times training on the CPU; on a machine with a GPU, hide it: CUDA_VISIBLE_DEVICES= python benchmarks/train_speed.py")
    data = data_path()
    split = spec_set(data, quiet=True).split_by()
    tc = recipe(TrainConfig(arch=a.arch, precision=a.precision, epochs=a.epochs + 1, valid_every=-1, members=1))   # one network: the loop's overhead
    run_on = device_settings(tc, 'cpu')
    bf16 = run_on['precision'] == 'bf16'
    def make_bare(learn):
        return BareStep(learn.model, tc, tuple(learn.dls.one_batch()[0].shape[1:]), learn.dls.c, bf16, run_on['channels_last'])
    sbs = SideBySide(make_bare)
    t = train(split, tc, cbs=[sbs], quiet=True); learn = t.fits[0]
    shape = tuple(learn.dls.one_batch()[0].shape[1:])
    ep = np.array([e[1:] for e in sbs.epochs if e[0] > 0])                     # fastai s, bare s, windows; after warm-up
    fastai_wps, bare_wps = ep[:, 2].sum() / ep[:, 0].sum(), ep[:, 2].sum() / ep[:, 1].sum()
    over_epochs = 1 - ep[:, 1].sum() / ep[:, 0].sum()
    rows = np.array([r[1:] for r in sbs.rows if r[0] > 0])                       # data, fwd, loss, bwd, step, after
    brows = np.array([r[1:] for r in sbs.bare_rows if r[0] > 0])                 # fwd, loss+bwd, step
    fa_batch, bare_batch = rows.sum(1), brows.sum(1)
    over_batch = 1 - float(np.median(bare_batch) / np.median(fa_batch))
    ph, bph = np.median(rows, 0), np.median(brows, 0)
    over_phase = 1 - bph.sum() / ph.sum()
    # Cross-check, timed apart (so the machine's drift is back in): bare steps back to back after training, with
    # this project's optimiser and with PyTorch's fused AdamW kernel, against the median fastai batch.
    opts = {'FusedAdam': partial(FusedAdam, wd=tc.wd),
            'torch AdamW (fused)': partial(torch.optim.AdamW, weight_decay=tc.wd, eps=1e-5, fused=True)}
    try: torch.optim.AdamW([torch.zeros(1, requires_grad=True)], fused=True)
    except (RuntimeError, TypeError): del opts['torch AdamW (fused)']                 # older PyTorch: no fused kernel on the CPU
    bares = {k: BareStep(learn.model, tc, shape, learn.dls.c, bf16, run_on['channels_last'], f) for k, f in opts.items()}
    b2b = {k: [] for k in bares}
    for b in bares.values(): b(); b()                                               # warm-up
    for _ in range(3):
        for k, b in bares.items(): b2b[k] += [sum(b()) for _ in range(4)]
    b2b = {k: float(np.median(v)) for k, v in b2b.items()}
    fastest = min(b2b, key=b2b.get)
    over_b2b = 1 - b2b[fastest] / float(np.median(fa_batch))
    del bares
    tmp = Path(tempfile.mkdtemp())
    try:
        save_model(tmp / 'm.pth', t.model, tc, split.vocab, split.mel, t.stats)
        sm = load_model(tmp / 'm.pth', device='cpu')
        files = list_audio(data / 'test')
        predict_clips(sm, files[:4], progress=False); bare_predict(sm, files[:4])      # warm-up
        ours, bare = [], []
        for _ in range(3):
            t0 = time.perf_counter(); predict_clips(sm, files, progress=False); ours.append(len(files) / (time.perf_counter() - t0))
            bare.append(bare_predict(sm, files))
        ours_cps, bare_cps = float(np.median(ours)), float(np.median(bare))
    finally: shutil.rmtree(tmp, ignore_errors=True)
    print(f"{tc.arch}, batch {tc.bs} x {shape}, {'bfloat16' if bf16 else 'float32'}, {torch.get_num_threads()} threads, "
          f"{len(ep)} epochs of {int(ep[0, 2])} windows after a warm-up epoch, each followed by as many bare steps as it had batches")
    print(f"{'training':40s} {'(b) fastai':>11s} {'(a) bare':>9s} {'overhead':>9s}")
    print(f"{'whole epochs, windows/s':40s} {fastai_wps:11.1f} {bare_wps:9.1f} {over_epochs:9.1%}   (target <= 10%)")
    print(f"{'per batch, medians of ' + str(len(rows)) + ' batches and steps':40s} {'':11s} {'':9s} {over_batch:9.1%}")
    print("per batch, medians (ms):   data  forward  loss+backward  step  callbacks after  total")
    print(f"  (b) fastai loop          {ph[0]*1e3:5.0f}  {ph[1]*1e3:7.0f}  {(ph[2] + ph[3])*1e3:13.0f}  {ph[4]*1e3:4.0f}  {ph[5]*1e3:15.0f}  {ph.sum()*1e3:5.0f}")
    print(f"  (a) bare loop            {0:5.0f}  {bph[0]*1e3:7.0f}  {bph[1]*1e3:13.0f}  {bph[2]*1e3:4.0f}  {0:15.0f}  {bph.sum()*1e3:5.0f}")
    print(f"  overhead from the phase medians: {over_phase:.1%}")
    print("bare steps back to back after training, medians (ms): " + ', '.join(f'{k} {v*1e3:.0f}' for k, v in b2b.items()))
    print(f"  overhead against the fastest ({fastest}), fastai batch median {np.median(fa_batch)*1e3:.0f} ms: {over_b2b:.1%} "
          f"(timed apart: the machine's drift included)")
    print(f"{'prediction (median of 3)':40s} {'clips/s':>11s}")
    print(f"{'(c) decode + mel + forward, plain loop':40s} {bare_cps:11.2f}")
    print(f"{'(d) predict_clips':40s} {ours_cps:11.2f}")
    print(f"prediction overhead: {1 - ours_cps / bare_cps:.1%} of the time per clip")
    out = Path(__file__).parent / 'out' / f'train_speed_{tc.arch}_{"bf16" if bf16 else "fp32"}.json'
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(
        machine=machine_info(), arch=tc.arch, batch=[tc.bs, *shape], precision='bf16' if bf16 else 'fp32', method='epochs and bare blocks in turn',
        fastai_windows_per_s=fastai_wps, bare_windows_per_s=bare_wps, train_overhead=over_epochs, train_overhead_batch=over_batch,
        train_overhead_phases=over_phase, bare_step_ms_back_to_back={k: v * 1e3 for k, v in b2b.items()},
        train_overhead_back_to_back=over_b2b, epochs=[dict(fastai_s=f, bare_s=b, windows=int(n)) for f, b, n in ep],
        phases_ms=dict(zip(['data', 'forward', 'loss', 'backward', 'step', 'after'], (ph * 1e3).round(1).tolist())),
        bare_phases_ms=dict(zip(['forward', 'loss_backward', 'step'], (bph * 1e3).round(1).tolist())),
        bare_clips_per_s=bare_cps, predict_clips_per_s=ours_cps, predict_overhead=1 - ours_cps / bare_cps), indent=1) + '\n')
    print(f'wrote {out}')
    return 0 if over_epochs <= 0.10 else 1

if __name__ == '__main__': sys.exit(main())
