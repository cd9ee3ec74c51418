"""The chapter's experiment helpers against closed forms, hand-computed values and direct runs."""

import math

import numpy as np
import pytest

from lrcourse import data, descent, landscapes, nets, optim, schedules
from lrcourse.experiments import misconceptions as mc



@pytest.mark.parametrize(
    "call, word",
    [
        (lambda: mc.basin_shares(landscapes.DoubleWell(), []), "positions"),
        (lambda: mc.sensitivity({"width": ([8], [[0.9]])}), "width"),
        (lambda: mc.at_matched_loss([[1.0, 0.5]], [[1.0, 0.5, 0.2]], 0.6), "same shape"),
        (lambda: mc.at_matched_loss([[1.0, 0.5]], [[1.0, 0.5]], 0.0), "target"),
        (lambda: mc.batch_accuracy([], seeds=[0]), "at least one"),
        (lambda: mc.batch_accuracy([0.1], batch_size=0), "batch_size"),
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


def test_at_matched_loss_interpolates_at_the_first_crossing_by_hand():
    train = np.array([[2.0, 1.0, 0.5, 0.4], [2.0, 1.5, 1.2, 1.1], [0.3, 0.2, 0.1, 0.1], [2.0, 0.9, np.nan, np.nan]])
    val = np.array([[2.1, 1.2, 0.8, 0.7], [2.1, 1.6, 1.3, 1.2], [0.5, 0.4, 0.3, 0.3], [2.1, 1.1, np.nan, np.nan]])
    got = mc.at_matched_loss(train, val, 0.75)
    # run 0 crosses between epochs 1 and 2, halfway: (1.2 + 0.8) / 2; run 1 never; run 2 starts below;
    # run 3 diverges (NaN) before it gets there
    np.testing.assert_allclose(got, [1.0, np.nan, 0.5, np.nan])
    crossing = 2.1 + (0.95 - 2.0) * (1.1 - 2.1) / (0.9 - 2.0)  # run 3 does reach 0.95, at epoch 1
    assert mc.at_matched_loss(train[3], val[3], 0.95) == pytest.approx(crossing)
    assert mc.at_matched_loss(train[0], val[0], 0.5) == pytest.approx(0.8)  # exactly at epoch 2
    assert np.isnan(mc.at_matched_loss(train[3], val[3], 0.5))  # diverged before reaching it


def test_batch_accuracy_is_the_grid_s_final_validation_accuracy_and_cached(digits):
    grid = nets.train_grid(nets.MLP(n_hidden=32), digits, optim.SGD, [0.1, 0.5], seeds=[0, 3], epochs=1,
                           batch_size=128)
    got = mc.batch_accuracy([0.1, 0.5], batch_size=128, seeds=[0, 3], epochs=1)
    np.testing.assert_array_equal(got, grid.val_acc[:, :, -1])
    again = mc.batch_accuracy([0.5, 0.1], batch_size=128, seeds=(0, 3), epochs=1)
    np.testing.assert_array_equal(again, got[::-1])
    again[0, 0] = -1.0  # callers cannot change the cache
    assert mc.batch_accuracy([0.5], batch_size=128, seeds=(0, 3), epochs=1)[0, 0] == got[1, 0]


def test_final_positions_pairs_the_noise_run_by_run_across_plans():
    well = landscapes.FlatDeepWell()
    starts = np.full(50, -1.0)
    plans = {"a": 0.1, "b": schedules.constant(0.1), "c": 0.2}
    ends = mc.final_positions(well, plans, starts, 100, noise_std=1.0, seed=3)
    np.testing.assert_array_equal(ends["a"], ends["b"])  # the same rate and the same noise: the same runs
    noisy = landscapes.Noisy(well, 1.0)
    direct = descent.run(noisy, starts, schedules.constant(0.2), 100, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(ends["c"], direct.positions[-1])
    quiet = mc.final_positions(well, {"a": 0.1}, [-1.2, 0.5], 300)["a"]
    np.testing.assert_allclose(quiet, [-1.0, 1.0], atol=1e-9)  # no noise: gradient descent to the nearest minimum
    with pytest.raises(TypeError, match="landscape"):
        mc.final_positions(landscapes.Noisy(well, 1.0), plans, starts, 10)
    with pytest.raises(ValueError, match="plans"):
        mc.final_positions(well, {}, starts, 10)
    with pytest.raises(ValueError, match="noise_std"):
        mc.final_positions(well, plans, starts, 10, noise_std=-1.0)
