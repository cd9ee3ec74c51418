"""The chapter's experiment helpers against closed forms, hand-computed values and direct runs."""

import math

import numpy as np
import pytest

from lrcourse import data, landscapes, nets, optim
from lrcourse.experiments import misconceptions as mc



@pytest.mark.parametrize(
    "call, word",
    [
        (lambda: mc.basin_shares(landscapes.DoubleWell(), []), "positions"),
        (lambda: mc.sensitivity({"width": ([8], [[0.9]])}), "width"),
    ],
)
def test_bad_input_names_the_argument(call, word):
    with pytest.raises(ValueError, match=word):
        call()


@pytest.fixture(scope="module")
def digits():
    return data.load_digits()


def test_distance_from_init_is_eta_times_the_gradient_norm_after_one_full_batch_step(digits):
    model = nets.SoftmaxRegression()
    lrs = [0.0, 0.1, 0.4]
    grid = nets.train_grid(model, digits, optim.SGD, lrs, seeds=[0, 1], epochs=1, batch_size=len(digits.y_train))
    distance = mc.distance_from_init(grid)
    for j, seed in enumerate([0, 1]):
        _, grads = model.loss_and_grads(model.init_params(seed), digits.X_train, digits.y_train)
        norm = math.sqrt(sum(float((g**2).sum()) for g in grads.values()))
        assert np.allclose(distance[:, j], np.array(lrs) * norm)
    with pytest.raises(TypeError, match="grid"):
        mc.distance_from_init("not a grid")


def test_basin_shares():
    well = landscapes.DoubleWell()
    shares = mc.basin_shares(well, np.array([1.0, 0.2, -0.3, -1.0, np.nan]))
    assert shares == {"deep": 0.4, "shallow": 0.4, "diverged": 0.2}
    assert mc.basin_shares(landscapes.Noisy(well, noise_std=1.0), [1.0]) == {"deep": 1.0, "shallow": 0.0, "diverged": 0.0}
    with pytest.raises(TypeError, match="landscape"):
        mc.basin_shares(landscapes.Quadratic1D(), [1.0])


def test_sensitivity_ranks_by_swing_and_counts_divergence_as_zero():
    rows = mc.sensitivity({"lr": ([0.1, 10.0], [[0.9, 0.9], [np.nan, 0.2]]), "width": ([8, 64], [[0.8, 0.9], [0.9, 0.9]])})
    assert [row.name for row in rows] == ["lr", "width"]
    assert rows[0].swing == pytest.approx(0.8) and rows[0].worst_value == 10.0 and rows[0].worst_mean == pytest.approx(0.1)
    assert rows[1].seed_spread == pytest.approx(np.std([0.8, 0.9], ddof=1))
