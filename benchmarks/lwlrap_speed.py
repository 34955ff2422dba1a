"""lwlrap speed: `fsat_nb.metrics.lwlrap` against scikit-learn's label_ranking_average_precision_score.

Both on the same 20,000 x 80 input with about 1.2 true labels per clip, in the same run; each timed
--repeats times (best kept; the first call of each is a warm-up and not timed). Both results are checked
equal. Target: at least 50x.

    python benchmarks/lwlrap_speed.py [--clips 20000] [--classes 80] [--repeats 5]
"""
import argparse, sys, time
import numpy as np, torch
from sklearn.metrics import label_ranking_average_precision_score
from fsat_nb.metrics import lwlrap

def best(fn, repeats):
    fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); ts.append(time.perf_counter() - t0)
    return min(ts)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--clips', type=int, default=20000)
    ap.add_argument('--classes', type=int, default=80)
    ap.add_argument('--repeats', type=int, default=5)
    a = ap.parse_args()
    rng = np.random.default_rng(0)
    T = (rng.random((a.clips, a.classes)) < 0.2 / a.classes).astype(np.uint8)
    T[np.arange(a.clips), rng.integers(0, a.classes, a.clips)] = 1
    S = rng.standard_normal((a.clips, a.classes)).astype(np.float32)
    sk = lambda: label_ranking_average_precision_score(T, S, sample_weight=T.sum(1))
    ref, ours = sk(), lwlrap(T, S)
    assert abs(ref - ours) < 1e-9, (ref, ours)
    t_sk, t_np = best(sk, a.repeats), best(lambda: lwlrap(T, S), a.repeats)
    St, Tt = torch.from_numpy(S), torch.from_numpy(T)
    t_t = best(lambda: lwlrap(Tt, St), a.repeats)
    print(f'{a.clips} clips x {a.classes} classes, {T.sum(1).mean():.2f} true labels per clip, lwlrap {ours:.6f} (equal to scikit-learn)')
    print(f'scikit-learn LRAP (sample_weight)  {t_sk * 1e3:9.1f} ms')
    print(f'lwlrap, NumPy input                {t_np * 1e3:9.1f} ms   {t_sk / t_np:6.0f}x')
    print(f'lwlrap, torch CPU tensors          {t_t * 1e3:9.1f} ms   {t_sk / t_t:6.0f}x')
    ok = t_sk / t_np >= 50
    print(f'speed-up {t_sk / t_np:.0f}x (target >= 50x): ' + ('met' if ok else 'NOT met'))
    return 0 if ok else 1

if __name__ == '__main__': sys.exit(main())
