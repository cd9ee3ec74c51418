"""Experiments of the chapter "The learning rate at scale": batch sizes, warm-up, horizons and widths.

Every experiment here trains many runs of a network of :mod:`lrcourse.models`
at once on the package's one loop (:func:`lrcourse.engine.run_steps`), with
the minibatch order of :func:`lrcourse.training.minibatch_objective` (seeds
share the initialization and the minibatch order across rates, so arms
compare in pairs), and measures the runs once, at the end: that keeps grids
over batch sizes and widths inside a notebook's budget.

- :func:`final_scores` trains a grid of rates x seeds for a number of steps
  and returns the final training and validation loss and accuracy;
  :func:`batch_grid` repeats it over batch sizes, at a fixed number of
  epochs or of steps.
- :func:`best_per_row` picks each row's best rate with
  :func:`lrcourse.evidence.best_rate` (the book's one policy for diverged
  runs) and says whether the grid brackets it.
- :func:`refined_best` places a row's best rate between grid points (a
  parabola in ``log eta``), :func:`bootstrap_best` gives a percentile
  interval for it by resampling seeds, and :func:`scaling_exponent` fits
  ``eta* ~ B^alpha`` across rows, with a bootstrap interval for ``alpha``.
- :func:`sharpness_along_run` measures the top Hessian eigenvalue
  (:func:`lrcourse.curvature.top_eigenvalue`) at checkpoints of the runs.
- :func:`adam_step_sizes` records the size of Adam's update, per step.
"""

import math
from dataclasses import dataclass

import numpy as np

from lrcourse import _validate, curvature, engine, optim
from lrcourse.evidence import best_rate
from lrcourse.training import minibatch_objective

__all__ = [
    "Scores", "final_scores", "batch_grid", "best_per_row", "refined_best", "bootstrap_best", "scaling_exponent",
    "sharpness_along_run", "adam_step_sizes",
]

LOSS_LIMIT = 1e4
"""A run whose minibatch cross-entropy exceeds this (or is not finite) has diverged (it starts near ln 10)."""


@dataclass(repr=False, eq=False)
class Scores:
    """Final measurements of a grid of runs, indexed ``[i, j]`` for rate ``lrs[i]`` and seed ``seeds[j]``.

    Attributes
    ----------
    lrs : ndarray of shape (n_lrs,)
    seeds : ndarray of int
    train_loss, val_loss, train_acc, val_acc : ndarray of shape (n_lrs, n_seeds)
        On the whole training and validation sets after the last step; NaN
        for a run that diverged. Schedule-free runs are measured at their
        average ``x`` (:meth:`lrcourse.optim.Optimizer.evaluation_point`).
    diverged : ndarray of bool, shape (n_lrs, n_seeds)
    steps, batch_size : int
    """

    lrs: np.ndarray
    seeds: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    train_acc: np.ndarray
    val_acc: np.ndarray
    diverged: np.ndarray
    steps: int
    batch_size: int

    def __repr__(self):
        return (
            f"Scores(lrs={len(self.lrs)}, seeds={len(self.seeds)}, steps={self.steps}, "
            f"batch_size={self.batch_size}, diverged={int(self.diverged.sum())})"
        )


def final_scores(model, data, make_optimizer, lrs, seeds, batch_size, steps, make_schedule=None):
    """Train one run per (rate, seed) for ``steps`` minibatch steps and measure it once, at the end.

    Parameters
    ----------
    model : SoftmaxRegression or MLP
    data : Digits
        From :func:`lrcourse.data.load_digits`.
    make_optimizer : callable
        ``make_optimizer(lr) -> optimizer`` where ``lr`` is an array of shape
        ``(R, 1, 1)``, one rate per run (e.g. ``optim.SGD``, or ``lambda lr:
        optim.SGD(lr=model.layer_rates(lr))`` for per-layer rates).
    lrs : sequence of float
        The (peak) rates ``eta``.
    seeds : sequence of int
        Seed ``s`` fixes the initialization and the minibatch order.
    batch_size : int
        ``B``; an epoch is ``ceil(n_train / B)`` steps.
    steps : int
        Optimizer steps of every run, ``>= 1``.
    make_schedule : callable, optional
        ``make_schedule(lr) -> schedule``; then ``eta_t = schedule(t)``.

    Returns
    -------
    Scores

    Examples
    --------
    >>> from lrcourse import data
    >>> from lrcourse.models import SoftmaxRegression
    >>> scores = final_scores(SoftmaxRegression(), data.load_digits(), optim.SGD, [0.1, 1.0], [0, 1], 64, 20)
    >>> scores.val_acc.shape, bool(scores.diverged.any())
    ((2, 2), False)
    """
    lrs = _validate.array(lrs, "lrs", low=0)
    if lrs.ndim != 1 or lrs.size == 0:
        raise ValueError(f"lrs must be a non-empty 1-D sequence of rates, got shape {lrs.shape}")
    if not isinstance(seeds, (list, tuple, np.ndarray)) or len(seeds) == 0:
        raise ValueError(f"seeds must be a non-empty list of integers >= 0, got {seeds!r}")
    seeds = [_validate.integer(s, f"seeds[{k}]", low=0) for k, s in enumerate(seeds)]
    batch_size = _validate.integer(batch_size, "batch_size", low=1)
    steps = _validate.integer(steps, "steps", low=1)
    n_lrs, n_seeds = len(lrs), len(seeds)
    n_runs = n_lrs * n_seeds
    per_run = np.repeat(lrs, n_seeds)
    optimizer = make_optimizer(per_run.reshape(n_runs, 1, 1))
    if not isinstance(optimizer, optim.Optimizer):
        raise TypeError(f"make_optimizer(lr) must return an lrcourse.optim optimizer, got {optimizer!r}")
    rates = None
    if make_schedule is not None:
        table = np.stack([engine.schedule_rates(make_schedule(float(lr)), steps, "make_schedule(lr)") for lr in lrs])
        rates = np.repeat(table, n_seeds, axis=0).T
    elif not isinstance(optimizer.lr, dict):
        rates = np.broadcast_to(per_run, (steps, n_runs))
    start = model.init_params(seeds)
    params = {name: np.tile(value, (n_lrs,) + (1,) * (value.ndim - 1)) for name, value in start.items()}
    objective = minibatch_objective(model, data.X_train, data.y_train, batch_size, seeds, runs_per_seed=n_lrs)
    runs = engine.run_steps(objective, params, optimizer, rates, steps, loss_limit=LOSS_LIMIT)
    final = optimizer.evaluation_point(runs.params, runs.state)
    diverged = runs.diverged_at >= 0
    measured = {}
    for split in ("train", "val"):
        X, y = getattr(data, f"X_{split}"), getattr(data, f"y_{split}")
        loss, acc, _, _ = model._evaluate(final, X, y, with_grads=False)
        measured[f"{split}_loss"] = np.where(diverged, np.nan, loss).reshape(n_lrs, n_seeds)
        measured[f"{split}_acc"] = np.where(diverged, np.nan, acc).reshape(n_lrs, n_seeds)
    return Scores(
        lrs=lrs, seeds=np.array(seeds), diverged=diverged.reshape(n_lrs, n_seeds), steps=steps,
        batch_size=batch_size, **measured,
    )


def batch_grid(model, data, make_optimizer, lrs, batch_sizes, seeds, epochs=None, steps=None):
    """:func:`final_scores` for every batch size, at a fixed number of epochs or a fixed number of steps.

    With ``epochs=E`` a run with batch size ``B`` takes ``E ceil(n / B)``
    steps (every run sees the same number of examples); with ``steps=S``
    every run takes ``S`` steps (a larger batch sees more examples). Give
    exactly one of the two.

    Returns
    -------
    dict of int -> Scores
    """
    if (epochs is None) == (steps is None):
        raise ValueError(f"give exactly one of epochs and steps, got epochs={epochs!r} and steps={steps!r}")
    out = {}
    for B in batch_sizes:
        B = _validate.integer(B, "batch_sizes", low=1)
        n_steps = steps
        if epochs is not None:
            n_steps = _validate.integer(epochs, "epochs", low=1) * math.ceil(len(data.y_train) / B)
        out[B] = final_scores(model, data, make_optimizer, lrs, seeds, B, n_steps)
    return out


@dataclass(frozen=True)
class RowBest:
    """The best rate of one row of a grid, as :func:`best_per_row` finds it."""

    lr: float
    index: int
    mean: float
    inside: bool
    """True when the best rate is not at either end of the row's grid."""


def best_per_row(scores, metric="val_loss"):
    """Each row's best rate by :func:`lrcourse.evidence.best_rate` (lower is better for a loss).

    Parameters
    ----------
    scores : dict of key -> Scores
    metric : {"val_loss", "val_acc", "train_loss", "train_acc"}

    Returns
    -------
    dict of key -> RowBest
    """
    metric = _validate.choice(metric, "metric", ("val_loss", "val_acc", "train_loss", "train_acc"))
    higher = metric.endswith("acc")
    out = {}
    for key, row in scores.items():
        best = best_rate(row.lrs, getattr(row, metric), higher_is_better=higher)
        out[key] = RowBest(best.lr, best.index, best.mean, 0 < best.index < len(row.lrs) - 1)
    return out


def refined_best(lrs, scores, higher_is_better=False):
    """The best rate of a row placed between grid points: the vertex of a parabola in ``log eta``.

    The grid point with the best mean over seeds (:func:`lrcourse.evidence.best_rate`,
    a diverged run counting as a failure) and its two neighbours are fitted
    by a parabola in ``u = log eta``; the vertex
    ``u* = u_0 - h (s_+ - s_-) / (2 (s_+ - 2 s_0 + s_-))`` (equal spacing
    ``h``) is returned, clipped to the neighbours. At either end of the grid,
    or when a neighbour's mean is not finite, the grid point itself is
    returned.

    Parameters
    ----------
    lrs : array_like of shape (n_lrs,)
        Positive rates, equally spaced in ``log eta``.
    scores : array_like of shape (n_lrs, n_seeds)
        NaN for a diverged run.
    higher_is_better : bool, default False
        False for a loss.

    Returns
    -------
    float

    Examples
    --------
    A loss that is exactly a parabola in ``log2 eta`` with its vertex at ``eta = 2^0.3``:

    >>> lrs = 2.0 ** np.arange(-2, 3)
    >>> scores = ((np.log2(lrs) - 0.3) ** 2)[:, None]
    >>> round(float(np.log2(refined_best(lrs, scores))), 12)
    0.3
    """
    lrs = _validate.array(lrs, "lrs", low=0, low_open=True)
    scores = np.asarray(scores, dtype=float)
    u = np.log(lrs)
    if lrs.size > 2 and not np.allclose(np.diff(u), u[1] - u[0], rtol=1e-9, atol=0):
        raise ValueError(f"lrs must be equally spaced in log eta, got {lrs!r}")
    best = best_rate(lrs, scores, higher_is_better=higher_is_better)
    i = best.index
    if i == 0 or i == len(lrs) - 1:
        return float(lrs[i])
    failure = 0.0 if higher_is_better else math.inf
    means = np.where(np.isfinite(scores), scores, failure).mean(axis=1)
    sign = -1.0 if higher_is_better else 1.0
    s_minus, s_0, s_plus = sign * means[i - 1], sign * means[i], sign * means[i + 1]
    curvature_ = s_plus - 2 * s_0 + s_minus
    if not (np.isfinite(s_minus) and np.isfinite(s_plus)) or curvature_ <= 0:
        return float(lrs[i])
    h = u[i] - u[i - 1]
    shift = -h * (s_plus - s_minus) / (2 * curvature_)
    return float(math.exp(u[i] + min(max(shift, -h), h)))


def _resampled_seeds(n_seeds, n_boot, seed):
    """``n_boot`` rows of seed indices drawn with replacement (a fixed generator: the same draws every time)."""
    n_boot = _validate.integer(n_boot, "n_boot", low=1)
    seed = _validate.integer(seed, "seed", low=0)
    return np.random.default_rng(seed).integers(0, n_seeds, size=(n_boot, n_seeds))


def bootstrap_best(row, metric="val_loss", level=0.95, n_boot=400, seed=0):
    """A percentile bootstrap interval for :func:`refined_best`, resampling the seeds of one row.

    Each resample draws ``n_seeds`` seeds with replacement and uses the same
    draw for every rate (the runs of a seed share their initialization and
    minibatch order), then finds the refined best rate of the resampled row.

    Parameters
    ----------
    row : Scores
    metric : {"val_loss", "val_acc", "train_loss", "train_acc"}
    level : float, default 0.95
        In ``(0, 1)``.
    n_boot : int, default 400
    seed : int, default 0
        Seed of the resampling.

    Returns
    -------
    (best, low, high) : tuple of float
        The refined best rate of the whole row and the interval's ends.
    """
    metric = _validate.choice(metric, "metric", ("val_loss", "val_acc", "train_loss", "train_acc"))
    level = _validate.number(level, "level", low=0, high=1, low_open=True, high_open=True)
    higher = metric.endswith("acc")
    scores = np.asarray(getattr(row, metric), dtype=float)
    draws = _resampled_seeds(scores.shape[1], n_boot, seed)
    found = np.array([refined_best(row.lrs, scores[:, d], higher) for d in draws])
    tail = (1 - level) / 2
    low, high = np.quantile(np.log(found), [tail, 1 - tail])
    return refined_best(row.lrs, scores, higher), float(math.exp(low)), float(math.exp(high))


def scaling_exponent(grid, metric="val_loss", level=0.95, n_boot=400, seed=0):
    """The exponent ``alpha`` of ``eta*(k) ~ k^alpha``: a least-squares line through ``log eta*`` against ``log k``.

    ``k`` is what the rows vary: the batch size ``B`` (a grid from
    :func:`batch_grid`) or the width ``n`` of a network (one
    :func:`final_scores` row per width). ``eta*`` is each row's
    :func:`refined_best`. The interval is a percentile bootstrap that
    resamples the seed indices once per draw and uses the same draw for
    every row (a seed's runs share their initialization and minibatch order
    across rows), so every row of ``grid`` must have the same seeds.

    Parameters
    ----------
    grid : dict of number -> Scores
        Keys are positive batch sizes or widths, at least two.
    metric, level, n_boot, seed
        As in :func:`bootstrap_best`.

    Returns
    -------
    (alpha, low, high) : tuple of float

    Examples
    --------
    Rows whose best rate is exactly ``B^0.5`` give ``alpha = 0.5`` and an interval of width 0.
    """
    metric = _validate.choice(metric, "metric", ("val_loss", "val_acc", "train_loss", "train_acc"))
    level = _validate.number(level, "level", low=0, high=1, low_open=True, high_open=True)
    if not isinstance(grid, dict) or len(grid) < 2:
        raise ValueError(f"grid must be a dict of at least two batch sizes or widths -> Scores, got "
                         f"{type(grid).__name__} with {len(grid) if hasattr(grid, '__len__') else 0} entries")
    keys = [_validate.number(k, "grid key (a batch size or width)", low=0, low_open=True) for k in grid]
    rows = list(grid.values())
    seeds = rows[0].seeds
    if any(len(r.seeds) != len(seeds) or np.any(r.seeds != seeds) for r in rows):
        raise ValueError("every row of grid must have the same seeds, in the same order")
    higher = metric.endswith("acc")
    log_b = np.log(np.array(keys, dtype=float))

    def slope(index):
        log_eta = np.log([refined_best(r.lrs, np.asarray(getattr(r, metric), dtype=float)[:, index], higher)
                          for r in rows])
        return float(np.polyfit(log_b, log_eta, 1)[0])

    draws = _resampled_seeds(len(seeds), n_boot, seed)
    found = np.array([slope(d) for d in draws])
    tail = (1 - level) / 2
    low, high = np.quantile(found, [tail, 1 - tail])
    return slope(np.arange(len(seeds))), float(low), float(high)


def sharpness_along_run(model, data, make_optimizer, lr, seeds, batch_size, steps, checkpoints,
                        make_schedule=None, n_images=128, iterations=12):
    """The top Hessian eigenvalue of the training loss at checkpoints of runs, one run per seed.

    The loss whose Hessian is measured is the mean cross-entropy on the
    first ``n_images`` training images (a fixed set, the same for every
    checkpoint); :func:`lrcourse.curvature.top_eigenvalue` runs
    ``iterations`` power iterations from a seeded start.

    Returns
    -------
    sharpness : ndarray of shape (len(checkpoints), n_seeds)
        NaN for a run that had diverged by then.
    diverged_at : ndarray of int, shape (n_seeds,)
        The step of divergence, -1 if none.
    """
    seeds = [_validate.integer(s, f"seeds[{k}]", low=0) for k, s in enumerate(seeds)]
    checkpoints = [_validate.integer(c, "checkpoints", low=0, high=steps) for c in checkpoints]
    n_runs = len(seeds)
    optimizer = make_optimizer(np.full((n_runs, 1, 1), float(lr)))
    rates = None
    if make_schedule is not None:
        rates = np.repeat(engine.schedule_rates(make_schedule(float(lr)), steps)[:, None], n_runs, axis=1)
    elif not isinstance(optimizer.lr, dict):
        rates = np.full((steps, n_runs), float(lr))
    grad = curvature.model_gradient(model, data.X_train[:n_images], data.y_train[:n_images])
    found = np.full((len(checkpoints), n_runs), np.nan)

    def measure(t, params, alive):
        for k, c in enumerate(checkpoints):
            if c == t and alive.any():
                value = curvature.top_eigenvalue(grad, params, iterations=iterations, stacked=True, largest=True).value
                found[k] = np.where(alive, value, np.nan)

    params = model.init_params(seeds)
    measure(0, params, np.ones(n_runs, dtype=bool))
    objective = minibatch_objective(model, data.X_train, data.y_train, batch_size, seeds)
    runs = engine.run_steps(objective, params, optimizer, rates, steps, loss_limit=LOSS_LIMIT, after_step=measure)
    return found, runs.diverged_at


def adam_step_sizes(model, data, optimizer, batch_size, steps, seed=0):
    """The root-mean-square size of each Adam update per unit rate: ``rms(w_t - w_{t-1}) / eta``, per step.

    One run at a constant rate (``optimizer.lr``); right after the start,
    bias correction makes every coordinate's first step ``eta`` long; how
    fast it settles to its long-run size is set by ``beta2``.

    Returns
    -------
    ndarray of shape (steps,)
    """
    seed = _validate.integer(seed, "seed", low=0)
    lr = _validate.number(optimizer.lr, "optimizer.lr", low=0, low_open=True)
    params = model.init_params([seed])
    sizes = np.full(steps, np.nan)
    previous = {"w": params}
    n_params = model.n_params

    def record(t, w, alive):
        squares = sum(float(((w[k] - previous["w"][k]) ** 2).sum()) for k in w)
        sizes[t - 1] = math.sqrt(squares / n_params) / lr
        previous["w"] = w

    objective = minibatch_objective(model, data.X_train, data.y_train, batch_size, [seed])
    engine.run_steps(objective, params, optimizer, None, steps, loss_limit=LOSS_LIMIT, after_step=record)
    return sizes
