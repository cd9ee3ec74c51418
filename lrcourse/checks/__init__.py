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

__all__ = ["CheckResult", "CheckFailed", "Mistake", "check_value", "check_function", "not_one_number", "show"]

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


def _numbers(value):
    """``value`` as a float array, or None if it is not made of numbers (text, booleans, objects)."""
    if isinstance(value, str | bytes | bool | np.bool_):
        return None
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return None
    if array.dtype.kind not in "iuf":
        return None
    return array.astype(float)


def _close(got, expected, rtol, atol):
    got, expected = _numbers(got), _numbers(expected)
    if got is None or expected is None:
        return False
    if expected.shape == () and got.size == 1:
        got = got.reshape(())
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True))


def _kind_problem(value, expected):
    """Why ``value`` cannot be compared with ``expected`` (not a number, not a single number, wrong shape), or None.

    >>> _kind_problem("2.4", 2.4)
    "is the text '2.4', not a number: remove the quotes"
    >>> _kind_problem([2.0, 3.0], 2.4)
    'should be a single number, not a list of 2 values'
    >>> _kind_problem(np.ones((2, 3)), np.ones(3))
    'has shape (2, 3); it should be an array of shape (3,)'
    >>> _kind_problem(np.array([2.4]), 2.4) is None  # a one-element array counts as its number
    True
    """
    if isinstance(value, str | bytes):
        return f"is the text {_show(value)}, not a number: remove the quotes"
    try:
        text_inside = np.asarray(value).dtype.kind in "US"
    except (TypeError, ValueError):
        text_inside = False
    if text_inside:
        return "holds text, not a number: remove the quotes"
    numbers = _numbers(value)
    if numbers is None:
        return f"should be a number, not {_kind(value)}"
    wanted = np.shape(expected)
    if wanted == ():
        if numbers.size != 1:
            return f"should be a single number, not {_kind(value)}"
        return None
    if numbers.shape != wanted:
        return f"has shape {numbers.shape}; it should be an array of shape {wanted}"
    return None


def not_one_number(answer, name):
    """A failing :class:`CheckResult` if ``answer`` is not a single number, else None.

    For checks that take a number but judge it their own way (not with
    :func:`check_value`). ``None`` is "not answered yet"; text, truth values,
    several numbers are named; a one-element list or array counts as its
    number (read it with ``float(np.reshape(answer, ()))``).

    >>> not_one_number("1.2", "lr")
    ✘ Not yet: lr is the text '1.2', not a number: remove the quotes.
    >>> not_one_number([0.3, 1.2], "lr")
    ✘ Not yet: lr should be a single number, not a list of 2 values: [0.3, 1.2].
    >>> not_one_number(np.array([0.3]), "lr") is None
    True
    """
    if answer is None:
        return CheckResult(False, f"{FAIL}: {name} is not answered yet (it is still None).")
    problem = _kind_problem(answer, 0.0)
    if problem is None:
        return None
    shown = f": {show(answer)}" if isinstance(answer, list | tuple | np.ndarray) else ""
    return CheckResult(False, f"{FAIL}: {name} {problem}{shown}.")


def _kind(value):
    """A few words on what ``value`` is, for feedback: ``a list of 3 numbers``, ``an array of shape (2, 2)``."""
    if isinstance(value, bool | np.bool_):
        return f"the truth value {value}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}" if value.ndim != 1 else f"an array of {_count(value.size)}"
    if isinstance(value, list | tuple):
        return f"a {type(value).__name__} of {_count(len(value))}"
    return f"{_show(value)} (a {type(value).__name__})"


def _count(n):
    return "one value" if n == 1 else f"{n} values"


def _direction(answer, expected):
    """Say how a wrong answer is off without giving the expected value away."""
    got, want = float(np.reshape(_numbers(answer), ())), float(expected)
    if not np.isfinite(got):
        return "is not a finite number"
    return "is too large" if got > want else "is too small"


LONGEST = 80  # characters of a value shown in feedback; longer ones are shortened


def show(value):
    """``value`` for feedback, shortened to about 80 characters: floats to 6 digits, long arrays by their ends.

    >>> show(0.1 + 0.2)
    '0.3'
    >>> show(np.arange(300.0))
    'array of 300: [0, 1, 2, ..., 297, 298, 299]'
    >>> show(list(range(300)))
    'list of 300: [0, 1, 2, ..., 297, 298, 299]'
    """
    if isinstance(value, float | np.floating):
        return f"{float(value):.6g}"
    if isinstance(value, list | tuple | np.ndarray):
        numbers = _numbers(value)
        if numbers is not None and numbers.ndim == 1:
            text = _ends(numbers, numbers.size)
            if len(text) <= LONGEST:
                return text
            kind = "array" if isinstance(value, np.ndarray) else type(value).__name__
            return f"{kind} of {numbers.size}: {_ends(numbers, 3)}"
        if isinstance(value, np.ndarray):
            return np.array2string(value, precision=4, separator=", ", threshold=6, edgeitems=2)
    text = repr(value)
    return text if len(text) <= LONGEST else text[: LONGEST - 4] + " ..."


def _ends(values, each):
    """The first and last ``each`` of ``values``, with ``...`` between them if there are more."""
    def numbers(part):
        return ", ".join(f"{float(x):.6g}" for x in part)

    if values.size <= 2 * each:
        return f"[{numbers(values)}]"
    return f"[{numbers(values[:each])}, ..., {numbers(values[-each:])}]"


_show = show


def check_value(answer, expected, *, name="answer", what=None, rtol=1e-6, atol=1e-12, mistakes=()):
    """Check a value answer against the expected one.

    Parameters
    ----------
    answer : object
        The learner's answer; ``None`` means not answered yet. Text is never
        a number (``"2.4"`` fails, with a word about the quotes); a
        one-element list or array counts as its number; more numbers where
        one is expected, or an array of the wrong shape, fail and say so.
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
    >>> check_value("0.5", 0.5, name="largest_stable_lr")
    ✘ Not yet: largest_stable_lr is the text '0.5', not a number: remove the quotes.
    >>> check_value(np.array([0.3, 4.0]), 0.5, name="largest_stable_lr")
    ✘ Not yet: largest_stable_lr should be a single number, not an array of 2 values: [0.3, 4].
    """
    if answer is None:
        return CheckResult(False, f"{FAIL}: {name} is not answered yet (it is still None).")
    problem = _kind_problem(answer, expected)
    if problem:
        shown = f": {show(answer)}" if isinstance(answer, list | tuple | np.ndarray) else ""
        return CheckResult(False, f"{FAIL}: {name} {problem}{shown}.")
    if _close(answer, expected, rtol, atol):
        detail = f" ({what})" if what else ""
        return CheckResult(True, f"{PASS}: {name} = {show(answer)}{detail}.")
    if np.shape(expected) == ():
        message = f"{FAIL}: {name} = {show(answer)} {_direction(answer, expected)}."
    else:
        message = f"{FAIL}: {name} = {show(answer)} does not match the expected array of shape {np.shape(expected)}."
    for mistake in mistakes:
        if _close(answer, mistake.answer, rtol, atol):
            return CheckResult(False, f"{message} Hint: {mistake.hint}")
    return CheckResult(False, message)


def check_function(function, reference, cases, *, name=None, rtol=1e-9, atol=1e-12, mistakes=(), describe=None,
                   unchanged=False):
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
    unchanged : bool
        If true (for an exercise that says the function must not modify its
        inputs), the check also fails when the function changed an array it
        was given, and names it.

    Returns
    -------
    CheckResult
        It fails at the first case that goes wrong: the function raised,
        returned None, returned text or the wrong number of values (named as
        such), or a value that does not match the reference's (both shown,
        long ones shortened).
    """
    name = name or getattr(function, "__name__", "your function")
    if not callable(function):
        return CheckResult(False, f"{FAIL}: {name} should be a function, got {show(function)}.")
    describe = describe or (lambda case: ", ".join(f"{k}={show(v)}" for k, v in case.items()))
    answered = False
    for number, case in enumerate(cases, start=1):
        expected = reference(**_copy(case))
        given = _copy(case)
        try:
            got = function(**given)
        except NotImplementedError:
            return CheckResult(False, f"{FAIL}: {name} is not written yet (it raises NotImplementedError).")
        except Exception as error:  # the learner's code may raise anything; report it kindly
            return CheckResult(
                False,
                f"{FAIL}: {name}({describe(case)}) raised {type(error).__name__}: {show(str(error))[1:-1]}",
            )
        call = f"case {number}, {name}({describe(case)})"
        if got is None and expected is not None:
            if not answered:
                return CheckResult(False, f"{FAIL}: {call} returned None; did you forget `return`?")
            return CheckResult(
                False,
                f"{FAIL}: {call} returned None, expected {show(expected)}. Hint: the earlier cases returned a value; "
                "make sure every way through the function ends in a `return` with a value.",
            )
        answered = True
        if unchanged:
            changed = [k for k, v in given.items()
                       if isinstance(v, np.ndarray) and not np.array_equal(v, case[k], equal_nan=True)]
            if changed:
                return CheckResult(
                    False,
                    f"{FAIL}: {call} changed its input {changed[0]} in place. Hint: an in-place update such as "
                    f"`{changed[0]} -= ...` overwrites the caller's array; compute and return a new array instead.",
                )
        problem = _kind_problem(got, expected) if _numbers(expected) is not None else None
        if problem:
            return CheckResult(False, f"{FAIL}: {call} returned a value that {problem}: {show(got)}.")
        if not _close(got, expected, rtol, atol):
            message = f"{FAIL}: {call} gave {show(got)}, expected {show(expected)}."
            for mistake in mistakes:
                if _close(got, mistake.answer(**_copy(case)), rtol, atol):
                    return CheckResult(False, f"{message} Hint: {mistake.hint}")
            return CheckResult(False, message)
    return CheckResult(True, f"{PASS}: {name} matches the reference on all {len(cases)} cases.")


def _copy(case):
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in case.items()}
