"""Experiment helpers for the chapter "Schedules": summaries of a grid of training runs.

>>> epochs_to_target([[0.5, 0.97, 0.98], [0.5, 0.9, 0.99], [0.1, 0.2, 0.3]], 0.96)
'1.5 (2/3 runs)'
"""

import numpy as np

from lrcourse import _validate, training
from lrcourse.metrics import epochs_to_reach

__all__ = ["epochs_to_target", "dead_units"]


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
