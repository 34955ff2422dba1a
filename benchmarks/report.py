"""The benchmarks' README, written from their results: `benchmarks/README.md` from `benchmarks/results/` and the docstrings here.

Every number and machine in that README is read from a results file when this script runs, and every script's line from
its own docstring, so the README cannot go stale: run this after a benchmark writes a file to `benchmarks/results/`.
Files are found by pattern (`recipe_cost*.json`, `real_audio_cv*.json`, `epoch_profile*.json`, ...), so a new one needs
no change here; a field a file lacks is written "not recorded". Nothing is run or timed. `--check` writes nothing and
exits 1, saying what differs, when the README on disk is not what this script would write.

    python benchmarks/report.py [--check]
"""
import argparse, ast, difflib, fnmatch, json, re, sys
from pathlib import Path

HERE = Path(__file__).parent
RES, README = HERE / 'results', HERE / 'README.md'
NR = 'not recorded'

# ---------------------------------------------------------------- reading files and formatting values

def load(f:Path) -> dict: return json.loads(f.read_text())

def files(pattern:str) -> list:
    "Results files matching `pattern`, by name."
    return sorted(RES.glob(pattern))

def link(f:Path) -> str: return f'[{f.name}](results/{f.name})'

def cell(v) -> str: return str(v).replace('|', '\\|').replace('\n', ' ')

def table(header:list, rows:list) -> str:
    "A Markdown table, one line per row."
    return '\n'.join(['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
                     + ['| ' + ' | '.join(cell(c) for c in r) + ' |' for r in rows])

def num(v, key:str='') -> str:
    "`v` with as many digits as a reader needs: shares as percentages, seconds and counts by size."
    if v is None: return 'none'
    if isinstance(v, bool): return 'yes' if v else 'no'
    if isinstance(v, int): return f'{v:,}'
    if not isinstance(v, float): return str(v)
    if v != v: return ''
    if 'share' in key or 'overhead' in key: return f'{v:.1%}'
    a = abs(v)
    return '0' if a == 0 else f'{v:,.0f}' if a >= 100 else f'{v:.1f}' if a >= 10 else f'{v:.2f}' if a >= 0.01 else f'{v:.2g}'

def mean_std(d:dict, k:str, pct:bool, std:bool=True) -> str:
    "`k`'s mean (± standard deviation) over the folds, from `d[k + '_mean']` and `d[k + '_std']`."
    m, s = d.get(k + '_mean'), d.get(k + '_std') if std else None
    if m is None: return NR
    return (f'{m:.1%}' if pct else f'{m:.3f}') + ('' if s is None else f' ± {s:.1%}' if pct else f' ± {s:.3f}')

def machine_of(d:dict) -> dict:
    "The machine a JSON results file says it ran on (`machine`, or the older `info`), or None."
    for k in ('machine', 'info'):
        if isinstance(d.get(k), dict) and 'cpu' in d[k]: return d[k]
    return None

def machine_str(m:dict) -> str:
    "'AMD EPYC, 2 cores, 2 threads, native bf16' from a `machine_info` dict; the fields it has."
    if not m: return NR
    parts = [str(m['cpu'])] + ([f"{m['cores']} cores"] if m.get('cores') else [])
    if m.get('threads'): parts.append(f"{m['threads']} thread{'s' if m['threads'] != 1 else ''}")
    if 'bf16_native' in m: parts.append('native bf16' if m['bf16_native'] else 'no native bf16')
    if m.get('gpu'): parts.append(f"GPU {m['gpu']}")
    return ', '.join(parts)

def text_machine(f:Path) -> str:
    "The machine a text results file names in its first lines (a `machine:` line), else 'not recorded' (and its CPU count)."
    head = f.read_text().splitlines()[:3]
    for l in head:
        if (m := re.match(r'\s*machine\s*:\s*(.+)', l, re.I)): return m.group(1).strip()
    n = next((m.group(1) for l in head if (m := re.search(r'(\d+) CPUs', l))), None)
    return NR + (f' (the file says {n} CPUs)' if n else '')

def machine_line(f:Path) -> str:
    "What machine results file `f` says it ran on."
    if f.suffix == '.json': return machine_str(machine_of(load(f)))
    if f.suffix in ('.txt', '.md'): return text_machine(f)
    if f.suffix == '.csv':
        lines = f.read_text().splitlines()
        if lines and 'machine' in lines[0].split(','):
            import csv
            ms = {r.get('machine') for r in csv.DictReader(lines)} - {None, ''}
            return f"per row, its `machine` column ({len(ms)} machine{'s' if len(ms) != 1 else ''})"
    return NR

def kernels(d:dict) -> str:
    "The CPU kernels that ran (`capability`), 'AVX2, emulated on <cpu>' when they were forced lower."
    cap = d.get('capability')
    if cap is None: return NR
    return f"{cap}, emulated on {(machine_of(d) or {}).get('cpu', 'a CPU ' + NR)}" if d.get('emulated') else cap

def emulation_env(d:dict) -> str:
    "The environment that forces the kernels of an emulated run (as `recipe_cost.py`'s docstring gives it), or ''."
    cap = d.get('capability')
    return f'ATEN_CPU_CAPABILITY={cap.lower()} ONEDNN_MAX_CPU_ISA={cap} MKL_ENABLE_INSTRUCTIONS={cap} ' if d.get('emulated') and cap else ''

def notes(ds:list) -> str:
    "The `note` fields of results files, one line each."
    out = []
    for f, d in ds:
        for n in [d.get('note'), (d.get('info') or {}).get('note') if isinstance(d.get('info'), dict) else None]:
            if n: out.append(f'- {link(f)} notes: "{n}"')
    return '\n'.join(out)

# ---------------------------------------------------------------- the scripts and their docstrings

def docstring(f:Path) -> str: return ast.get_docstring(ast.parse(f.read_text())) or ''

def scripts() -> dict:
    "Every benchmark script's docstring, by file."
    return {f: docstring(f) for f in sorted(HERE.glob('*.py'))}

def summary(doc:str) -> str:
    "The first sentence of a docstring (which may run over several lines)."
    first = re.sub(r'\s+', ' ', doc.strip().split('\n\n')[0])
    return re.split(r'(?<=\.)\s', first)[0] if first else NR

def usage(doc:str, stem:str) -> str:
    "A script's usage line from its docstring: the first indented `python benchmarks/<stem>.py` line with options in brackets."
    ls = [l.strip() for l in doc.splitlines() if l.startswith('    ') and f'benchmarks/{stem}.py' in l]
    return next((l for l in ls if ' [-' in l), ls[0] if ls else '')

def sentences(doc:str) -> list:
    "A docstring's sentences; each indented line (a list item, a command) apart."
    paras = re.split(r'\n\s*\n|\n(?=\s+\S)', doc)
    return [s for p in paras for s in re.split(r'(?<=\.)\s+', re.sub(r'\s+', ' ', p).strip()) if s]

def target_line(script:str) -> str:
    "The sentences of a script's docstring that set its target or aim, quoted."
    t = [s for s in sentences(docstring(HERE / script)) if re.match(r'(Targets?|Aim)\b', s)]
    return ('The script\'s target, in its own words: "' + ' '.join(t) + '"') if t else ''

def tuning_md_writers() -> dict:
    "`TUNING.md`'s table of which file is made by what: {file pattern: made by}."
    f = HERE / 'TUNING.md'
    if not f.exists(): return {}
    out, on = {}, False
    for l in f.read_text().splitlines():
        if re.match(r'\|\s*file\s*\|\s*made by\s*\|', l): on = True; continue
        if on and not l.startswith('|'): break
        if on and (m := re.match(r'\|\s*(.+?)\s*\|\s*(.+?)\s*\|$', l)) and not set(m.group(1)) <= set('-'):
            for p in re.findall(r'`([^`]+)`', m.group(1)): out[p] = m.group(2)
    return out

def writer(f:Path, docs:dict, tuning:dict) -> tuple:
    "(script, how we know) for results file `f`: the script whose name starts its name, or whose docstring names it, or TUNING.md's word."
    by_name = [s for s in docs if f.stem.startswith(s.stem) and s.name != Path(__file__).name]
    if by_name: return max(by_name, key=lambda s: len(s.stem)), ''
    by_doc = [s for s, d in docs.items() if f.name in d]
    if by_doc: return by_doc[0], 'its docstring names it'
    for p, what in tuning.items():
        if fnmatch.fnmatch(f.name, p): return None, f'[TUNING.md](TUNING.md): {what}'
    return None, 'not said (no script here names it)'

# ---------------------------------------------------------------- the default settings, to say how a run differs

def package_config():
    "The package's `fsat_nb.config`, imported quietly when first needed."
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        import fsat_nb.config as cfg
    return cfg

def default_config(arch:str=None, pretrained:bool=False) -> dict:
    "Today's default `TrainConfig` filled by its recipe (of `arch`, if given), from the package."
    cfg = package_config()
    return cfg.recipe(cfg.TrainConfig(**({'arch': arch} if arch else {}), pretrained=pretrained)).to_dict()

SKIP = ('seed', 'valid_fold', 'precision')          # given by the benchmark itself, or in a column of their own

def differs(tc:dict) -> tuple:
    "([settings of `tc` that differ from today's default], [default fields `tc` does not record], None if it records none)."
    if not tc: return [], None
    tc = package_config().as_trained(tc)             # a file from before a setting existed trained without it
    base = default_config()
    other = tc.get('arch', base['arch']) != base['arch']
    if other: base = default_config(tc['arch'], bool(tc.get('pretrained')))    # its own recipe's fields, and the arch itself
    diff = [('arch', tc['arch'])] * other + [(k, v) for k, v in tc.items() if k not in SKIP and k != 'arch' and (k not in base or base[k] != v)]
    return diff, [k for k in base if k not in tc and k not in SKIP]

def differs_str(tc:dict) -> str:
    diff, missing = differs(tc)
    if missing is None: return f'settings {NR}'
    parts = [f'`{k}={v!r}`' for k, v in diff] + [f'`{k}` {NR}' for k in missing]
    return ', '.join(parts) or 'none'

def options(tc:dict) -> str:
    "The command-line options that give `tc`'s differences from the default (`real_audio.py` takes every field)."
    return ''.join(f' --{k} {v}' for k, v in differs(tc)[0])

# ---------------------------------------------------------------- sections

def intro() -> str:
    return """# Benchmarks: speed, scale and recipe tables

<!-- written by benchmarks/report.py from benchmarks/results/ and the scripts' docstrings: edit those, then run
     `python benchmarks/report.py` (`python benchmarks/report.py --check` says whether this file is up to date) -->

The scripts in this folder measure what fsat_nb costs and how well its recipes do: how fast it turns audio into
spectrograms and scores lwlrap, how long the demo and the default recipe take to train, how export, training and
prediction grow with the data, how much time the training loop spends beyond the model's own work, and how the
default recipe scores on real recordings against a simple baseline. The last run of each is kept in
[`results/`](results/), and every table below is read from those files by `report.py`.

Speed targets are checked as ratios against a baseline measured in the same run (the walk-through's export, scikit-learn's
LRAP, a bare PyTorch loop, the recipe the default replaced), never by timed tests: a shared machine's speed drifts
from minute to minute, and the two sides of a ratio measured together see the same drift. Figures from different machines compare
through the yardstick: `python ../shared/tools/yardstick.py` prints the seconds of 20 float32 training steps of a fixed
network on the machine it runs on, and a training time divided by it is in *yardsticks*. The machine of each file is
given as the file records it (CPU, cores, threads, whether the CPU runs bfloat16 natively, a GPU if any).

Commands run from the repository root, in the project's environment. Most scripts write to `benchmarks/out/` by
default (ignored by git); the commands below name `--out` where a script takes it, to update the file a table reads.
[TUNING.md](TUNING.md) keeps the log of the tuning runs behind the recipes.
"""

def index(docs:dict, tuning:dict) -> str:
    res = [f for f in sorted(RES.iterdir()) if f.is_file()]
    owner = {f: writer(f, docs, tuning) for f in res}
    rows = []
    for s, d in docs.items():
        u = usage(d, s.stem)
        mine = [f for f in res if owner[f][0] == s]
        if not u:
            users = [t.name for t in docs if t != s and re.search(rf'^\s*(from {s.stem} import|import {s.stem}\b)', t.read_text(), re.M)]
            u = f"none: imported by {', '.join(users)}" if users else 'none'
        else: u = f'`{u}`'
        rows.append([f'[{s.name}]({s.name})', summary(d), u, ', '.join(link(f) for f in mine) or 'none'])
    frows = [[link(f), (f'[{w.name}]({w.name})' + (f' ({how})' if how else '')) if w else how, machine_line(f)] for f, (w, how) in owner.items()]
    return ('## Index\n\nEvery script here, what it measures (the first sentence of its docstring), its usage line, and the '
            'results files it writes:\n\n' + table(['script', 'what it measures', 'command', 'results'], rows)
            + '\n\nEvery results file, which script wrote it, and the machine the file says it ran on:\n\n'
            + table(['file', 'written by', 'machine'], frows))

def text_rows(f:Path) -> tuple:
    "(setup line, table rows, other lines) of a benchmark's printed output: rows are a name and numbers, two spaces apart."
    lines = [l for l in f.read_text().splitlines() if l.strip() and not re.match(r'\s*machine\s*:', l, re.I)]
    rows, other = [], []
    for l in lines[1:]:
        cells = re.split(r'\s{2,}', l.strip())
        if len(cells) >= 2 and all(re.fullmatch(r'-?[\d.,]+\s?(ms|s|x)?', c) for c in cells[1:]): rows.append(cells)
        elif not (rows == [] and other == [] and len(cells) >= 2 and not re.search(r'\d', l)): other.append(l.strip())
    return lines[0] if lines else '', rows, other

def text_section(f:Path, title:str, script:str, command:str, header:list) -> str:
    head = f'## {title}\n\n'
    if not f.exists(): return head + f'No results yet: run `{command}`.'
    setup, rows, other = text_rows(f)
    body = (table(header, [r + [''] * (len(header) - len(r)) for r in rows]) if rows and all(len(r) <= len(header) for r in rows)
            else '```\n' + f.read_text().strip() + '\n```')
    return (head + f'{summary(docstring(HERE / script))} From {link(f)}, made with `{command}`; machine: {text_machine(f)}. '
            f'The run: {setup}.\n\n{body}\n\n' + ('The file\'s own readings:\n\n' + '\n'.join('- ' + ' '.join(l.split()) for l in other) + '\n\n' if other else '')
            ).strip()

def export_speed() -> str:
    f = RES / 'export_speed.txt'
    cmd = 'python benchmarks/export_speed.py'
    if f.exists() and (m := re.search(r'^(\d+) clips of about ([\d.]+) s, (\d+) workers', f.read_text(), re.M)):
        cmd += f' --n_large {m.group(1)} --seconds {m.group(2)} --n_workers {m.group(3)}'
    return text_section(f, 'Spectrogram export', 'export_speed.py', cmd + ' > benchmarks/results/export_speed.txt',
                        ['method', 'ms per clip', 'clips per s'])

def lwlrap_speed() -> str:
    f = RES / 'lwlrap_speed.txt'
    cmd = 'python benchmarks/lwlrap_speed.py'
    if f.exists() and (m := re.search(r'^(\d+) clips x (\d+) classes', f.read_text(), re.M)): cmd += f' --clips {m.group(1)} --classes {m.group(2)}'
    return text_section(f, 'lwlrap', 'lwlrap_speed.py', cmd + ' > benchmarks/results/lwlrap_speed.txt',
                        ['method', 'time (best)', 'speed-up over scikit-learn'])

def demo_speed() -> str:
    fs = files('demo_speed*.json')
    head = '## The demo\n\n'
    if not fs: return head + 'No results yet: run `python benchmarks/demo_speed.py`.'
    ds = [(f, load(f)) for f in fs]
    rows, cmds = [], []
    for f, d in ds:
        info = d.get('info') or {}
        for k, r in (d.get('runs') or {}).items():
            tc, s = r.get('train_config') or {}, r.get('seconds') or {}
            pool = f"{tc['freq_pool']}x{tc['time_pool']}" if 'freq_pool' in tc and 'time_pool' in tc else NR
            rows.append([link(f), k, f"{tc.get('arch', NR)}, {pool} pooling", info.get('precision', NR), r.get('epochs', tc.get('epochs', NR)),
                         f"{s['train']:.0f} s" if 'train' in s else NR, f"{s['total'] / 60:.1f} min" if 'total' in s else NR,
                         f"{r['valid_lwlrap']:.3f}" if 'valid_lwlrap' in r else NR, f"{r['test_lwlrap']:.3f}" if 'test_lwlrap' in r else NR,
                         f"{info['speedup']:.1f}x" if k == 'now' and 'speedup' in info else '', machine_str(machine_of(d)) ])
        only = '' if 'before' in (d.get('runs') or {}) else ' --only now'
        cmds.append(f"- {link(f)}: `python benchmarks/demo_speed.py --precision {info.get('precision', 'fp32')}{only} --out benchmarks/results/{f.name}`")
    return (head + summary(docstring(HERE / 'demo_speed.py')) + ' Each run is a whole demo in a fresh folder: `before` the recipe of the '
            'first release, `now` the default demo recipe; the speed-up is of the whole demo, and `--precision auto` uses bfloat16 where '
            'the CPU has it. Made with:\n\n' + '\n'.join(cmds)
            + '\n\n' + table(['file', 'run', 'network', 'precision', 'epochs', 'training', 'whole demo', 'valid lwlrap', 'test lwlrap', 'speed-up', 'machine'], rows)
            + ('\n\n' + notes(ds) if notes(ds) else '') + '\n\n' + target_line('demo_speed.py'))

def layout_speed() -> str:
    f = RES / 'layout_speed.json'
    head = '## Memory layout\n\n'
    if not f.exists(): return head + 'No results yet: run `python benchmarks/layout_speed.py`.'
    d = load(f)
    runs = d.get('runs') or {}
    precs = list(dict.fromkeys(k.rsplit('_', 1)[1] for k in runs if '_' in k))
    rows = [[k.rsplit('_', 1)[0], k.rsplit('_', 1)[1], f"{r['default_ms']:.0f}", f"{r['channels_last_ms']:.0f}", f"{r['ratio']:.2f}"] for k, r in runs.items()]
    return (head + f"{summary(docstring(HERE / 'layout_speed.py'))} The median training step (batch 32) in each layout, the two taking turns; "
            f"a ratio below 1 means channels_last is faster. From {link(f)}, made with "
            f"`python benchmarks/layout_speed.py --precision {' '.join(precs)} --out benchmarks/results/{f.name}`; machine: "
            f"{machine_str(machine_of(d))}.\n\n" + table(['network', 'precision', 'default (ms)', 'channels_last (ms)', 'ratio'], rows))

def scale() -> str:
    f = RES / 'scale.json'
    head = '## Scale\n\n'
    if not f.exists(): return head + 'No results yet: run `python benchmarks/scale.py`.'
    d = load(f)
    rs, ps = d.get('rows') or [], d.get('projection') or []
    fracs = ' '.join(f'{x:g}' for x in dict.fromkeys(r['fraction'] for r in rs))
    archs = ' '.join(dict.fromkeys(r['arch'] for r in rs if r.get('stage') == 'epoch'))
    cmd = f"python benchmarks/scale.py --fractions {fracs} --archs {archs} --precision {d.get('precision', 'auto')} --out benchmarks/results/{f.name}"
    gb = lambda v: f'{v:.2f}' if isinstance(v, float) and v == v else ''
    rows = [[f"{r['stage']} {r.get('arch', '')}".strip(), f"{r['fraction']:g}", f"{r['clips']:,}", f"{r['audio_hours']:.2f}", f"{r['seconds']:.1f}",
             gb(r.get('peak_gb'))] for r in rs]
    prows = [[f"{p['stage']} {p.get('arch', '')}".strip(), f"{p['seconds_per_audio_hour']:.1f}", f"{p['full_audio_hours']:.1f}",
              f"{p['projected_full_seconds'] / 60:.1f}", ' to '.join(dict.fromkeys(gb(v) for v in p.get('peak_gb_range') or [] if gb(v)))]
             for p in ps]
    disk = next((p for p in ps if 'audio_gb_full' in p), None)
    png = RES / 'scale.png'
    return (head + f"{summary(docstring(HERE / 'scale.py'))} Each stage runs as its own process on synthetic stand-ins with FAT2019's "
            f"shape; peak memory is that of the largest process (blank where not measured). From {link(f)}, made with `{cmd}`"
            + (f"; the plot, {link(png)}, with `python benchmarks/scale.py --plot benchmarks/results/{f.name}`" if png.exists() else '')
            + f"; machine: {machine_str(machine_of(d))}; precision {d.get('precision', NR)}.\n\n"
            + table(['stage', 'fraction', 'clips', 'audio (h)', 'seconds', 'peak (GB)'], rows)
            + '\n\nProjected to the full size by a straight line through the measured points (time grows with the hours of audio):\n\n'
            + table(['stage', 's per audio hour', 'full size (h of audio)', 'projected (min)', 'peak measured (GB)'], prows)
            + (f"\n\nDisk, projected for the full curated set: {disk['audio_gb_full']:.1f} GB of audio, {disk['images_gb_full']:.2f} GB of spectrogram PNGs."
               if disk and 'images_gb_full' in disk else ''))

def train_speed() -> str:
    fs = files('train_speed_*.json')
    head = '## The training loop\n\n'
    if not fs: return head + 'No results yet: run `python benchmarks/train_speed.py`.'
    ds = [(f, load(f)) for f in fs]
    def model(d): return f"{d.get('arch', NR)} {tuple(d['batch'])}" if 'batch' in d else d.get('arch', NR)
    def pc(d, k): return f'{d[k]:.1%}' if k in d else NR
    tr, ph, pr, cmds = [], [], [], []
    for f, d in ds:
        b2b = d.get('bare_step_ms_back_to_back') or {}
        fastest = f" ({min(b2b, key=b2b.get)})" if b2b else ''
        tr.append([link(f), model(d), d.get('precision', NR), num(d.get('bare_windows_per_s')), num(d.get('fastai_windows_per_s')),
                   f"**{pc(d, 'train_overhead')}**", pc(d, 'train_overhead_batch'), pc(d, 'train_overhead_phases'),
                   pc(d, 'train_overhead_back_to_back') + fastest, machine_str(machine_of(d))])
        p, bp = d.get('phases_ms') or {}, d.get('bare_phases_ms') or {}
        ph.append([d.get('arch', NR)] + [f'{p[k]:.1f}' if k in p else '' for k in ('data', 'forward', 'loss', 'backward', 'step', 'after')]
                  + [f'{bp[k]:.1f}' if k in bp else '' for k in ('forward', 'loss_backward', 'step')])
        pr.append([d.get('arch', NR), num(d.get('bare_clips_per_s')), num(d.get('predict_clips_per_s')), pc(d, 'predict_overhead')])
        ep = f" --epochs {len(d['epochs'])}" if d.get('epochs') else ''
        cmds.append(f"- {link(f)}: `python benchmarks/train_speed.py --arch {d.get('arch', NR)} --precision {d.get('precision', NR)}{ep}` "
                    f"(it writes `benchmarks/out/{f.name}`)")
    t = re.search(r'target reading: ([^.]+?)\.(\s|$)', re.sub(r'\s+', ' ', docstring(HERE / 'train_speed.py')))
    return (head + summary(docstring(HERE / 'train_speed.py')) + ' Overhead is the share of the fastai loop\'s time that a bare '
            'PyTorch loop (forward, loss, backward, optimiser step on a batch already in memory) does not need; whole epochs is the '
            'reading the target is judged on, the others show where the time goes. CPU only. Made with:\n\n' + '\n'.join(cmds) + '\n\n'
            + table(['file', 'model, batch', 'precision', 'bare (windows/s)', 'fsat_nb (windows/s)', 'overhead, whole epochs',
                     'per batch', 'per phase', 'cross-check (fastest bare step)'], [r[:-1] for r in tr])
            + '\n\nMachines: ' + '; '.join(f'{r[0]}: {r[-1]}' for r in tr) + '.\n\n'
            + 'A training batch by phase (medians, ms), fsat_nb then the bare loop:\n\n'
            + table(['model', 'data', 'forward', 'loss', 'backward', 'step', 'after', 'bare forward', 'bare loss + backward', 'bare step'], ph)
            + '\n\nPrediction of the same clips: decode, spectrogram and every window through the model in a plain loop, against `predict_clips`:\n\n'
            + table(['model', 'bare (clips/s)', 'predict_clips (clips/s)', 'overhead'], pr)
            + (f"\n\nThe script's target for the whole-epochs overhead: {t.group(1)}." if t else ''))

def train_vs_walkthrough() -> str:
    f = RES / 'train_vs_walkthrough.json'
    head = '## Training against the walk-through\n\n'
    if not f.exists(): return head + 'No results yet: run `python benchmarks/train_vs_walkthrough.py --out benchmarks/results/train_vs_walkthrough.json`.'
    d = load(f)
    w, o = d.get('walkthrough') or {}, d.get('fsat_nb') or {}
    cmd = (f"python benchmarks/train_vs_walkthrough.py --budget {d.get('budget_s', 240):g} --size {d.get('size', 128)} "
           f"--lr {d.get('walkthrough_lr', 1e-3):g} --out benchmarks/results/{f.name}")
    lw = lambda r: f"{r['valid_lwlrap']:.3f}" if 'valid_lwlrap' in r else NR
    rows = [['the walk-through', lw(w), num(w.get('epochs')), num(w.get('seconds')),
             f"its per-batch LRAP, as it logs: {w['per_batch_lrap']:.3f}" if 'per_batch_lrap' in w else ''],
            ['fsat_nb', lw(o), num(o.get('epochs')), num(o.get('seconds')),
             f"epochs set from a calibration epoch of {o['calibration_seconds']:.1f} s" if 'calibration_seconds' in o else '']]
    return (head + f"{summary(docstring(HERE / 'train_vs_walkthrough.py'))} ConvNeXt-Tiny from the same random initialisation on the "
            f"same spectrograms of the sample, each with a budget of {d.get('budget_s', 0):g} s, both scored by the same exact lwlrap over every "
            f"validation clip. From {link(f)}, made with `{cmd}`; machine: {machine_str(machine_of(d))}; precision {d.get('precision', NR)}.\n\n"
            + table(['recipe', 'valid lwlrap', 'epochs', 'training (s)', 'note'], rows))

def real_audio_cv() -> str:
    fs = files('real_audio_cv*.json')
    head = '## Real recordings: cross-validation\n\n'
    if not fs: return head + 'No results yet: run `python benchmarks/real_audio.py --cv --seeds 42 1 7`.'
    rows, cmds = [], []
    for f in fs:
        d = load(f); tc = d.get('train_config') or {}
        folds, m = d.get('folds') or [], machine_of(d)
        seeds = d.get('seeds')
        rows.append([link(f), mean_std(d, 'accuracy', True), mean_std(d, 'lwlrap', False),
                     f"{mean_std(d, 'baseline_accuracy', True, std=False)} / {mean_std(d, 'baseline_lwlrap', False, std=False)}",
                     differs_str(tc), ', '.join(map(str, seeds)) if seeds else f"{tc.get('seed', NR)} (one run per fold)" if 'seeds' in d else NR,
                     len(folds), f"{d['train_seconds_mean']:.0f}" if 'train_seconds_mean' in d else NR,
                     f"{m['cpu']}, {m.get('threads', '?')} thread{'s' if m.get('threads') != 1 else ''}" if m else NR, d.get('precision', NR)])
        prec = f" --precision {tc['precision']}" if tc.get('precision', 'auto') != 'auto' else ''
        sd = f" --seeds {' '.join(map(str, seeds))}" if seeds else ''
        miss = differs(tc)[1]
        cmds.append(f"- {link(f)}: `python benchmarks/real_audio.py --cv{sd}{options(tc)}{prec} --out benchmarks/results/{f.name}`"
                    + (' (the file records no settings: the command takes the default)' if miss is None else
                       f" (the file does not record {', '.join(f'`{k}`' for k in miss)}: the command takes today's default)" if miss else ''))
    first = load(fs[0]); fo = first.get('folds') or []
    preds = [p for f in fs if (p := f.with_name(f.stem + '_preds.csv')).exists()]
    sizes = (f" The folds of {link(fs[0])} have {min(r['n_train'] for r in fo)}-{max(r['n_train'] for r in fo)} training and "
             f"{min(r['n_valid'] for r in fo)}-{max(r['n_valid'] for r in fo)} validation clips of {first.get('n_clips', NR)}.") if fo else ''
    return (head + f"{summary(docstring(HERE / 'real_audio.py'))} Each fold in turn validates, the others train; a fold scores the "
            "mean over its seeds, and a file the mean ± standard deviation over its folds. The baseline (logistic regression on mel-band "
            "statistics, the same folds) is shown by its mean accuracy / lwlrap. \"Differs from the default\" compares each file's settings "
            f"with today's default recipe (`recipe(TrainConfig())` in the package); training is the mean seconds of one run's training.{sizes} Made with:\n\n"
            + '\n'.join(cmds) + '\n\n'
            + table(['file', 'accuracy', 'lwlrap', 'baseline', 'differs from the default', 'seeds', 'folds', 'training (s)', 'CPU', 'precision'], rows)
            + (f"\n\nEach validation clip's scores, for a confusion matrix, are kept in {', '.join(link(p) for p in preds)}." if preds else ''))

def recipe_cost() -> str:
    fs = files('recipe_cost*.json')
    head = "## The recipe's cost\n\n"
    if not fs: return head + 'No results yet: run `python benchmarks/recipe_cost.py`.'
    rows, cmds = [], []
    for f in fs:
        d = load(f); tc, m = d.get('train_config') or {}, machine_of(d)
        ys = d.get('yardstick')
        for i, (p, r) in enumerate((d.get('runs') or {}).items()):
            emu = ' (emulated: no native bf16)' if p == 'bf16' and m and m.get('bf16_native') is False else ''
            proj = f" (projected from {r['epochs']} epochs)" if 'epochs' in r and tc.get('epochs') not in (None, r['epochs']) else ''
            train = r.get('train_projected', r.get('train'))
            in_ys = r.get('yardsticks', train / ys if ys and train is not None else None)
            clips = f"{r['n_train']} + {r['n_valid']}" if 'n_train' in r and 'n_valid' in r else num(d.get('clips', NR))
            rows.append([link(f), m['cpu'] if m else NR, kernels(d), p + emu, clips,
                         (f"{r['export']:.0f} s" if i == 0 else 'reused') if 'export' in r else NR,
                         f'{train:.0f} s{proj}' if train is not None else NR, f'{ys:.2f} s' if ys else 'not measured',
                         f'{in_ys:.0f}' if in_ys is not None else 'not measured', differs_str(tc)])
        run0 = next(iter((d.get('runs') or {}).values()), {})
        ep = f" --epochs {run0['epochs']}" if run0.get('epochs') not in (None, tc.get('epochs')) else ''
        opts = {'arch': tc.get('arch'), 'members': tc.get('members'), **{k: tc.get(k) for k in ('time_pool', 'coarse') if tc.get(k) not in (0, 1)}}
        mem = ''.join(f" --{k} {v}" for k, v in opts.items() if v is not None)
        prec = f" --precision {' '.join(d['runs'])}" if d.get('runs') else ''
        cmds.append(f"- {link(f)}: `{emulation_env(d)}python benchmarks/recipe_cost.py{prec} "
                    f"--clips {d.get('clips', 1000)} --seconds {d.get('seconds', 5):g}{ep}{mem} --out benchmarks/results/{f.name}`")
    return (head + f"{summary(docstring(HERE / 'recipe_cost.py'))} Synthetic clips in a folder per class, trained with the default "
            "`TrainConfig` (differences named in the last column), each precision in a fresh folder. Clips are training + validation; "
            "training is the seconds the run's training took (projected to the recipe's epochs where fewer were timed, and then marked); "
            "in yardsticks, that time divided by the yardstick, timed in the same run and environment. Kernels are those PyTorch ran "
            "(`torch.backends.cpu.get_cpu_capability()`). Made with:\n\n" + '\n'.join(cmds) + '\n\n'
            + table(['file', 'CPU', 'kernels', 'precision', 'clips', 'export', 'training', 'yardstick', 'in yardsticks', 'differs from the default'], rows)
            + '\n\nMachines: ' + '; '.join(f'{link(f)}: {machine_str(machine_of(load(f)))}' for f in fs) + '.\n\n'
            + 'A CPU without AVX-512 (most laptops) is emulated on one that has it by running the command with '
            '`ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2` before it; its kernels then read '
            '"AVX2, emulated on" the CPU that ran them. ' + target_line('recipe_cost.py'))

# ---------------------------------------------------------------- files read field by field

LABELS = {
    'capability': 'kernels', 'emulated': 'kernels emulated', 'arch': 'network', 'precision': 'precision', 'threads': 'threads',
    'yardstick_before': 'yardstick before (s)', 'yardstick_after': 'yardstick after (s)', 'yardstick': 'yardstick (s)',
    'n_train': 'training clips', 'second_view_share': "the second view's share of an epoch",
    'recipe_seconds_here': 'the recipe, projected for these clips (s)', 'recipe_seconds_per_1000_clips': 'the recipe, projected for 1,000 clips (s)',
    'recipe_yardsticks_per_1000_clips': 'the recipe, projected for 1,000 clips (yardsticks)',
    'model': 'model', 'clip_seconds': 'clip (s)', 'runs': 'runs timed', 'answer_s': "the page's answer (s, median)",
    'round_trip_s': 'round trip through the server (s, median)', 'answer_all': "the page's answer, every run (s)",
    'round_trip_all': 'round trip, every run (s)',
    'norm': 'norm', 'epoch_s': 'epoch (s)', 'valid_pass_s': 'validation pass (s)', 'batches': 'batches', 'op': 'operator',
    'share': 'share of CPU time', 'ms_per_step': 'ms per step',
    'views': 'one network, per epoch (s), by phase', 'top_ops': "the operators of a training step, by own CPU time",
}

def label(k:str) -> str: return LABELS.get(k, k)

def flat(r:dict, pre:str='') -> dict:
    "A dict with nested dicts' fields brought up to its level."
    out = {}
    for k, v in r.items():
        if isinstance(v, dict): out.update(flat(v, pre))
        else: out[pre + k] = v
    return out

def value(k:str, v) -> str:
    if isinstance(v, list) and v and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
        return f"{num(min(v), k)} to {num(max(v), k)} ({len(v)} values)"
    if isinstance(v, list): return ', '.join(num(x, k) for x in v)
    return num(v, k)

def generic(f:Path) -> str:
    "A results file as it is: its scalar fields in one table, each list of rows or dict of rows in a table of its own."
    d = load(f)
    out = [f'### {f.name}', f"From {link(f)}; machine: {machine_str(machine_of(d))}"
           + (f'; kernels: {kernels(d)}' if 'capability' in d else '') + '.']
    scal = [[label(k), value(k, v)] for k, v in d.items() if k not in ('machine', 'info', 'capability', 'emulated') and not isinstance(v, dict)
            and not (isinstance(v, list) and v and all(isinstance(r, dict) for r in v))]
    if scal: out.append(table(['field', 'value'], scal))
    for k, v in d.items():
        if k in ('machine', 'info'): continue
        if k == 'train_config' and isinstance(v, dict): out.append(f'Settings that differ from the default: {differs_str(v)}.'); continue
        rows = None
        if isinstance(v, list) and v and all(isinstance(r, dict) for r in v): rows = [flat(r) for r in v]
        elif isinstance(v, dict) and v and all(isinstance(r, dict) for r in v.values()): rows = [{'': n, **flat(r)} for n, r in v.items()]
        elif isinstance(v, dict) and v: rows = [v]
        if rows is None: continue
        cols = list(dict.fromkeys(c for r in rows for c in r))
        out.append(f'{label(k)[:1].upper() + label(k)[1:]}:\n\n' + table([label(c) for c in cols], [[value(c, r.get(c, '')) for c in cols] for r in rows]))
    return '\n\n'.join(out)

def generic_section(title:str, pattern:str, script:str) -> str:
    fs = files(pattern)
    doc = docstring(HERE / script) if (HERE / script).exists() else ''
    u = usage(doc, Path(script).stem)
    head = f'## {title}\n\n' + (summary(doc) + ' ' if doc else '')
    if not fs: return head + (f'No results yet: `python benchmarks/{script} --out benchmarks/results/{pattern.replace("*", "")}` writes them '
                              f'(options: `{u}`).')
    cmds = []
    for f in fs:
        d = load(f)
        opts = ''.join(f' --{k} {d[k]}' for k in ('arch', 'precision', 'runs') if k in d and f'--{k}' in u and not isinstance(d[k], (dict, list))
                       and not (k == 'arch' and d[k] == default_config()['arch']))
        cmds.append(f"- {link(f)}: `{emulation_env(d)}python benchmarks/{script}{opts} --out benchmarks/results/{f.name}`")
    return (head + 'Each file\'s fields as it records them. Made with (other options as the script\'s usage line: `' + u + '`):\n\n'
            + '\n'.join(cmds) + '\n\n' + '\n\n'.join(generic(f) for f in fs) + ('\n\n' + target_line(script) if target_line(script) else ''))

def same_scores() -> str:
    f = RES / 'same_scores.json'
    head = '## Same code, same scores\n\n'
    if not f.exists(): return head + 'No results yet: run `python benchmarks/same_scores.py`.'
    d = load(f)
    lb, la = d['labels']
    rows = [[r['fold'], r['seed'], f"{r['accuracy'][0]:.1%}", f"{r['accuracy'][1]:.1%}", f"{r['lwlrap'][0]:.4f}", f"{r['lwlrap'][1]:.4f}"] for r in d['runs']]
    return (head + summary(docstring(HERE / 'same_scores.py')) + f" From {link(f)}, made with `python benchmarks/same_scores.py {d['before']} {d['after']} "
            f"--labels {lb} {la} --out benchmarks/results/{f.name}` (two `real_audio.py --cv --seeds {' '.join(map(str, d['seeds']))}` results, "
            f"{d['precision']}); machine: {machine_str(d['machine'])}.\n\n"
            + table(['fold', 'seed', f'accuracy {lb}', f'accuracy {la}', f'lwlrap {lb}', f'lwlrap {la}'], rows)
            + f"\n\nMean accuracy {d['accuracy_mean'][0]:.1%} ({lb}) and {d['accuracy_mean'][1]:.1%} ({la}), a difference of "
            f"{d['mean_accuracy_difference']:+.2%}; {la} won {d['won']}, lost {d['lost']} and tied {d['tied']} of {len(d['runs'])} runs. "
            f"The largest difference between the two sides' score of one clip for one class, over {d['clip_scores']:,} scores "
            f"(as the `_preds.csv` files keep them: 5 decimals): {d['max_score_difference']:.2g}.")

def other_results(claimed:set) -> str:
    "JSON results files that no section above reads, field by field."
    fs = [f for f in files('*.json') if f not in claimed]
    if not fs: return ''
    return ('## Other results files\n\nJSON files in `results/` that no table above reads, their fields as they are (see the index for '
            'who wrote them):\n\n' + '\n\n'.join(generic(f) for f in fs))

# ---------------------------------------------------------------- the README

SECTIONS = {'demo_speed*.json', 'layout_speed.json', 'scale.json', 'train_speed_*.json', 'train_vs_walkthrough.json', 'real_audio_cv*.json',
            'recipe_cost*.json', 'epoch_profile*.json', 'app_speed*.json', 'same_scores.json'}

def readme() -> str:
    "The whole README, from the results files and the scripts' docstrings."
    docs, tuning = scripts(), tuning_md_writers()
    claimed = {f for p in SECTIONS for f in files(p)}
    parts = [intro(), index(docs, tuning), export_speed(), lwlrap_speed(), demo_speed(), layout_speed(), scale(), train_speed(),
             train_vs_walkthrough(), real_audio_cv(), same_scores(), recipe_cost(),
             generic_section('Where an epoch goes', 'epoch_profile*.json', 'epoch_profile.py'),
             generic_section('The web app', 'app_speed*.json', 'app_speed.py'), other_results(claimed)]
    return '\n\n'.join(p.strip() for p in parts if p) + '\n'

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--check', action='store_true', help='write nothing; exit 1, saying what differs, if the README is not what this would write')
    a = ap.parse_args()
    new = readme()
    if not a.check:
        README.write_text(new); print(f'wrote {README} ({len(new.encode()) / 1e3:.1f} kB)'); return 0
    old = README.read_text() if README.exists() else ''
    if old == new: print(f'{README}: up to date'); return 0
    diff = list(difflib.unified_diff(old.splitlines(), new.splitlines(), 'README.md (on disk)', 'README.md (from the results)', lineterm='', n=0))
    print(f"{README} is not what `python benchmarks/report.py` writes from the results ({'missing' if not old else 'differs'}):")
    print('\n'.join(diff[:200]) + (f'\n... and {len(diff) - 200} more lines' if len(diff) > 200 else ''))
    return 1

if __name__ == '__main__': sys.exit(main())
