"""The chapter notebooks as sources: executed in order, clean outputs, captions, exercises.

nbval (run by the same ``pytest``) re-executes every notebook and compares the
stored outputs; these tests check what nbval does not: that the stored run is
clean and complete and that the book's conventions hold.
"""

import json
import re

import nbformat
import pytest

from conftest import ROOT
from exercises import exercise_cells
from lrcourse.checks import PASS

NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
IDS = [path.stem for path in NOTEBOOKS]


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(notebook):
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def text_of(output):
    if output["output_type"] == "stream":
        return "".join(output["text"])
    return "".join(output.get("data", {}).get("text/plain", ""))


def test_there_are_chapters():
    assert len(NOTEBOOKS) >= 1


#: The first code cell of every chapter: on Colab, where ``lrcourse`` is missing, it installs it.
INSTALL_CELL = """\
# On Colab, install the course's package first; where it is installed, this does nothing.
import importlib
import importlib.util

if importlib.util.find_spec("lrcourse") is None:
    %pip install --quiet "lrcourse @ git+{repository}"
    importlib.invalidate_caches()"""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_first_code_cell_installs_the_package_where_it_is_missing(path):
    """Colab opens a chapter without ``lrcourse``; the first cell installs it from the book's repository.

    The install line must name the repository of ``_config.yml``. Where the
    package is installed (the book, nbval, Binder) the cell prints nothing, so
    it stores no output; it is removed from the static page.
    """
    repository = re.search(r"^  url: (\S+)$", (ROOT / "_config.yml").read_text(encoding="utf-8"), re.M)[1]
    first = code_cells(load(path))[0]
    assert "".join(first["source"]) == INSTALL_CELL.format(repository=repository)
    assert first["outputs"] == [], "the install cell must store no output where lrcourse is installed"
    assert "remove-cell" in first["metadata"].get("tags", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stored_run_is_complete_and_in_order(path):
    counts = [cell["execution_count"] for cell in code_cells(load(path))]
    assert None not in counts, "every code cell must be executed (python tools/execute_notebooks.py)"
    assert counts == list(range(1, len(counts) + 1)), "cells must be executed once each, top to bottom"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_outputs_hold_no_errors_warnings_or_machine_paths(path):
    for cell in code_cells(load(path)):
        for output in cell["outputs"]:
            assert output["output_type"] != "error", f"error output in cell:\n{''.join(cell['source'])[:200]}"
            assert output.get("name") != "stderr", f"stderr output (a warning?): {text_of(output)[:300]}"
            text = text_of(output)
            assert not re.search(r"Warning\b|Traceback|\bnan\b|\binf\b", text), f"noise in output: {text[:300]}"
    raw = path.read_text(encoding="utf-8")
    assert not re.search(r"(/work|/tmp|/home|/root|/opt)/", raw), "absolute machine path in the notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_figure_has_caption_and_alt_text(path):
    for cell in code_cells(load(path)):
        if any("image/png" in output.get("data", {}) for output in cell["outputs"]):
            mystnb = cell["metadata"].get("mystnb", {})
            source = "".join(cell["source"])[:120]
            assert mystnb.get("figure", {}).get("caption"), f"figure without caption: {source}"
            assert mystnb.get("image", {}).get("alt"), f"figure without alt text: {source}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_captioned_figure_was_drawn(path):
    for cell in code_cells(load(path)):
        if cell["metadata"].get("mystnb", {}).get("figure"):
            images = [o for o in cell["outputs"] if "image/png" in o.get("data", {})]
            assert len(images) == 1, f"a captioned cell must store exactly one figure: {''.join(cell['source'])[:120]}"
            # the book gives each output of a captioned cell the figure's name: a
            # second output (e.g. the Text a last set_xlabel returns) duplicates it
            results = [o for o in cell["outputs"] if o["output_type"] == "execute_result"]
            assert not results, f"a captioned cell must end with a statement, not a value: {''.join(cell['source'])[:120]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_explorer_cells_are_ignored_by_nbval(path):
    for cell in code_cells(load(path)):
        if "explorer(" in "".join(cell["source"]):
            assert "nbval-ignore-output" in cell["metadata"].get("tags", []), "explorer output holds widget ids"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_chapter_imports_lrcourse(path):
    assert any("lrcourse" in "".join(cell["source"]) for cell in code_cells(load(path)))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exercises_follow_the_format_and_pass_their_checks(path):
    notebook = nbformat.read(path, as_version=4)
    exercises = exercise_cells(notebook)
    assert len(exercises) >= 3, "every chapter has at least three exercises"
    stated = set(re.findall(r"```\{exercise\}[^\n]*\n:label: (\S+)", "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")))
    for label, solution, check in exercises:
        assert label in stated, f"exercise {label!r} is not stated in an exercise directive with that label"
        assert {"solution", "hide-input"} <= set(solution.metadata.get("tags", [])), "solution cells are hidden on the page"
        assert solution.metadata.get("nbgrader", {}).get("solution") is True
        assert "check" in check.metadata.get("tags", []), f"the check of {label!r} is tagged check"
        feedback = "".join(text_of(output) for output in check.outputs)
        assert PASS in feedback, f"the reference solution of {label!r} must pass its check, got: {feedback[:300]}"


def headings_outside_code(markdown):
    """The markdown heading lines of ``markdown``, outside fenced code (MyST directive fences are read)."""
    headings, open_fences = [], []  # (fence, is_code) from the outermost in
    for line in markdown.splitlines():
        fence = re.match(r" {0,3}(`{3,}|~{3,})(.*)", line)
        in_code = bool(open_fences) and open_fences[-1][1]
        if fence and open_fences and not fence.group(2).strip() and fence.group(1).startswith(open_fences[-1][0]):
            open_fences.pop()
        elif fence and not in_code:
            info = fence.group(2).strip()
            open_fences.append((fence.group(1), not info.startswith("{")))
        elif not in_code and re.match(r" {0,3}#{1,6}(\s|$)", line):
            headings.append(line.strip())
    return headings


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_solution_cells_hold_only_the_solution(path):
    # The student edition drops markdown cells tagged "solution" whole: a heading
    # or text after the solution directive in such a cell would vanish with it.
    for index, cell in enumerate(load(path)["cells"]):
        if cell["cell_type"] != "markdown" or "solution" not in cell["metadata"].get("tags", []):
            continue
        source = "".join(cell["source"])
        assert not headings_outside_code(source), f"cell {index} is a solution but holds a heading: {headings_outside_code(source)}"
        directive = re.fullmatch(r"\s*(`{3,})\{solution\}.*?\n\1\s*", source, flags=re.DOTALL)
        assert directive, f"cell {index} is a solution but holds text outside its solution directive"


EVAL_ROLE = re.compile(r"\{eval\}`([^`]*)`")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_computed_prose_names_a_variable_bound_in_an_earlier_cell(path):
    """{eval} takes a variable name (not an expression), which a code cell above must assign."""
    assigned = set()
    for cell in load(path)["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code":
            for targets in re.findall(r"^\s*([\w, ()]+?)\s*=(?!=)", source, flags=re.M):
                assigned.update(re.findall(r"\w+", targets))
        elif cell["cell_type"] == "markdown":
            for name in EVAL_ROLE.findall(source):
                assert re.fullmatch(r"[A-Za-z_]\w*", name), f"{{eval}} takes a variable name, got {name!r}"
                assert name in assigned, f"{{eval}}`{name}` is not assigned in a code cell above it"


CLAIM_CHAPTERS = {"03_finding_a_learning_rate", "04_schedules", "06_at_scale", "06_horizon_and_width", "07_real_task", "08_misconceptions"}


def claim_cells(notebook):
    return [cell for cell in code_cells(notebook) if "claim" in cell["metadata"].get("tags", [])]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_claim_cells_assert_their_verdict_and_show_it_held(path):
    """A `claim` cell asserts with evidence.claim, shows the line a reader sees, and hides only its code."""
    cells = claim_cells(load(path))
    if path.stem in CLAIM_CHAPTERS:
        assert len(cells) >= 3, f"{path.stem} needs at least three claim cells, has {len(cells)}"
    for cell in cells:
        source = "".join(cell["source"])
        assert "claim(" in source, f"a claim cell must call evidence.claim:\n{source[:200]}"
        assert "hide-input" in cell["metadata"]["tags"], "a claim cell hides its code, not its verdict"
        shown = "".join(text_of(output) for output in cell["outputs"])
        assert shown.count("✔ Claim holds:") == source.count("claim("), f"every claim must show that it held:\n{shown}"


PREDICT = re.compile(
    r"```\{admonition\} Predict, then look\n:class: tip\n(?P<question>.*?\S.*?)\n```\s*"
    r"```\{admonition\} Answer\n:class: dropdown\n(?P<answer>.*?\S.*?)\n```\s*$",
    re.S,
)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_explorer_is_preceded_by_a_question_with_a_hidden_answer(path):
    """Predict, then look: the markdown just before an explorer asks a question and hides its worked answer."""
    cells = load(path)["cells"]
    explorers = [k for k, cell in enumerate(cells) if "widgets.explorer(" in "".join(cell["source"])]
    assert explorers, "every chapter has at least one explorer"
    for k in explorers:
        before = cells[k - 1]
        assert before["cell_type"] == "markdown", f"cell {k}: the explorer must follow a markdown cell"
        match = PREDICT.search("".join(before["source"]))
        assert match, f"cell {k}: the markdown before the explorer must end with a 'Predict, then look' question and a dropdown 'Answer'"
        assert match["question"].rstrip().endswith("?"), f"cell {k}: the prediction is asked as a question"
        assert len(match["answer"].split()) >= 15, f"cell {k}: the answer is worked, not one word"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_chapter_ends_with_a_self_quiz_shown_without_its_code(path):
    cells = load(path)["cells"]
    headings = [k for k, cell in enumerate(cells) if cell["cell_type"] == "markdown" and "## Self-quiz" in "".join(cell["source"])]
    assert len(headings) == 1, "one '## Self-quiz' section per chapter"
    quiz_cells = [cell for cell in cells[headings[0]:] if "quiz.Quiz(" in "".join(cell["source"])]
    assert len(quiz_cells) == 1 and quiz_cells[0]["cell_type"] == "code"
    cell = quiz_cells[0]
    assert "remove-input" in cell["metadata"].get("tags", []), "the page shows the quiz, not the code that builds it"
    assert any("text/html" in output.get("data", {}) for output in cell["outputs"]), "the quiz's HTML is stored"
