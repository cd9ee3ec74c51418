"""Self-checks for the exercises: specific, kind feedback that never shows the solution.

A check runs the learner's answer against a reference that lives inside the
package (not in the notebook), and returns a :class:`CheckResult` that shows
itself as one or more lines of text:

* on success, ``✔ Correct: ...`` and what was verified;
* otherwise ``✘ Not yet: ...`` with what is wrong, and, when the answer
  matches a known mistake (a sign error, a forgotten factor), a hint that
  names that mistake. A function's check names the failing case with the
  expected and the actual result; a value's check says only whether the
  answer is too large or too small, so that it never gives the answer away.

A placeholder answer (``None``, or a function that raises
``NotImplementedError``) gets ``✘ Not yet: ... not answered yet`` rather than
an error, so the student edition of a chapter runs from top to bottom.

Under nbgrader's autograder or validator (which set the environment variable
``NBGRADER_EXECUTION``) a failing check raises :class:`CheckFailed`, an
``AssertionError`` whose message is the check's feedback: the check cell is
then an autograded test, with full points when the check passes and none,
with that feedback, when it does not. The error shows only that feedback, not
a traceback (which would show the check's code and so its reference), and a
passing check shows its message as display data, not as the cell's result,
which nbgrader would read as a partial score.

The generic checks are :func:`check_value` and :func:`check_function`; each
chapter's specific checks live in a module of this package named after the
chapter (e.g. :mod:`lrcourse.checks.update_rule`).
"""

import os
from dataclasses import dataclass

import numpy as np

__all__ = ["CheckResult", "CheckFailed", "Mistake", "check_value", "check_function"]

PASS = "✔ Correct"
FAIL = "✘ Not yet"


@dataclass(frozen=True)
class CheckResult:
    """Outcome of a self-check: ``passed`` and the feedback ``message``.

    It is truthy when the check passed, and shows as its message.

    >>> CheckResult(True, "✔ Correct: 2/L = 0.5.")
    ✔ Correct: 2/L = 0.5.
    """

    passed: bool
    message: str

    def __post_init__(self):
        if not self.passed and _under_nbgrader():
            _show_feedback_only_on_failure()
            raise CheckFailed(self.message)

    def __bool__(self):
        return self.passed

    def __repr__(self):
        return self.message

    @property
    def _ipython_display_(self):
        # Only under nbgrader: elsewhere the attribute does not exist and IPython shows repr() as usual.
        if not _under_nbgrader():
            raise AttributeError("_ipython_display_")
        from IPython.display import display

        return lambda: display({"text/plain": self.message}, raw=True)


def _under_nbgrader():
    return os.environ.get("NBGRADER_EXECUTION") in {"autograde", "validate"}


def _show_feedback_only_on_failure():
    """Make IPython show a :class:`CheckFailed` as its message alone (an error output nbgrader scores 0)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or getattr(shell, "_lrcourse_check_failed", False):
        return

    def show(shell, etype, value, tb, tb_offset=None):
        shell._showtraceback(etype, value, [f"{etype.__name__}: {value}"])

    shell.set_custom_exc((CheckFailed,), show)
    shell._lrcourse_check_failed = True


class CheckFailed(AssertionError):
    """A check that did not pass, raised only under nbgrader (see the module's docstring).

    >>> import os
    >>> os.environ["NBGRADER_EXECUTION"] = "autograde"
    >>> CheckResult(False, "✘ Not yet: x is not answered yet (it is still None).")
    Traceback (most recent call last):
    ...
    lrcourse.checks.CheckFailed: ✘ Not yet: x is not answered yet (it is still None).
    >>> del os.environ["NBGRADER_EXECUTION"]
    """


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer and the hint to give when the learner's answer matches it.

    ``answer`` is the wrong value, or for :func:`check_function` a function
    computing the wrong result from the same inputs.
    """

    answer: object
    hint: str


def _close(got, expected, rtol, atol):
    try:
        got = np.asarray(got, dtype=float)
        expected = np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        return False
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True))


def _direction(answer, expected):
    """Say how a wrong answer is off without giving the expected value away."""
    try:
        got, want = float(answer), float(expected)
    except (TypeError, ValueError):
        shape = np.shape(expected)
        return f"does not match the expected {'value' if shape == () else f'array of shape {shape}'}"
    if not np.isfinite(got):
        return "is not a finite number"
    return "is too large" if got > want else "is too small"


def _show(value):
    if isinstance(value, float | np.floating):
        return f"{float(value):.6g}"
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=6, separator=", ")
    return repr(value)


def check_value(answer, expected, *, name="answer", what=None, rtol=1e-6, atol=1e-12, mistakes=()):
    """Check a value answer against the expected one.

    Parameters
    ----------
    answer : object
        The learner's answer; ``None`` means not answered yet.
    expected : float or array
        The reference value (computed inside the package, not shown in the notebook).
    name : str
        The answer's variable name, used in the feedback.
    what : str, optional
        What the value is, shown on success (e.g. ``"the stability limit 2/L"``).
    rtol, atol : float
        Tolerances as in :func:`numpy.allclose`.
    mistakes : sequence of Mistake
        Known wrong values with a hint each.

    >>> check_value(0.5, 0.5, name="largest_stable_lr")
    ✔ Correct: largest_stable_lr = 0.5.
    >>> check_value(0.25, 0.5, name="largest_stable_lr", mistakes=[Mistake(0.25, "That is 1/L.")])
    ✘ Not yet: largest_stable_lr = 0.25 is too small. Hint: That is 1/L.
    """
    if answer is None:
        return CheckResult(False, f"{FAIL}: {name} is not answered yet (it is still None).")
    if _close(answer, expected, rtol, atol):
        detail = f" ({what})" if what else ""
        return CheckResult(True, f"{PASS}: {name} = {_show(answer)}{detail}.")
    message = f"{FAIL}: {name} = {_show(answer)} {_direction(answer, expected)}."
    for mistake in mistakes:
        if _close(answer, mistake.answer, rtol, atol):
            return CheckResult(False, f"{message} Hint: {mistake.hint}")
    return CheckResult(False, message)


def check_function(function, reference, cases, *, name=None, rtol=1e-9, atol=1e-12, mistakes=(), describe=None):
    """Check a learner's function against a reference on a list of cases.

    Parameters
    ----------
    function : callable
        The learner's function.
    reference : callable
        The reference implementation.
    cases : sequence of dict
        Keyword arguments for each call; each case gets fresh copies of its arrays.
    name : str, optional
        Name used in the feedback (default: ``function.__name__``).
    rtol, atol : float
        Tolerances as in :func:`numpy.allclose`.
    mistakes : sequence of Mistake
        Each ``Mistake(wrong_function, hint)``: when the learner's result
        matches ``wrong_function`` on a failing case, the hint is given.
    describe : callable, optional
        ``describe(case) -> str`` describing a case in words (default: its
        keyword arguments).

    Returns
    -------
    CheckResult
    """
    name = name or getattr(function, "__name__", "your function")
    if not callable(function):
        return CheckResult(False, f"{FAIL}: {name} should be a function, got {function!r}.")
    describe = describe or (lambda case: ", ".join(f"{k}={_show(v)}" for k, v in case.items()))
    for number, case in enumerate(cases, start=1):
        expected = reference(**_copy(case))
        try:
            got = function(**_copy(case))
        except NotImplementedError:
            return CheckResult(False, f"{FAIL}: {name} is not written yet (it raises NotImplementedError).")
        except Exception as error:  # the learner's code may raise anything; report it kindly
            return CheckResult(
                False,
                f"{FAIL}: {name}({describe(case)}) raised {type(error).__name__}: {error}",
            )
        if got is None:
            return CheckResult(False, f"{FAIL}: {name}({describe(case)}) returned None; did you forget `return`?")
        if not _close(got, expected, rtol, atol):
            message = f"{FAIL}: case {number}, {name}({describe(case)}) gave {_show(got)}, expected {_show(expected)}."
            for mistake in mistakes:
                if _close(got, mistake.answer(**_copy(case)), rtol, atol):
                    return CheckResult(False, f"{message} Hint: {mistake.hint}")
            return CheckResult(False, message)
    return CheckResult(True, f"{PASS}: {name} matches the reference on all {len(cases)} cases.")


def _copy(case):
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in case.items()}
