"""Tests for lrcourse.experiments.at_scale: end-of-run grids over rates, batch sizes and widths."""

import math

import numpy as np
import pytest

from lrcourse import data, optim, schedules, training
from lrcourse.experiments import at_scale as X
from lrcourse.models import MLP, SoftmaxRegression


@pytest.fixture(scope="module")
def digits():
    return data.load_digits()


def test_final_scores_match_train_grid_at_the_end(digits):
    model = MLP(n_hidden=8)
    scores = X.final_scores(model, digits, optim.SGD, [0.1, 0.5], [0, 1], batch_size=64, steps=34)
    grid = training.train_grid(model, digits, optim.SGD, [0.1, 0.5], [0, 1], epochs=2, batch_size=64, grad_norm=False)
    np.testing.assert_allclose(scores.val_loss, grid.val_loss[..., -1], rtol=1e-12)
    np.testing.assert_allclose(scores.train_acc, grid.train_acc[..., -1], rtol=1e-12)


def test_schedules_and_schedule_free_agree_with_train_grid(digits):
    model = SoftmaxRegression()
    make = lambda lr: schedules.wsd(lr, total_steps=34)  # noqa: E731
    scores = X.final_scores(model, digits, optim.SGD, [0.5], [3], 64, 34, make_schedule=make)
    grid = training.train_grid(model, digits, optim.SGD, [0.5], [3], epochs=2, batch_size=64, make_schedule=make,
                               grad_norm=False)
    np.testing.assert_allclose(scores.val_loss, grid.val_loss[..., -1], rtol=1e-12)
    free = lambda lr: optim.SGDScheduleFree(lr=lr)  # noqa: E731
    scores = X.final_scores(model, digits, free, [0.5], [3], 64, 34)
    grid = training.train_grid(model, digits, free, [0.5], [3], epochs=2, batch_size=64, grad_norm=False)
    np.testing.assert_allclose(scores.val_loss, grid.val_loss[..., -1], rtol=1e-12)


def test_batch_grid_counts_steps_by_epochs_or_fixed(digits):
    model = SoftmaxRegression()
    by_epochs = X.batch_grid(model, digits, optim.SGD, [0.1], [100, 500], [0], epochs=2)
    assert {B: s.steps for B, s in by_epochs.items()} == {B: 2 * math.ceil(len(digits.y_train) / B) for B in (100, 500)}
    by_steps = X.batch_grid(model, digits, optim.SGD, [0.1], [100, 500], [0], steps=3)
    assert {s.steps for s in by_steps.values()} == {3}
    with pytest.raises(ValueError, match="exactly one of epochs and steps"):
        X.batch_grid(model, digits, optim.SGD, [0.1], [100], [0])


def test_best_per_row_counts_a_diverged_run_against_its_rate():
    nan = float("nan")
    row = X.Scores(lrs=np.array([0.1, 1.0, 10.0]), seeds=np.array([0, 1]),
                   train_loss=None, train_acc=None, val_acc=None,
                   val_loss=np.array([[0.5, 0.6], [0.2, 0.3], [0.1, nan]]),
                   diverged=np.array([[False] * 2, [False] * 2, [False, True]]), steps=1, batch_size=1)
    best = X.best_per_row({"a": row})["a"]
    assert best.lr == 1.0 and best.inside


def test_sharpness_along_run_starts_at_the_initial_sharpness(digits):
    from lrcourse import curvature

    model = MLP(n_hidden=8, activation="tanh")
    found, diverged_at = X.sharpness_along_run(model, digits, optim.SGD, 0.1, [0, 1], 32, 4, [0, 4], iterations=8)
    grad = curvature.model_gradient(model, digits.X_train[:128], digits.y_train[:128])
    first = curvature.top_eigenvalue(grad, model.init_params([0, 1]), iterations=8, stacked=True, largest=True).value
    assert found.shape == (2, 2) and np.all(diverged_at == -1)
    np.testing.assert_allclose(found[0], first, rtol=1e-12)
    assert np.all(found[1] != found[0])


def test_adam_step_sizes_start_at_one_rate_per_coordinate(digits):
    sizes = X.adam_step_sizes(SoftmaxRegression(), digits, optim.Adam(lr=0.01), 32, 5)
    # zero start, bias-corrected first step: every coordinate with a nonzero gradient moves by eta
    assert 0.5 < sizes[0] <= 1.0 + 1e-9 and sizes.shape == (5,)


def _row(lrs, val_loss, seeds=None):
    val_loss = np.asarray(val_loss, dtype=float)
    seeds = np.arange(val_loss.shape[1]) if seeds is None else np.asarray(seeds)
    return X.Scores(lrs=np.asarray(lrs, dtype=float), seeds=seeds, train_loss=None, train_acc=None, val_acc=None,
                    val_loss=val_loss, diverged=~np.isfinite(val_loss), steps=1, batch_size=1)


def test_refined_best_finds_the_vertex_of_a_parabola_and_stays_on_the_grid_at_its_ends():
    lrs = 2.0 ** np.arange(-3, 4)
    u = np.log2(lrs)
    # an exact parabola in log2(eta) with its vertex at 0.4: the three-point fit recovers it
    assert math.isclose(np.log2(X.refined_best(lrs, ((u - 0.4) ** 2)[:, None])), 0.4, abs_tol=1e-12)
    # the same for accuracies (higher is better)
    assert math.isclose(np.log2(X.refined_best(lrs, (1 - (u + 1.25) ** 2)[:, None], higher_is_better=True)), -1.25,
                        abs_tol=1e-12)
    # best at the end of the grid: the grid point itself
    assert X.refined_best(lrs, np.arange(7.0)[:, None]) == lrs[0]
    # a diverged neighbour (NaN): no extrapolation into it
    scores = ((u - 0.4) ** 2)[:, None].copy()
    scores[4] = np.nan
    assert X.refined_best(lrs, scores) == lrs[3]
    with pytest.raises(ValueError, match="equally spaced"):
        X.refined_best([0.1, 0.2, 1.0], [[1.0], [0.5], [0.7]])


def test_bootstrap_best_collapses_without_noise_and_widens_with_it():
    lrs = 2.0 ** np.arange(-3, 4)
    u = np.log2(lrs)
    same = np.repeat(((u - 0.4) ** 2)[:, None], 5, axis=1)
    best, low, high = X.bootstrap_best(_row(lrs, same))
    assert math.isclose(best, 2**0.4) and math.isclose(low, best) and math.isclose(high, best)
    # seeds whose vertices differ: the interval holds the whole-row estimate and has some width
    noisy = np.stack([(u - c) ** 2 for c in (-0.5, 0.0, 0.4, 0.8, 1.2)], axis=1)
    best, low, high = X.bootstrap_best(_row(lrs, noisy), n_boot=200)
    assert low < best < high and low >= 2**-0.5 - 1e-9 and high <= 2**1.2 + 1e-9
    with pytest.raises(ValueError, match="level"):
        X.bootstrap_best(_row(lrs, same), level=1.5)
    with pytest.raises(ValueError, match="n_boot"):
        X.bootstrap_best(_row(lrs, same), n_boot=0)


def test_scaling_exponent_recovers_a_square_root_and_a_linear_rule():
    lrs = 2.0 ** np.arange(-6, 7)
    u = np.log2(lrs)
    for alpha in (0.5, 1.0):
        grid = {B: _row(lrs, np.repeat(((u - alpha * np.log2(B) + 3) ** 2)[:, None], 4, axis=1))
                for B in (8, 32, 128)}
        found, low, high = X.scaling_exponent(grid)
        assert math.isclose(found, alpha, abs_tol=1e-9) and math.isclose(low, alpha, abs_tol=1e-9)
        assert math.isclose(high, alpha, abs_tol=1e-9)
    with pytest.raises(ValueError, match="at least two batch sizes"):
        X.scaling_exponent({8: grid[8]})
    with pytest.raises(ValueError, match="same seeds"):
        X.scaling_exponent({8: grid[8], 32: _row(lrs, grid[32].val_loss, seeds=[5, 6, 7, 8])})


def test_scaling_exponent_fits_a_width_exponent_and_refuses_bad_keys():
    # keys are widths n and the best rate falls like 1/n (as the standard parametrization's may)
    lrs = 2.0 ** np.arange(-12, 3)
    u = np.log2(lrs)
    grid = {n: _row(lrs, np.repeat(((u + np.log2(n)) ** 2)[:, None], 3, axis=1)) for n in (16, 64, 256)}
    found, low, high = X.scaling_exponent(grid)
    assert math.isclose(found, -1.0, abs_tol=1e-9)
    assert math.isclose(low, -1.0, abs_tol=1e-9) and math.isclose(high, -1.0, abs_tol=1e-9)
    with pytest.raises(ValueError, match="grid key"):
        X.scaling_exponent({0: grid[16], 64: grid[64]})
    with pytest.raises(TypeError, match="grid key"):
        X.scaling_exponent({"wide": grid[16], 64: grid[64]})
