"""fsat_nb's sound tagger as a web app, on Hugging Face Spaces or on your machine.

On a Space (sdk: gradio) this file is the app: the Space installs `requirements.txt` and serves the page with the model
file `model.pth` beside this file (or the one the `FSAT_MODEL` variable names). On your machine it runs the same page:

    python space/app.py runs/demo/model.pth        # then open http://127.0.0.1:7860

(`fsat_app runs/demo/model.pth` does the same, with `--port` and `--host`.)"""
import os, sys
from pathlib import Path
from fsat_nb.app import make_app, launch_options

model = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('FSAT_MODEL', str(Path(__file__).with_name('model.pth')))
demo = make_app(model if Path(model).exists() else None)   # without one, the page says how to make one
if __name__ == '__main__': demo.launch(**launch_options())  # a Space sets GRADIO_SERVER_NAME and _PORT; here 127.0.0.1:7860
