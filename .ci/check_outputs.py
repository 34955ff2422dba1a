"""Fail when a lesson notebook is committed without the outputs its code cells make.

The lessons are read on the web, where nobody runs them: a figure, a table, a player or a printout the prose points
at must be in the committed notebook. A lesson notebook is every `nbs/*.ipynb` but those in `NOT_LESSONS`.

A code cell must have at least one output when it "displays": it is not marked `#| export`, `#| exporti`,
`#| exports`, `#| hide` or `#| eval: false`, and its top-level code (not the bodies of the functions and classes it
defines) calls something that shows (see `SHOWS`) or ends with an expression that is not a call to a `test_*`
function and not silenced with `;`. Every lesson notebook must also have outputs in at least one cell.

No notebook may keep widgets: neither the widget state an executor saves in the notebook's metadata (it holds the
data of every widget made while the notebook ran, closed or not: the explorer's players hold audio, which for the
UrbanSound8K subset must never be committed) nor widget views in the outputs (they show nothing without a running
kernel). `--strip-widgets` removes both and keeps each view's text fallback, which says to run the notebook.

No notebook may keep an output a reader cannot use (`check_hygiene`): an error, a warning, progress-bar text (fastai's
console bars; run the notebook the way JupyterLab does, so the epoch tables are HTML), a path of the machine that ran
it (`/tmp/...`, `/home/...`, `/root/...`, a working copy's `/work/...`, a `site-packages` path), or a stray repr as a
cell's result (`<Axes: ...>`, `CompletedProcess(...)`, `<... object at 0x...>`).
Run from the repository root: `python .ci/check_outputs.py [--strip-widgets] [NOTEBOOK ...]` (default: all lesson
notebooks; widgets are checked in every notebook)."""
import ast, json, re, sys
from pathlib import Path

NOT_LESSONS = {'00_core', '90_tests', '91_learner_tests'}  # library and engineering-test notebooks: no outputs needed
SKIP_FLAGS = re.compile(r'^#\|\s*(export|exporti|exports|hide|eval:\s*false)\b', re.M)
# calls that put something on screen: figures, players, tables, printouts
SHOWS = re.compile(r'^(plt\..*|.*plot.*|show_.*|.*\.show|print|display|.*\.summary|Audio)$')

def code_of(src):
    "Cell source without nbdev directives, IPython magics and shell escapes (so `ast` can parse it)."
    return '\n'.join('' if re.match(r'\s*(#\||%|!)', l) else l for l in src.splitlines())

def dotted(f):
    "`plt.plot` for the function of a call `plt.plot(...)`; `...show` when the chain starts with something else."
    parts = []
    while isinstance(f, ast.Attribute): parts.append(f.attr); f = f.value
    parts.append(f.id if isinstance(f, ast.Name) else '...')
    return '.'.join(reversed(parts))

def shows(stmt):
    "First call under `stmt` that displays, skipping bodies of functions and classes and of `if FULL:` branches."
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)): return ''
    if isinstance(stmt, ast.If) and any(isinstance(n, ast.Name) and n.id == 'FULL' for n in ast.walk(stmt.test)):
        return next((s for s in map(shows, stmt.orelse) if s), '')  # the full run only: not run as committed
    if isinstance(stmt, ast.Call) and SHOWS.match(dotted(stmt.func)): return dotted(stmt.func)
    return next((s for s in map(shows, ast.iter_child_nodes(stmt)) if s), '')

def displays(src):
    "Why a code cell (source `src`) must leave an output, or '' if it need not."
    if SKIP_FLAGS.search(src): return ''
    code = code_of(src)
    try: tree = ast.parse(code)
    except SyntaxError: return ''  # not plain Python (nbdev_clean and the tests report that)
    for stmt in tree.body:
        if s := shows(stmt): return f'calls {s} (line {stmt.lineno})'
    last = tree.body[-1] if tree.body else None
    if isinstance(last, ast.Expr) and not isinstance(last.value, ast.Constant):
        name = dotted(last.value.func) if isinstance(last.value, ast.Call) else ''
        silenced = code.splitlines()[last.end_lineno - 1].rstrip().endswith(';')
        if not name.split('.')[-1].startswith('test_') and not silenced:
            return f'ends with an expression (line {last.lineno})'
    return ''

def check(path):
    "Problems of notebook `path`, as messages naming the notebook and the cell."
    nb, probs = json.loads(Path(path).read_text()), []
    cells = [(i, c) for i, c in enumerate(nb['cells'], 1) if c['cell_type'] == 'code']
    for i, c in cells:
        src = ''.join(c['source'])
        why = displays(src)
        if why and not c.get('outputs'):
            first = next((l for l in src.splitlines() if l.strip() and not l.startswith('#|')), '')[:70]
            probs.append(f'{path}: cell {i} ({first!r}) {why} but has no output committed')
    if not any(c.get('outputs') for _, c in cells) and any(displays(''.join(c['source'])) for _, c in cells):   # a notebook of tests alone shows nothing
        probs.append(f'{path}: no cell has outputs committed')
    return probs

WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'

def widget_views(nb):
    "The outputs of `nb` that carry a widget view."
    return [o for c in nb['cells'] for o in c.get('outputs', []) if WIDGET_VIEW in o.get('data', {})]

def check_widgets(path):
    "Problems with widgets kept in notebook `path`."
    nb, probs = json.loads(Path(path).read_text()), []
    if 'widgets' in nb.get('metadata', {}):
        probs.append(f'{path}: widget state saved in the notebook metadata (it holds the data of every widget the run made)')
    if n := len(widget_views(nb)): probs.append(f'{path}: {n} widget view(s) in the outputs (they show nothing without a kernel)')
    return probs

def strip_widgets(path):
    "Remove widget state and widget views from notebook `path` (keeping each view's text fallback); True if it changed."
    nb = json.loads(Path(path).read_text())
    views = widget_views(nb)
    if 'widgets' not in nb.get('metadata', {}) and not views: return False
    nb['metadata'].pop('widgets', None)
    for o in views: o['data'].pop(WIDGET_VIEW)
    Path(path).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    return True

# what a reader cannot use, by kind; searched in every text an output carries (stream text, text/plain, text/html, ...)
HYGIENE = {
    'progress-bar text': re.compile(r'[█━▏▎▍▌▋▊▉]|\|[-#█ ]{10,}\||\b\d{1,3}\.\d\d% \[\d'),
    'a warning': re.compile(r'\b[A-Z]\w*Warning\b:'),
    'a machine path': re.compile(r'(?<![\w.~-])(?:/tmp/|/var/folders/|/home/\w|/Users/\w|/root/|/work/|[A-Za-z]:\\\\?Users\\)|site-packages'),
}
LESSON_HYGIENE = {'a scratch folder\'s random name': re.compile(r'\bscratch_\w{6,}')}   # fine in a library notebook's error messages
STRAY = re.compile(r'^\s*(?:<(?:Axes|AxesSubplot|matplotlib\.)[^>]*>|CompletedProcess\(|<[\w.]+ object at 0x[0-9a-f]+>)', re.M)

def output_texts(o):
    "Every text output `o` carries, as (kind, text) pairs."
    if 'text' in o: yield f"{o.get('name', 'stream')} text", ''.join(o['text'])
    for k, v in o.get('data', {}).items():
        if k.startswith('text/') or k.endswith('json'): yield k, v if isinstance(v, str) else ''.join(v) if isinstance(v, list) else json.dumps(v)

def empty(o):
    "Is output `o` a display with nothing to see (what a finished progress bar leaves behind)?"
    return o['output_type'] == 'display_data' and all(not (v if isinstance(v, str) else ''.join(v)).strip() for v in o.get('data', {}).values())

def strip_empty(path):
    "Drop the empty displays of notebook `path`; True when there were some."
    nb = json.loads(Path(path).read_text()); n = 0
    for c in nb['cells']:
        if 'outputs' in c: n -= len(c['outputs']); c['outputs'] = [o for o in c['outputs'] if not empty(o)]; n += len(c['outputs'])
    if n: Path(path).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    return bool(n)

def is_lesson(path):
    "The index and every notebook with a questionnaire."
    return path.stem == 'index' or '## Questionnaire' in path.read_text()

def check_hygiene(path, lesson=False):
    "Problems of notebook `path` a reader cannot use: errors, warnings, progress bars, machine paths, stray reprs (and, in a `lesson`, scratch folders' names)."
    nb, probs, rules = json.loads(Path(path).read_text()), [], {**HYGIENE, **(LESSON_HYGIENE if lesson else {})}
    for i, c in enumerate(nb['cells'], 1):
        for o in c.get('outputs', []):
            if empty(o): probs.append(f"{path}: cell {i} has an empty output (a finished progress bar's; --strip-widgets removes it)")
            if o['output_type'] == 'error': probs.append(f"{path}: cell {i} has an error output ({o.get('ename')}: {o.get('evalue', '')[:80]})")
            for kind, t in output_texts(o):
                for what, rx in rules.items():
                    if m := rx.search(t):
                        probs.append(f'{path}: cell {i} ({kind}) holds {what}: {t[max(0, m.start() - 30):m.end() + 30]!r}')
                if o['output_type'] == 'execute_result' and kind == 'text/plain' and (m := STRAY.search(t)):
                    probs.append(f'{path}: cell {i} ends with a stray repr: {t[m.start():m.start() + 60]!r} (end the line with `;`)')
    return probs

def main(names):
    if strip := '--strip-widgets' in names: names = [n for n in names if n != '--strip-widgets']
    every = [Path('nbs') / f'{n}.ipynb' for n in names] if names else sorted(Path('nbs').glob('*.ipynb'))
    if strip:
        for p in every:
            if strip_widgets(p): print(f'{p}: widgets removed')
            if strip_empty(p): print(f'{p}: empty outputs removed')
    paths = [p for p in every if names or p.stem not in NOT_LESSONS]
    probs = [m for p in paths for m in check(p)] + [m for p in every for m in check_widgets(p) + check_hygiene(p, is_lesson(p))]
    for m in probs: print(m)
    if probs: sys.exit(f'FAIL: {len(probs)} problem(s): run the notebook (Jupyter\'s "Run All"), save it '
                       'with its outputs, run `python .ci/check_outputs.py --strip-widgets` and nbdev_clean, and commit it')
    print(f'outputs committed in all {len(paths)} lesson notebooks ({", ".join(p.stem for p in paths)})')

if __name__ == '__main__': main(sys.argv[1:])
