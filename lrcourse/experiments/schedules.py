"""Experiment helpers for the chapter "Schedules": fair tuning of every shape, shared noise, grid summaries.

======================  =======================================================
``tune_peaks``            each schedule's peak tuned on its own grid, by the exact expected loss on a noisy quadratic
``shared_noise_runs``     every schedule run on the same noise sequences (seeds), for paired differences
``best_peaks``            each schedule's best peak on a network grid, selected by mean validation accuracy
``widen_until_bracketed``  train a window of a peak grid and widen it until the best peak lies inside
``epochs_to_target``      the mean first epoch at which runs reach a level
``dead_units``            the share of dead ReLU units of every run of a grid
======================  =======================================================

>>> epochs_to_target([[0.5, 0.97, 0.98], [0.5, 0.9, 0.99], [0.1, 0.2, 0.3]], 0.96)
'1.5 (2/3 runs)'
"""

from typing import NamedTuple

import numpy as np

from lrcourse import _validate, descent, evidence, landscapes, theory, training
from lrcourse.metrics import epochs_to_reach

__all__ = [
    "TunedPeak",
    "tune_peaks",
    "shared_noise_runs",
    "best_peaks",
    "widen_until_bracketed",
    "epochs_to_target",
    "dead_units",
]


class TunedPeak(NamedTuple):
    """One schedule's tuned peak: the best point of its grid and whether the grid brackets it.

    ``inside`` is False when the best peak is the grid's first or last
    point: the grid does not show that a better peak lies nowhere beyond it.
    """

    peak: float
    index: int
    score: float
    inside: bool

    def __str__(self):
        edge = "" if self.inside else " (at the grid's edge)"
        return f"peak {self.peak:.3g}: {self.score:.5f}{edge}"


def _check_makers(makers):
    if not isinstance(makers, dict) or not makers or not all(callable(m) for m in makers.values()):
        raise TypeError(f"makers must be a non-empty dict name -> function peak -> schedule, got {makers!r}")


def _check_peaks(peaks):
    peaks = _validate.array(peaks, "peaks", low=0, low_open=True)
    if peaks.ndim != 1 or peaks.size < 3 or np.any(np.diff(peaks) <= 0):
        raise ValueError(f"peaks must be a strictly increasing 1-D grid of at least 3 rates, got {peaks!r}")
    return peaks


def tune_peaks(makers, peaks, steps, L, noise_std, w0, mu=None):
    """Tune each schedule's peak rate on its own grid by its exact expected final loss on a noisy quadratic.

    For every shape ``name`` and every peak ``p`` of the grid, the schedule
    ``makers[name](p)`` is run for ``steps`` steps of SGD on the noisy
    quadratic of :func:`lrcourse.theory.sgd_expected_loss`, whose exact
    expected loss gap ``E[f(w_T) - f*]`` after ``T = steps`` steps is the
    score (no sampling, so the selection itself has no noise). The best peak
    of a shape is

    .. math::

        p^* = \\arg\\min_{p \\in \\text{peaks}} E[f(w_T) - f^*], \\quad \\eta_t = \\text{makers[name]}(p)(t).

    All shapes and peaks are computed in one call of the recursion (a
    ``(n_shapes, n_peaks, T)`` table of rates), vectorized over rates.

    Parameters
    ----------
    makers : dict of str -> callable
        ``makers[name](p)`` returns the schedule of that shape at peak ``p``
        (what "peak" means is the maker's business: the initial rate of a
        decay, the maximum of a cycle).
    peaks : 1-D array
        The grid of peaks, strictly increasing, at least 3 rates ``> 0``.
    steps : int
        The budget ``T``, the same for every shape.
    L, noise_std, w0, mu
        The noisy quadratic, as in :func:`lrcourse.theory.sgd_expected_loss`.

    Returns
    -------
    tuned : dict of str -> TunedPeak
        Each shape's best peak, its expected final loss, and whether it lies
        inside the grid (not at an end).
    losses : dict of str -> ndarray of shape (n_peaks,)
        The expected final loss at every peak (``inf`` where the rates
        diverge).

    Examples
    --------
    A constant rate on ``f(w) = w^2 / 2`` with noise: the best constant rate
    for 50 steps from ``w_0 = 2`` lies inside the grid.

    >>> from lrcourse import schedules
    >>> tuned, losses = tune_peaks({"constant": schedules.constant}, [0.01, 0.1, 0.5, 1.5], 50, 1.0, 0.3, 2.0)
    >>> print(tuned["constant"])
    peak 0.1: 0.00242
    """
    _check_makers(makers)
    peaks = _check_peaks(peaks)
    steps = _validate.integer(steps, "steps", low=1)
    t = np.arange(steps)
    rates = np.stack([np.stack([np.asarray(make(float(p))(t), dtype=float) for p in peaks])
                      for make in makers.values()])
    final = theory.sgd_expected_loss(rates, L, noise_std, w0, mu=mu)[..., -1]
    tuned, losses = {}, {}
    for name, row in zip(makers, final):
        best = int(np.argmin(row))
        tuned[name] = TunedPeak(float(peaks[best]), best, float(row[best]), 0 < best < len(peaks) - 1)
        losses[name] = row
    return tuned, losses


class _SharedNoise:
    """A noisy landscape for ``n_arms`` blocks of runs that all see the same noise, seed by seed.

    Runs are ordered arm-major: run ``i * n_seeds + k`` is arm ``i`` with
    seed ``k``. Each call draws one noise sample per seed (``(n_seeds, dim)``
    numbers, exactly what :class:`lrcourse.landscapes.Noisy` draws for a batch
    of ``n_seeds`` runs) and gives it to that seed's run in every arm.
    """

    def __init__(self, noisy, n_arms):
        self.noisy, self.n_arms = noisy, n_arms
        self.dim = noisy.dim
        self.min_value = noisy.min_value
        self.minimum = noisy.minimum

    def value(self, x):
        return self.noisy.value(x)

    def grad(self, x, rng=None):
        x = np.asarray(x, dtype=float)
        n_seeds = x.shape[0] // self.n_arms
        noise = rng.standard_normal((n_seeds,) + x.shape[1:])
        shared = np.tile(noise, (self.n_arms,) + (1,) * (x.ndim - 1))
        return self.noisy.landscape.grad(x) + self.noisy.noise_std * shared


def shared_noise_runs(landscape, x0, schedules, steps, n_seeds, seed=0):
    """Run every schedule on the same ``n_seeds`` noise sequences, all in one batch: the loss ``[i, k, t]``.

    Seed ``k`` is one sequence of gradient noise ``xi_0, xi_1, ...``; the run
    of schedule ``i`` with seed ``k`` starts at ``x0`` and sees exactly that
    noise, ``g(w_t) + sigma xi_t``. The runs of two schedules with the same
    seed are therefore *paired*, and their difference
    (:func:`lrcourse.evidence.paired_difference`) is free of the noise they
    share. Seed ``k`` gets the noise that run ``k`` of
    ``descent.run(landscape, [x0] * n_seeds, schedule, steps,
    rng=np.random.default_rng(seed))`` gets.

    Parameters
    ----------
    landscape : lrcourse.landscapes.Noisy
    x0 : float or pair of float
        The start of every run.
    schedules : list of callables
        The schedules (the arms), e.g. each shape at its tuned peak.
    steps : int
    n_seeds : int
        Noise sequences, ``>= 2``.
    seed : int
        Seed of the generator of all the noise.

    Returns
    -------
    ndarray of shape (n_schedules, n_seeds, steps + 1)
        The loss ``f(w_t)`` of every run at every step (NaN after a run
        diverged).

    Examples
    --------
    >>> from lrcourse import landscapes, schedules
    >>> bowl = landscapes.Noisy(landscapes.Quadratic1D(L=1.0), noise_std=0.5)
    >>> losses = shared_noise_runs(bowl, 2.0, [schedules.constant(0.1), schedules.cosine(0.3, 40)], 40, n_seeds=3)
    >>> losses.shape
    (2, 3, 41)
    """
    if not isinstance(landscape, landscapes.Noisy):
        raise TypeError(f"landscape must be a landscapes.Noisy (a landscape with gradient noise), got {landscape!r}")
    if not isinstance(schedules, (list, tuple)) or not schedules or not all(callable(s) for s in schedules):
        raise TypeError(f"schedules must be a non-empty list of schedules, got {schedules!r}")
    n_seeds = _validate.integer(n_seeds, "n_seeds", low=2)
    seed = _validate.integer(seed, "seed", low=0)
    start = np.asarray(x0, dtype=float)
    starts = np.broadcast_to(start, (len(schedules) * n_seeds,) + start.shape).copy()
    arms = [schedule for schedule in schedules for _ in range(n_seeds)]
    runs = descent.run(_SharedNoise(landscape, len(schedules)), starts, arms, steps, rng=np.random.default_rng(seed))
    return runs.losses.T.reshape(len(schedules), n_seeds, steps + 1)


def best_peaks(peaks, final_acc):
    """Each schedule's best peak on a network grid: the highest mean validation accuracy over the seeds.

    The policy of :func:`lrcourse.evidence.best_rate`: a diverged run counts
    as accuracy 0 inside its peak's mean over all the seeds.

    Parameters
    ----------
    peaks : 1-D array
        The grid of peak rates, strictly increasing, at least 3.
    final_acc : dict of str -> array of shape (n_peaks, n_seeds)
        Each schedule's final validation accuracy (NaN for a diverged run).

    Returns
    -------
    dict of str -> TunedPeak
        ``score`` is the mean accuracy at the best peak; ``inside`` says
        whether the grid brackets it.

    >>> print(best_peaks([0.1, 0.2, 0.4], {"cosine": [[0.95, 0.96], [0.97, 0.96], [0.90, float("nan")]]})["cosine"])
    peak 0.2: 0.96500
    """
    peaks = _check_peaks(peaks)
    if not isinstance(final_acc, dict) or not final_acc:
        raise TypeError(f"final_acc must be a non-empty dict name -> array (n_peaks, n_seeds), got {final_acc!r}")
    tuned = {}
    for name, acc in final_acc.items():
        best = evidence.best_rate(peaks, acc)
        tuned[name] = TunedPeak(best.lr, best.index, best.mean, 0 < best.index < len(peaks) - 1)
    return tuned


def widen_until_bracketed(train, grid, start, stop, score="val_acc"):
    """Tune a peak on a window of ``grid``, widening it one point at a time until the best lies inside.

    ``train(peaks)`` trains the runs (all seeds) at a list of peaks and
    returns a dict of arrays whose first axis follows ``peaks``; ``score``
    names the one of shape ``(n_peaks, n_seeds)`` that selects, e.g. the
    final validation accuracy. The first window is ``grid[start:stop]``.
    While the best peak (:func:`lrcourse.evidence.best_rate`: highest mean
    over the seeds, a diverged run counting as 0) is at an end of the window
    and the grid goes on beyond it, the next grid point on that side is
    trained and added. Only the peaks needed are trained: every arm gets its
    own grid, one that brackets its best.

    Parameters
    ----------
    train : callable
        ``train(list of float) -> dict of str -> ndarray``.
    grid : 1-D array
        All the peaks the window may grow into, strictly increasing.
    start, stop : int
        The first window, ``grid[start:stop]``, at least 3 peaks.
    score : str
        The key of the selecting array.

    Returns
    -------
    peaks : ndarray
        The peaks trained, increasing.
    results : dict of str -> ndarray
        ``train``'s arrays for all of them, in the order of ``peaks``.
    tuned : TunedPeak
        The best peak; ``inside`` is False only when the best is at the
        grid's own end.

    Examples
    --------
    A score that peaks at 0.8, from the window 0.1, 0.2, 0.4: two widenings.

    >>> import numpy as np
    >>> def train(peaks):
    ...     return {"val_acc": np.array([[1 - np.log2(p / 0.8) ** 2 / 100] * 2 for p in peaks])}
    >>> peaks, results, tuned = widen_until_bracketed(train, [0.05, 0.1, 0.2, 0.4, 0.8, 1.6], 1, 4)
    >>> peaks.tolist(), tuned.peak, tuned.inside
    ([0.1, 0.2, 0.4, 0.8, 1.6], 0.8, True)
    """
    if not callable(train):
        raise TypeError(f"train must be a function peaks -> dict of arrays, got {train!r}")
    grid = _check_peaks(grid)
    start = _validate.integer(start, "start", low=0)
    stop = _validate.integer(stop, "stop", low=start + 3, high=len(grid))
    low, high = start, stop

    def trained(peaks):
        results = train([float(p) for p in peaks])
        if not isinstance(results, dict) or score not in results:
            raise ValueError(f"train(peaks) must return a dict with the key score={score!r}, got {results!r}")
        return {key: np.asarray(value) for key, value in results.items()}

    results = trained(grid[low:high])
    while True:
        best = evidence.best_rate(grid[low:high], results[score])
        if best.index == 0 and low > 0:
            low -= 1
            new = trained(grid[low : low + 1])
            results = {key: np.concatenate([new[key], results[key]]) for key in results}
        elif best.index == high - low - 1 and high < len(grid):
            new = trained(grid[high : high + 1])
            high += 1
            results = {key: np.concatenate([results[key], new[key]]) for key in results}
        else:
            break
    inside = 0 < best.index < high - low - 1
    return grid[low:high].copy(), results, TunedPeak(best.lr, best.index, best.mean, inside)


def epochs_to_target(curves, level):
    """The mean first epoch at which the curves reach ``level``, over the runs that do, in words.

    ``"2.5 (3/4 runs)"``: the mean of :func:`lrcourse.metrics.epochs_to_reach`
    over the curves that reach ``level`` (value ``>= level``; NaN, a
    diverged run, never does), and how many do; ``"never (0/4)"`` if none.

    Parameters
    ----------
    curves : array of shape (n_runs, epochs + 1)
        E.g. the validation accuracy of the seeds of one rate.
    level : float
    """
    curves = np.asarray(curves, dtype=float)
    if curves.ndim != 2:
        raise ValueError(f"curves must have shape (n_runs, epochs + 1), got shape {curves.shape}")
    first = epochs_to_reach(curves, level)
    reached = first[first >= 0]
    if reached.size == 0:
        return f"never (0/{len(curves)})"
    return f"{np.mean(reached):.1f} ({reached.size}/{len(curves)} runs)"


def dead_units(grid, X):
    """Share of hidden units of every run of a grid that output 0 on every input of ``X``: ``[i, j]``.

    :meth:`lrcourse.models.MLP.dead_units` of each run's final parameters.

    Parameters
    ----------
    grid : lrcourse.training.GridResult
        Of a ReLU :class:`lrcourse.models.MLP`.
    X : ndarray of shape (n, n_features)

    Returns
    -------
    ndarray of shape (n_lrs, n_seeds)
    """
    if not isinstance(grid, training.GridResult):
        raise TypeError(f"grid must be a GridResult from train_grid, got {type(grid).__name__}")
    X = _validate.array(X, "X")
    return grid.model.dead_units(grid.stacked_params(), X).reshape(len(grid.lrs), len(grid.seeds))
