"""The web app in a real browser: `fsat_app` served on localhost and used as a person would, with headless Chromium.

Trains a small model on the sample with the default recipe (3 epochs: any model file `fsat_train` saves must work),
starts `fsat_app MODEL --port P` (a free port), and in Debian's Chromium driven by selenium, whose fake microphone
plays a clip of the sample:
1. uploads a clip: the page must show the model's top five tags for it, in order and with the scores (as percentages)
   that `fsat_predict` writes for the same file;
2. uploads a file that is not audio: the page must name it and say what is wrong, with no traceback, and the server
   must go on answering;
3. records with the microphone (the fake one) for a few seconds: the page must tag the recording;
4. loads a model file that is not one: the page must say so.
Screenshots go to `.ci/screenshots/app-*.png` (`--picture PATH` also keeps the first one there, for the lessons).
The server stops at the end, also on failure.

Run from the repository root: `python .ci/app_test.py [--picture PATH] [--model MODEL]`."""
import argparse, os, secrets, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / '.ci' / 'screenshots'
CHROMIUM, CHROMEDRIVER = '/usr/bin/chromium', '/usr/bin/chromedriver'

def free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode: sys.exit(f"FAIL: {' '.join(map(str, cmd))}\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}")
    return p

def browser(tmp, mic_wav):
    "Headless Chromium whose microphone plays `mic_wav` (Chromium's fake capture device)."
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    o = webdriver.ChromeOptions(); o.binary_location = CHROMIUM
    for a in ('--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--mute-audio', '--no-first-run',
              '--disable-extensions', '--disable-background-networking', '--disable-component-update', '--window-size=1400,1600',
              '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', f'--use-file-for-fake-audio-capture={mic_wav}',
              f'--user-data-dir={tempfile.mkdtemp(dir=tmp, prefix="chrome-")}'):
        o.add_argument(a)
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=o)

def wait_for(what, f, timeout=120, every=0.5):
    t0 = time.time()
    while True:
        try: r = f()
        except Exception: r = None
        if r: return r
        if time.time() - t0 > timeout: raise TimeoutError(f'{what}: not after {timeout} s')
        time.sleep(every)

def shown_tags(d):
    "The tags the page shows, in order: `[(name, percent)]`."
    from selenium.webdriver.common.by import By
    rows = d.find_element(By.ID, 'fsat-tags').find_elements(By.CSS_SELECTOR, '.confidence-set')
    return [(r.find_element(By.CSS_SELECTOR, 'dt').text, r.find_element(By.CSS_SELECTOR, 'dd').text) for r in rows]

def message(d):
    from selenium.webdriver.common.by import By
    return d.find_element(By.ID, 'fsat-message').text

def button(root, label):
    "The button of `root` with this aria-label or text."
    from selenium.webdriver.common.by import By
    for b in root.find_elements(By.CSS_SELECTOR, 'button'):
        if label in (b.get_attribute('aria-label'), b.text.strip()): return b
    raise LookupError(f'no button {label!r}')

def shot(d, name):
    SHOTS.mkdir(parents=True, exist_ok=True); p = SHOTS / f'app-{name}.png'; d.save_screenshot(str(p)); return p

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--picture', default=None, help='also keep the screenshot of the tagged upload here')
    ap.add_argument('--model', default=None, help='use this model file instead of training one (e.g. `fsat_demo`\'s, for the picture)')
    a = ap.parse_args()
    from selenium.webdriver.common.by import By
    t0 = time.time()
    tmp = Path(tempfile.mkdtemp(prefix='fsat_app_test-'))
    server = None
    try:
        data = tmp / 'sample'
        run(['fsat_sample', str(data)])
        if a.model: model = Path(a.model).resolve()
        else:
            run(['fsat_train', str(data), str(tmp / 'run'), '--epochs', '3'])       # the default recipe, short
            model = tmp / 'run' / 'model.pth'
        clips = sorted((data / 'test').glob('*.wav'))
        clip, mic = clips[0], clips[1]
        (tmp / 'one').mkdir(); shutil.copy(clip, tmp / 'one' / clip.name)
        run(['fsat_predict', str(model), str(tmp / 'one'), str(tmp / 'one.csv')])
        scores = pd.read_csv(tmp / 'one.csv').iloc[0, 1:].astype(float).sort_values(ascending=False, kind='stable')
        want = [(k, f'{round(100 * v)}%') for k, v in scores[:5].items()]
        port = free_port()
        log = open(tmp / 'server.log', 'w')
        server = subprocess.Popen(['fsat_app', str(model), '--port', str(port)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        url = f'http://127.0.0.1:{port}/'
        wait_for('the app answering', lambda: urllib.request.urlopen(url, timeout=5).status == 200, 180)
        print(f'the app answered on {url} after {time.time() - t0:.0f} s (model trained, predictions written)', flush=True)
        d = browser(tmp, mic)
        try:
            d.get(url)
            sound = wait_for('the sound input', lambda: d.find_element(By.ID, 'fsat-sound'), 60)
            sound.find_element(By.CSS_SELECTOR, 'input[type=file]').send_keys(str(clip))
            got = wait_for('tags for the uploaded clip', lambda: shown_tags(d) if clip.name in message(d) else None)
            wait_for('the figure', lambda: d.find_element(By.ID, 'fsat-plot').find_elements(By.CSS_SELECTOR, 'img'), 60)
            p = shot(d, 'upload')
            if a.picture: shutil.copy(p, a.picture)
            assert got == want, f'the page shows {got}; fsat_predict gives {want}'
            print(f'1. upload {clip.name}: {got[0][0]} {got[0][1]} first, the top five as fsat_predict: ok', flush=True)
            bad = tmp / 'notes.wav'; bad.write_text('this is not a sound\n' * 50)
            button(sound, 'Clear').click()
            wait_for('the input cleared', lambda: sound.find_elements(By.CSS_SELECTOR, 'input[type=file]'), 30)
            sound.find_element(By.CSS_SELECTOR, 'input[type=file]').send_keys(str(bad))
            msg = wait_for('the message for a file that is not audio', lambda: message(d) if 'notes.wav' in message(d) else None)
            shot(d, 'bad-file')
            assert 'Cannot tag this file' in msg and 'not readable as audio' in msg and 'Traceback' not in d.page_source, msg
            assert urllib.request.urlopen(url, timeout=5).status == 200
            print(f'2. a file that is not audio: "{msg[:90]}...": ok', flush=True)
            button(sound, 'Clear').click()
            button(sound, 'Record audio').click()
            wait_for('the record button', lambda: button(d.find_element(By.ID, 'fsat-sound'), 'Record'), 30).click()
            time.sleep(4)
            wait_for('the stop button', lambda: button(d.find_element(By.ID, 'fsat-sound'), 'Stop'), 30).click()
            rec = wait_for('tags for the recording', lambda: shown_tags(d) if ' s, ' in message(d) and clip.name not in message(d) else None)
            shot(d, 'microphone')
            assert len(rec) == 5, rec
            print(f'3. a recording from the microphone ({message(d).split(":")[0]}): tagged, {rec[0][0]} first: ok', flush=True)
            junk = tmp / 'junk.pth'; junk.write_text('not a model')
            next(b for b in d.find_elements(By.CSS_SELECTOR, 'button') if 'another model' in b.text).click()    # the accordion
            wait_for('the model upload', lambda: d.find_element(By.ID, 'fsat-model-file'), 30).find_element(By.CSS_SELECTOR, 'input[type=file]').send_keys(str(junk))
            said = wait_for('the message for a file that is not a model', lambda: d.find_element(By.ID, 'fsat-model').text if 'junk.pth' in d.find_element(By.ID, 'fsat-model').text else None)
            shot(d, 'bad-model')
            assert 'junk.pth: not a model file saved by fsat_nb' in said and 'fsat_demo' in said and str(tmp) not in said and '/tmp/' not in said, said
            print(f'4. a model file that is not one: "{said[:80]}...": ok', flush=True)
        finally: d.quit()
        print(f'app test passed in {time.time() - t0:.0f} s; screenshots in {SHOTS.relative_to(ROOT)}/app-*.png')
    finally:
        if server is not None:
            try: os.killpg(server.pid, signal.SIGTERM); server.wait(20)
            except (ProcessLookupError, subprocess.TimeoutExpired): os.killpg(server.pid, signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)

if __name__ == '__main__': main()
