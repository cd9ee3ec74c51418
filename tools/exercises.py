"""The course's exercise format, in code: find solutions, mark them, strip them.

An exercise's solution is a code cell with an nbgrader solution region::

    def gradient_step(w, grad, lr):
        ### BEGIN SOLUTION
        return w - lr * grad
        ### END SOLUTION

The cell right after it is the exercise's self-check. :func:`mark_exercises`
gives these cells the tags and metadata the book and nbgrader need;
:func:`student_notebook` replaces every solution region with a placeholder.
"""

import copy
import re

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
_REGION = re.compile(r"^([ \t]*)### BEGIN SOLUTION[^\n]*\n.*?^[ \t]*### END SOLUTION[^\n]*(\n|$)", re.S | re.M)


def has_solution(cell):
    """True if ``cell`` is a code cell holding a solution region."""
    return cell.cell_type == "code" and BEGIN in cell.source


def strip_solutions(source):
    """Replace each solution region of ``source`` by nbgrader's placeholder.

    Inside a function body (an indented region) the placeholder raises
    ``NotImplementedError``, so a self-check can say "not written yet"; at the
    top level it is a comment, so the cell still runs.

    >>> print(strip_solutions("def f(x):\\n    ### BEGIN SOLUTION\\n    return x\\n    ### END SOLUTION\\n"))
    def f(x):
        # YOUR CODE HERE
        raise NotImplementedError()
    <BLANKLINE>
    >>> print(strip_solutions("a = None\\n### BEGIN SOLUTION\\na = 2\\n### END SOLUTION"))
    a = None
    # YOUR CODE HERE
    """

    def placeholder(match):
        indent, newline = match.group(1), match.group(2)
        lines = [f"{indent}# YOUR CODE HERE"]
        if indent:
            lines.append(f"{indent}raise NotImplementedError()")
        return "\n".join(lines) + newline

    return _REGION.sub(placeholder, source)


def mark_exercises(notebook, name):
    """Tag solution cells and their checks; give solution cells nbgrader metadata.

    Solution cells get the tags ``solution`` and ``hide-input`` (the book shows
    them behind a toggle) and nbgrader metadata with the id
    ``{name}-solution-{k}``; the cell after each gets the tag ``check``.
    Returns the number of exercises found.
    """
    count = 0
    cells = notebook.cells
    for index, cell in enumerate(cells):
        if not has_solution(cell):
            continue
        count += 1
        _add_tags(cell, "solution", "hide-input")
        cell.metadata["nbgrader"] = {
            "grade": False,
            "grade_id": f"{name}-solution-{count}",
            "locked": False,
            "schema_version": 3,
            "solution": True,
            "task": False,
        }
        if index + 1 < len(cells) and cells[index + 1].cell_type == "code":
            _add_tags(cells[index + 1], "check")
    return count


def student_notebook(notebook):
    """A copy of ``notebook`` for learners: solutions stripped, outputs cleared, checks kept.

    Markdown cells tagged ``solution`` (written explanations of an answer) are
    dropped; solution code cells keep their code around the placeholder and
    lose the ``hide-input`` tag, so the learner sees where to write.
    """
    student = copy.deepcopy(notebook)
    kept = []
    for cell in student.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "markdown" and "solution" in tags:
            continue
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            if has_solution(cell):
                cell.source = strip_solutions(cell.source)
                cell.metadata["tags"] = [t for t in tags if t != "hide-input"]
        kept.append(cell)
    student.cells = kept
    return student


def _add_tags(cell, *tags):
    current = cell.metadata.setdefault("tags", [])
    for tag in tags:
        if tag not in current:
            current.append(tag)
