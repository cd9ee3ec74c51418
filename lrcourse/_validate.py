"""Input validation shared by every public function of the package.

Each helper raises a ``ValueError`` (or ``TypeError``) whose message names the
argument, the value it got and the allowed range, e.g.
``lr must be a finite number >= 0, got -0.1``. Validate once, at the public
boundary.
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


def array(value, name, *, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as a float ndarray after checking every entry is finite and in range.

    >>> array([0.1, 0.2], "lr", low=0)
    array([0.1, 0.2])
    >>> array([0.1, float("nan")], "lr", low=0)
    Traceback (most recent call last):
    ...
    ValueError: lr must contain only finite numbers >= 0, got nan at index 1
    """
    arr = np.asarray(value, dtype=float)
    bad = ~np.isfinite(arr)
    if low is not None:
        bad |= (arr < low) | ((arr == low) if low_open else False)
    if high is not None:
        bad |= (arr > high) | ((arr == high) if high_open else False)
    if bad.any():
        index = np.unravel_index(int(np.argmax(bad)), arr.shape) if arr.ndim else ()
        where = f" at index {index[0] if len(index) == 1 else index}" if arr.ndim else ""
        raise ValueError(
            f"{name} must contain only finite numbers{_range_text(low, high, low_open, high_open)}, "
            f"got {float(arr[index])!r}{where}"
        )
    return arr


def _range_text(low, high, low_open=False, high_open=False):
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {low:g}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {high:g}")
    return (" " + " and ".join(parts)) if parts else ""
