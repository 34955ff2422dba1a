"What machine a benchmark ran on, for the results it writes: CPU model, core count, threads, native bfloat16."
import os, torch
from fsat_nb.core import cpu_name

def machine_info() -> dict:
    from fsat_nb.config import fast_bf16
    return dict(cpu=cpu_name(), cores=os.cpu_count(), threads=torch.get_num_threads(), bf16_native=fast_bf16('cpu'),
                gpu=torch.cuda.get_device_name(0) if torch.cuda.is_available() else None)

def yardstick(runs:int=1) -> float:
    """Seconds of `../shared/tools/yardstick.py` (20 float32 training steps of a fixed network, the best of three) in this
    environment, kernel emulation included; the best of `runs` calls. NaN where the script is not there."""
    import subprocess, sys
    from pathlib import Path
    path = Path(__file__).resolve().parents[2] / 'shared' / 'tools' / 'yardstick.py'
    if not path.exists(): return float('nan')
    return min(float(subprocess.run([sys.executable, str(path)], capture_output=True, text=True, check=True).stdout.split()[-1]) for _ in range(runs))
