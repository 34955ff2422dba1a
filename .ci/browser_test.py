"""Run the notebooks the way a learner does: in JupyterLab, in a real browser, with the lab's own "Run All".

Starts the installed JupyterLab on 127.0.0.1 (a free port, a random token, `nbs/` as its root), opens each notebook
in the system Chromium (Debian's `chromium` and `chromium-driver`, driven by selenium; nothing is downloaded),
waits for the kernel, executes the lab's `notebook:run-all-cells` command (what Run > Run All Cells does), waits
until every cell has finished, and fails on any error output. It counts audio players and figures in the outputs
(the exploration notebook must show both) and saves screenshots of each notebook under `.ci/screenshots/`
(git-ignored). Where a notebook shows the clip explorer (`DRIVE`), it then uses it as a learner would: selects
another class in its menu and presses "next clip", checking each time that the figure, the player and the clip's
facts change, and uploads a sample clip through the upload button (selenium sets the button's file input), checking that the
model's tags for it appear, then a file that is not audio, checking the message that names it; it saves
screenshots of the explorer. The notebooks run in place, as committed (quick mode: `FULL = False`), and are never saved: autosave
is off and the server refuses every save, so the committed files do not change. The server stops at the end, also
on failure.

Run from the repository root: `python .ci/browser_test.py [--only NAME ...] [--timeout SECONDS]`."""
import argparse, json, os, secrets, signal, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / 'nbs'
SHOTS = ROOT / '.ci' / 'screenshots'
NOT_RUN = {'90_tests', '91_learner_tests'}  # engineering tests: nbdev_test runs them in the same CI; here only opened
EXPECT = {'03_explore': dict(audio=1, figures=1)}  # at least this many players and figures after the run
# the clip explorer, used after the run ('if shown': only when the notebook shows one, as 08 does when its data is there)
DRIVE = {'07_predict': ('browse', 'upload'), '08_own_data': ('if shown', 'browse')}
CHROMIUM, CHROMEDRIVER = '/usr/bin/chromium', '/usr/bin/chromedriver'
WIDTH, SHOT_HEIGHT, MAX_SHOTS = 1400, 5000, 12  # screenshot width, height of one screenshot, screenshots a notebook

# JupyterLab settings for this run only (a temporary user settings folder): no autosave; every cell in the page, so
# outputs can be counted and photographed, and no blank page after the last; no news or update checks
LAB_SETTINGS = {
    '@jupyterlab/docmanager-extension/plugin': {'autosave': False},
    '@jupyterlab/notebook-extension/tracker': {'windowingMode': 'none', 'scrollPastEnd': False},
    '@jupyterlab/apputils-extension/notification': {'fetchNews': 'false', 'checkForUpdates': False},
}
# Server configuration: a contents manager that refuses to write, so nothing the browser does can change nbs/
SERVER_CONFIG = '''
from tornado import web
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
class ReadOnlyContents(AsyncLargeFileManager):
    "Reads as usual; refuses saves, renames and deletes."
    def _refuse(self, path): raise web.HTTPError(403, f"browser test: {path} is read-only")
    async def save(self, model, path=""): self._refuse(path)
    async def rename_file(self, old_path, new_path): self._refuse(old_path)
    async def delete_file(self, path): self._refuse(path)
c.ServerApp.contents_manager_class = ReadOnlyContents
'''

def free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

class Lab:
    "The installed JupyterLab on 127.0.0.1 serving `nbs/`, its settings kept in folder `tmp`; a context manager."
    def __init__(self, tmp):
        self.tmp, self.port, self.token = Path(tmp), free_port(), secrets.token_hex(24)
        self.url = f'http://127.0.0.1:{self.port}'
    def api(self, path, method='GET', timeout=10):
        req = urllib.request.Request(self.url + path, method=method, headers={'Authorization': f'token {self.token}'})
        with urllib.request.urlopen(req, timeout=timeout) as r: return r.read()
    def __enter__(self):
        for name, value in LAB_SETTINGS.items():
            p = self.tmp / 'settings' / f'{name}.jupyterlab-settings'
            p.parent.mkdir(parents=True, exist_ok=True); p.write_text(json.dumps(value))
        (self.tmp / 'config').mkdir(); (self.tmp / 'config' / 'jupyter_server_config.py').write_text(SERVER_CONFIG)
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(self.tmp / 'config'),
                   JUPYTER_RUNTIME_DIR=str(self.tmp / 'runtime'))
        cmd = [sys.executable, '-m', 'jupyterlab', '--no-browser', '--ip=127.0.0.1', f'--port={self.port}',
               '--ServerApp.port_retries=0', f'--IdentityProvider.token={self.token}', f'--notebook-dir={NBS}',
               '--expose-app-in-browser', f'--LabApp.user_settings_dir={self.tmp / "settings"}',
               f'--LabApp.workspaces_dir={self.tmp / "workspaces"}'] + (['--allow-root'] if os.geteuid() == 0 else [])
        self.log = open(self.tmp / 'server.log', 'w')
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        t0 = time.time()
        while True:
            try: self.api('/api/status'); break
            except OSError:
                if self.proc.poll() is not None or time.time() - t0 > 120:
                    self.stop(); raise RuntimeError(f'JupyterLab did not start:\n{self.log_tail()}')
                time.sleep(1)
        print(f'JupyterLab answered on {self.url} after {time.time() - t0:.0f} s', flush=True)
        return self
    def log_tail(self, n=30): return '\n'.join((self.tmp / 'server.log').read_text().splitlines()[-n:])
    def stop(self):
        "Ask the server to shut down (it stops its kernels), then terminate, then kill its process group."
        if self.proc.poll() is None:
            try: self.api('/api/shutdown', 'POST')
            except OSError: pass
        for sig in (None, signal.SIGTERM, signal.SIGKILL):
            if sig is not None and self.proc.poll() is None:
                try: os.killpg(self.proc.pid, sig)
                except ProcessLookupError: pass
            try: self.proc.wait(15); break
            except subprocess.TimeoutExpired: pass
        self.log.close()
    def __exit__(self, *exc): self.stop()

def browser(tmp):
    "Headless system Chromium through the system chromedriver (selenium's driver manager is not used)."
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    o = webdriver.ChromeOptions()
    o.binary_location = CHROMIUM
    for a in ('--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--mute-audio',
              '--no-first-run', '--disable-extensions', '--disable-background-networking', '--disable-component-update',
              f'--window-size={WIDTH},1000', f'--user-data-dir={tempfile.mkdtemp(dir=tmp, prefix="chrome-")}'):
        o.add_argument(a)
    o.unhandled_prompt_behavior = 'accept'
    d = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=o)
    d.set_script_timeout(60)
    return d

# JavaScript run in the page; `arguments[0]` is the notebook's path: the notebook's widget is found by its path among
# the main area's (JupyterLab 4.6's `shell.currentWidget` can be null in a headless browser that never had focus).
JS_NB = '''const app = window.jupyterapp; if (!app) return null;
const w = [...app.shell.widgets('main')].find(x => x.context && x.context.path === arguments[0]); if (!w) return null;'''
JS_KERNEL = JS_NB + '''
if (!w.context.isReady) return 'loading';
const k = w.sessionContext.session && w.sessionContext.session.kernel;
return k ? k.status : 'no kernel';'''
JS_RUN_ALL = JS_NB + '''
app.shell.activateById(w.id);
window.__runAll = {done: false};
app.commands.execute('notebook:run-all-cells').then(
  r => { window.__runAll = {done: true, ok: r !== false}; },
  e => { window.__runAll = {done: true, ok: false, err: String(e)}; });
return true;'''
JS_STATE = JS_NB + '''
const k = w.sessionContext.session && w.sessionContext.session.kernel;
const s = {kernel: k ? k.status : 'no kernel', runAll: window.__runAll || null, code: 0, run: 0, pending: 0,
           notRun: 0, errors: [], stderr: [], audio: 0, figures: 0, images: 0,
           dialogs: [...document.querySelectorAll('.jp-Dialog')].map(d => d.innerText.slice(0, 300))};
w.content.widgets.forEach((c, i) => {
  if (c.model.type !== 'code') return;
  s.code++;
  const p = c.node.querySelector('.jp-InputPrompt');
  if (p && p.textContent.includes('*')) s.pending++;
  if (c.model.executionCount != null) s.run++;
  else if (c.model.sharedModel.getSource().trim()) s.notRun++;
  for (const o of c.model.outputs.toJSON()) {
    if (o.output_type === 'error') s.errors.push(`cell ${i + 1}: ${o.ename}: ${o.evalue}`.slice(0, 500));
    const t = [].concat(o.text || []).join('');
    if (o.output_type === 'stream' && o.name === 'stderr') s.stderr.push(`cell ${i + 1}: ${t.trim()}`.slice(0, 300));
    if (o.output_type === 'stream' && o.name === 'stderr' && /Traceback|Error/.test(t))
      s.errors.push(`cell ${i + 1}: stderr: ${t}`.slice(0, 500));
  }
  for (const o of c.node.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
    if (/Traceback/.test(o.innerText) && !s.errors.some(e => e.startsWith(`cell ${i + 1}:`)))
      s.errors.push(`cell ${i + 1}: shown: ${o.innerText}`.slice(0, 500));
});
s.audio = w.node.querySelectorAll('.jp-OutputArea-output audio').length;
const imgs = [...w.node.querySelectorAll('.jp-OutputArea-output img')];
s.images = imgs.length; s.figures = imgs.filter(m => m.complete && m.naturalWidth > 0).length;
return s;'''
JS_SHUTDOWN = JS_NB.replace('return null', 'return arguments[1](false)') + '''
w.sessionContext.shutdown().then(() => arguments[1](true), () => arguments[1](false));'''

def wait_for(what, f, timeout, every=1):
    "Call `f` until it returns something truthy; that, or a `TimeoutError` naming `what` after `timeout` seconds."
    t0 = time.time()
    while True:
        r = f()
        if r: return r
        if time.time() - t0 > timeout: raise TimeoutError(f'{what}: not after {timeout:.0f} s')
        time.sleep(every)

def screenshots(d, name):
    "Screenshots of the whole notebook (sidebars closed), in parts of at most `SHOT_HEIGHT` pixels."
    d.execute_script('jupyterapp.shell.collapseLeft(); jupyterapp.shell.collapseRight();')
    js = """const w = [...jupyterapp.shell.widgets('main')].find(x => x.context && x.context.path === arguments[1]);
            const n = w.content.node;
            const s = n.querySelector('.jp-WindowedPanel-outer') || n;  // what scrolls
            if (arguments[0] != null) s.scrollTop = arguments[0];
            return [s.scrollHeight, s.clientHeight, window.innerHeight];"""
    path = f'{name}.ipynb'
    full, view, inner = d.execute_script(js, None, path)
    d.set_window_size(WIDTH, min(full, SHOT_HEIGHT) + inner - view + 100)  # outer size: a little for the frame
    time.sleep(1)
    full, view, _ = d.execute_script(js, None, path)
    for f in [*SHOTS.glob(f'{name}.png'), *SHOTS.glob(f'{name}-*.png')]: f.unlink()
    paths, n = [], -(-full // view)
    if n > MAX_SHOTS: print(f'{name}: screenshots of the first {MAX_SHOTS * view} of {full} pixels only', flush=True)
    for i in range(min(MAX_SHOTS, n)):
        d.execute_script(js, i * view, path)
        time.sleep(0.5)
        p = SHOTS / (f'{name}.png' if i == 0 else f'{name}-{i + 1}.png')
        d.save_screenshot(str(p)); paths.append(p)
    return paths

# The last clip explorer in the current notebook: what it shows now
JS_EXPLORER = JS_NB + '''
const all = w.node.querySelectorAll('.fsat-explorer'); const e = all[all.length - 1]; if (!e) return {found: false};
const q = c => e.querySelector(c), img = q('img.fsat-figure'), au = q('audio.fsat-player'), sel = q('.fsat-clip select');
return {found: true, img: img ? img.src : '', loaded: !!(img && img.complete && img.naturalWidth > 0),
        audio: au ? au.src : '', info: q('.fsat-info') ? q('.fsat-info').innerText : '',
        message: q('.fsat-message') ? q('.fsat-message').innerText : '', clip: sel ? sel.selectedIndex : -1,
        clips: sel ? sel.options.length : 0};'''

# What the explorer's figure and player hold (their sources are new blob URLs on every update, even of equal bytes)
JS_CONTENT = JS_NB.replace('return null', 'return arguments[arguments.length - 1](null)') + '''
const done = arguments[arguments.length - 1];
const all = w.node.querySelectorAll('.fsat-explorer'); const e = all[all.length - 1]; if (!e) return done(null);
const hash = async el => {
  if (!el || !el.src) return '';
  const b = new Uint8Array(await (await fetch(el.src)).arrayBuffer());
  let x = 2166136261 >>> 0;
  for (let i = 0; i < b.length; i++) x = Math.imul(x ^ b[i], 16777619) >>> 0;
  return b.length + ' bytes, FNV-1a ' + x; };
Promise.all([hash(e.querySelector('img.fsat-figure')), hash(e.querySelector('audio.fsat-player'))])
  .then(([img, audio]) => done({img, audio}), err => done({img: 'error: ' + err, audio: 'error: ' + err}));'''

def drive_explorer(d, name, path, tmp, actions):
    "Use the clip explorer of notebook `name` as a learner would (`actions`: 'browse', 'upload'); a list of what was checked."
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    def state():
        s = d.execute_script(JS_EXPLORER, path)
        if s and s['found']: s.update(d.execute_async_script(JS_CONTENT, path) or {})
        return s
    try: s0 = wait_for(f'{name}: explorer shown', lambda: (s := state()) and s['found'] and s['loaded'] and s, 10 if 'if shown' in actions else 60)
    except TimeoutError:
        if 'if shown' in actions and not state()['found']: return ['none shown (the notebook shows one only when its data is there)']
        raise
    root = d.find_elements(By.CSS_SELECTOR, '.fsat-explorer')[-1]
    d.set_window_size(WIDTH, 1600)                          # the whole explorer in view, for its screenshots
    d.execute_script('arguments[0].scrollIntoView(true);', root)
    def changed(what, before, must=()):
        "Wait until the figure's and the player's bytes and the facts all differ from `before` (the facts containing each of `must`)."
        ok = lambda s: (s['loaded'] and s['img'] != before['img'] and s['audio'] != before['audio'] and s['info'] != before['info']
                        and all(m in s['info'] for m in must) and s)
        try: return wait_for(f'{name}: {what}', lambda: ok(state()), 60, every=0.5)
        except TimeoutError as e: raise TimeoutError(f'{e}; explorer now: {state()}') from None
    done = []
    if 'browse' in actions:
        group = Select(root.find_element(By.CSS_SELECTOR, '.fsat-group select'))
        k = next(i for i, o in enumerate(group.options) if not o.is_selected() and not o.text.startswith('worst'))
        cls = group.options[k].text.rsplit(' (', 1)[0]
        group.select_by_index(k)
        s1 = changed(f'another class ({cls})', s0, [cls.split(' + ')[0]])
        done.append(f'class menu: {cls!r} shown')
        root.find_element(By.CSS_SELECTOR, 'button.fsat-next').click()
        if s1['clips'] > 1:
            s2 = changed('next clip', s1)
            if s2['clip'] != s1['clip'] + 1: raise RuntimeError(f"{name}: next clip selected clip {s2['clip']}, expected {s1['clip'] + 1}")
            done.append(f"next clip: clip {s2['clip'] + 1} of {s2['clips']} shown")
        root.screenshot(str(SHOTS / f'explorer-{name}.png'))
    def upload(f):
        """Choose file `f` with the upload button. ipywidgets keeps the button's file input out of the page; the click on
        the button is let through, but the input's own click, which would open the file dialog, puts the input in the
        page instead, where selenium can set its file (which fires the input's change event, as choosing a file does)."""
        d.execute_script('''const orig = HTMLInputElement.prototype.click;
            HTMLInputElement.prototype.click = function () {
              if (this.type !== 'file') return orig.call(this);
              HTMLInputElement.prototype.click = orig; this.id = 'browser-test-file'; document.body.appendChild(this); };''')
        root.find_element(By.CSS_SELECTOR, '.fsat-upload').click()
        d.find_element(By.ID, 'browser-test-file').send_keys(str(f))
    if 'upload' in actions:
        from fsat_nb.sample import data_path
        clip = sorted((data_path() / 'test').glob('*.wav'))[0]
        before = state()
        upload(clip)
        changed(f'upload of {clip.name}', before, [clip.name, 'top tags'])
        done.append(f'upload: {clip.name} tagged')
        root.screenshot(str(SHOTS / f'explorer-{name}-upload.png'))
        bad = Path(tmp) / 'not-audio.wav'; bad.write_text('these are words, not sound')
        upload(bad)
        want = 'not-audio.wav: not readable as audio'
        try: wait_for(f'{name}: message for an unreadable upload', lambda: want in state()['message'], 60, every=0.5)
        except TimeoutError as e: raise TimeoutError(f'{e}; explorer now: {state()}') from None
        done.append('unreadable upload: message shown')
    return done

def test_notebook(lab, name, tmp, timeout):
    "Open notebook `name` in a fresh browser, run all its cells (unless in `NOT_RUN`), check it; a result dict."
    t0, path, d = time.time(), f'{name}.ipynb', browser(tmp)
    res = dict(notebook=name, seconds=0, cells='not run', audio='', figures='', stderr='', errors=[], warnings=[],
               shots=[])
    try:
        d.get(f'{lab.url}/lab/workspaces/browser-test-{name}/tree/{path}?reset&token={lab.token}')
        wait_for(f'{name}: kernel idle', lambda: d.execute_script(JS_KERNEL, path) == 'idle', 180)
        print(f'{name}: open, kernel idle after {time.time() - t0:.0f} s', flush=True)
        if name not in NOT_RUN:
            t1 = time.time()
            if not d.execute_script(JS_RUN_ALL, path): raise RuntimeError('notebook is not the current widget')
            def finished():
                s = d.execute_script(JS_STATE, path)
                if s is None: raise RuntimeError('the notebook is no longer the current widget')
                if s['kernel'] in ('dead', 'unknown') or s['dialogs']:
                    raise RuntimeError(f"kernel {s['kernel']}; dialogs: {s['dialogs']}")
                return s if s['runAll'] and s['runAll']['done'] and not s['pending'] and s['kernel'] == 'idle' else None
            try: s = wait_for(f'{name}: run all', finished, timeout, every=2)
            except TimeoutError as e:
                s = d.execute_script(JS_STATE, path)
                res['errors'].append(f"{e} ({s['run']} of {s['code']} code cells run, {s['pending']} waiting)")
                d.execute_script('jupyterapp.commands.execute("notebook:interrupt-kernel")')
            time.sleep(1)  # let the last images load
            s = d.execute_script(JS_STATE, path)
            res.update(seconds=time.time() - t1, cells=f"{s['run']}/{s['code']}", audio=s['audio'],
                       figures=s['figures'], stderr=len(s['stderr']))
            res['errors'] += s['errors']
            res['warnings'] = s['stderr'][:5]  # shown, not failures (unless in the errors)
            if s['runAll'] and not s['runAll']['ok'] and not s['errors']:
                res['errors'].append(f"run all did not succeed: {s['runAll'].get('err', '')}")
            if s['notRun'] and not res['errors']: res['errors'].append(f"{s['notRun']} code cells were not run")
            if s['images'] > s['figures']: res['errors'].append(f"{s['images'] - s['figures']} images did not load")
            for k, n in EXPECT.get(name, {}).items():
                if s[k] < n: res['errors'].append(f'{s[k]} {k} in the outputs, expected at least {n}')
            if name in DRIVE and not res['errors']:
                res['widgets'] = drive_explorer(d, name, path, tmp, DRIVE[name])
        res['shots'] = screenshots(d, name)
    except Exception as e:
        res['errors'].append(f'{type(e).__name__}: {e}'.strip())
        try: res['shots'] = screenshots(d, name)
        except Exception: pass
    finally:
        try: d.execute_async_script(JS_SHUTDOWN, path)  # stop this notebook's kernel; never save
        except Exception: pass
        d.quit()
    ran = '' if name in NOT_RUN else (f" (run all {res['seconds']:.0f} s): {res['cells']} code cells run, "
                                      f"{res['audio']} audio players, {res['figures']} figures, "
                                      f"{res['stderr']} stderr outputs")
    print(f"{name}: {'FAIL' if res['errors'] else 'ok'} in {time.time() - t0:.0f} s{ran}", flush=True)
    for e in res.get('widgets', []): print(f'  explorer: {e}', flush=True)
    for e in res['errors']: print(f'  error: {e}', flush=True)
    for e in res['warnings']: print(f'  stderr: {e}', flush=True)
    return res

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--only', nargs='+', metavar='NAME', help='notebook names (without .ipynb); default: all in nbs/')
    ap.add_argument('--timeout', type=float, default=1800, help='seconds one notebook may take to run (default 1800)')
    a = ap.parse_args()
    names = [n.removesuffix('.ipynb') for n in a.only] if a.only else sorted(p.stem for p in NBS.glob('*.ipynb'))
    if missing := [n for n in names if not (NBS / f'{n}.ipynb').exists()]: sys.exit(f'no such notebook: {missing}')
    for f in (CHROMIUM, CHROMEDRIVER):
        if not Path(f).exists(): sys.exit(f'{f} missing: apt-get install chromium chromium-driver')
    os.environ['SE_OFFLINE'] = 'true'  # selenium never looks for drivers or browsers online
    SHOTS.mkdir(parents=True, exist_ok=True)
    t0, results = time.time(), []
    with tempfile.TemporaryDirectory(prefix='browser-test-') as tmp, Lab(tmp) as lab:
        try:
            for n in names: results.append(test_notebook(lab, n, tmp, a.timeout))
        finally:
            if any(r['errors'] for r in results): print(f'server log (last lines):\n{lab.log_tail()}')
    w = max([len('notebook')] + [len(r['notebook']) for r in results]) + 2
    print(f"\n{'notebook':<{w}}{'seconds':>8}{'cells':>8}{'audio':>7}{'figures':>9}{'stderr':>8}{'errors':>8}")
    for r in results:
        print(f"{r['notebook']:<{w}}{r['seconds']:>8.0f}{r['cells']:>8}{r['audio']:>7}{r['figures']:>9}{r['stderr']:>8}"
              f"{len(r['errors']):>8}")
    print('seconds: Run All to the last cell finished; cells: code cells run / code cells; audio: players; '
          'figures: images shown; stderr: outputs on stderr (warnings: failures only when they say Traceback or Error)')
    bad = [r['notebook'] for r in results if r['errors']]
    print(f'{len(results)} notebooks in {time.time() - t0:.0f} s; screenshots in {SHOTS.relative_to(ROOT)}/')
    if bad: sys.exit(f'FAIL: errors in {", ".join(bad)}')
    print('browser test: all notebooks ran without errors')

if __name__ == '__main__': main()
