"""The tuning runs behind the from-scratch recipe: variants trained on every fold of the UrbanSound8K development subset.

Each variant is the recipe before this round (`norm='global'`; the `default` row) or `norm='band'` (the `bandwin`
rows) plus one change: `TrainConfig` settings, a prototype network registered here as a timm architecture of its own
(`arch=`: other pooling or widths, other towers), a prototype batch transform (pitch shift, time stretch, background
mixing) given to `train` as `extra_tfms`, or a callback: so an idea can be measured before it is written into the
package, without replacing any of the package's code. Every variant trains from random initialisation on two folds and is scored on the third, once
per fold, with seed 42 unless the variant says otherwise (`bandwin:seeds=[1]`); variants join with `+`.
Screening rule: a variant more than about 2 points below `norm='band'` on fold 1 (below 63.5%; its first two seeds
scored 65.2-65.7% there) is stopped there; only variants run on all three folds can be adopted. Single runs are
noisy (the seed, the thread count and the precision each move a fold by several points): confirm a candidate with
`benchmarks/real_audio.py --cv --seeds 42 1 7`. Besides the clip scores the
recipe uses (the mean of the window probabilities), each row also scores three other test-time poolings of the same
windows: the maximum, the mean of the logits, and the centre window alone. Rows go to `--out` (CSV); the window
predictions to `--preds` (for ensembles). The rows of the second and third rounds are in
`benchmarks/results/tuning_urbansound8k_cv.csv`.

Third round (two views; `:seeds=[42,1,7],screen=false`, bfloat16 with `+bf16`): `views` stacks the window and its
band-centred copy as two input channels of one network, `twin` gives each view its own tower (the package's
`norm='both'`, adopted), `twinsame` is its control (two towers on the same view). These rows were run with a
prototype that made the second view inside the network, after mixup instead of before it; the adopted recipe itself
was then measured with `benchmarks/real_audio.py --cv --seeds 42 1 7` (`real_audio_cv.json`).

Fourth round (from `twin`, the package's `norm='both'`, with `members=1`; bfloat16; the channels_last layout that
`device_settings` now uses on the CPU, checked with `twin+bf16+cl` against the third round's rows): `e24` and `e40`
(other epochs), `triple` (a third tower on a third view, `Delta`), `lite` (one convolution in each tower's first
block), `nocl` (the contiguous layout), `ema` (a moving average of the weights over the last fifth of the steps,
`WeightAverage`, a prototype callback; tied with the same runs without it, not adopted), `lr2` and `lr6` (learning
rates 2e-3 and 6e-3 around the recipe's 4e-3; both behind). `--pairs` scores every pair
of seeds of a variant as a two-member ensemble (the mean of the window logits, as `Ensemble` predicts): the
package's `members=2` option.

Fifth round (the default as it is: `twin`, 30 epochs, one network; bfloat16): `mix2` (mixup Beta(0.2, 0.2) instead
of Beta(0.4, 0.4)) tied the default's same runs, `ps1` (head dropout 0.1 instead of 0.25) ended a fraction of a point
ahead with more runs behind than ahead; neither adopted.

Sixth round (the same setting, nine runs each): `wd2` (weight decay 0.2), `ps0` (no head dropout), `fp1` (128 mel
rows), `sa1` (one SpecAugment mask of each kind), `wide` (channels 24-48-96-192), `w192` (windows of 192 frames) and
`hop32` (validation windows every 32 frames). `base` is the default itself, run beside the variants with the same
code, threads and seeds, their reference from this round on (the default's own runs, `real_audio_cv_r3.json`, were
measured with two threads by the package of the third round); on seeds 2, 3 and 4 it ran again beside the two
closest variants (`w192`, `ps1`), so that a choice made on one set of seeds is checked on another. Nothing moved the
default by more than the seeds do; 06f reads the rows. What the round adopted was the ensemble, measured with
`benchmarks/real_audio.py` (`--members 1` against two networks, the same seeds and threads): the default has trained
two networks since. Every variant here trains one network (`members=1` unless a variant says otherwise), as every
round measured.

    python benchmarks/tune_real_audio.py 'twin+bf16+e24:seeds=[42,1,7],screen=false,members=1' --threads 1
    python benchmarks/tune_real_audio.py 'twin+bf16+ema:seeds=[42,1,7],screen=false,members=1,epochs=30,folds=[1,2]' --threads 1
    python benchmarks/tune_real_audio.py 'twin+bf16+lr6:seeds=[42,1,7],screen=false,members=1,epochs=30,folds=[10]' --threads 1
    python benchmarks/tune_real_audio.py 'twin+bf16+ps1:seeds=[42,1,7],screen=false' --threads 1
    python benchmarks/tune_real_audio.py 'twin+bf16+w192:seeds=[2,3,4],screen=false,folds=[1]' --threads 1
    python benchmarks/tune_real_audio.py --pairs 'twin+bf16+e24:seeds=[42,1,7],screen=false,members=1' --variant twin+bf16+e24

    python benchmarks/tune_real_audio.py bandwin bandwin+pshift 'bandwin:seeds=[1]' [--threads 1]
"""
import argparse, csv, glob, json, re, time
from dataclasses import replace
from pathlib import Path
import numpy as np, torch, timm
from timm.models import register_model
from fastai.vision.all import Transform, TensorImageBW, Callback
from fsat_nb.sample import project_root
from fsat_nb.datasets import read_dataset
from fsat_nb.export import export_dataset, read_images, is_image_folder
from fsat_nb.config import TrainConfig, recipe
from fsat_nb.models import AudioCNN

HERE = Path(__file__).parent
DATA = project_root().parent / 'shared' / 'data' / 'urbansound8k-dev'

class BandStd(Transform):
    "each band also divided by its deviation over the window"
    order = 99.6
    def encodes(self, x:TensorImageBW): return x / (x.std(-1, keepdim=True) + 0.1)

class Background(Transform):
    "training only: mix another clip of the batch in as background, g dB quieter (power sum in dB), labels unchanged"
    split_idx, order = 0, 95
    def __init__(self, p=0.5, lo=6., hi=20., db=80.): self.p, self.lo, self.hi, self.db = p, lo, hi, db
    def encodes(self, x:TensorImageBW):
        b = x.shape[0]
        k = self.db / 10 * np.log(10)
        perm = torch.randperm(b, device=x.device)
        g = (torch.rand(b, 1, 1, 1, device=x.device) * (self.hi - self.lo) + self.lo) / self.db
        mixed = torch.logaddexp(k * x, k * (x[perm] - g)) / k
        on = (torch.rand(b, 1, 1, 1, device=x.device) < self.p)
        return torch.where(on, mixed, x)

class Warp(Transform):
    "training only: shift each window up/down by up to `rows` mel rows (pitch) and stretch time by up to `stretch`"
    split_idx, order = 0, 99.7
    def __init__(self, rows=2, stretch=0.): self.rows, self.stretch = rows, stretch
    def encodes(self, x:TensorImageBW):
        b, c, h, w = x.shape
        sh = (torch.rand(b, device=x.device) * 2 - 1) * self.rows * 2 / h          # in normalised coordinates
        st = 1 + (torch.rand(b, device=x.device) * 2 - 1) * self.stretch
        theta = torch.zeros(b, 2, 3, device=x.device)
        theta[:, 0, 0] = st; theta[:, 1, 1] = 1; theta[:, 1, 2] = sh
        grid = torch.nn.functional.affine_grid(theta, x.shape, align_corners=False)
        return torch.nn.functional.grid_sample(x, grid, padding_mode='border', align_corners=False)

class CNN(AudioCNN):
    "`audio_cnn` with other channel widths and, with `head`, other pooling of its features before fastai's head."
    def __init__(self, chans=(16, 32, 64, 128), in_chans=1, num_classes=0, head='mean'):
        super().__init__(chans, in_chans, num_classes)
        self.headp = head
        if head == 'freq': self.num_features *= 4      # the 4 frequency rows of a 64-row input, side by side
    def forward_features(self, x):
        x = super().forward_features(x)
        if self.headp == 'freq':          # mean over time only; the frequency rows kept apart for the head
            x = x.mean(3, keepdim=True); return x.flatten(1, 2)[..., None]
        if self.headp == 'maxmean':       # PANNs: mean over frequency, then max + mean over time, kept 4-D for fastai's pooling
            x = x.mean(2, keepdim=True); x = x.amax(3, keepdim=True) + x.mean(3, keepdim=True)
        return x
class OneStack(AudioCNN):
    "`views`: one `audio_cnn` tower on both views of `norm='both'` stacked as its two input channels."
    def __init__(self, in_chans=1, num_classes=0):
        super().__init__(in_chans=1, num_classes=num_classes)
        self.towers[0][0] = torch.nn.Conv2d(in_chans, self.towers[0][0].out_channels, 3, padding=1, bias=False)
    def forward_features(self, x): return self.towers[0](x)

class SameTwice(AudioCNN):
    "`twinsame`, the control for `twin`: two towers, both on the first view (the globally normalised window)."
    def __init__(self, in_chans=1, num_classes=0): super().__init__(in_chans=2, num_classes=num_classes)
    def forward_features(self, x): return super().forward_features(torch.cat([x[:, :1]] * 2, 1))

class Delta(Transform):
    "`triple`'s third view: the change of the (globally normalised) window from one frame to the next."
    order = 99.6
    def encodes(self, x:TensorImageBW):
        w = x[:, :1]
        return torch.cat([x, torch.diff(w, dim=-1, prepend=w[..., :1])], 1)

class Triple(AudioCNN):
    "`triple`: a third tower, for `Delta`'s view."
    def __init__(self, in_chans=1, num_classes=0): super().__init__(in_chans=3, num_classes=num_classes)

class Lite(AudioCNN):
    "`lite`: `audio_cnn` with one convolution instead of two in its first block (at full resolution: about half a tower's time)."
    def __init__(self, in_chans=1, num_classes=0):
        super().__init__(in_chans=in_chans, num_classes=num_classes)
        for i, t in enumerate(self.towers): self.towers[i] = torch.nn.Sequential(*(list(t)[:3] + list(t)[6:]))

class MultiRes(AudioCNN):
    "`multires`: the default's tower per view on the window, and another per view on the window pooled 2x in time (as `time_pool=2`), one head over all four: about 1.5x one network's step, 0.77x the default's pair."
    def __init__(self, in_chans=1, num_classes=0):
        super().__init__(in_chans=2 * in_chans, num_classes=num_classes)      # towers [0, n): full resolution; [n, 2n): half the frames
        self.n = in_chans
    def forward_features(self, x):
        views = lambda towers, v: torch.cat([t(v[:, i:i + 1]) for i, t in enumerate(towers)], 1)   # one tower per view, as AudioCNN
        full, half = views(self.towers[:self.n], x), views(self.towers[self.n:], torch.nn.functional.avg_pool2d(x, (1, 2)))
        # the half-resolution maps repeated to the full ones' size: their mean and max, what fastai's head takes, are unchanged
        return torch.cat([full, torch.nn.functional.interpolate(half, size=full.shape[-2:], mode='nearest')], 1)

# The network variants are timm architectures of their own (`arch=`), registered here: the package builds them like
# any timm network, with its own `spec_model`. Nothing of the package is replaced.
VARIANT_NETS = {'audio_cnn_maxmean': lambda **kw: CNN(head='maxmean', **kw), 'audio_cnn_freqhead': lambda **kw: CNN(head='freq', **kw),
                'audio_cnn_wide': lambda **kw: CNN(chans=(24, 48, 96, 192), **kw), 'audio_cnn_narrow': lambda **kw: CNN(chans=(12, 24, 48, 96), **kw),
                'audio_cnn_views': lambda **kw: OneStack(**kw), 'audio_cnn_twinsame': lambda **kw: SameTwice(**kw),
                'audio_cnn_triple': lambda **kw: Triple(**kw), 'audio_cnn_lite': lambda **kw: Lite(**kw),
                'audio_cnn_multires': lambda **kw: MultiRes(**kw)}
for _name, _make in VARIANT_NETS.items():
    if _name not in timm.list_models():
        def _entry(pretrained=False, in_chans=1, num_classes=0, _make=_make, **kwargs): return _make(in_chans=in_chans, num_classes=num_classes)
        _entry.__name__ = _name; register_model(_entry)

class Contiguous(Callback):
    "`nocl`: the model in the contiguous memory layout, as before `device_settings` chose channels_last (after fastai's `ChannelsLast`, order -1)."
    order = 0
    def before_fit(self): self.learn.model.to(memory_format=torch.contiguous_format)

class WeightAverage(Callback):
    """Prototype: an exponential moving average of the weights (and the batch-norm statistics) over the last `frac` of a
    fit's steps (decay 1 - 1/(frac * steps), warmed up as (1 + n) / (10 + n)); validation and the fit's end use it."""
    def __init__(self, frac=0.2): self.frac, self.avg = frac, None
    def before_fit(self): self.avg = None                     # `get_preds` fires before_fit too: nothing to average there
    def before_train(self):
        if self.avg is not None: return
        self.n, self.decay = 0, 1 - 1 / max(1., self.frac * self.n_epoch * len(self.dls.train))
        self.avg = {k: v.detach().clone() for k, v in self.learn.model.state_dict().items()}
    def after_step(self):
        self.n += 1; d = min(self.decay, (1 + self.n) / (10 + self.n))
        with torch.no_grad():
            for k, v in self.learn.model.state_dict().items():
                if v.is_floating_point(): self.avg[k].mul_(d).add_(v.detach(), alpha=1 - d)
                else: self.avg[k].copy_(v)
    def before_validate(self):
        self.live = None
        if self.avg is None: return
        self.live = {k: v.detach().clone() for k, v in self.learn.model.state_dict().items()}
        self.learn.model.load_state_dict(self.avg)
    def after_validate(self):
        if self.live is not None: self.learn.model.load_state_dict(self.live); self.live = None
    def after_fit(self):
        if self.avg is not None: self.learn.model.load_state_dict(self.avg); self.avg = None

def pooled(p, clips, how):
    from fsat_nb.metrics import clip_average
    if how == 'mean': return clip_average(p, clips)
    u = torch.unique(clips)
    if how == 'max': return torch.stack([p[clips == c].max(0).values for c in u])
    if how == 'centre': return torch.stack([p[clips == c][(clips == c).sum() // 2] for c in u])
    if how == 'logit': return clip_average(torch.logit(p.clamp(1e-6, 1 - 1e-6)), clips)

DESCRIPTIONS = {   # what each variant (or composition) of this round changes, for the results table
 'default': "the default recipe: audio_cnn 16-32-64-128, 64 mel rows, one global mean and deviation (norm='global'), mixup 0.4, 30 epochs, batch 32, lr 4e-3",
 'bandwin': "+ per-band normalisation of each window (norm='band')",
 'maxmean': 'PANNs-style pooling (mean over frequency, then max + mean over time), global normalisation',
 'bandwin+maxmean': 'norm=band + PANNs-style pooling',
 'bandwin+sa1': 'norm=band + SpecAugment: 1 frequency mask of up to 8 rows, 1 time mask of up to 16 frames',
 'bandwin+w256tp2': 'norm=band + windows of 256 frames (3 s) pooled 2x in time (the same input size)',
 'bandwin+bg': 'norm=band + half the clips get another clip of the batch mixed in as background, 6-20 dB lower (power sum), labels unchanged',
 'bandwin+e60': 'norm=band + 60 epochs',
 'bandwin+e20': 'norm=band + 20 epochs',
 'e24': '24 epochs instead of 30',
 'e40': '40 epochs instead of 30',
 'bandwin+bs16': 'norm=band + batch 16 (twice the optimiser steps)',
 'bandwin+wide': 'norm=band + channels 24-48-96-192 (about 2.2x the compute)',
 'bandwin+narrow': 'norm=band + channels 12-24-48-96',
 'bandwin+fp4': 'norm=band + 32 mel rows (freq_pool=4)',
 'fp1': 'all 128 mel rows instead of 64 (freq_pool=1; about 2x the compute)',
 'bandwin+pshift': 'norm=band + random pitch shift of up to 2 mel rows (about 2.5 semitones at 1 kHz)',
 'bandwin+lr8': 'norm=band + learning rate 8e-3',
 'bandwin+mix1': 'norm=band + mixup Beta(1, 1) instead of Beta(0.4, 0.4)',
 'bandwin+ps5': 'norm=band + head dropout 0.5 instead of 0.25',
 'ps1': 'head dropout 0.1 instead of 0.25',
 'ps0': 'no dropout in the head instead of 0.25',
 'hop32': 'validation windows every 32 frames instead of 64 (twice as many windows per clip, the same training)',
 'sa1': 'SpecAugment: 1 frequency mask of up to 8 rows, 1 time mask of up to 16 frames',
 'wide': 'channels 24-48-96-192 in each tower (about 2.2x the compute)',
 'w192': 'windows of 192 frames (2.2 s) instead of 128 (1.5 s; about 1.5x the compute)',
 'mix2': 'mixup Beta(0.2, 0.2) instead of Beta(0.4, 0.4)',
 'base': 'nothing else: the default itself, run here beside the variants on the same seeds',
 'wd2': 'weight decay 0.2 instead of 0.05',
 'ensemble': 'norm=band, two seeds (1 and 7): the mean of their clip scores (twice the training)',
 'bandwin+lr2': 'norm=band + learning rate 2e-3',
 'lr2': 'learning rate 2e-3 instead of 4e-3',
 'lr6': 'learning rate 6e-3 instead of 4e-3',
 'bandwin+tstretch': 'norm=band + random time stretch of up to 20%',
 'bandwin+bandstd': 'norm=band, each band also divided by its deviation',
 'views': "two views of each window (as it is, and each band centred: norm='band') stacked as the two input channels of one audio_cnn",
 'twin': "two audio_cnn towers, one per view (as it is; each band centred), their features side by side for one head (norm='both'; 2x the compute)",
 'twinsame': "control for twin: two audio_cnn towers, both on the globally normalised window (2x the compute)",
 'triple': "a third audio_cnn tower on a third view: the window's change from one frame to the next (with twin: 3x one tower's compute)",
 'one': 'one network (members=1)',
 'nocl': 'the contiguous memory layout instead of channels_last',
 'lite': 'one convolution instead of two in the first block of each tower (about 0.6x the time of a step)',
 'ema': 'the weights averaged over the last fifth of the steps (an exponential moving average, decay 1 - 1/(steps/5)); validation and the result use the average',
 'bf16': 'bfloat16 autocast (native on this CPU) instead of float32',
 'bandwin+fhead': 'norm=band + head keeps the 4 frequency rows apart (mean over time only)',
}

def describe(variant:str) -> str:
    "The table's description of a variant: its own entry, else its parts joined."
    return DESCRIPTIONS.get(variant) or ' + '.join(DESCRIPTIONS.get(v, v) for v in variant.split('+'))

def run(name, specs, out, preds, arch=None, tfms=(), cbs=(), folds=(1, 2, 10), seeds=(42,), screen=True, **over):
    "Train the variant once per fold and seed (one network each), and append a row per run to `out` with four test-time poolings."
    from fsat_nb.training import train
    from fsat_nb.learner import valid_clips
    from fsat_nb.metrics import clip_average, lwlrap, top1_accuracy
    for seed in seeds:
      for f in folds:
        tc = recipe(TrainConfig(valid_fold=f, seed=seed, **{'precision': 'fp32', 'members': 1, **over}))   # one network, as every round measured (the default trains two since the sixth)
        if arch: tc = replace(tc, arch=arch)                     # a variant network: the recipe's other settings stay
        t0 = time.perf_counter()
        t = train(specs.split_by(tc.valid_fold, tc.group_col, tc.valid_pct, tc.seed), tc, quiet=True, cbs=[make() for make in cbs],
                  extra_tfms=[make() for make in tfms])
        ts = time.perf_counter() - t0
        with t.learn.no_bar(): p, tg = t.learn.get_preds(dl=t.learn.dls.valid)
        clips = valid_clips(t.learn.dls.valid)
        y = clip_average(tg, clips).round().numpy()
        Path(preds).mkdir(parents=True, exist_ok=True)
        torch.save(dict(p=p, clips=clips, y=torch.as_tensor(y)), Path(preds) / f'{name}_{f}_{seed}.pt')
        variant = name.split(':')[0]
        row = dict(variant=variant, description=describe(variant), fold=f, seed=seed)
        for how in ('mean', 'max', 'logit', 'centre'):
            s_ = pooled(p, clips, how).numpy()
            k = '' if how == 'mean' else '_' + how
            row['accuracy' + k], row['lwlrap' + k] = round(top1_accuracy(y, s_), 4), round(lwlrap(y, s_), 4)
        row.update(train_s=round(ts), threads=torch.get_num_threads())
        print(row, flush=True)
        append_row(row, out)
        if screen and f == 1 and row['accuracy'] < 0.635:   # screening: clearly below norm=band's fold 1 (65.2-65.7%)
            print('stopped after fold 1', flush=True); break

V = {
 'default': dict(norm='global'),
 'bandwin': dict(norm='band'),
 'maxmean': dict(norm='global', arch='audio_cnn_maxmean'),
 'w256tp2': dict(width=256, time_pool=2),
 'wide': dict(arch='audio_cnn_wide'),
 'sa1': dict(freq_masks=1, freq_width=8, time_masks=1, time_width=16),
 'bg': dict(tfms=[Background]),
 'e60': dict(epochs=60),
 'bs16': dict(bs=16),
 'narrow': dict(arch='audio_cnn_narrow'),
 'e20': dict(epochs=20),
 'e24': dict(epochs=24),
 'e40': dict(epochs=40),
 'fp4': dict(freq_pool=4),
 'fp1': dict(freq_pool=1),
 'lr2': dict(lr=2e-3),
 'lr6': dict(lr=6e-3),
 'lr8': dict(lr=8e-3),
 'wd2': dict(wd=0.2),
 'mix2': dict(mixup=0.2),
 'mix1': dict(mixup=1.0),
 'ps5': dict(ps=0.5),
 'ps1': dict(ps=0.1),
 'ps0': dict(ps=0.),
 'hop32': dict(hop=32),
 'w192': dict(width=192),
 'pshift': dict(tfms=[lambda: Warp(2, 0.)]),
 'tstretch': dict(tfms=[lambda: Warp(0, 0.2)]),
 'bandstd': dict(tfms=[BandStd]),
 'fhead': dict(arch='audio_cnn_freqhead'),
 'views': dict(norm='both', arch='audio_cnn_views'),
 'twin': dict(norm='both'),
 'twinsame': dict(norm='global', arch='audio_cnn_twinsame'),
 'triple': dict(norm='both', arch='audio_cnn_triple', tfms=[Delta]),
 'one': dict(members=1),
 'nocl': dict(cbs=[Contiguous]),
 'lite': dict(arch='audio_cnn_lite'),
 'bf16': dict(precision='bf16'),
 'ema': dict(cbs=[lambda: WeightAverage(0.2)]),
 'base': dict(),
}

def append_row(row:dict, out):
    "Append `row` to the CSV `out` under its existing header (columns it lacks left empty)."
    fn = Path(out); new = not fn.exists()
    hdr = list(row) if new else fn.read_text().splitlines()[0].split(',')
    with open(fn, 'a') as fh:
        w = csv.DictWriter(fh, hdr, restval='', extrasaction='ignore', lineterminator='\n')
        if new: w.writeheader()
        w.writerow(row)

def ensemble(runs:list, out, preds):
    "Rows for the mean of several runs' clip scores (each run's window probabilities averaged per clip first)."
    from fsat_nb.metrics import clip_average, lwlrap, top1_accuracy
    for f in (1, 2, 10):
        fs = [sorted(Path(preds).glob(f'{glob.escape(r)}_{f}_*.pt')) for r in runs]      # exactly these runs, every seed of each
        if not all(fs): continue
        ds = [torch.load(x) for xs in fs for x in xs]
        y = ds[0]['y'].numpy()
        s = np.mean([clip_average(d['p'], d['clips']).numpy() for d in ds], 0)
        row = dict(variant='ensemble', description=f"the mean of the clip scores of {' and '.join(runs)}", fold=f, seed=-1,
                   accuracy=round(top1_accuracy(y, s), 4), lwlrap=round(lwlrap(y, s), 4))
        print(row); append_row(row, out)

def pairs(runs:list, out, preds, variant:str):
    """Rows for every pair of seeds of `runs` (one variant, its runs possibly split over several names), per fold: the
    mean of the two runs' window logits, as an `Ensemble` of two members scores a window (then the mean per clip)."""
    import itertools
    from fsat_nb.metrics import clip_average, lwlrap, top1_accuracy
    lg = lambda d: torch.logit(d['p'].float().clamp(1e-7, 1 - 1e-7))
    for f in (1, 2, 10):
        ds = {}
        for r in runs:
            for x in sorted(Path(preds).glob(f'{glob.escape(r)}_{f}_*.pt')): ds[int(x.stem.rsplit('_', 1)[1])] = torch.load(x)
        for a, b in itertools.combinations(sorted(ds), 2):
            y = ds[a]['y'].numpy()
            s = clip_average(torch.sigmoid((lg(ds[a]) + lg(ds[b])) / 2), ds[a]['clips']).numpy()
            row = dict(variant=variant + '+pair', description=f"{describe(variant)}: two runs (seeds {a} and {b}) as an ensemble of two, the mean of their window logits",
                       fold=f, seed=-1, accuracy=round(top1_accuracy(y, s), 4), lwlrap=round(lwlrap(y, s), 4))
            print(row); append_row(row, out)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('variants', nargs='*', help=f"any of {', '.join(V)}, joined with + ; ':key=json' sets more (seeds=[1])")
    ap.add_argument('--data', default=str(DATA))
    ap.add_argument('--threads', type=int, default=None, help='torch threads (two runs side by side: 1 each)')
    ap.add_argument('--out', default=str(HERE / 'out' / 'tuning_real_audio.csv'))
    ap.add_argument('--preds', default=str(HERE / 'out' / 'tuning_preds'))
    ap.add_argument('--ensemble', nargs='+', default=None, metavar='RUN', help="instead of training: score the mean of these runs' clip scores "
                    "(names as in the preds folder, e.g. 'bandwin:seeds=[1]'), on every fold all of them have")
    ap.add_argument('--pairs', nargs='+', default=None, metavar='RUN', help="instead of training: score every pair of seeds of these runs "
                    "(one variant, e.g. split over folds), as a two-member ensemble; rows named --variant + '+pair'")
    ap.add_argument('--variant', default=None, help='with --pairs: the variant the runs are')
    a = ap.parse_args()
    if a.ensemble: return ensemble(a.ensemble, a.out, a.preds)
    if a.pairs: return pairs(a.pairs, a.out, a.preds, a.variant)
    if a.threads: torch.set_num_threads(a.threads)
    imgs = HERE / 'out' / 'us8k_images'
    specs = read_images(imgs) if is_image_folder(imgs) else export_dataset(read_dataset(a.data), imgs, progress=False, quiet=True)
    for n in a.variants:
        name, _, extra = n.partition(':')
        kw = {'tfms': [], 'cbs': []}
        for part in name.split('+'):
            v = dict(V[part]); kw['tfms'] += v.pop('tfms', []); kw['cbs'] += v.pop('cbs', []); kw.update(v)
        for kv in filter(None, re.split(r',(?![^\[]*\])', extra)):          # commas inside [...] belong to a list
            k, v = kv.split('='); kw[k] = json.loads(v)
        run(n, specs, a.out, a.preds, **kw)

if __name__ == '__main__': main()
