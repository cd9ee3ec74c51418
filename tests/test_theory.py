import numpy as np
import pytest

from lrcourse import theory


def one_step_factor(lr, L, w0=3.0):
    """|w_1 / w_0| after one gradient step on f = L/2 w^2, computed from the update."""
    w1 = w0 - lr * (L * w0)
    return abs(w1 / w0)


def test_stability_limit():
    assert theory.stability_limit(4.0) == 0.5
    np.testing.assert_array_equal(theory.stability_limit([1.0, 8.0]), [2.0, 0.25])


@pytest.mark.parametrize("lr, L", [(0.1, 1.0), (0.75, 2.0), (1.0, 1.0), (1.9, 1.0), (3.0, 1.0)])
def test_contraction_factor_is_one_step_of_gradient_descent(lr, L):
    assert theory.contraction_factor(lr, L) == pytest.approx(one_step_factor(lr, L), rel=1e-14, abs=1e-15)


def test_contraction_factor_is_below_one_exactly_inside_the_stability_limit():
    L = 2.5
    rates = np.linspace(0, 2, 81)
    factors = theory.contraction_factor(rates, L)
    inside = (rates > 0) & (rates < theory.stability_limit(L) - 1e-12)
    np.testing.assert_array_equal(factors < 1, inside)


def test_slowest_factor_of_a_bowl():
    mu, L = 0.1, 1.0
    rates = np.array([0.5, 1.0, 1.9])
    expected = [max(one_step_factor(r, mu), one_step_factor(r, L)) for r in rates]
    np.testing.assert_allclose(theory.contraction_factor(rates, L, mu=mu), expected, rtol=1e-14)


def test_optimal_lr_balances_the_extreme_directions():
    mu, L = 0.2, 3.0
    best = theory.optimal_lr(L, mu=mu)
    assert best == 2 / (mu + L)
    assert one_step_factor(best, mu) == pytest.approx(one_step_factor(best, L), rel=1e-12)
    kappa = L / mu
    assert theory.contraction_factor(best, L, mu=mu) == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-12)
    nearby = theory.contraction_factor(best * np.array([0.99, 1.01]), L, mu=mu)
    assert np.all(nearby > theory.contraction_factor(best, L, mu=mu))
    assert theory.optimal_lr(4.0) == 0.25


def test_loss_gap_quadratic_by_iterating_the_update():
    lr, L, w = 0.3, 2.0, 1.5
    gaps = []
    for _ in range(6):
        gaps.append(L / 2 * w**2)
        w = w - lr * L * w
    np.testing.assert_allclose(theory.loss_gap_quadratic(lr, L, gap0=gaps[0], t=np.arange(6)), gaps, rtol=1e-13)


@pytest.mark.parametrize("lr", [0.05, 0.4, 1.3, 1.95])
def test_steps_to_tolerance_is_the_first_step_below_tol(lr):
    L, gap0, tol = 1.0, 2.0, 1e-7
    t = int(theory.steps_to_tolerance_quadratic(lr, L, gap0, tol))
    assert theory.loss_gap_quadratic(lr, L, gap0, t) <= tol < theory.loss_gap_quadratic(lr, L, gap0, t - 1)


def test_steps_to_tolerance_special_cases():
    assert theory.steps_to_tolerance_quadratic(1.0, L=1.0, gap0=1.0, tol=1e-9) == 1
    never = theory.steps_to_tolerance_quadratic([0.0, 2.0, 3.0], L=1.0, gap0=1.0, tol=1e-3)
    np.testing.assert_array_equal(never, np.inf)
    assert theory.steps_to_tolerance_quadratic(0.5, L=1.0, gap0=1e-4, tol=1e-3) == 0


@pytest.mark.parametrize(
    "lr, name",
    [
        (0.0, "not moving"),
        (0.1, "monotone, converging"),
        (0.25, "one step to the minimum"),
        (0.3, "oscillating, converging"),
        (0.5, "oscillating, constant size"),
        (0.50001, "oscillating, diverging"),
    ],
)
def test_regime(lr, name):
    assert theory.regime(lr, L=4.0) == name


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: theory.stability_limit(0.0), "L must contain only finite numbers > 0, got 0.0"),
        (lambda: theory.contraction_factor(-0.1, 1.0), "lr must contain only finite numbers >= 0, got -0.1"),
        (lambda: theory.contraction_factor(0.1, 1.0, mu=2.0), "mu must be <= L, got mu=2.0 and L=1.0"),
        (lambda: theory.loss_gap_quadratic(0.1, 1.0, 1.0, t=1.5), "t must be integers >= 0, got array(1.5)"),
        (
            lambda: theory.steps_to_tolerance_quadratic(0.1, 1.0, 1.0, tol=0.0),
            "tol must be a finite number > 0, got 0.0",
        ),
        (lambda: theory.regime(0.1, L=-1.0), "L must be a finite number > 0, got -1.0"),
    ],
)
def test_bad_input_names_the_argument(call, message):
    with pytest.raises(ValueError) as raised:
        call()
    assert str(raised.value) == message


def test_noise_floor_by_hand():
    lr, L, mu, sigma = 0.4, 2.0, 0.5, 0.3
    one_d = lr * sigma**2 / (2 * (2 - lr * L))
    assert theory.noise_floor_quadratic(lr, L, sigma) == pytest.approx(one_d, rel=1e-14)
    bowl = one_d + lr * sigma**2 / (2 * (2 - lr * mu))
    assert theory.noise_floor_quadratic(lr, L, sigma, mu=mu) == pytest.approx(bowl, rel=1e-14)
    np.testing.assert_array_equal(theory.noise_floor_quadratic([1.0, 1.5], L=L, noise_std=sigma), np.inf)
    assert theory.noise_floor_quadratic(0.0, L, sigma) == 0.0


def test_noise_floor_matches_simulated_sgd():
    from lrcourse.descent import run
    from lrcourse.landscapes import Noisy, Quadratic2D

    mu, L, sigma, runs = 0.25, 1.0, 0.5, 300
    rates = np.array([0.1, 1.0, 1.6])
    noisy = Noisy(Quadratic2D(mu=mu, L=L), sigma)
    trajectory = run(noisy, np.zeros((3 * runs, 2)), np.repeat(rates, runs), 600, rng=np.random.default_rng(3))
    per_run = trajectory.losses[200:].mean(axis=0).reshape(3, runs)  # after the transient
    standard_error = per_run.std(axis=1) / np.sqrt(runs)
    predicted = theory.noise_floor_quadratic(rates, L, sigma, mu=mu)
    assert np.all(np.abs(per_run.mean(axis=1) - predicted) < 5 * standard_error)
