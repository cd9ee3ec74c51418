"""The chapters in real nbgrader: released as they are, the releases hold no answers and run, grading works.

Everything happens in a throwaway course folder set up as instructors.md says:
``nbgrader_config.py`` at its root, the chapters in ``source/chapters/``.
"""

import html as htmllib
import importlib.util
import json
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT, need
from exercises import ANSWER_STUB, written_solution
from lrcourse.checks import FAIL, PASS

CHAPTERS = ROOT / "chapters"
SOURCES = sorted(CHAPTERS.glob("*.ipynb"))
ASSIGNMENT = "chapters"


def nbgrader(course, *args):
    """Run an nbgrader command in ``course``; fail on an error, including a config file that did not load."""
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    assert "Exception while loading config file" not in log, log[-3000:]
    return log


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    need(None if importlib.util.find_spec("nbgrader") else "nbgrader is not installed (it is in requirements.txt)")
    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    source = course / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    for path in SOURCES:
        shutil.copy(path, source)
    nbgrader(course, "generate_assignment", ASSIGNMENT)
    return course


def solution_code(notebook, but=()):
    """The non-blank lines inside the solution regions of ``notebook``, except those of the exercises ``but``."""
    lines = []
    for cell in notebook.cells:
        inside = False
        if cell.cell_type != "code" or cell.metadata.get("exercise") in but:
            continue
        for line in cell.source.splitlines():
            if "### END SOLUTION" in line:
                inside = False
            if inside and line.strip():
                lines.append(line.strip())
            if "### BEGIN SOLUTION" in line:
                inside = True
    return lines


def written_text(notebook):
    """The prose lines of the written solutions of ``notebook``."""
    return [
        line.strip()
        for cell in notebook.cells
        if written_solution(cell)
        for line in cell.source.splitlines()[1:-1]
        if len(line.strip()) > 15 and not line.startswith(":")
    ]


def feedback_of(cell):
    return json.dumps(
        [o.get("text", o.get("data", {}).get("text/plain", "")) for o in cell.outputs] +
        [o.get("evalue", "") for o in cell.outputs], ensure_ascii=False
    )


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_the_release_holds_no_answer_and_runs_with_not_yet_feedback(source, course):
    original = nbformat.read(source, as_version=4)
    release = nbformat.read(course / "release" / ASSIGNMENT / source.name, as_version=4)
    code = "\n".join(c.source for c in release.cells if c.cell_type == "code")
    text = "\n".join(c.source for c in release.cells if c.cell_type == "markdown")
    assert "BEGIN SOLUTION" not in code
    for line in solution_code(original):
        if len(line) > 12:
            assert line not in code, f"solution code left in the release: {line}"
    for line in written_text(original):
        assert line not in text, f"written solution left in the release: {line}"
    answers = [c for c in release.cells if c.cell_type == "markdown" and c.source == ANSWER_STUB]
    written_cells = [c for c in original.cells if written_solution(c)]
    assert len(answers) == len(written_cells), "each written solution becomes an answer cell"
    kept = [c.source for c in original.cells if c.cell_type == "markdown" and not written_solution(c)]
    assert [c.source for c in release.cells if c.cell_type == "markdown" and c.source != ANSWER_STUB] == kept

    NotebookClient(release, timeout=300, kernel_name="python3").execute()
    checks = [c for c in release.cells if "check" in c.metadata.get("tags", [])]
    assert len(checks) >= 3
    for cell in checks:
        assert cell.metadata["nbgrader"]["grade"] is True, "each check is an autograded test"
        feedback = feedback_of(cell)
        assert FAIL in feedback and PASS not in feedback, f"an unanswered check must say 'not yet': {feedback[:300]}"


def answered(release, original, right, wrong):
    """The release with the reference solution cells of exercises ``right`` and a wrong value for ``wrong``."""
    solutions = {c.metadata.get("exercise"): c for c in original.cells if "BEGIN SOLUTION" in c.source}
    for cell in release.cells:
        label = cell.metadata.get("exercise")
        if "solution" in cell.metadata.get("tags", []) and cell.cell_type == "code":
            if label in right:
                cell.source = solutions[label].source
            elif label in wrong:
                cell.source += f"\n{wrong[label]}"
        elif cell.source == ANSWER_STUB:
            cell.source = "One step multiplies w by 1 - eta L."
    return release


def test_release_autograde_feedback_end_to_end(course):
    """A learner answers one exercise right and one wrong: the grades and the feedback say so, in the checks' words."""
    from nbgrader.api import Gradebook

    name = "01_update_rule.ipynb"
    original = nbformat.read(CHAPTERS / name, as_version=4)
    release = nbformat.read(course / "release" / ASSIGNMENT / name, as_version=4)
    submitted = course / "submitted" / "learner" / ASSIGNMENT
    submitted.mkdir(parents=True)
    learner = answered(release, original, right={"ex-update-step"}, wrong={"ex-update-tangent": "predicted_loss = 3.0"})
    nbformat.write(learner, submitted / name)
    nbgrader(course, "autograde", ASSIGNMENT, "--notebook", name.removesuffix(".ipynb"))
    nbgrader(course, "generate_feedback", ASSIGNMENT)

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(name.removesuffix(".ipynb"), ASSIGNMENT, "learner")
        scores = {g.name: (g.auto_score, g.max_score, g.needs_manual_grade) for g in notebook.grades}
    assert scores["ex-update-step-check"] == (1, 1, False)
    assert scores["ex-update-tangent-check"] == (0, 1, False)
    assert scores["ex-update-one-step-check"] == (0, 1, False)
    assert scores["ex-update-one-step-written"][1:] == (1, True), "a written answer is graded by hand"

    html = (course / "feedback" / "learner" / ASSIGNMENT / name.replace(".ipynb", ".html")).read_text()
    page = htmllib.unescape(re.sub(r"<[^>]+>", "", html))
    assert f"{PASS}: gradient_step matches the reference" in page
    assert f"CheckFailed: {FAIL}: predicted_loss = 3 is too large." in page
    assert f"CheckFailed: {FAIL}: one_step_lr is not answered yet" in page
    assert "Traceback (most recent call last)" not in page, "a failed check shows its feedback, not the check's code"
    for line in solution_code(original, but={"ex-update-step"}) + written_text(original):
        if len(line) > 12:
            assert line not in page, f"the feedback shows a reference answer: {line}"
