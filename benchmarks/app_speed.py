"""How long the web app takes to answer for a 5 s clip on this CPU.

Two figures, medians of `--runs` after two warm-up answers: the page's own work (`fsat_nb.app.answer`: decode, mel
spectrogram, every window through the model, the figure drawn) and the whole round trip through a running `fsat_app`
server on localhost (upload, answer, figure and tags sent back), with Gradio's own client. The model is `--model`, or
the default recipe trained on the sample for a few epochs (an answer costs the same whether the model is good or not).
Aim: a second or two.

    python benchmarks/app_speed.py [--model runs/demo/model.pth] [--runs 10] [--out FILE]
"""
import argparse, json, os, socket, statistics, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np, soundfile as sf, torch
from machine import machine_info
from fsat_nb.sample import data_path, synth_clip
from fsat_nb.config import TrainConfig, device_settings
from fsat_nb.pipeline import run_training
from fsat_nb.app import app_model, answer

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model', default=None)
    ap.add_argument('--runs', type=int, default=10)
    ap.add_argument('--out', default=str(Path(__file__).parent / 'out' / 'app_speed.json'))
    a = ap.parse_args()
    os.environ['GRADIO_ANALYTICS_ENABLED'] = 'False'
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        model_fn = Path(a.model) if a.model else d / 'run' / 'model.pth'
        if not a.model: run_training(data_path(), d / 'run', TrainConfig(epochs=3), quiet=True)
        clip = d / 'five_seconds.wav'
        sf.write(clip, synth_clip(['Bark', 'Car_passing_by'], 5., np.random.default_rng(0)), 44100)
        model, line = app_model(model_fn)
        for _ in range(2): answer(model, clip)
        local = []
        for _ in range(a.runs):
            t = time.perf_counter(); answer(model, clip); local.append(time.perf_counter() - t)
        with socket.socket() as s: s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]
        server = subprocess.Popen(['fsat_app', str(model_fn), '--port', str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            from gradio_client import Client, handle_file
            t0 = time.time()
            while True:
                try: client = Client(f'http://127.0.0.1:{port}/', verbose=False); break
                except Exception:
                    if time.time() - t0 > 120: raise
                    time.sleep(1)
            for _ in range(2): client.predict(handle_file(str(clip)), api_name='/tag')
            trip = []
            for _ in range(a.runs):
                t = time.perf_counter(); client.predict(handle_file(str(clip)), api_name='/tag'); trip.append(time.perf_counter() - t)
        finally: server.terminate(); server.wait(30)
    info, prec = machine_info(), device_settings(model.train_config, 'cpu')['precision']
    res = dict(machine=info, capability=torch.backends.cpu.get_cpu_capability(), precision=prec, threads=torch.get_num_threads(),
               model=line, clip_seconds=5.0, runs=a.runs, answer_s=statistics.median(local), round_trip_s=statistics.median(trip),
               answer_all=local, round_trip_all=trip)
    print(f"{info['cpu']}, {info['cores']} CPUs, {prec}; {line}")
    print(f"a 5 s clip: the page's answer {res['answer_s']:.2f} s, the round trip through the server {res['round_trip_s']:.2f} s "
          f"(medians of {a.runs}; aim: a second or two)")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=1) + '\n')
    print(f'wrote {a.out}')
    return 0 if res['round_trip_s'] <= 2 else 1

if __name__ == '__main__': sys.exit(main())
