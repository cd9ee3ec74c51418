"""Experiment helpers for the chapter "Misconceptions put to the test".

Each helper turns a batch of runs (from :mod:`lrcourse.descent` or
:func:`lrcourse.training.train_grid`) into the one number a claim is judged by,
or computes the closed form an experiment is compared with:

======================  =======================================================
``best_rate``             the rate with the best mean score over seeds (from :mod:`lrcourse.evidence`)
``distance_from_init``    how far each run of a grid moved, ``||w_T - w_0||``
``at_matched_loss``       a metric read where each run's training loss first reaches a target
``basin_shares``          where runs on a double well ended
``final_positions``       where runs of several rate plans end, with noise paired run by run
``sensitivity``           how much a score swings over each hyperparameter
``batch_accuracy``        the digits network's validation accuracy at a batch size, cached per rate
======================  =======================================================

Every function is vectorized over rates (and seeds); none loops over rates.
"""

import functools
from typing import NamedTuple

import numpy as np

from lrcourse import _validate, data, descent, landscapes, models, optim, schedules, training
from lrcourse.evidence import BestRate, best_rate

__all__ = [
    "BestRate",
    "best_rate",
    "distance_from_init",
    "at_matched_loss",
    "basin_shares",
    "final_positions",
    "Sensitivity",
    "sensitivity",
    "batch_accuracy",
]


def distance_from_init(grid):
    """How far each run of a grid moved from its start: ``||w_T - w_0||`` over all parameters.

    Parameters
    ----------
    grid : lrcourse.training.GridResult

    Returns
    -------
    ndarray, shape (n_lrs, n_seeds)
        The Euclidean distance between the final parameters (the last ones
        that passed the divergence checks) and the initialization, all
        parameter arrays taken together.
    """
    if not isinstance(grid, training.GridResult):
        raise TypeError(f"grid must be a GridResult from training.train_grid, got {grid!r}")
    n_lrs, n_seeds = len(grid.lrs), len(grid.seeds)
    start = grid.model.init_params([int(s) for s in grid.seeds])
    squares = 0.0
    for name, final in grid.params.items():
        moved = final.reshape(n_lrs, n_seeds, -1) - start[name].reshape(1, n_seeds, -1)
        squares = squares + (moved**2).sum(axis=-1)
    return np.sqrt(squares)


def at_matched_loss(train_loss, values, target):
    """A per-epoch metric read where each run's training loss first reaches ``target``.

    Comparing rates after a fixed number of epochs compares how *far* they
    trained; comparing them at the same training loss asks how *well* they
    generalize for the same fit. With ``e`` the first epoch at which the
    training loss ``l_e <= target``, the value is interpolated linearly in the
    training loss between epochs ``e - 1`` and ``e``:

    .. math::

        v^\\ast = v_{e-1} + (\\text{target} - l_{e-1}) \\, \\frac{v_e - v_{e-1}}{l_e - l_{e-1}}

    (``v_0`` if ``e = 0``).

    Parameters
    ----------
    train_loss, values : array_like, shape (..., epochs + 1)
        Per-epoch training loss and the metric to read (e.g. ``GridResult.val_loss``).
    target : float
        The training loss to match, > 0.

    Returns
    -------
    ndarray, shape (...)
        NaN for a run that never reached the target (or diverged before it).

    >>> at_matched_loss([[2.0, 1.0, 0.5], [2.0, 1.5, 1.2]], [[2.1, 1.2, 0.8], [2.1, 1.6, 1.3]], 0.75)
    array([ 1., nan])
    """
    target = _validate.number(target, "target", low=0, low_open=True)
    train_loss = np.asarray(train_loss, dtype=float)
    values = np.asarray(values, dtype=float)
    if train_loss.shape != values.shape or train_loss.ndim == 0:
        raise ValueError(
            "train_loss and values must have the same shape (..., epochs + 1), "
            f"got {train_loss.shape} and {values.shape}"
        )
    reached = train_loss <= target
    first = reached.argmax(axis=-1)
    before = np.maximum(first - 1, 0)
    pick = lambda a, e: np.take_along_axis(a, e[..., np.newaxis], axis=-1)[..., 0]  # noqa: E731
    l0, l1 = pick(train_loss, before), pick(train_loss, first)
    v0, v1 = pick(values, before), pick(values, first)
    drop = l0 - l1
    weight = np.divide(l0 - target, drop, out=np.zeros_like(drop), where=drop > 0)
    return np.where(reached.any(axis=-1), v0 + weight * (v1 - v0), np.nan)


def basin_shares(landscape, positions):
    """Fractions of runs on a double well that end in each basin, or diverged.

    A position right of the barrier top ``m`` is in the deep basin (minimum at
    ``+1``), left of it in the shallow basin (minimum at ``-1``); NaN means
    the run diverged.

    Parameters
    ----------
    landscape : lrcourse.landscapes.DoubleWell or FlatDeepWell (or Noisy around one)
    positions : array_like
        Final positions, one per run.

    Returns
    -------
    dict
        ``{"deep": ..., "shallow": ..., "diverged": ...}``, fractions summing to 1.

    >>> basin_shares(landscapes.DoubleWell(), [0.9, 1.0, -1.0, float("nan")])
    {'deep': 0.5, 'shallow': 0.25, 'diverged': 0.25}
    """
    well = getattr(landscape, "landscape", landscape)
    if not isinstance(well, landscapes.DoubleWell):
        raise TypeError(f"landscape must be a DoubleWell (or Noisy around one), got {landscape!r}")
    x = np.asarray(positions, dtype=float).reshape(-1)
    if x.size == 0:
        raise ValueError("positions must hold at least one run, got none")
    barrier = well.barrier[0]
    finite = np.isfinite(x)
    deep = finite & (x > barrier)
    return {
        "deep": float(deep.mean()),
        "shallow": float((finite & ~deep).mean()),
        "diverged": float((~finite).mean()),
    }


def final_positions(landscape, plans, starts, steps, noise_std=0.0, seed=0):
    """Where gradient descent (or SGD with Gaussian gradient noise) ends, for several rate plans, paired run by run.

    Every plan runs from every start for ``steps`` steps. With ``noise_std =
    sigma > 0`` the gradient is ``g(w) + sigma xi`` (:class:`lrcourse.landscapes.Noisy`),
    and each plan draws its noise from a fresh ``np.random.default_rng(seed)``:
    run ``k`` of every plan sees the same noise ``xi_{k,t}``, so the plans'
    outcomes pair up run by run (:func:`lrcourse.evidence.paired_difference`).

    Parameters
    ----------
    landscape : a noiseless 1-D landscape (e.g. DoubleWell, FlatDeepWell)
    plans : dict
        ``name -> rate``: a constant ``eta`` (float) or a schedule ``eta_t``.
    starts : array_like, shape (n_runs,)
    steps : int
    noise_std : float, default 0
    seed : int, default 0

    Returns
    -------
    dict
        ``name -> ndarray of shape (n_runs,)``, the final positions (NaN where
        a run diverged).

    At ``eta = 1`` the deep minimum of the double well (curvature 2.5) is
    unstable, so a run there keeps bouncing; the shallow one (1.5) holds:

    >>> well = landscapes.DoubleWell()
    >>> ends = final_positions(well, {"small": 0.1, "large": 1.0}, [-1.2, 0.5], 200)
    >>> {name: well.which_minimum(end, tol=1e-3).tolist() for name, end in ends.items()}
    {'small': ['shallow', 'deep'], 'large': ['shallow', 'neither']}
    """
    if isinstance(landscape, landscapes.Noisy) or getattr(landscape, "dim", None) != 1:
        raise TypeError(f"landscape must be a noiseless 1-D landscape (noise comes from noise_std), got {landscape!r}")
    if not isinstance(plans, dict) or not plans:
        raise ValueError(f"plans must be a non-empty dict name -> rate or schedule, got {plans!r}")
    starts = _validate.array(starts, "starts").reshape(-1)
    noise_std = _validate.number(noise_std, "noise_std", low=0)
    seed = _validate.integer(seed, "seed", low=0)
    field = landscapes.Noisy(landscape, noise_std) if noise_std > 0 else landscape
    ends = {}
    for name, plan in plans.items():
        rate = plan if callable(plan) else schedules.constant(_validate.number(plan, f"plans[{name!r}]", low=0))
        rng = np.random.default_rng(seed) if noise_std > 0 else None
        ends[name] = np.asarray(descent.run(field, starts, rate, steps, rng=rng).positions[-1], dtype=float)
    return ends


class Sensitivity(NamedTuple):
    """How much a score swings over one hyperparameter's values (means over seeds)."""

    name: str
    worst_value: object
    worst_mean: float
    best_value: object
    best_mean: float
    swing: float
    seed_spread: float

    def __str__(self):
        return (
            f"{self.name:<14} swing {self.swing:.4f}  (worst {self.worst_mean:.4f} at {self.worst_value}, "
            f"best {self.best_mean:.4f} at {self.best_value}; seed spread {self.seed_spread:.4f})"
        )


def sensitivity(results):
    """Rank hyperparameters by how much the mean score swings over their values.

    Parameters
    ----------
    results : dict
        ``name -> (values, scores)`` with ``scores`` of shape
        ``(len(values), n_seeds)``; NaN (a diverged run) counts as a score of 0,
        the worst an accuracy can be.

    Returns
    -------
    list of Sensitivity
        Sorted by ``swing = best mean - worst mean``, largest first;
        ``seed_spread`` is the largest standard deviation over seeds (ddof=1)
        among the values, to compare the swing with.

    >>> for row in sensitivity({"a": ([1, 2], [[0.5, 0.7], [0.9, 0.9]]), "b": ([3, 4], [[0.8, 0.8], [0.9, 0.9]])}):
    ...     print(row)
    a              swing 0.3000  (worst 0.6000 at 1, best 0.9000 at 2; seed spread 0.1414)
    b              swing 0.1000  (worst 0.8000 at 3, best 0.9000 at 4; seed spread 0.0000)
    """
    rows = []
    for name, (values, scores) in results.items():
        values = list(values)
        scores = np.nan_to_num(np.asarray(scores, dtype=float), nan=0.0)
        if scores.ndim != 2 or scores.shape[0] != len(values) or len(values) < 2:
            raise ValueError(
                f"results[{name!r}] must pair >= 2 values with scores of shape ({len(values)}, n_seeds), "
                f"got shape {scores.shape}"
            )
        means = scores.mean(axis=1)
        spread = float(scores.std(axis=1, ddof=1).max()) if scores.shape[1] > 1 else 0.0
        worst, best = int(np.argmin(means)), int(np.argmax(means))
        rows.append(Sensitivity(name, values[worst], float(means[worst]), values[best], float(means[best]),
                                float(means[best] - means[worst]), spread))
    return sorted(rows, key=lambda row: -row.swing)


@functools.lru_cache(maxsize=None)
def _batch_runs(lr, batch_size, seeds, epochs):
    model = models.MLP(n_hidden=32)
    grid = training.train_grid(model, data.load_digits(), optim.SGD, [lr], seeds=list(seeds), epochs=epochs,
                               batch_size=batch_size, grad_norm=False)
    return grid.val_acc[0, :, -1]


def batch_accuracy(lrs, batch_size=128, seeds=tuple(range(10)), epochs=10):
    """Final validation accuracy of the chapter's network (32 ReLU units, SGD) at one batch size, per rate and seed.

    The runs are those of ``training.train_grid(MLP(n_hidden=32), digits,
    optim.SGD, lrs, seeds, epochs, batch_size)``; each rate's runs are cached,
    so that the chapter and the self-check of its batch-size exercise train
    every rate once. Seeds share their initialization and minibatch order
    across rates, so two rates' results pair up seed by seed.

    Parameters
    ----------
    lrs : sequence of float
    batch_size, epochs : int
    seeds : sequence of int

    Returns
    -------
    ndarray, shape (len(lrs), len(seeds))
        NaN for a run that diverged.
    """
    lrs = _validate.array(lrs, "lrs", low=0).reshape(-1)
    batch_size = _validate.integer(batch_size, "batch_size", low=1)
    epochs = _validate.integer(epochs, "epochs", low=1)
    seeds = tuple(_validate.integer(s, f"seeds[{k}]", low=0) for k, s in enumerate(seeds))
    if lrs.size == 0 or not seeds:
        raise ValueError(f"lrs and seeds must each hold at least one value, got {lrs.size} and {len(seeds)}")
    return np.stack([_batch_runs(float(lr), batch_size, seeds, epochs) for lr in lrs])
