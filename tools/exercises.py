"""The course's exercise format, in code: find solutions, mark them, strip them.

An exercise's solution is a code cell with an nbgrader solution region::

    def gradient_step(w, grad, lr):
        ### BEGIN SOLUTION
        return w - lr * grad
        ### END SOLUTION

An exercise is named by the label of its ``exercise`` directive
(``ex-update-step``). The solution cell and the exercise's self-check, a code
cell after it, both carry that label in their metadata, which is what links
them, wherever they sit::

    "metadata": {"exercise": "ex-update-step"}

A written solution is a markdown cell holding only a ``{solution}`` box
whose argument is the exercise's label (```` ```{solution} ex-real-test-set ````).

:func:`exercise_cells` finds each exercise's cells by that link;
:func:`mark_exercises` gives them the tags and metadata the book and nbgrader
need (solution cells, autograded check cells, manually graded written
answers); :func:`student_notebook` replaces every solution region with a
placeholder and every written solution with an answer cell, as nbgrader's
``generate_assignment`` does.
"""

import copy
import re

BEGIN = "### BEGIN SOLUTION"
ANSWER_STUB = "YOUR ANSWER HERE"  # nbgrader's default text stub, so both editions look the same
END = "### END SOLUTION"
_WRITTEN = re.compile(
    r"\A(?P<fence>`{3,}|:{3,})\{solution\}[ \t]+(?P<label>\S+)[^\n]*\n(?P<body>.*)\n(?P=fence)\Z", re.S
)
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


def written_solution(cell):
    """The exercise label of a markdown cell that holds a written solution, else None.

    A written solution is a cell whose whole source is one ``{solution}`` box
    (a MyST directive) naming its exercise.

    >>> from nbformat.v4 import new_markdown_cell
    >>> written_solution(new_markdown_cell("```{solution} ex-a\\n:class: dropdown\\n\\nBecause.\\n```"))
    'ex-a'
    >>> written_solution(new_markdown_cell("Just text.")) is None
    True

    Raises
    ------
    ValueError
        If the cell holds a ``{solution}`` box and other text: the rest of
        the lesson would be hidden with the solution (and dropped from the
        student edition and the nbgrader release).
    """
    if cell.cell_type != "markdown" or "{solution}" not in cell.source:
        return None
    match = _WRITTEN.match(cell.source.strip())
    if not match:
        raise ValueError(
            "a markdown cell with a {solution} box must hold only that box (one solution per cell, "
            f"nothing before or after it); split it: {cell.source[:120]!r}"
        )
    return match.group("label")


def exercise_cells(notebook):
    """Each exercise's label, solution cell and check cell, in the notebook's order.

    A solution cell (see :func:`has_solution`) names its exercise with the
    cell metadata ``"exercise": label``; its check is the one other code cell
    with the same label, and it must come after the solution.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The notebook to read; it is not changed.

    Returns
    -------
    list of (str, NotebookNode, NotebookNode)
        ``(label, solution, check)`` for each solution cell.

    Raises
    ------
    ValueError
        If a solution cell has no label, two solution cells share one, a
        label has no check cell or more than one, a check comes before its
        solution, or a check names an exercise that has no solution.
    """
    solutions, checks = {}, {}
    for index, cell in enumerate(notebook.cells):
        label = cell.metadata.get("exercise")
        if has_solution(cell):
            if not label:
                raise ValueError(f"solution cell {index} has no exercise label (metadata 'exercise')")
            if label in solutions:
                raise ValueError(f"exercise {label!r} has more than one solution cell")
            solutions[label] = (index, cell)
        elif cell.cell_type == "code" and label:
            checks.setdefault(label, []).append((index, cell))
    orphans = sorted(set(checks) - set(solutions))
    if orphans:
        raise ValueError(f"check cells name exercises without a solution cell: {orphans}")
    return [(label, solution, _check_of(label, index, checks.get(label, []))) for label, (index, solution) in solutions.items()]


def _check_of(label, solution_index, candidates):
    if len(candidates) != 1:
        raise ValueError(f"exercise {label!r} needs exactly one check cell with metadata 'exercise': {label!r}, found {len(candidates)}")
    index, check = candidates[0]
    if index < solution_index:
        raise ValueError(f"the check of exercise {label!r} (cell {index}) comes before its solution (cell {solution_index})")
    return check


def mark_exercises(notebook, name):
    """Tag solution cells and their checks; give solution cells nbgrader metadata.

    Solution cells get the tags ``solution`` and ``hide-input`` (the book shows
    them behind a toggle) and nbgrader metadata with the id
    ``{name}-solution-{k}``. Each exercise's check, found by its label (see
    :func:`exercise_cells`), gets the tag ``check`` and becomes an nbgrader
    autograded test cell worth one point (id ``{label}-check``): under
    nbgrader a failing check raises with its feedback as the message (see
    :class:`lrcourse.checks.CheckResult`). Each written solution (see
    :func:`written_solution`) gets the tag ``solution`` and becomes a manually
    graded nbgrader answer cell worth one point (id ``{label}-written``),
    which the release replaces by ``YOUR ANSWER HERE``.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The notebook to mark, changed in place.
    name : str
        The notebook's name, the prefix of the nbgrader ids.

    Returns
    -------
    int
        The number of exercises with a solution cell.

    Raises
    ------
    ValueError
        As :func:`exercise_cells` and :func:`written_solution` do, and if two
        written solutions name the same exercise.
    """
    exercises = exercise_cells(notebook)
    written = set()
    for cell in notebook.cells:
        label = written_solution(cell)
        if label is None:
            continue
        if label in written:
            raise ValueError(f"exercise {label!r} has more than one written solution")
        written.add(label)
        _add_tags(cell, "solution")
        cell.metadata["nbgrader"] = _nbgrader(f"{label}-written", grade=True, solution=True, points=1)
    for count, (_, solution, check) in enumerate(exercises, start=1):
        _add_tags(solution, "solution", "hide-input")
        solution.metadata["nbgrader"] = _nbgrader(f"{name}-solution-{count}", solution=True)
        _add_tags(check, "check")
        check.metadata["nbgrader"] = _nbgrader(f"{check.metadata['exercise']}-check", grade=True, locked=True, points=1)
    return len(exercises)


def _nbgrader(grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3}
    meta.update(solution=solution, task=False)
    if points is not None:
        meta["points"] = points
    return meta


def student_notebook(notebook):
    """A copy of ``notebook`` for learners: solutions stripped, outputs cleared, checks kept.

    Written solutions (markdown cells tagged ``solution``) become answer cells
    holding ``YOUR ANSWER HERE``, as in nbgrader's release; solution code
    cells keep their code around the placeholder and lose the ``hide-input``
    tag, so the learner sees where to write. Every other cell is kept as it is.
    """
    student = copy.deepcopy(notebook)
    kept = []
    for cell in student.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "markdown" and "solution" in tags:
            cell.source = ANSWER_STUB
            cell.metadata["tags"] = [t for t in tags if t != "solution"] + ["answer"]
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
