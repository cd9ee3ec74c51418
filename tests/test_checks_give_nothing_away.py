"""No check gives its answer away: not in its docstring, a hint, a repr or a message.

For every exercise of every chapter the test reads the reference answer (the
solution region of the chapter, and for a value the number the check expects)
and scans all the check's text a learner can see before answering right: its
docstring (Shift-Tab in Jupyter), its string literals except the ``what`` shown
on success, the hints of its known mistakes, and its messages on typical wrong
answers.
"""

import ast
import inspect
import re
import textwrap

import nbformat
import numpy as np
import pytest

import lrcourse.checks
from conftest import ROOT
from exercises import exercise_cells

# Answers a formula states as well as a number would; compared without spaces.
FORMULAS = {
    "gradient_step": ["w-lr*grad"],
    "tangent_prediction": ["f(w₀)−ηf′(w₀)²", "4-0.1*16"],
    "rescaled_lr": ["η/100", "0.3/100"],
    "one_step_lr": ["1/L"],
    "largest_stable_lr": ["2/L", "twice", "2dividedbyL", "2(1+β)/L"],
    "fastest_lr": ["2/(μ+L)", "2/(mu+L)"],
    "rosenbrock_limit": ["2/L"],
    "step_decay_rate": ["gamma**floor", "gamma**(t//step_size)"],
    "effective_lr": ["η/(1−β)", "eta/(1-beta)", "1/(1−β)", "1/(1-beta)"],
    "momentum_limit": ["2(1+β)/L", "2*(1+beta)/L"],
    "scaled_rate": ["128/32", "=1.2"],
    "linear_scaling": ["256/32", "×8", "*8"],
    "adam_warmup_steps": ["2/(1-beta2)", "2/(1−β₂)", "twice", "1/(1−β₂)"],
    "mup_output_rate": ["η/m", "dividebym"],
}
# Exercises whose checks accept many answers (an experiment's design): no single number to look for.
DESIGNS = {"refuting_rates", "settling_schedule", "budget_rate", "scaled_rate"}
NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?:\s*/\s*(\d+(?:\.\d+)?))?(?![\w.])")


def solution_lines(source):
    lines, inside = [], False
    for line in source.splitlines():
        if "### END SOLUTION" in line:
            inside = False
        elif inside and line.strip() and not line.strip().startswith("#"):
            lines.append(line.split("  #")[0].strip())
        if "### BEGIN SOLUTION" in line:
            inside = True
    return lines


def exercises():
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
        module = re.search(r"from lrcourse\.checks import (\w+) as check", code).group(1)
        prose = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
        for label, solution, check in exercise_cells(notebook):
            name = re.search(r"check\.(\w+)\(", check.source).group(1)
            statement = re.search(r"```\{exercise\}[^\n]*\n:label: " + re.escape(label) + r"\n(.*?)\n```", prose, re.S)
            yield pytest.param(module, name, solution_lines(solution.source), statement.group(1), id=f"{module}.{name}")


def literals(function):
    """The string literals of ``function``'s source, but not the ``what=`` detail shown only on success."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    success_only = {id(node) for call in ast.walk(tree) if isinstance(call, ast.Call)
                    for keyword in call.keywords if keyword.arg == "what" for node in ast.walk(keyword.value)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in success_only]


def probes(function):
    """Typical wrong or blank answers, as many as the check takes."""
    takes = len([p for p in inspect.signature(function).parameters.values() if p.default is inspect.Parameter.empty])

    def placeholder(*args, **kwargs):
        raise NotImplementedError()

    answers = [None, "7.77", [7.77, 8.88], np.array([7.77, 8.88]), 1e9, -7.5, placeholder,
               lambda *args, **kwargs: 0.0, lambda *args, **kwargs: None]
    return [[answer] * takes for answer in answers]


def visible_text(monkeypatch, module, function):
    """Every text of the check a learner sees before a right answer, and the numbers the check expects."""
    texts, expected = [inspect.getdoc(function) or "", *literals(function)], []

    for generic in ("check_value", "check_function"):
        real = getattr(lrcourse.checks, generic)

        def recording(*args, _real=real, _generic=generic, **kwargs):
            texts.extend(mistake.hint for mistake in kwargs.get("mistakes", ()))
            if _generic == "check_value":
                expected.append(args[1])
            return _real(*args, **kwargs)

        if hasattr(module, generic):
            monkeypatch.setattr(module, generic, recording)
    for answers in probes(function):
        result = function(*answers)
        if not result.passed:  # a passing answer may be shown back: the learner has it already
            texts.extend([result.message, repr(result)])
    return texts, expected


def squeeze(text):
    return re.sub(r"\s+", "", text).replace("−", "-").replace("·", "*")


@pytest.mark.parametrize("module_name, name, solution, statement", list(exercises()))
def test_no_check_states_its_answer(monkeypatch, module_name, name, solution, statement):
    module = __import__(f"lrcourse.checks.{module_name}", fromlist=[name])
    texts, expected = visible_text(monkeypatch, module, getattr(module, name))
    seen = squeeze("\n".join(texts))
    for line in solution:
        answer = squeeze(re.sub(r"^(return\s+|[\w, ]+=\s*)", "", line))
        if len(answer) >= 6 and answer != "None":
            assert answer not in seen, f"{name} shows the solution's {line!r}"
    for formula in FORMULAS.get(name, []):
        assert squeeze(formula) not in seen, f"{name} states the answer as {formula!r}"
    if name in DESIGNS:
        return
    given = {float(m.group(1)) for m in NUMBER.finditer(statement)}
    for value in {float(v) for v in expected if np.ndim(v) == 0}:
        for match in NUMBER.finditer("\n".join(texts)):
            number = float(match.group(1)) / (float(match.group(2)) if match.group(2) else 1.0)
            if number in given or value == 0:
                continue
            shown = f"{name} shows its answer {value:.6g} as {match.group(0)!r}"
            assert not np.isclose(number, value, rtol=1e-3, atol=0), shown
