"""How fast is a learning-rate sweep, and how light is ``import lrcourse``?

Run from the repository root::

    python benchmarks/sweep.py

It prints

* the wall time of 1,000 learning rates x 1,000 steps of plain gradient
  descent on a 2-D quadratic, all rates in one vectorized ``descent.run``
  (median of a few repeats; target < 0.2 s on a 2-core machine), and of a
  plain numpy loop doing the same job (the same landscape, the update, the
  divergence checks and the record of every position and loss): the
  package's one loop must stay within 2x of it;
* the time of ``import lrcourse`` in a fresh interpreter, alone and followed
  by the first use of ``lrcourse.descent`` (which loads numpy and the
  numerical modules), median of a few (target < 0.3 s), and whether that
  pulled in matplotlib or ipywidgets (it must not).

Timings depend on the machine and its load; nothing here is asserted by the
tests.
"""

import pathlib
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lrcourse import descent, landscapes  # noqa: E402

REPEATS = 5

IMPORT_PROBE = """
import sys, time
start = time.perf_counter()
import lrcourse
{use}
elapsed = time.perf_counter() - start
heavy = sorted(name for name in ("matplotlib", "ipywidgets") if name in sys.modules)
print(elapsed, ",".join(heavy))
"""


def median_time(job):
    """The median wall time of ``REPEATS`` calls of ``job()``, and its last result."""
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = job()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def time_sweep(n_rates=1000, steps=1000):
    landscape = landscapes.Quadratic2D(mu=0.1, L=1.0)
    rates = np.linspace(0.001, 2.5, n_rates)
    return median_time(lambda: descent.run(landscape, None, rates, steps))


def plain_numpy_sweep(landscape, rates, steps):
    """What ``descent.run`` computes for plain gradient descent, written as a bare numpy loop."""
    w = np.broadcast_to(landscape.default_start, (rates.size, 2)).copy()
    positions, losses = np.full((steps + 1, rates.size, 2), np.nan), np.full((steps + 1, rates.size), np.nan)
    loss = landscape.value(w)
    limit = landscape.min_value + 1e6 * np.maximum(loss - landscape.min_value, 1.0)
    positions[0], losses[0] = w, loss
    alive = np.ones(rates.size, dtype=bool)
    for t in range(steps):
        w = w - rates[:, np.newaxis] * landscape.grad(w)
        alive &= (np.abs(w) <= 1e12).all(axis=1)
        w[~alive] = 0.0
        loss = landscape.value(w)
        alive &= loss <= limit
        positions[t + 1, alive], losses[t + 1, alive] = w[alive], loss[alive]
    return positions, losses


def time_plain(n_rates=1000, steps=1000):
    landscape = landscapes.Quadratic2D(mu=0.1, L=1.0)
    rates = np.linspace(0.001, 2.5, n_rates)
    return median_time(lambda: plain_numpy_sweep(landscape, rates, steps))[0]


def time_import(use=""):
    times, heavy = [], set()
    for _ in range(REPEATS):
        output = subprocess.run(
            [sys.executable, "-c", IMPORT_PROBE.format(use=use)], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
        times.append(float(output[0]))
        heavy.update(output[1].split(",") if len(output) > 1 else [])
    return statistics.median(times), sorted(heavy)


def main():
    sweep_time, trajectory = time_sweep()
    diverged = int(np.count_nonzero(trajectory.diverged_at >= 0))
    print(f"sweep: 1000 rates x 1000 steps of gradient descent on {landscapes.Quadratic2D(mu=0.1, L=1.0)!r}")
    print(f"  median of {REPEATS}: {sweep_time:.3f} s (target < 0.2 s); {diverged} of 1000 rates diverged")
    plain_time = time_plain()
    ratio = sweep_time / plain_time
    print(f"  a plain numpy loop doing the same job: {plain_time:.3f} s; ratio {ratio:.2f} (target < 2)")
    for label, use in [("import lrcourse", ""), ("import lrcourse, then use lrcourse.descent", "lrcourse.descent")]:
        import_time, heavy = time_import(use)
        print(f"{label} in a fresh interpreter: median of {REPEATS}: {import_time:.3f} s (target < 0.3 s)")
        print(f"  heavy modules imported: {', '.join(heavy) if heavy else 'none'} (must be none)")


if __name__ == "__main__":
    main()
