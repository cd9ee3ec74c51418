"""Write the student edition of the course: every chapter with its solutions removed.

Usage::

    python tools/student_edition.py student_edition

writes ``student_edition/chapters/*.ipynb`` (solution regions replaced by
placeholders, written solutions by cells for the learner's answer, outputs
cleared, everything else kept) and copies the other chapter files. The
sources are never modified. The solution markers and cell metadata are
nbgrader's, so instructors who use nbgrader can release the source notebooks
with ``nbgrader generate_assignment`` instead (with the repository's
``nbgrader_config.py``; see instructors.md): the release is this edition
plus nbgrader's grading metadata.
"""

import argparse
import pathlib
import shutil
import sys

import nbformat

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from exercises import student_notebook  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent


def write_student_edition(out_dir, chapters=ROOT / "chapters"):
    """Write the student edition of every file in ``chapters`` into ``out_dir/chapters``.

    Returns the list of notebooks written.
    """
    out = pathlib.Path(out_dir) / "chapters"
    if out.resolve() == pathlib.Path(chapters).resolve():
        raise ValueError(f"out_dir must not be the sources' folder, got {out_dir}")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sorted(pathlib.Path(chapters).iterdir()):
        target = out / source.name
        if source.suffix == ".ipynb":
            notebook = nbformat.read(source, as_version=4)
            nbformat.write(student_notebook(notebook), target)
            written.append(target)
        elif source.is_file():
            shutil.copy2(source, target)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=pathlib.Path, help="folder to write the student edition into")
    args = parser.parse_args(argv)
    for path in write_student_edition(args.out_dir):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
