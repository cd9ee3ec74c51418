"""Arithmetic that gives the same bits on every CPU.

numpy picks a different code path for the same operation on different
machines: OpenBLAS chooses its matrix-product kernel by CPU (and splits the
work over threads), and numpy chooses AVX-512, AVX2 or baseline versions of
``exp``, ``log``, ``tanh`` and ``power``. Each path is accurate to the last
bit or two, but not the *same* last bit, and a training run of thousands of
steps can turn that difference into a visibly different number. The
functions here are built only from operations that IEEE 754 rounds exactly
(``+``, ``-``, ``*``, ``/``, ``sqrt``, rounding to an integer, scaling by a
power of two) in a fixed order, so every machine computes the same bits:

- :func:`matmul`: the matrix product as a sum in a fixed order
  (``np.einsum`` without its BLAS shortcut);
- :func:`exp`, :func:`expm1`, :func:`log`, :func:`tanh`, :func:`power`: the
  elementary functions by argument reduction and a fixed polynomial
  (Cody & Waite, 1980; the scheme of fdlibm), accurate to a few units in the
  last place;
- :func:`geomspace`: a grid evenly spaced on a log scale, for learning rates;
- :func:`decided_by_rounding`: the course's one rule for calling a result
  chaotic, from two runs one rounding error apart.

They are slower than numpy's own (``matmul`` about 2x on the course's small
networks, the functions 3-10x), which is why only the computations whose
outputs the book stores use them.

>>> print(f"{exp(1.0):.12f} {log(2.0):.12f}")
2.718281828459 0.693147180560
>>> geomspace(1e-3, 10, 5)
array([1.e-03, 1.e-02, 1.e-01, 1.e+00, 1.e+01])
"""

import numpy as np

from . import _validate

__all__ = ["matmul", "exp", "expm1", "log", "tanh", "power", "geomspace", "decided_by_rounding", "ROUNDING_LEVEL"]

# ln 2 split in two (fdlibm): LN2_HI has 32 trailing zero bits, so k * LN2_HI
# is exact for |k| < 2**20 and x - k ln 2 loses nothing.
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00
# exp overflows above this and is 0 (below the smallest subnormal) under _EXP_LOW
_EXP_HIGH = 709.782712893383973096
_EXP_LOW = -745.1332191019412
# 1/k! for k = 2..13: Taylor coefficients of exp(r) - 1 - r on |r| <= ln(2)/2
_EXP_TAYLOR = tuple(1.0 / np.prod(np.arange(1.0, k + 1)) for k in range(2, 14))


def matmul(a, b):
    """The matrix product ``a @ b``, ``c_ij = sum_k a_ik b_kj``, summed in an order fixed by the shapes alone.

    Same shapes and broadcasting as ``a @ b`` (``np.matmul``): stacks of
    matrices on the leading axes broadcast, and a 1-D ``a`` (or ``b``) is a
    row (or column) vector whose axis is dropped from the result.

    >>> matmul(np.array([[1.0, 2.0]]), np.array([[3.0], [4.0]]))
    array([[11.]])
    >>> matmul(np.array([1.0, 2.0]), np.eye(2))
    array([1., 2.])
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"a and b must have 1 or more dimensions, got shapes {a.shape} and {b.shape}")
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        raise ValueError(f"a's last axis must match b's second-to-last, got shapes {a.shape} and {b.shape}")
    if a.ndim == 1 or b.ndim == 1:
        left = "k" if a.ndim == 1 else "...ik"
        right = "k" if b.ndim == 1 else "...kj"
        out = "..." + ("i" if a.ndim > 1 else "") + ("j" if b.ndim > 1 else "")
        return np.einsum(f"{left},{right}->{out}", a, b, optimize=False)
    # Contiguous operands make einsum's inner loop run over contiguous memory
    # (several times faster) and fix the order of the sums whatever the input
    # layout; a narrow result sums along rows of b's transpose. einsum's loops
    # are compiled for numpy's baseline CPU only, so that order, and with it
    # every bit of c, is the same on every machine.
    a = np.ascontiguousarray(a)
    if b.shape[-1] < _NARROW:
        return np.einsum("...ik,...jk->...ij", a, np.ascontiguousarray(np.swapaxes(b, -1, -2)), optimize=False)
    return np.einsum("...ik,...kj->...ij", a, np.ascontiguousarray(b), optimize=False)


_NARROW = 16
"""A product with fewer result columns than this sums along contiguous rows of ``b``'s transpose."""


def _scale_by_power_of_two(p, k):
    """``p * 2**k`` for float ``p`` and integer-valued float ``k``, exactly (two steps keep 2**k finite)."""
    half = np.floor(k / 2)
    return np.ldexp(np.ldexp(p, half.astype(np.int64)), (k - half).astype(np.int64))


def _reduce(x):
    """``x = k ln 2 + (hi - lo)`` with integer ``k`` and ``|hi - lo| <= ln(2)/2`` (Cody-Waite): (k, hi, lo)."""
    k = np.rint(x * _INV_LN2)
    return k, x - k * _LN2_HI, k * _LN2_LO


# fdlibm's minimax coefficients of r (e**r + 1)/(e**r - 1) = 2 + P1 r^2 + ... + P5 r^10
_EXP_P = (
    1.66666666666666019037e-01,
    -2.77777777770155933842e-03,
    6.61375632143793436117e-05,
    -1.65339022054652515390e-06,
    4.13813679705723846039e-08,
)


def _expm1_small(r):
    """``exp(r) - 1`` for ``|r| <= ln(2)/2`` by its Taylor series to ``r**13`` (error below 1e-17)."""
    poly = np.full_like(r, _EXP_TAYLOR[-1])
    for coefficient in reversed(_EXP_TAYLOR[:-1]):
        poly = poly * r + coefficient
    return r + (r * r) * poly


def exp(x):
    """``e**x``, the same bits on every CPU; 0 below about -745 and ``inf`` above about 709.8.

    fdlibm's algorithm: ``x = k ln 2 + r`` with ``|r| <= ln(2)/2``, ``e**r =
    1 + 2r / (R(r) - r)`` with ``R`` a degree-10 minimax polynomial, then
    ``e**x = 2**k e**r``. Within 1 unit in the last place of the exact
    value. Returns a float for a scalar, else an array.

    >>> exp(np.array([0.0, -1.0, 1000.0]))
    array([1.        , 0.36787944,        inf])
    """
    x = np.asarray(x, dtype=float)
    clipped = np.clip(x, _EXP_LOW, _EXP_HIGH)
    clipped = np.where(np.isnan(x), 0.0, clipped)
    k, hi, lo = _reduce(clipped)
    r = hi - lo
    t = r * r
    poly = np.full_like(t, _EXP_P[-1])
    for coefficient in reversed(_EXP_P[:-1]):
        poly = poly * t + coefficient
    c = r - t * poly
    out = _scale_by_power_of_two(1.0 - ((lo - (r * c) / (2.0 - c)) - hi), k)
    out = np.where(x > _EXP_HIGH, np.inf, np.where(x < _EXP_LOW, 0.0, out))
    return _validate.scalar_or_array(np.where(np.isnan(x), np.nan, out))


def expm1(x):
    """``e**x - 1``, accurate also for tiny ``x`` where ``exp(x) - 1`` loses digits; the same bits on every CPU.

    >>> print(expm1(1e-10))
    1.00000000005e-10
    """
    x = np.asarray(x, dtype=float)
    small = np.abs(x) <= _LN2_HI / 2
    out = np.where(small, _expm1_small(np.where(small, x, 0.0)), np.asarray(exp(x)) - 1.0)
    return _validate.scalar_or_array(out)


# 2/(2j+1) for j = 1..11: log(m) = 2 atanh(s) = 2s + (2/3) s^3 + (2/5) s^5 + ...
_ATANH_TERMS = tuple(2.0 / (2 * j + 1) for j in range(1, 12))
_SQRT_HALF = 0.70710678118654752440


def log(x):
    """Natural logarithm ``ln x``, the same bits on every CPU; ``-inf`` at 0, NaN below 0.

    ``x = m 2**e`` with ``m`` in ``[sqrt(1/2), sqrt(2))``, then ``ln m = 2
    atanh(s)`` with ``s = (m - 1)/(m + 1)``, ``|s| < 0.172``, by its series
    to ``s**23``; ``ln x = e ln 2 + ln m``. Within 2 units in the last place.

    >>> log(np.array([1.0, np.e, 0.0]))
    array([  0.,   1., -inf])
    """
    x = np.asarray(x, dtype=float)
    usable = np.isfinite(x) & (x > 0)
    m, e = np.frexp(np.where(usable, x, 1.0))
    low = m < _SQRT_HALF
    m = np.where(low, 2.0 * m, m)
    e = (e - low).astype(float)
    f = m - 1.0
    s = f / (2.0 + f)
    s2 = s * s
    poly = np.full_like(s, _ATANH_TERMS[-1])
    for coefficient in reversed(_ATANH_TERMS[:-1]):
        poly = poly * s2 + coefficient
    log_m = 2.0 * s + s * (s2 * poly)
    out = e * _LN2_HI + (e * _LN2_LO + log_m)
    out = np.where(x == 0, -np.inf, np.where(x == np.inf, np.inf, np.where(usable, out, np.nan)))
    return _validate.scalar_or_array(out)


def tanh(x):
    """Hyperbolic tangent ``tanh x = (e**{2x} - 1) / (e**{2x} + 1)``, the same bits on every CPU.

    Computed as ``sign(x) u / (u + 2)`` with ``u = expm1(2|x|)``, which is
    accurate near 0; 1 in magnitude beyond ``|x| = 20``.

    >>> tanh(np.array([0.0, 0.5, -30.0]))
    array([ 0.        ,  0.46211716, -1.        ])
    """
    x = np.asarray(x, dtype=float)
    u = np.asarray(expm1(2.0 * np.minimum(np.abs(x), 20.0)))
    return _validate.scalar_or_array(np.copysign(u / (u + 2.0), x))


def power(base, exponent):
    """``base ** exponent`` for ``base > 0`` (or an integer exponent), the same bits on every CPU.

    An integer exponent ``n`` (an int array, or float values that are whole
    numbers) is computed by repeated squaring, ``O(log n)`` exact
    multiplications, so ``power(0.5, 3)`` is ``0.125`` exactly and a
    negative base works. Otherwise ``exp(exponent * ln base)``, which is
    within a few units in the last place times ``|exponent ln base|``.

    >>> power(0.1, np.array([0, 1, 2]))
    array([1.  , 0.1 , 0.01])
    >>> print(f"{power(2.0, 0.5):.12f}")
    1.414213562373
    """
    base = np.asarray(base, dtype=float)
    exponent = np.asarray(exponent)
    whole = np.issubdtype(exponent.dtype, np.integer) or bool(
        np.all(np.isfinite(exponent)) and np.all(exponent == np.round(exponent)) and np.all(np.abs(exponent) < 2**31)
    )
    if not whole:
        return _validate.scalar_or_array(exp(np.asarray(exponent, dtype=float) * np.asarray(log(base))))
    n = np.abs(exponent).astype(np.int64)
    base, n = np.broadcast_arrays(base, n)
    out = np.ones(base.shape)
    square = base.copy()
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        while np.any(n > 0):
            out = np.where(n & 1, out * square, out)
            n = n >> 1
            square = square * square
        out = np.where(np.asarray(exponent) < 0, 1.0 / out, out)
    return _validate.scalar_or_array(out)


def geomspace(start, stop, num=50):
    """``num`` numbers from ``start`` to ``stop``, evenly spaced on a log scale, the same on every CPU.

    Like ``np.geomspace`` (whose values differ in the last bit between CPUs):
    ``start * (stop / start) ** (i / (num - 1))`` for ``i = 0, ..., num - 1``,
    with both ends exact and each value rounded to 15 significant digits, so
    a grid through a power of ten hits it exactly.

    >>> geomspace(0.01, 1, 3)
    array([0.01, 0.1 , 1.  ])
    """
    start = _validate.number(start, "start", low=0, low_open=True)
    stop = _validate.number(stop, "stop", low=0, low_open=True)
    num = _validate.integer(num, "num", low=2)
    fractions = np.arange(num) / (num - 1)
    values = start * np.asarray(power(stop / start, fractions))
    values = np.array([float(f"{v:.15g}") for v in values])
    values[0], values[-1] = start, stop
    return values


ROUNDING_LEVEL = 1e-12
"""A loss gap below this is a run converged to the level of rounding: its digits are noise."""


def decided_by_rounding(outcome, nudged_outcome, rtol=1e-6):
    """True where an outcome is chaotic: two runs one rounding error apart end more than ``rtol`` apart.

    ``outcome`` and ``nudged_outcome`` are the final losses (or loss gaps)
    of the same runs at a rate ``eta`` and at the next larger float. A
    stable run moves by about ``1e-13``; a run past the edge of stability
    moves by far more than ``rtol``, relative to the larger of the two. A
    run that is finite in one and diverged (inf or NaN) in the other is
    chaotic too; two runs below :data:`ROUNDING_LEVEL` are not (both have
    converged, only their noise differs).

    >>> decided_by_rounding(np.array([0.5, 0.5, 1e-20, 0.5]), np.array([0.5 + 1e-14, 0.7, 3e-20, np.inf]))
    array([False,  True, False,  True])
    """
    a, b = np.asarray(outcome, dtype=float), np.asarray(nudged_outcome, dtype=float)
    both_finite = np.isfinite(a) & np.isfinite(b)
    with np.errstate(invalid="ignore"):
        larger = np.maximum(np.abs(a), np.abs(b))
        apart = (np.abs(a - b) > rtol * larger) & (larger >= ROUNDING_LEVEL)
    return np.where(both_finite, apart, np.isfinite(a) != np.isfinite(b))
