"""Backtracking and Polyak's step size: closed forms on quadratics, the sufficient-decrease inequality, bad input."""

import numpy as np
import pytest

from lrcourse import linesearch
from lrcourse.landscapes import Noisy, Quadratic1D, Quadratic2D, Rosenbrock


def test_polyak_step_is_exact_in_one_dimension():
    # f = L/2 w^2: gap L w^2 / 2, gradient L w, rate 1/(2L), so every step halves w.
    for L in (0.5, 4.0):
        run = linesearch.run_adaptive(Quadratic1D(L=L, center=1.0), 3.0, 5, rule="polyak")
        np.testing.assert_allclose(run.lrs, 1 / (2 * L), rtol=1e-15)
        np.testing.assert_allclose(run.positions - 1.0, 2.0 * 0.5 ** np.arange(6), rtol=1e-15)
    assert linesearch.polyak_rate(0.0, 0.0) == 0.0


def test_polyak_step_on_a_bowl_lies_between_the_curvatures():
    # On (mu w1^2 + L w2^2)/2 the rate is a weighted mean: 1/(2L) <= eta <= 1/(2 mu).
    bowl = Quadratic2D(mu=0.1, L=1.0)
    run = linesearch.run_adaptive(bowl, np.array([[1.0, 1.0], [3.0, -0.2], [0.0, 1.0]]), 30, rule="polyak")
    assert np.all(run.lrs >= 1 / 2.0 - 1e-12) and np.all(run.lrs <= 1 / 0.2 + 1e-12)
    by_hand = (0.5 * (0.1 * 1 + 1.0 * 1)) / (0.1**2 + 1.0**2)
    assert run.lrs[0, 0] == pytest.approx(by_hand, rel=1e-14)


def test_armijo_rate_halves_from_the_start_until_the_inequality_holds():
    # On f = L/2 w^2 the test passes exactly for eta <= 2 (1 - c) / L.
    c = 0.3
    for L, expected in ((1.0, 1.0), (1.5, 0.5), (3.0, 0.25), (10.0, 0.125)):
        rate, trials = linesearch.armijo_rate(Quadratic1D(L=L), 2.0, lr0=1.0, c=c, with_trials=True)
        assert rate == expected and trials == round(np.log2(1.0 / expected))
        assert rate <= 2 * (1 - c) / L < 2 * rate


def test_armijo_rate_satisfies_sufficient_decrease_on_a_batch_and_the_previous_trial_does_not():
    land = Rosenbrock()
    rng = np.random.default_rng(3)
    points = np.column_stack([rng.uniform(-2, 2, 50), rng.uniform(-1, 3, 50)])
    c = 1e-4
    rate, trials = linesearch.armijo_rate(land, points, lr0=1.0, c=c, with_trials=True)
    np.testing.assert_array_equal(rate, 0.5**trials)
    g = land.grad(points)
    norm_sq = np.sum(g * g, axis=1)
    f0 = land.value(points)
    assert np.all(land.value(points - rate[:, None] * g) <= f0 - c * rate * norm_sq)
    bigger = 2 * rate
    assert np.all(land.value(points - bigger[:, None] * g) > f0 - c * bigger * norm_sq)


def test_armijo_run_decreases_the_loss_every_step_and_warm_starts_save_trials():
    land = Rosenbrock()
    cold = linesearch.run_adaptive(land, None, 200, rule="armijo")
    warm = linesearch.run_adaptive(land, None, 200, rule="armijo", reset=False)
    for run in (cold, warm):
        assert np.all(np.diff(run.losses) < 0)
    assert warm.trials.sum() < cold.trials.sum()
    assert cold.trials.shape == (200,) and cold.outcomes() in ("decreasing", "converged")


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="lr0 must be a finite number > 0, got 0.0"):
        linesearch.armijo_rate(Quadratic1D(), 1.0, lr0=0.0)
    with pytest.raises(ValueError, match="shrink must be a finite number > 0 and < 1, got 1.0"):
        linesearch.armijo_rate(Quadratic1D(), 1.0, shrink=1.0)
    with pytest.raises(ValueError, match="c must be a finite number > 0 and < 1, got 1.5"):
        linesearch.run_adaptive(Quadratic1D(), 1.0, 3, c=1.5)
    with pytest.raises(ValueError, match="rule must be one of"):
        linesearch.run_adaptive(Quadratic1D(), 1.0, 3, rule="wolfe")
    with pytest.raises(TypeError, match="landscape must be noiseless"):
        linesearch.armijo_rate(Noisy(Quadratic1D(), 0.1), 1.0)
    with pytest.raises(ValueError, match="loss_gap must contain only finite numbers >= 0"):
        linesearch.polyak_rate(-1.0, 1.0)

    class NoMinimum:
        dim = 1

        def value(self, x):
            return np.asarray(x, dtype=float) ** 2

        def grad(self, x):
            return 2 * np.asarray(x, dtype=float)

    with pytest.raises(ValueError, match="rule='polyak' needs the landscape's min_value"):
        linesearch.run_adaptive(NoMinimum(), 1.0, 3, rule="polyak")
