"""instructors.md is true: its table lists every exercise of every chapter, in order, with its kind."""

import re

import nbformat

from conftest import ROOT
from exercises import exercise_cells

ROW = re.compile(r"^\|[^|]*\|\s*\{ref\}`[^<`]*<(?P<label>[\w-]+)>`\s*\|\s*(?P<kind>\w+)\s*\|", re.M)
# Design exercises: the check verifies a property of the learner's experiment, not one number.
DESIGN_CHECKS = {"refuting_rates", "settling_schedule", "scaled_rate"}


def kind(label, exercises):
    if label not in exercises:
        return "discussion"
    solution, check = exercises[label]
    if re.search(r"^def \w+\(", solution.source.split("### BEGIN SOLUTION")[0], re.M):
        return "code"
    return "design" if re.search(r"check\.(\w+)\(", check.source).group(1) in DESIGN_CHECKS else "value"


def chapter_exercises():
    rows = []
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        prose = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
        exercises = {label: (solution, check) for label, solution, check in exercise_cells(notebook)}
        labels = re.findall(r"```\{exercise\}[^\n]*\n:label: (\S+)", prose)
        rows += [(label, kind(label, exercises)) for label in labels]
    return rows


def test_the_table_lists_every_exercise_with_its_kind():
    table = [(m.group("label"), m.group("kind")) for m in ROW.finditer((ROOT / "instructors.md").read_text())]
    assert table == chapter_exercises()
