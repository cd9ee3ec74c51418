"""Input validation shared by every public function of the package.

Each helper raises an error whose message names the argument, the value it
got and the allowed range, e.g. ``lr must be a finite number >= 0, got
-0.1``. One rule decides which error: a value of the wrong type (a string
for a number, a float for a step, ``1`` for a flag) is a ``TypeError``; a
value of the right type that is out of range (a negative rate, a NaN) is a
``ValueError``. Validate once, at the public boundary.
"""

import math
import numbers

import numpy as np


def number(value, name, *, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as a float after checking it is finite and in range.

    ``low``/``high`` bound the value (inclusive unless ``low_open`` /
    ``high_open``).

    >>> number(0.5, "lr", low=0)
    0.5
    >>> number(-0.1, "lr", low=0)
    Traceback (most recent call last):
    ...
    ValueError: lr must be a finite number >= 0, got -0.1
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or (low is not None and (value < low or (low_open and value == low))) or (
        high is not None and (value > high or (high_open and value == high))
    ):
        raise ValueError(f"{name} must be a finite number{_range_text(low, high, low_open, high_open)}, got {value!r}")
    return value


def integer(value, name, *, low=None, high=None):
    """Return ``value`` as an int after checking it is an integer in ``[low, high]``.

    >>> integer(3, "steps", low=1)
    3
    >>> integer(0, "steps", low=1)
    Traceback (most recent call last):
    ...
    ValueError: steps must be an integer >= 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer{_range_text(low, high)}, got {value!r}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be an integer{_range_text(low, high)}, got {value!r}")
    return value


def choice(value, name, options):
    """Return ``value`` after checking it is one of ``options``.

    >>> choice("min", "mode", ("min", "max"))
    'min'
    >>> choice("mean", "mode", ("min", "max"))
    Traceback (most recent call last):
    ...
    ValueError: mode must be one of 'min', 'max', got 'mean'
    """
    if value not in options:
        allowed = ", ".join(repr(o) for o in options)
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


def flag(value, name):
    """Return ``value`` as a bool after checking it is ``True`` or ``False`` (NumPy's ``np.bool_`` too).

    >>> flag(np.True_, "nesterov")
    True
    >>> flag(1, "nesterov")
    Traceback (most recent call last):
    ...
    TypeError: nesterov must be True or False, got 1
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def pair(value, name, *, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as a tuple of two floats, each checked by :func:`number`.

    Anything but a sequence of two entries (a tuple, a list, a 1-D array) is
    a ``TypeError``; an entry out of range is a ``ValueError`` naming it as
    ``name[i]``.

    >>> pair([0.9, 0.999], "betas", low=0, high=1, high_open=True)
    (0.9, 0.999)
    >>> pair(0.9, "betas", low=0, high=1, high_open=True)
    Traceback (most recent call last):
    ...
    TypeError: betas must be a pair of finite numbers >= 0 and < 1, got 0.9
    >>> pair((0.9, 1.0), "betas", low=0, high=1, high_open=True)
    Traceback (most recent call last):
    ...
    ValueError: betas[1] must be a finite number >= 0 and < 1, got 1.0
    """
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise TypeError(
            f"{name} must be a pair of finite numbers{_range_text(low, high, low_open, high_open)}, got {value!r}"
        )
    bounds = {"low": low, "high": high, "low_open": low_open, "high_open": high_open}
    return tuple(number(item, f"{name}[{i}]", **bounds) for i, item in enumerate(value))


def steps(value, name, *, low=0):
    """Return ``value`` as an int64 ndarray after checking it holds integers ``>= low``.

    ``value`` is a step ``t`` or an array of them: an integer, or an array
    (or list) of integers. A wrong type (a float, a bool, a float array) is a
    ``TypeError``, a step below ``low`` a ``ValueError``; both name ``name``.

    >>> steps([0, 1, 2], "step")
    array([0, 1, 2])
    >>> steps(2.0, "step")
    Traceback (most recent call last):
    ...
    TypeError: step must be an integer >= 0 or an array of them, got 2.0
    >>> steps([1, 0], "t", low=1)
    Traceback (most recent call last):
    ...
    ValueError: t must contain only integers >= 1, got 0 at index 1
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return np.array(integer(value, name, low=low), dtype=np.int64)
    arr = np.asarray(value)
    if isinstance(value, (bool, np.bool_, numbers.Number)) or arr.dtype.kind not in "iu":
        got = f"an array of dtype {arr.dtype}" if isinstance(value, np.ndarray) else repr(value)
        raise TypeError(f"{name} must be an integer >= {low} or an array of them, got {got}")
    below = arr < low
    if below.any():
        index = np.unravel_index(int(np.argmax(below)), arr.shape)
        raise ValueError(f"{name} must contain only integers >= {low}, got {int(arr[index])}{_at(index)}")
    return arr.astype(np.int64)


def array(value, name, *, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as a float ndarray after checking every entry is a finite number in range.

    ``value`` is a real number, an ndarray of a numeric dtype, or a (nested)
    list or tuple of real numbers. An entry that is not a real number (a
    string, ``None``, a bool, as :func:`number` refuses them) is a
    ``TypeError``; a NaN, an infinity or an entry out of range a
    ``ValueError``. An ndarray of a float or integer dtype skips the entry
    check.

    >>> array([0.1, 0.2], "lr", low=0)
    array([0.1, 0.2])
    >>> array([0.1, float("nan")], "lr", low=0)
    Traceback (most recent call last):
    ...
    ValueError: lr must contain only finite numbers >= 0, got nan at index 1
    >>> array(["0.1", "0.2"], "lr", low=0)
    Traceback (most recent call last):
    ...
    TypeError: lr must be a real number or an array of them, got '0.1' at index 0
    """
    if not (isinstance(value, np.ndarray) and value.dtype.kind in "fiu"):
        _check_entries(value, name)
    arr = np.asarray(value, dtype=float)
    bad = ~np.isfinite(arr)
    if low is not None:
        bad |= (arr < low) | ((arr == low) if low_open else False)
    if high is not None:
        bad |= (arr > high) | ((arr == high) if high_open else False)
    if bad.any():
        index = np.unravel_index(int(np.argmax(bad)), arr.shape)
        raise ValueError(
            f"{name} must contain only finite numbers{_range_text(low, high, low_open, high_open)}, "
            f"got {float(arr[index])!r}{_at(index)}"
        )
    return arr


def scalar_or_array(values):
    """Return a 0-d result as a Python float (readable in notebooks), anything else as an ndarray.

    >>> scalar_or_array(np.float64(0.5)), scalar_or_array(np.array([0.5]))
    (0.5, array([0.5]))
    """
    values = np.asarray(values)
    return float(values) if values.ndim == 0 else values


def _check_entries(value, name):
    """Raise a ``TypeError`` naming ``name`` unless every entry of ``value`` is a real number (not a bool)."""
    if isinstance(value, np.ndarray) and value.dtype.kind != "O":
        raise TypeError(f"{name} must be a real number or an array of them, got an array of dtype {value.dtype}")
    entries = np.asarray(value, dtype=object)
    for flat_index, entry in enumerate(entries.flat):
        if isinstance(entry, (bool, np.bool_)) or not isinstance(entry, numbers.Real):
            index = np.unravel_index(flat_index, entries.shape)
            raise TypeError(f"{name} must be a real number or an array of them, got {entry!r}{_at(index)}")


def _at(index):
    """`` at index i`` for a position in an array (``(i, j)`` in 2-D), nothing for a 0-d one."""
    index = tuple(int(i) for i in index)
    if not index:
        return ""
    return f" at index {index[0] if len(index) == 1 else index}"


def _range_text(low, high, low_open=False, high_open=False):
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {low:g}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {high:g}")
    return (" " + " and ".join(parts)) if parts else ""
