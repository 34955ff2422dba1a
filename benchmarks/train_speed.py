"""Training and prediction speed against the model's own limit on this machine.

Training, same model, batch size, window, optimiser and precision, in the same run:
  (a) the limit: a bare PyTorch loop (forward, BCE loss, backward, optimiser step) on a random batch already in memory;
  (b) fsat_nb: `train_model`'s fastai loop on the sample (random windows from the spectrogram PNGs, scaling, pooling,
      normalisation, mixup, callbacks), after a warm-up epoch, without validation.
The two run side by side: after every batch of (b) the benchmark takes one step of (a) on a copy of the model, and
times each separately. On a shared machine a step's time drifts by 10-20% from one minute to the next; side by side,
both loops see the same drift, so their ratio is steady where separate runs of each were not. Both use the project's
optimiser (`FusedAdam`); (a) clears gradients the cheapest way (`grad = None`).

Readings (overhead = the share of (b)'s time that (a) does not need):
  - whole epochs: all the time of (b)'s epochs (every batch, every callback, epoch start and end) against the sum
    of the bare steps taken beside them. This is the target reading: at most 10%.
  - per batch: the median over batches of the same ratio.
  - per phase: medians of each phase of (b) (data, forward, loss and backward, optimiser step, callbacks after it)
    beside the bare step's forward, loss and backward, and step: where the overhead goes.
Prediction, same model and clips, run alternately three times each (medians):
  (c) the limit: decode + `mel_db` + image + every window through the model, batched, in a plain loop;
  (d) fsat_nb: `predict_clips`.

    python benchmarks/train_speed.py [--arch convnext_tiny] [--precision auto|fp32|bf16] [--epochs 6]

CPU only (on a machine with a GPU: CUDA_VISIBLE_DEVICES= python benchmarks/train_speed.py).
"""
import argparse, copy, json, sys, time, tempfile, shutil
from pathlib import Path
import numpy as np, torch
from fastai.vision.all import Callback
from fsat_nb.data import data_path, load_audio, list_audio
from fsat_nb.spectrogram import mel_db, mel_image
from fsat_nb.export import export_dataset
from fsat_nb.learner import (TrainConfig, train_model, save_model, load_model, window_starts, crop_window, device_settings,
                             recipe, FusedAdam)
from fsat_nb.predict import predict_clips
from machine import machine_info

class BareStep:
    "One step of a bare PyTorch loop on a copy of `model`: random in-memory batch, BCE loss, `FusedAdam`; returns its phase times."
    def __init__(self, model, tc, shape, n_out, bf16, channels_last=False):
        self.model, self.bf16 = copy.deepcopy(model).train(), bf16
        self.params = list(self.model.parameters())
        self.opt = FusedAdam(self.params, lr=1e-4, wd=tc.wd)
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
    "Times every training batch of fastai's loop by phase, then takes one `BareStep` beside it (its time not counted in the batch's)."
    order = 1000                                   # after_batch after every other callback: the batch's time includes them
    def __init__(self, make_bare): self.make_bare = make_bare
    def before_fit(self): self.rows, self.epochs, self.bare = [], [], None
    def before_epoch(self): self.t_epoch = self.last = time.perf_counter(); self.excl, self.bare_sum, self.n = 0., 0., 0
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
        if self.bare is None: self.bare = self.make_bare(self.learn)
        b = self.bare()
        self.rows.append((self.epoch, self.t_b - self.last, self.t_p - self.t_b, self.t_l - self.t_p, self.t_bw - self.t_l,
                          self.t_s - self.t_bw, t - self.t_s, *b))
        self.bare_sum, self.n = self.bare_sum + sum(b), self.n + len(self.xb[0])
        self.last = time.perf_counter(); self.excl += self.last - t
    def after_epoch(self):
        self.epochs.append((self.epoch, time.perf_counter() - self.t_epoch - self.excl, self.bare_sum, self.n))

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
    imgs = export_dataset(data, progress=False, quiet=True)
    tc = recipe(TrainConfig(arch=a.arch, precision=a.precision, epochs=a.epochs + 1, valid_every=-1))
    ds = device_settings(tc, 'cpu')
    bf16 = ds['precision'] == 'bf16'
    def make_bare(learn):
        xb = learn.xb[0]
        return BareStep(learn.model, tc, tuple(xb.shape[1:]), learn.dls.c, bf16, ds['channels_last'])
    sbs = SideBySide(make_bare)
    learn = train_model(imgs, tc, cbs=[sbs], quiet=True)
    shape = tuple(learn.dls.one_batch()[0].shape[1:])
    ep = np.array([e[1:] for e in sbs.epochs if e[0] > 0])                     # fastai s, bare s, windows; after warm-up
    fastai_wps, bare_wps = ep[:, 2].sum() / ep[:, 0].sum(), ep[:, 2].sum() / ep[:, 1].sum()
    over_epochs = 1 - ep[:, 1].sum() / ep[:, 0].sum()
    rows = np.array([r[1:] for r in sbs.rows if r[0] > 0])
    fa_batch, bare_batch = rows[:, :6].sum(1), rows[:, 6:].sum(1)
    over_batch = float(np.median(1 - bare_batch / fa_batch))
    ph, bph = np.median(rows[:, :6], 0), np.median(rows[:, 6:], 0)           # data, fwd, loss, bwd, step, after | fwd, loss+bwd, step
    over_phase = 1 - bph.sum() / ph.sum()
    tmp = Path(tempfile.mkdtemp())
    try:
        save_model(learn, tmp / 'm.pth')
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
          f"{len(ep)} epochs of {int(ep[0, 2])} windows after a warm-up epoch, each batch beside one bare step")
    print(f"{'training':40s} {'(b) fastai':>11s} {'(a) bare':>9s} {'overhead':>9s}")
    print(f"{'whole epochs, windows/s':40s} {fastai_wps:11.1f} {bare_wps:9.1f} {over_epochs:9.1%}   (target <= 10%)")
    print(f"{'per batch, median of ' + str(len(rows)) + ' batches':40s} {'':11s} {'':9s} {over_batch:9.1%}")
    print("per batch, medians (ms):   data  forward  loss+backward  step  callbacks after  total")
    print(f"  (b) fastai loop          {ph[0]*1e3:5.0f}  {ph[1]*1e3:7.0f}  {(ph[2] + ph[3])*1e3:13.0f}  {ph[4]*1e3:4.0f}  {ph[5]*1e3:15.0f}  {ph.sum()*1e3:5.0f}")
    print(f"  (a) bare loop            {0:5.0f}  {bph[0]*1e3:7.0f}  {bph[1]*1e3:13.0f}  {bph[2]*1e3:4.0f}  {0:15.0f}  {bph.sum()*1e3:5.0f}")
    print(f"  overhead from the phase medians: {over_phase:.1%}")
    print(f"{'prediction (median of 3)':40s} {'clips/s':>11s}")
    print(f"{'(c) decode + mel + forward, plain loop':40s} {bare_cps:11.2f}")
    print(f"{'(d) predict_clips':40s} {ours_cps:11.2f}")
    print(f"prediction overhead: {1 - ours_cps / bare_cps:.1%} of the time per clip")
    out = Path(__file__).parent / 'out' / f'train_speed_{tc.arch}_{"bf16" if bf16 else "fp32"}.json'
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(
        machine=machine_info(), arch=tc.arch, batch=[tc.bs, *shape], precision='bf16' if bf16 else 'fp32', method='side by side',
        fastai_windows_per_s=fastai_wps, bare_windows_per_s=bare_wps, train_overhead=over_epochs, train_overhead_batch=over_batch,
        train_overhead_phases=over_phase, epochs=[dict(fastai_s=f, bare_s=b, windows=int(n)) for f, b, n in ep],
        phases_ms=dict(zip(['data', 'forward', 'loss', 'backward', 'step', 'after'], (ph * 1e3).round(1).tolist())),
        bare_phases_ms=dict(zip(['forward', 'loss_backward', 'step'], (bph * 1e3).round(1).tolist())),
        bare_clips_per_s=bare_cps, predict_clips_per_s=ours_cps, predict_overhead=1 - ours_cps / bare_cps), indent=1) + '\n')
    print(f'wrote {out}')
    return 0 if over_epochs <= 0.10 else 1

if __name__ == '__main__': sys.exit(main())
