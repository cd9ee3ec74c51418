"""The exercise format: a solution finds its check by the exercise's label, not by position."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from exercises import exercise_cells, mark_exercises

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
