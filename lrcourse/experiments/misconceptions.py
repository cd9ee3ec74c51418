"""Experiment helpers for the chapter "Misconceptions put to the test".

Each helper turns a batch of runs (from :mod:`lrcourse.descent` or
:func:`lrcourse.training.train_grid`) into the one number a claim is judged by,
or computes the closed form an experiment is compared with:

======================  =======================================================
``best_rate``             the rate with the best mean score over seeds (from :mod:`lrcourse.evidence`)
``distance_from_init``    how far each run of a grid moved, ``||w_T - w_0||``
``basin_shares``          where runs on the double well ended
``sensitivity``           how much a score swings over each hyperparameter
======================  =======================================================

Every function is vectorized over rates (and seeds); none loops over rates.
"""

from typing import NamedTuple

import numpy as np

from lrcourse import _validate, landscapes, training
from lrcourse.evidence import BestRate, best_rate

__all__ = [
    "BestRate",
    "best_rate",
    "distance_from_init",
    "basin_shares",
    "Sensitivity",
    "sensitivity",
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


def basin_shares(landscape, positions):
    """Fractions of runs on a double well that end in each basin, or diverged.

    A position right of the barrier top ``m`` is in the deep basin (minimum at
    ``+1``), left of it in the shallow basin (minimum at ``-1``); NaN means
    the run diverged.

    Parameters
    ----------
    landscape : lrcourse.landscapes.DoubleWell (or Noisy around one)
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
