"""Run the chapter notebooks under several arithmetic paths and name every cell whose output changes.

The stored outputs must not depend on the CPU: not on the BLAS kernel that
OpenBLAS picks, not on the SIMD version of ``exp`` or ``log`` that numpy
picks, not on the number of BLAS threads. This script stands in for other
CPUs with environment variables and runs strict nbval (the same comparison
``pytest`` makes) on every chapter under each of them:

=============  ==============================================================
configuration  what it imitates
=============  ==============================================================
default        this machine as it is
haswell        ``OPENBLAS_CORETYPE=Haswell``: OpenBLAS's AVX2 kernels
prescott       ``OPENBLAS_CORETYPE=Prescott``: OpenBLAS's SSE3 kernels
avx2           Haswell kernels and numpy without AVX-512 (an AVX2-only CPU)
baseline       SSE3 kernels and numpy at its baseline (x86-64-v2, no AVX)
one-thread     ``OPENBLAS_NUM_THREADS=1``
=============  ==============================================================

Usage::

    python tools/check_reproducible.py                 # every chapter, every configuration
    python tools/check_reproducible.py chapters/04_schedules.ipynb --configs default avx2

It prints one line per configuration and notebook, then the differing
cells, and exits with status 1 if any cell differs. It takes a few minutes
(two configurations run at a time), so it is not part of ``pytest``; run it
before committing a change to ``lrcourse`` or to a chapter.
"""

import argparse
import concurrent.futures
import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

NO_AVX512 = "X86_V4 AVX512_ICL AVX512_SPR"
CONFIGS = {
    "default": {},
    "haswell": {"OPENBLAS_CORETYPE": "Haswell"},
    "prescott": {"OPENBLAS_CORETYPE": "Prescott"},
    "avx2": {"OPENBLAS_CORETYPE": "Haswell", "NPY_DISABLE_CPU_FEATURES": NO_AVX512},
    "baseline": {"OPENBLAS_CORETYPE": "Prescott", "NPY_DISABLE_CPU_FEATURES": "X86_V3 " + NO_AVX512},
    "one-thread": {"OPENBLAS_NUM_THREADS": "1"},
}

FAILED_CELL = re.compile(r"^FAILED (\S+\.ipynb)::Cell (\d+)", re.MULTILINE)


def run_config(name, notebooks):
    """Strict nbval over ``notebooks`` under configuration ``name``: {notebook: [differing cells]}."""
    env = {key: value for key, value in os.environ.items() if key not in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS")}
    env.update(CONFIGS[name])
    command = [sys.executable, "-m", "pytest", "-q", "-rf", "--no-header", "-p", "no:cacheprovider", "--nbval", *map(str, notebooks)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    differing = {str(nb): [] for nb in notebooks}
    for notebook, cell in FAILED_CELL.findall(done.stdout):
        differing.setdefault(notebook, []).append(int(cell))
    if done.returncode not in (0, 1) or (done.returncode == 1 and not any(differing.values())):
        raise RuntimeError(f"pytest failed to run under {name!r}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return differing


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path, help="notebooks to check (default: every chapter)")
    parser.add_argument("--configs", nargs="+", choices=sorted(CONFIGS), default=list(CONFIGS), help="configurations to run")
    parser.add_argument("--jobs", type=int, default=2, help="configurations run at the same time (default 2)")
    args = parser.parse_args(argv)
    notebooks = [nb.resolve().relative_to(ROOT) for nb in args.notebooks] or sorted(
        path.relative_to(ROOT) for path in (ROOT / "chapters").glob("*.ipynb")
    )
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = dict(zip(args.configs, pool.map(lambda name: run_config(name, notebooks), args.configs)))
    any_difference = False
    for name, differing in results.items():
        for notebook in map(str, notebooks):
            cells = differing.get(notebook, [])
            any_difference |= bool(cells)
            verdict = "same as stored" if not cells else "cells " + ", ".join(map(str, cells)) + " differ"
            print(f"{name:>10}  {notebook}: {verdict}")
    print("\nno cell differs under any configuration" if not any_difference else "\nsome cells differ (listed above)")
    return 1 if any_difference else 0


if __name__ == "__main__":
    sys.exit(main())
