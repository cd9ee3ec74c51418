"""Evidence for a verdict: intervals over seeds, paired differences, accuracy intervals, checked claims.

One convention for the whole book:

- Runs of two arms that share their seeds (same initialization, same
  minibatch order) are compared by their *paired differences*
  ``d_s = a_s - b_s``, one per seed, with a Student-t interval of the mean
  difference:

  .. math::

      \\bar d \\pm t_{1 - \\alpha/2,\\, n - 1} \\, \\frac{s_d}{\\sqrt{n}},

  with ``s_d`` the sample standard deviation (``ddof = 1``) of the ``n``
  differences. Pairing removes what the seeds share, so it needs far fewer
  seeds than comparing two independent means.
- The spread of the seeds (:func:`lrcourse.metrics.format_mean_std`) says
  how much one run varies; the interval of the mean says how well the
  seeds pin the mean down. Print the interval next to a verdict.
- An accuracy on ``n`` test images is a binomial proportion; its interval is
  Wilson's score interval (Wilson 1927), which stays inside ``[0, 1]`` and
  is accurate for small ``n``.
- Diverged runs (NaN) are never averaged in silently. One policy, used by
  the package and every chapter:

  * *Selecting* a rate (:func:`best_rate`): a diverged run is a failure of
    its rate and scores as the worst value, accuracy 0 (or ``+inf`` for a
    loss), inside the rate's mean over *all* its seeds. A rate that
    sometimes diverges is penalised by how often it does, not dropped and
    not excused.
  * *Comparing* two arms (:func:`paired_difference`): a pair with a
    diverged run is left out of the differences and counted in
    ``Interval.dropped``, so a table can say "k of n diverged" next to the
    interval.
- "No detectable difference" is the verdict when the interval covers 0.
- :func:`claim` asserts the condition a verdict rests on, in a notebook cell
  tagged ``claim``: if a change of code or numerics flips the verdict, the
  cell raises and the book build and ``pytest`` fail there.

>>> a = [0.962, 0.958, 0.971, 0.966, 0.960]
>>> b = [0.955, 0.951, 0.962, 0.961, 0.950]
>>> gain = paired_difference(a, b)
>>> print(gain)
+0.0076 [+0.0052, +0.0100] (95 % t interval, 5 pairs)
>>> print(verdict(gain, "cosine", "constant"))
cosine is higher than constant
>>> print(claim(gain.low > 0, "cosine ends above constant: the interval lies above 0"))
✔ Claim holds: cosine ends above constant: the interval lies above 0
"""

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import _validate

__all__ = [
    "Interval",
    "ClaimFailed",
    "t_quantile",
    "mean_interval",
    "paired_difference",
    "accuracy_interval",
    "verdict",
    "claim",
    "BestRate",
    "best_rate",
]

HOLDS = "✔ Claim holds"


@dataclass(frozen=True)
class Interval:
    """An estimate with a confidence interval.

    Attributes
    ----------
    estimate : float
        The mean (of values or of paired differences), or the proportion.
    low, high : float
        The interval's ends.
    level : float
        The confidence level, e.g. 0.95.
    n : int
        The number of values (pairs, seeds or test images) it rests on.
    method : str
        ``"t"`` or ``"Wilson"``.
    unit : str
        What ``n`` counts: ``"pairs"``, ``"values"`` or ``"images"``.
    dropped : int
        Values (or pairs) left out because they were not finite: diverged runs.
    """

    estimate: float
    low: float
    high: float
    level: float
    n: int
    method: str
    unit: str
    dropped: int = 0

    def excludes_zero(self):
        """True if 0 lies outside the interval: the difference is detectable at this level."""
        return not (self.low <= 0.0 <= self.high)

    def text(self, digits=4, signed=True):
        """``"+0.0076 [+0.0057, +0.0095]"``: the estimate and the interval, with ``digits`` decimals."""
        sign = "+" if signed else ""
        return f"{self.estimate:{sign}.{digits}f} [{self.low:{sign}.{digits}f}, {self.high:{sign}.{digits}f}]"

    def __str__(self):
        dropped = f", {self.dropped} left out (not finite)" if self.dropped else ""
        signed = self.unit == "pairs"
        about = f"{100 * self.level:g} % {self.method} interval, {self.n} {self.unit}{dropped}"
        return f"{self.text(signed=signed)} ({about})"


class ClaimFailed(AssertionError):
    """A verdict of the book no longer holds: the condition its :func:`claim` cell asserts is false."""


def t_quantile(p, df):
    """The quantile ``t_{p, df}`` of Student's t distribution, by bisection on its exact CDF.

    The CDF is written through the regularized incomplete beta function,
    ``P(T <= t) = 1 - I_x(df/2, 1/2) / 2`` with ``x = df / (df + t^2)`` for
    ``t >= 0``, evaluated by its continued fraction (Press et al.,
    *Numerical Recipes*, 6.4). Accurate to about 1e-12.

    >>> round(t_quantile(0.975, 4), 4), round(t_quantile(0.975, 9), 4), round(t_quantile(0.975, 1), 4)
    (2.7764, 2.2622, 12.7062)
    """
    p = _validate.number(p, "p", low=0.5, high=1, high_open=True)
    df = _validate.integer(df, "df", low=1)
    if p == 0.5:
        return 0.0
    low, high = 0.0, 1.0
    while _t_cdf(high, df) < p:
        high *= 2.0
    for _ in range(200):
        middle = 0.5 * (low + high)
        if _t_cdf(middle, df) < p:
            low = middle
        else:
            high = middle
        if high - low <= 1e-13 * high:
            break
    return 0.5 * (low + high)


def mean_interval(values, level=0.95, unit="values"):
    """The mean of the finite ``values`` (e.g. one metric over seeds) with its t interval.

    >>> print(mean_interval([0.96, 0.95, 0.97, float("nan")]))
    0.9600 [0.9352, 0.9848] (95 % t interval, 3 values, 1 left out (not finite))
    """
    values = np.asarray(values, dtype=float).reshape(-1)
    level = _validate.number(level, "level", low=0, high=1, low_open=True, high_open=True)
    finite = values[np.isfinite(values)]
    if finite.size < 2:
        raise ValueError(f"values must hold at least 2 finite numbers for an interval, got {finite.size}")
    mean = float(finite.mean())
    half = t_quantile(0.5 + level / 2, finite.size - 1) * float(finite.std(ddof=1)) / math.sqrt(finite.size)
    return Interval(mean, mean - half, mean + half, level, int(finite.size), "t", unit, int(values.size - finite.size))


def paired_difference(a, b, level=0.95):
    """The mean paired difference ``a - b`` over seeds, with its t interval.

    ``a[s]`` and ``b[s]`` are the two arms' results for seed ``s``. A pair in
    which either run is not finite (diverged) is left out and counted in
    ``dropped``.

    >>> print(paired_difference([1.0, 2.0, 3.0], [0.5, 1.0, 1.5]))
    +1.0000 [-0.2421, +2.2421] (95 % t interval, 3 pairs)
    """
    a = np.asarray(a, dtype=float).reshape(-1)
    b = np.asarray(b, dtype=float).reshape(-1)
    if a.shape != b.shape:
        raise ValueError(f"a and b must hold one value per seed each, got {a.size} and {b.size}")
    return mean_interval(a - b, level, unit="pairs")


def accuracy_interval(accuracy, n, level=0.95, unit="images"):
    """Wilson's score interval for an ``accuracy`` measured on ``n`` images (or any share of ``n`` trials).

    .. math::

        \\frac{\\hat p + z^2/(2n) \\pm z \\sqrt{\\hat p (1 - \\hat p)/n + z^2/(4n^2)}}{1 + z^2/n}

    with ``\\hat p`` the accuracy and ``z`` the normal quantile of ``(1 + level) / 2``.

    >>> print(accuracy_interval(352 / 360, 360))
    0.9778 [0.9568, 0.9887] (95 % Wilson interval, 360 images)
    >>> print(accuracy_interval(46 / 300, 300, unit="runs"))
    0.1533 [0.1170, 0.1985] (95 % Wilson interval, 300 runs)
    """
    n = _validate.integer(n, "n", low=1)
    level = _validate.number(level, "level", low=0, high=1, low_open=True, high_open=True)
    p = _validate.number(accuracy, "accuracy", low=0, high=1)
    if abs(p * n - round(p * n)) > 1e-6:
        raise ValueError(f"accuracy must be a count of right answers divided by n={n}, got {p!r}")
    z = _normal_quantile(0.5 + level / 2)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half), level, n, "Wilson", unit)


def verdict(difference, first, second, higher="higher"):
    """The verdict a paired difference ``first - second`` supports, in words.

    ``"<first> is higher than <second>"`` or ``"<second> is higher than
    <first>"`` when the interval excludes 0, else ``"no detectable
    difference between <first> and <second>"``. ``higher`` names the
    direction of a larger value ("higher", "slower", ...).

    >>> print(verdict(paired_difference([1.0, 1.1, 0.9], [1.0, 0.9, 1.1]), "A", "B"))
    no detectable difference between A and B
    """
    if not isinstance(difference, Interval):
        raise TypeError(f"difference must be an Interval (from paired_difference), got {difference!r}")
    if not difference.excludes_zero():
        return f"no detectable difference between {first} and {second}"
    winner, loser = (first, second) if difference.low > 0 else (second, first)
    return f"{winner} is {higher} than {loser}"


def claim(condition, message):
    """Assert the condition a verdict of the book rests on; return the line a reader sees.

    Used in a notebook cell tagged ``claim`` right after the numbers. If the
    condition is false (a change of code or numerics flipped the verdict),
    :class:`ClaimFailed` is raised with ``message``, and the build fails.

    >>> claim(False, "the interval excludes zero")
    Traceback (most recent call last):
    ...
    lrcourse.evidence.ClaimFailed: the claim no longer holds: the interval excludes zero
    """
    if not isinstance(message, str) or not message.strip():
        raise TypeError(f"message must say the claim in words, got {message!r}")
    if not isinstance(condition, (bool, np.bool_)):
        raise TypeError(f"condition must be True or False (a comparison), got {condition!r}")
    if not condition:
        raise ClaimFailed(f"the claim no longer holds: {message}")
    return _Holds(f"{HOLDS}: {message}")


class BestRate(NamedTuple):
    """The best rate of a sweep: its value, index, mean and spread of its score over seeds, and its diverged runs."""

    lr: float
    index: int
    mean: float
    spread: float
    diverged: int = 0

    def __str__(self):
        failed = f" ({self.diverged} diverged run{'s' if self.diverged != 1 else ''} counted as failures)" if self.diverged else ""
        return f"best η = {self.lr:.3g}: {self.mean:.4f} ± {self.spread:.4f}{failed}"


def best_rate(lrs, scores, higher_is_better=True, failure=None):
    """The rate with the best mean score over seeds, a diverged run counting as a failure.

    The score of rate ``i`` is the mean over all its seeds of

    .. math::

        \\tilde s_{i,k} = \\begin{cases} s_{i,k} & \\text{run } (i, k) \\text{ finished} \\\\
        s_\\text{fail} & \\text{run } (i, k) \\text{ diverged (NaN)} \\end{cases}

    with ``s_fail = failure``: by default 0 when higher is better (an
    accuracy) and ``+inf`` when lower is better (a loss, so a rate with a
    diverged seed cannot win on loss).

    Parameters
    ----------
    lrs : array_like, shape (n_lrs,)
    scores : array_like, shape (n_lrs, n_seeds)
        One score per run (e.g. the final validation accuracy), NaN for a run
        that diverged.
    higher_is_better : bool
        True for accuracies, False for losses.
    failure : float, optional
        The score a diverged run counts as.

    Returns
    -------
    BestRate
        ``spread`` is the sample standard deviation (``ddof=1``) of the
        counted scores (0 for one seed); ``diverged`` counts the best rate's
        diverged runs.

    >>> print(best_rate([0.1, 1.0, 10.0], [[0.80, 0.82], [0.95, 0.93], [0.99, float("nan")]]))
    best η = 1: 0.9400 ± 0.0141
    >>> print(best_rate([0.1, 1.0], [[0.80, 0.82], [0.99, float("nan")]], failure=0.9))
    best η = 1: 0.9450 ± 0.0636 (1 diverged run counted as failures)
    """
    lrs = _validate.array(lrs, "lrs", low=0)
    higher_is_better = _validate.flag(higher_is_better, "higher_is_better")
    scores = np.asarray(scores, dtype=float)
    if lrs.ndim != 1 or scores.ndim != 2 or scores.shape[0] != lrs.shape[0] or scores.shape[1] < 1:
        raise ValueError(f"scores must have shape (n_lrs, n_seeds) = ({lrs.size}, n_seeds), got shape {scores.shape}")
    if failure is None:
        failure = 0.0 if higher_is_better else math.inf
    else:
        failure = _validate.number(failure, "failure")
    diverged = ~np.isfinite(scores)
    if diverged.all(axis=1).all():
        raise ValueError("scores must hold at least one run that did not diverge (not NaN), got none")
    counted = np.where(diverged, failure, scores)
    means = counted.mean(axis=1)
    index = int(np.argmax(means) if higher_is_better else np.argmin(means))
    spread = float(counted[index].std(ddof=1)) if scores.shape[1] > 1 else 0.0
    return BestRate(float(lrs[index]), index, float(means[index]), spread, int(diverged[index].sum()))


class _Holds(str):
    """The line a claim cell shows: a string whose repr is itself, so the cell prints it plainly."""

    def __repr__(self):
        return str(self)


def _t_cdf(t, df):
    """``P(T <= t)`` for ``t >= 0``."""
    x = df / (df + t * t)
    return 1.0 - 0.5 * _regularized_beta(x, df / 2.0, 0.5)


def _regularized_beta(x, a, b):
    """``I_x(a, b)``, by the continued fraction of Numerical Recipes (6.4), with its symmetry for large ``x``."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(x, a, b) / a
    return 1.0 - front * _beta_fraction(1.0 - x, b, a) / b


def _beta_fraction(x, a, b):
    """The continued fraction of the incomplete beta function (modified Lentz's method)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 300):
        even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        for numerator in (even, odd):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1.0) < 1e-15:
            break
    return result


def _normal_quantile(p):
    """The standard normal quantile, by bisection on ``erf`` (exact to about 1e-13)."""
    low, high = -40.0, 40.0
    for _ in range(200):
        middle = 0.5 * (low + high)
        if 0.5 * (1.0 + math.erf(middle / math.sqrt(2.0))) < p:
            low = middle
        else:
            high = middle
    return 0.5 * (low + high)
