"""The student edition: solutions stripped, checks kept, sources untouched, and it runs."""

import hashlib
import json
import re
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT
from exercises import ANSWER_STUB, written_solution
from test_nbgrader import solution_code
from lrcourse.checks import FAIL, PASS

SOURCES = sorted((ROOT / "chapters").glob("*.ipynb"))


def digest(paths):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    before = digest(SOURCES)
    subprocess.run([sys.executable, str(ROOT / "tools" / "student_edition.py"), str(out)], check=True, capture_output=True)
    assert digest(SOURCES) == before, "the command must not touch the sources"
    return out / "chapters"


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_student_notebook_has_no_solutions_and_runs_with_not_yet_feedback(source, edition):
    original = nbformat.read(source, as_version=4)
    student = nbformat.read(edition / source.name, as_version=4)
    student_code = "\n".join(c.source for c in student.cells if c.cell_type == "code")
    assert "### BEGIN SOLUTION" not in student_code
    for line in solution_code(original):
        if len(line) > 12:
            assert line not in student_code, f"solution line left in the student edition: {line}"
    assert not any("solution" in c.metadata.get("tags", []) for c in student.cells if c.cell_type == "markdown")

    NotebookClient(student, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(edition)}}).execute()
    checks = [c for c in student.cells if "check" in c.metadata.get("tags", [])]
    assert len(checks) >= 3
    for cell in checks:
        feedback = json.dumps([o.get("text", o.get("data", {}).get("text/plain", "")) for o in cell.outputs], ensure_ascii=False)
        assert FAIL in feedback, f"a check must say 'not yet' on the blank placeholder: {feedback[:300]}"
        assert PASS not in feedback


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_student_notebook_keeps_the_whole_lesson(source, edition):
    """Every heading, paragraph and non-solution cell of the source is in the student edition, in order."""

    def headings(notebook):
        return [line for c in notebook.cells if c.cell_type == "markdown" for line in c.source.splitlines() if re.match(r"#{1,6} ", line)]

    def lesson(notebook):
        return [(c.cell_type, c.source) for c in notebook.cells if "solution" not in c.metadata.get("tags", [])]

    original = nbformat.read(source, as_version=4)
    student = nbformat.read(edition / source.name, as_version=4)
    assert headings(student) == headings(original), "dropping solutions must not drop a section of the chapter"
    kept = [(kind, text) for kind, text in lesson(student) if text != ANSWER_STUB]
    assert kept == lesson(original), "only solutions change: every other cell, markdown or code, is kept as it is"
    written = [c for c in original.cells if c.cell_type == "markdown" and "solution" in c.metadata.get("tags", [])]
    for cell in written:  # a solution cell holds its {solution} box alone, so no paragraph of the lesson goes with it
        assert written_solution(cell), f"a markdown cell tagged solution holds no {{solution}} box: {cell.source[:80]}"
    answers = [c for c in student.cells if c.cell_type == "markdown" and c.source == ANSWER_STUB]
    assert len(answers) == len(written), "each written solution becomes a cell for the learner's answer"
    prose = "\n".join(c.source for c in student.cells if c.cell_type == "markdown")
    for cell in written:
        for line in cell.source.splitlines()[1:-1]:
            if len(line.strip()) > 15 and not line.startswith(":"):
                assert line.strip() not in prose, f"written solution left in the student edition: {line.strip()}"
