"""The exercise format: a solution finds its check by the exercise's label, not by position."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from exercises import ANSWER_STUB, exercise_cells, mark_exercises, student_notebook

SOLUTION = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n"


def solution(label):
    return new_code_cell(SOLUTION, metadata={"exercise": label} if label else {})


def check(label):
    return new_code_cell("check.f(f)", metadata={"exercise": label})


def notebook(*cells):
    return nbformat.from_dict(new_notebook(cells=list(cells)))


def test_each_solution_gets_its_own_check_wherever_it_sits():
    nb = notebook(solution("ex-a"), solution("ex-b"), new_code_cell("x = 1"), check("ex-b"), new_markdown_cell("text"), check("ex-a"))
    assert mark_exercises(nb, "ch") == 2
    first, second, plain, check_b, _, check_a = nb.cells
    assert [label for label, _, _ in exercise_cells(nb)] == ["ex-a", "ex-b"]
    assert "check" in check_a.metadata["tags"] and "check" in check_b.metadata["tags"]
    assert "tags" not in plain.metadata, "a cell right after a solution is not its check unless it names the exercise"
    assert first.metadata["nbgrader"]["grade_id"] == "ch-solution-1"
    assert second.metadata["nbgrader"]["grade_id"] == "ch-solution-2"
    assert set(first.metadata["tags"]) == {"solution", "hide-input"}


def test_marking_twice_changes_nothing():
    nb = notebook(solution("ex-a"), check("ex-a"))
    mark_exercises(nb, "ch")
    once = nbformat.writes(nb)
    mark_exercises(nb, "ch")
    assert nbformat.writes(nb) == once


@pytest.mark.parametrize(
    "cells, message",
    [
        ((solution(None), check("ex-a")), "solution cell 0 has no exercise label"),
        ((solution("ex-a"), new_code_cell("check.f(f)")), "'ex-a' needs exactly one check cell"),
        ((solution("ex-a"), check("ex-a"), check("ex-a")), "'ex-a' needs exactly one check cell .*found 2"),
        ((check("ex-a"), solution("ex-a")), "comes before its solution"),
        ((solution("ex-a"), check("ex-a"), check("ex-b")), r"without a solution cell: \['ex-b'\]"),
        ((solution("ex-a"), solution("ex-a"), check("ex-a")), "more than one solution cell"),
    ],
)
def test_a_broken_link_is_an_error_that_names_the_exercise(cells, message):
    with pytest.raises(ValueError, match=message):
        mark_exercises(notebook(*cells), "ch")


def written(label, extra=""):
    return new_markdown_cell(f"```{{solution}} {label}\n:class: dropdown\n\nBecause.\n```{extra}")


def test_checks_are_autograded_and_written_solutions_are_graded_answers():
    task = new_markdown_cell("```{exercise}\n:label: ex-b\n```")
    nb = notebook(solution("ex-a"), check("ex-a"), written("ex-a"), task, written("ex-b"))
    mark_exercises(nb, "ch")
    _, check_a, written_a, task, written_b = nb.cells
    assert check_a.metadata["nbgrader"] == {
        "grade": True, "grade_id": "ex-a-check", "locked": True, "points": 1,
        "schema_version": 3, "solution": False, "task": False,
    }
    for cell, label in [(written_a, "ex-a"), (written_b, "ex-b")]:
        meta = cell.metadata["nbgrader"]
        assert meta["grade"] and meta["solution"] and meta["points"] == 1 and meta["grade_id"] == f"{label}-written"
        assert cell.metadata["tags"] == ["solution"]
    assert "nbgrader" not in task.metadata


def test_student_notebook_turns_written_solutions_into_answer_cells():
    nb = notebook(solution("ex-a"), check("ex-a"), written("ex-a"), new_markdown_cell("## Summary"))
    mark_exercises(nb, "ch")
    student = student_notebook(nb)
    assert [c.source for c in student.cells[2:]] == [ANSWER_STUB, "## Summary"]
    assert student.cells[2].metadata["tags"] == ["answer"]
    assert "Because" in nb.cells[2].source, "the source notebook is not changed"


@pytest.mark.parametrize("cell", [written("ex-a", "\n\n## Summary"), new_markdown_cell("Intro.\n\n" + written("ex-a").source)],
                         ids=["text after", "text before"])
def test_a_written_solution_must_not_share_its_cell_with_the_lesson(cell):
    with pytest.raises(ValueError, match="must hold only that box"):
        mark_exercises(notebook(cell), "ch")


def test_two_written_solutions_of_one_exercise_are_an_error():
    with pytest.raises(ValueError, match="'ex-a' has more than one written solution"):
        mark_exercises(notebook(written("ex-a"), written("ex-a")), "ch")
