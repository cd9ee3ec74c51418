"""Tests for lrcourse.experiments.schedules: summaries of the schedule chapter's grids."""

import numpy as np
import pytest

from lrcourse import data, nets, optim
from lrcourse.experiments import schedules as experiments


def test_epochs_to_target_averages_over_the_runs_that_reach_it_and_counts_them():
    curves = [[0.1, 0.97, 0.98], [0.1, np.nan, np.nan], [0.1, 0.5, 0.96]]
    assert experiments.epochs_to_target(curves, 0.96) == "1.5 (2/3 runs)"
    assert experiments.epochs_to_target(curves, 0.99) == "never (0/3)"
    with pytest.raises(ValueError, match="curves must have shape"):
        experiments.epochs_to_target([0.1, 0.9], 0.5)


def test_dead_units_of_a_grid_are_those_of_each_run():
    digits = data.load_digits()
    model = nets.MLP(n_hidden=8)
    grid = nets.train_grid(model, digits, optim.SGD, [0.1, 30.0], seeds=[0, 1], epochs=1)
    dead = experiments.dead_units(grid, digits.X_train)
    assert dead.shape == (2, 2)
    for i in range(2):
        for j in range(2):
            assert dead[i, j] == model.dead_units(grid.history(i, j).params, digits.X_train)
    with pytest.raises(TypeError, match="grid must be a GridResult"):
        experiments.dead_units({}, digits.X_train)
