"What machine a benchmark ran on, for the results it writes: CPU model, core count, threads, native bfloat16."
import os, platform, torch

def cpu_name() -> str:
    try: return next(l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name'))
    except (OSError, StopIteration): return platform.processor() or platform.machine()

def machine_info() -> dict:
    from fsat_nb.config import fast_bf16
    return dict(cpu=cpu_name(), cores=os.cpu_count(), threads=torch.get_num_threads(), bf16_native=fast_bf16('cpu'),
                gpu=torch.cuda.get_device_name(0) if torch.cuda.is_available() else None)
