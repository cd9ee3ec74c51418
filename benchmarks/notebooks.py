"""How long does each chapter take, and how much memory, in a fresh kernel on one core?

Run from the repository root::

    python benchmarks/notebooks.py                     # every chapter
    python benchmarks/notebooks.py chapters/07_real_task.ipynb

Each notebook runs top to bottom in its own fresh kernel, pinned to one CPU
core (where the system allows it), as on Binder or Colab. It prints the
wall time and the kernel's peak resident memory; the budget is 60 s and
1 GiB per notebook. The stored notebooks are not changed. Timings depend on
the machine and its load; nothing here is asserted by the tests.
"""

import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

RUNNER = """
import json, os, pathlib, resource, sys, time
import nbformat
from nbclient import NotebookClient
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
path = pathlib.Path(sys.argv[1])
notebook = nbformat.read(path, as_version=4)
client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                        resources={"metadata": {"path": str(path.parent)}})
start = time.perf_counter()
client.execute()
seconds = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_mib": peak_kib / 1024}))
"""


def measure(path):
    """Wall time (s) and the kernel's peak memory (MiB) of one fresh run of the notebook at ``path``."""
    done = subprocess.run([sys.executable, "-c", RUNNER, str(path)], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    paths = [pathlib.Path(p) for p in (argv if argv is not None else sys.argv[1:])]
    paths = paths or sorted((ROOT / "chapters").glob("*.ipynb"))
    print(f"{'notebook':<44} {'time':>8} {'peak memory':>12}   (budget: 60 s, 1024 MiB, one core)")
    for path in paths:
        result = measure(path)
        print(f"{path.name:<44} {result['seconds']:>6.1f} s {result['peak_mib']:>8.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
