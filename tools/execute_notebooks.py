"""Execute chapter notebooks in place, in order, from a clean kernel, and store their outputs.

Exercise cells are marked first (tags and nbgrader metadata, see
``exercises.py``), so authors only write the solution markers and the
exercise's label in the metadata of its solution and check cells.

Usage::

    python tools/execute_notebooks.py chapters/01_update_rule.ipynb [more.ipynb ...]
    python tools/execute_notebooks.py            # every notebook under chapters/
    python tools/execute_notebooks.py --mark-only chapters/07_real_task.ipynb

``--mark-only`` marks the exercise cells and writes the notebook back without
running it: the marks are metadata, so the stored outputs stay valid.

The stored outputs are what nbval compares in ``pytest``, so run this after
every change to a notebook or to ``lrcourse``. Widget state and timing
metadata are not stored: they change on every run and would make the
notebooks' history noisy.
"""

import argparse
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from exercises import mark_exercises  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent


def execute(path, timeout=300):
    """Run the notebook at ``path`` top to bottom and write it back with its outputs."""
    path = pathlib.Path(path)
    notebook = nbformat.read(path, as_version=4)
    mark_exercises(notebook, path.stem)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        store_widget_state=False,
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    notebook.metadata.pop("widgets", None)
    nbformat.write(notebook, path)
    return seconds


def mark(path):
    """Mark the exercise cells of the notebook at ``path`` (see ``exercises.py``), write it back; True if it changed."""
    path = pathlib.Path(path)
    before = path.read_text(encoding="utf-8")
    notebook = nbformat.read(path, as_version=4)
    mark_exercises(notebook, path.stem)
    nbformat.write(notebook, path)
    return path.read_text(encoding="utf-8") != before


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path, help="notebooks to run (default: all chapters)")
    parser.add_argument("--mark-only", action="store_true", help="mark the exercise cells, do not run the notebooks")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "chapters").glob("*.ipynb"))
    for path in notebooks:
        if args.mark_only:
            print(f"{path}: {'marked' if mark(path) else 'already marked'}")
            continue
        seconds = execute(path)
        print(f"{path}: executed in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
