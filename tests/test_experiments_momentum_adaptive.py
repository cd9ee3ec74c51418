"""Tests for lrcourse.experiments.momentum_adaptive: sweeps of optimizers and per-layer rates."""

import types
import warnings

import numpy as np
import pytest

from lrcourse import data, descent, landscapes, nets, optim
from lrcourse.experiments import momentum_adaptive as compare


def test_sweep_matches_separate_runs_and_marks_divergence():
    bowl = landscapes.Quadratic2D(mu=0.1, L=1.0)
    lrs = np.array([0.1, 1.0, 1.9, 2.1])
    opts = {"SGD": optim.SGD(), "Momentum": optim.SGD(momentum=0.5)}
    result = compare.sweep(bowl, opts, lrs, steps=200)
    for k, opt in enumerate(opts.values()):
        for i, lr in enumerate(lrs):
            one = descent.run(bowl, None, float(lr), 200, opt)
            expected = np.inf if one.diverged else one.losses[-1]
            assert result.final_loss[k, i] == pytest.approx(expected, rel=1e-12)
    # plain GD: factor max(|1 - 0.1 eta|, |1 - eta|); eta = 2.1 > 2/L diverges
    assert result.diverged_at[0, 3] > 0 and result.final_loss[0, 3] == np.inf
    # momentum 0.5 raises the limit to 2 (1 + 0.5) / L = 3: eta = 2.1 is stable
    assert result.diverged_at[1, 3] == -1
    assert result.best_lr("SGD") == 1.0
    assert "SGD" in result.table(1e-3) and "decades" in result.table(1e-3)


def test_good_range_is_the_contiguous_band_around_the_best_rate():
    lrs = [0.01, 0.1, 1.0, 10.0, 100.0, 1000.0]
    losses = [1e-5, 1.0, 1e-4, 1e-6, 1e-5, np.inf]
    assert compare.good_range(lrs, losses, 1e-3) == (1.0, 100.0)  # 0.01 is good but not connected
    assert compare.good_range(lrs, losses, 1e-7) is None
    assert compare.good_range(lrs, [np.nan, 1e-4, np.nan, 1, 1, 1], 1e-3) == (0.1, 0.1)


def test_good_range_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="losses must have the shape of lrs"):
        compare.good_range([0.1, 1.0], [1.0], 0.1)


def test_sweep_rejects_bad_input():
    bowl = landscapes.Quadratic1D()
    with pytest.raises(TypeError, match="optimizers must be a non-empty dict"):
        compare.sweep(bowl, [optim.SGD()], [0.1, 1.0], 5)
    with pytest.raises(ValueError, match="lrs must be a 1-D array of at least 2 increasing rates"):
        compare.sweep(bowl, {"SGD": optim.SGD()}, [1.0, 0.1], 5)
    with pytest.raises(ValueError, match="name must be one of 'SGD'"):
        compare.sweep(bowl, {"SGD": optim.SGD()}, [0.1, 1.0], 5).best_lr("Adam")


def test_shift_images_moves_columns_right_with_wraparound():
    image = np.arange(9.0).reshape(1, 9)  # rows (0 1 2), (3 4 5), (6 7 8)
    shifted = compare.shift_images(image, 1, image_shape=(3, 3))
    np.testing.assert_array_equal(shifted, [[2, 0, 1, 5, 3, 4, 8, 6, 7]])
    with pytest.raises(ValueError, match=r"X must have shape \(n, 64\)"):
        compare.shift_images(np.zeros((2, 9)))


def test_from_pretrained_keeps_the_given_layers_and_reinitializes_the_rest():
    model = nets.MLP(n_hidden=4)
    pretrained = model.init_params(seed=7)
    start_at = compare.from_pretrained(model, pretrained)
    start = start_at(3)
    np.testing.assert_array_equal(start["W1"], pretrained["W1"])
    np.testing.assert_array_equal(start["W2"], model.init_params(seed=3)["W2"])
    assert not np.shares_memory(start["W1"], pretrained["W1"])
    assert model.init_params(seed=3)["W1"].tolist() != pretrained["W1"].tolist()  # the original is unchanged
    with pytest.raises(ValueError, match="reinit must name parameters"):
        compare.from_pretrained(model, pretrained, reinit=("W3",))


def small_task():
    digits = data.load_digits()
    return types.SimpleNamespace(
        X_train=digits.X_train[:60], y_train=digits.y_train[:60], X_val=digits.X_val[:40], y_val=digits.y_val[:40]
    )


def test_layer_rate_grid_equals_separate_trainings_with_a_dict_lr():
    task, model = small_task(), nets.MLP(n_hidden=8)
    grid = compare.layer_rate_grid(model, task, ratios=[0.0, 3.0], lrs=[0.05, 0.2], seeds=[0, 1], epochs=2)
    assert grid.val_acc.shape == (2, 2, 2)
    for k, ratio in enumerate([0.0, 3.0]):
        for i, lr in enumerate([0.05, 0.2]):
            for j, seed in enumerate([0, 1]):
                rates = {"W1": ratio * lr, "b1": ratio * lr, "W2": lr, "b2": lr}
                one = nets.train(model, task, optim.SGD(lr=rates, momentum=0.9), epochs=2, seed=seed)
                assert grid.val_acc[k, i, j] == pytest.approx(one.val_acc[-1], abs=1e-12)
    rows = grid.best()
    assert len(rows) == 2 and all(lr in (0.05, 0.2) for lr, _, _ in rows)
    assert grid.table().startswith("ratio")


def test_layer_rate_grid_at_ratio_one_without_momentum_is_plain_sgd():
    task, model = small_task(), nets.MLP(n_hidden=8)
    grid = compare.layer_rate_grid(model, task, ratios=[1.0], lrs=[0.05, 0.2], seeds=[0, 3], momentum=0.0, epochs=2)
    plain = nets.train_grid(model, task, optim.SGD, [0.05, 0.2], seeds=[0, 3], epochs=2)
    np.testing.assert_allclose(grid.val_acc[0], plain.val_acc[:, :, -1], atol=1e-12)
    assert repr(grid) == "LayerRateGrid(ratios=1, lrs=2, seeds=2, diverged=0 of 4 runs)"


def test_layer_rate_grid_with_ratio_zero_leaves_the_lower_layer_untouched():
    task, model = small_task(), nets.MLP(n_hidden=8)
    pretrained = model.init_params(seed=5)
    start_at = compare.from_pretrained(model, pretrained)
    lower_frozen = optim.SGD(lr={"W1": 0.0, "b1": 0.0, "W2": 0.1, "b2": 0.1})
    frozen = nets.train_grid(model, task, lambda lr: lower_frozen, [0.1], seeds=[0, 1], epochs=1, params=start_at)
    for j in range(2):
        np.testing.assert_array_equal(frozen.params["W1"][0, j], pretrained["W1"])
        assert not np.array_equal(frozen.params["W2"][0, j], start_at(j)["W2"])
    grid = compare.layer_rate_grid(model, task, [0.0], [0.1], seeds=[0], epochs=1, params=start_at)
    assert grid.val_acc.shape == (1, 1, 1)


def test_moving_target_effective_rate_of_adagrad_is_its_formula():
    lrs = np.array([0.5, 2.0])
    track = compare.moving_target(optim.Adagrad(), lrs, centers=[0.0, 3.0], steps_per_center=20, noise_std=0.5, seed=1)
    assert track.positions.shape == (41, 2) and track.targets.tolist() == [0.0] * 20 + [3.0] * 20
    sums = np.cumsum(track.grads**2, axis=0)
    np.testing.assert_allclose(track.effective_lr, lrs / (np.sqrt(sums) + 1e-10), rtol=1e-9)
    # the gradients are those of (w - c)^2 / 2 plus the seeded noise, shared by both rates
    noise = track.grads - (track.positions[:-1] - track.targets[:, None])
    np.testing.assert_allclose(noise[:, 0], noise[:, 1], atol=1e-12)
    np.testing.assert_allclose(noise[:, 0], np.random.default_rng(1).normal(0, 0.5, 40), atol=1e-12)


def test_moving_target_sgd_applies_its_own_rate_and_rejects_bad_input():
    track = compare.moving_target(optim.SGD(), [0.1], centers=[1.0], steps_per_center=5, noise_std=0.0)
    np.testing.assert_allclose(track.effective_lr, 0.1)
    np.testing.assert_allclose(track.positions[:, 0], 1 - 0.9 ** np.arange(6))  # w_t = c (1 - (1 - eta)^t)
    with pytest.raises(ValueError, match="steps_per_center must be an integer >= 1"):
        compare.moving_target(optim.SGD(), [0.1], [1.0], 0)
    with pytest.raises(TypeError, match="optimizer must be an lrcourse.optim optimizer"):
        compare.moving_target("sgd", [0.1], [1.0], 5)


def test_moving_target_stops_diverging_runs_before_overflow_and_counts_catch_up():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        track = compare.moving_target(optim.SGD(), [0.5, 3.0], centers=[2.0, -2.0], steps_per_center=200, noise_std=0.0)
    # eta = 3: w - c is multiplied by 1 - 3 = -2 per step: |w_t - 2| = 2 * 2^t passes 1e12 at t = 39
    assert track.diverged_at.tolist() == [-1, 39]
    assert np.isnan(track.positions[39:, 1]).all() and np.isfinite(track.positions[:39, 1]).all()
    # eta = 0.5 halves the distance each step: from 2 to within 0.01 of 2 takes 8 steps (2 / 2^8 < 0.01)
    # and from 2 to -2 (distance 4) takes 9
    assert track.catch_up_steps(0.01)[:, 0].tolist() == [8, 9]
    assert track.catch_up_steps(0.01)[:, 1].tolist() == [-1, -1]


def test_sweep_marks_chaotic_runs_and_counts_them_good_only_where_rounding_cannot_change_it():
    # RMSprop at a constant rate does not settle on a quadratic: past a point
    # it sits in a limit cycle whose loss is decided by rounding
    bowl = landscapes.Quadratic2D(mu=0.01, L=1.0, angle=0.5)
    lrs = np.geomspace(1e-3, 1e2, 16)
    result = compare.sweep(bowl, {"SGD": optim.SGD(), "RMSprop": optim.RMSprop()}, lrs, steps=300)
    assert result.chaotic.shape == (2, 16)
    assert not result.chaotic[0, lrs < 1].any()  # plain GD below 2/L contracts: stable
    assert result.chaotic[1].any()
    band = result.good_range("RMSprop", 1e-6)
    inside = (lrs >= band[0]) & (lrs <= band[1])
    # a chaotic rate is in the band only if both of its runs are good
    assert np.all(np.maximum(result.final_loss[1], result.nudged_loss[1])[inside] <= 1e-6)
    assert "chaotic" in result.table(1e-6).splitlines()[0]


def test_layer_rate_grid_summary_uses_ddof_1_and_skips_a_rate_where_every_seed_diverged():
    val_acc = np.array([[[0.90, 0.92, 0.94], [np.nan, np.nan, np.nan]]])
    diverged = np.array([[[-1, -1, -1], [3, 5, 2]]])
    grid = compare.LayerRateGrid(np.array([1.0]), np.array([0.1, 10.0]), np.arange(3), val_acc, diverged)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (best_lr, mean, std), = grid.best()
    assert (best_lr, mean) == (0.1, pytest.approx(0.92)) and std == pytest.approx(0.02)
    assert "0.920±0.020" in grid.table() and "diverged" in grid.table()
