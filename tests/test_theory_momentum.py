"""Tests for the momentum and Adam closed forms in lrcourse.theory.

Each closed form is checked against a hand computation and against a run of
lrcourse.optim, which implements the same recursions independently.
"""

import math

import numpy as np
import pytest

from lrcourse import optim, theory


def error_after(steps, lr, h, beta=0.0, nesterov=False, w0=1.0):
    """|w_t| after running optim.SGD on f(w) = h w^2 / 2, one run per rate in ``lr``."""
    opt = optim.SGD(lr=np.asarray(lr, dtype=float), momentum=beta, nesterov=nesterov)
    w = np.full(np.shape(lr), w0)
    for _ in range(steps):
        w = opt.step(w, h * w)
    return np.abs(w)


def envelope(start, lr, h, beta, nesterov, window=12):
    """max |w_t| over t in [start, start + window): the size of an oscillating error."""
    opt = optim.SGD(lr=np.asarray(lr, dtype=float), momentum=beta, nesterov=nesterov)
    w, sizes = np.ones(np.shape(lr)), []
    for t in range(1, start + window):
        w = opt.step(w, h * w)
        if t >= start:
            sizes.append(np.abs(w))
    return np.max(sizes, axis=0)


def test_optimal_heavy_ball_by_hand():
    # sqrt(mu) = 1, sqrt(L) = 3: lr = (2/4)^2, beta = (2/4)^2, factor = 2/4
    assert tuple(theory.optimal_heavy_ball(L=9.0, mu=1.0)) == pytest.approx((0.25, 0.25, 0.5), rel=1e-15)
    best = theory.optimal_heavy_ball(L=1.0, mu=0.01)  # kappa = 100
    assert best.factor == pytest.approx(9 / 11, rel=1e-14)
    assert best.factor == pytest.approx(math.sqrt(best.beta), rel=1e-14)
    assert best.lr == pytest.approx(4 / 1.21, rel=1e-14)


@pytest.mark.parametrize("L, mu", [(1.0, 0.01), (9.0, 1.0), (2.0, 0.5)])
def test_optimal_heavy_ball_is_the_best_worst_case_and_beats_gd(L, mu):
    best = theory.optimal_heavy_ball(L, mu)
    hs = np.linspace(mu, L, 401)
    assert np.max(theory.momentum_contraction_factor(best.lr, best.beta, hs)) == pytest.approx(best.factor, rel=1e-7)
    lrs = best.lr * np.array([0.9, 0.97, 1.0, 1.03, 1.1])[:, None]
    betas = best.beta + np.array([-0.05, -0.01, 0.0, 0.01, 0.05])[None, :]
    worst = theory.momentum_contraction_factor(lrs, betas, L=L, mu=mu)
    assert worst.min() >= best.factor - 1e-12
    assert best.factor < theory.contraction_factor(theory.optimal_lr(L, mu), L, mu)


@pytest.mark.parametrize("nesterov", [False, True])
def test_worst_factor_over_the_spectrum_is_at_its_ends(nesterov):
    rng = np.random.default_rng(3)
    lr, beta = rng.uniform(0, 3, size=(200, 1)), rng.uniform(0, 0.99, size=(200, 1))
    hs = np.linspace(0.2, 1.0, 301)[None, :]
    dense = np.max(theory.momentum_contraction_factor(lr, beta, hs, nesterov=nesterov), axis=1)
    ends = theory.momentum_contraction_factor(lr[:, 0], beta[:, 0], L=1.0, mu=0.2, nesterov=nesterov)
    np.testing.assert_allclose(ends, dense, rtol=1e-12)


def test_without_momentum_the_factor_is_gradient_descents():
    lr = np.array([0.0, 0.1, 0.5, 0.7])
    expected = theory.contraction_factor(lr, L=3.0)
    np.testing.assert_allclose(theory.momentum_contraction_factor(lr, 0.0, L=3.0), expected, rtol=1e-15)
    np.testing.assert_allclose(theory.momentum_contraction_factor(lr, 0.0, 3.0, nesterov=True), expected, rtol=1e-15)


def test_contraction_factor_by_hand_real_and_complex_roots():
    # heavy ball, eta h = 0.5, beta = 0.04: z^2 - 0.54 z + 0.04, real roots
    assert theory.momentum_contraction_factor(0.5, 0.04, 1.0) == pytest.approx(
        (0.54 + math.sqrt(0.54**2 - 0.16)) / 2, rel=1e-14
    )
    # heavy ball, eta h = 1, beta = 0.81: z^2 - 0.81 z + 0.81, complex roots of modulus 0.9
    assert theory.momentum_contraction_factor(1.0, 0.81, 1.0) == pytest.approx(0.9, rel=1e-14)
    # Nesterov, eta h = 0.5, beta = 0.5: z^2 - 0.75 z + 0.25, complex (0.5625 < 1), modulus 0.5
    assert theory.momentum_contraction_factor(0.5, 0.5, 1.0, nesterov=True) == pytest.approx(0.5, rel=1e-14)


@pytest.mark.parametrize("nesterov", [False, True])
def test_contraction_factor_matches_the_decay_of_simulated_runs(nesterov):
    lr = np.array([0.05, 0.2, 0.5, 0.9, 1.3])
    h, beta = 1.0, 0.6
    factor = theory.momentum_contraction_factor(lr, beta, h, nesterov=nesterov)
    measured = (envelope(300, lr, h, beta, nesterov) / envelope(200, lr, h, beta, nesterov)) ** (1 / 100)
    np.testing.assert_allclose(measured, factor, rtol=2e-2)


@pytest.mark.parametrize("beta", [0.0, 0.3, 0.9])
def test_heavy_ball_stability_limit_is_where_the_factor_crosses_one(beta):
    L = 4.0
    limit = theory.momentum_stability_limit(L, beta)
    assert limit == pytest.approx(2 * (1 + beta) / L, rel=1e-15)
    factor = theory.momentum_contraction_factor(np.array([0.999, 1.0, 1.001]) * limit, beta, L)
    assert factor[0] < 1 < factor[2] and factor[1] == pytest.approx(1.0, rel=1e-12)
    runs = error_after(400, np.array([0.99, 1.01]) * limit, L, beta)
    assert runs[0] < 1e-1 and runs[1] > 1e1


@pytest.mark.parametrize("beta", [0.3, 0.9])
def test_nesterov_stability_limit_is_where_the_factor_crosses_one(beta):
    L = 4.0
    limit = theory.momentum_stability_limit(L, beta, nesterov=True)
    assert limit == pytest.approx(2 * (1 + beta) / ((1 + 2 * beta) * L), rel=1e-15)
    factor = theory.momentum_contraction_factor(np.array([0.999, 1.001]) * limit, beta, L, nesterov=True)
    assert factor[0] < 1 < factor[1]
    runs = error_after(400, np.array([0.99, 1.01]) * limit, L, beta, nesterov=True)
    assert runs[0] < 1e-1 and runs[1] > 1e1


def test_stability_limit_without_momentum_is_two_over_L_and_vectorizes():
    assert theory.momentum_stability_limit(4.0, 0.0) == theory.stability_limit(4.0)
    beta = np.array([0.0, 0.5, 0.9])
    np.testing.assert_allclose(theory.momentum_stability_limit(2.0, beta), 1 + beta, rtol=1e-15)


def test_momentum_effective_lr_matches_sgd_under_a_constant_gradient():
    lr, beta, g = 0.1, 0.9, 2.0
    opt = optim.SGD(lr=lr, momentum=beta)
    w, moves = np.array([0.0]), []
    for _ in range(4):
        new = opt.step(w, np.array([g]))
        moves.append(float(w[0] - new[0]))
        w = new
    expected = theory.momentum_effective_lr(lr, beta, t=np.arange(1, 5))
    np.testing.assert_allclose(expected, [0.1, 0.19, 0.271, 0.3439], rtol=1e-14)  # by hand
    np.testing.assert_allclose(moves, expected * g, rtol=1e-14)
    assert theory.momentum_effective_lr(lr, beta) == pytest.approx(1.0, rel=1e-14)


def test_adam_uncorrected_step_matches_adam_state():
    betas, g = (0.9, 0.999), -3.0
    opt = optim.Adam(lr=0.1, betas=betas, eps=0.0)
    w, factors = np.array([0.0]), []
    for _ in range(3):
        w = opt.step(w, np.array([g]))
        m, v = opt.state["exp_avg"][0], opt.state["exp_avg_sq"][0]
        factors.append(abs(m) / math.sqrt(v))
    np.testing.assert_allclose(theory.adam_uncorrected_step(np.array([1, 2, 3]), betas), factors, rtol=1e-13)
    assert theory.adam_uncorrected_step(1) == pytest.approx(0.1 / math.sqrt(0.001), rel=1e-14)
    # and the corrected step, Adam's own, is eta: w_1 = 0 - 0.1 * sign(g)
    assert optim.Adam(lr=0.1, eps=0.0).step(np.array([0.0]), np.array([g]))[0] == pytest.approx(0.1, rel=1e-14)


def test_nesterov_takes_a_numpy_bool_as_optim_does():
    lrs = np.linspace(0.0, 2.0, 9)
    for flag in (np.True_, np.False_):
        as_numpy = theory.momentum_contraction_factor(lrs, 0.5, 1.0, mu=0.1, nesterov=flag)
        assert np.array_equal(as_numpy, theory.momentum_contraction_factor(lrs, 0.5, 1.0, mu=0.1, nesterov=bool(flag)))
        assert theory.momentum_stability_limit(4.0, 0.5, nesterov=flag) == theory.momentum_stability_limit(
            4.0, 0.5, nesterov=bool(flag)
        )
    assert optim.SGD(lr=0.1, momentum=0.5, nesterov=np.True_).nesterov is True


@pytest.mark.parametrize(
    "call, error, pattern",
    [
        (lambda: theory.optimal_heavy_ball(1.0, 0.0), ValueError, r"mu must be a finite number > 0 and <= 1, got 0.0"),
        (lambda: theory.optimal_heavy_ball(1.0, 2.0), ValueError, r"mu must be a finite number > 0 and <= 1, got 2.0"),
        (lambda: theory.momentum_contraction_factor(-0.1, 0.5, 1.0), ValueError, r"lr must contain only finite"),
        (lambda: theory.momentum_contraction_factor(0.1, 1.0, 1.0), ValueError, r"beta must .* < 1, got 1.0"),
        (lambda: theory.momentum_contraction_factor(0.1, 0.5, 1.0, mu=2.0), ValueError, r"mu must be <= L"),
        (lambda: theory.momentum_contraction_factor(0.1, 0.5, 1.0, nesterov=1), TypeError, r"nesterov must be"),
        (lambda: theory.momentum_stability_limit(0.0, 0.5), ValueError, r"L must contain only finite numbers > 0"),
        (lambda: theory.momentum_effective_lr(0.1, 0.9, t=0), ValueError, r"^t must be an integer >= 1, got 0$"),
        (lambda: theory.momentum_effective_lr(0.1, 0.9, t=[1, 0]), ValueError, r"t must contain only integers >= 1"),
        (lambda: theory.momentum_effective_lr(0.1, 0.9, t=1.5), TypeError, r"^t must be an integer >= 1 or an"),
        (lambda: theory.adam_uncorrected_step(np.array([1.0])), TypeError, r"dtype float64"),
        (lambda: theory.adam_uncorrected_step(0), ValueError, r"^t must be an integer >= 1, got 0$"),
        (lambda: theory.momentum_stability_limit(1.0, 0.5, nesterov=1), TypeError, r"^nesterov must be True or False"),
        (lambda: theory.momentum_contraction_factor(0.1, ["0.5"], 1.0), TypeError, r"^beta must be a real number"),
        (lambda: theory.adam_uncorrected_step(1, betas=(0.9, 1.0)), ValueError, r"betas\[1\] must be"),
        (lambda: theory.adam_uncorrected_step(1, betas=0.9), TypeError, r"betas must be a pair"),
        (lambda: theory.adam_uncorrected_step(1, betas=(0.9,)), TypeError, r"^betas must be a pair of finite numbers"),
        (lambda: theory.momentum_noise_floor(0.1, 0.9, 1.0, noise_std=-1.0), ValueError, r"noise_std must be"),
        (lambda: theory.momentum_noise_floor(0.1, 1.0, 1.0, 1.0), ValueError, r"beta must .* < 1, got 1.0"),
    ],
)
def test_bad_input_names_the_argument(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_momentum_noise_floor_is_the_variance_of_the_order_two_recursion():
    # Without momentum it is SGD's floor; with it, the stationary second moment of
    # z_t = a z_{t-1} - beta z_{t-2} + e_t, computed here from the 2 x 2 Lyapunov equation.
    np.testing.assert_allclose(
        theory.momentum_noise_floor([0.1, 1.5], 0.0, L=1.0, noise_std=2.0),
        theory.noise_floor_quadratic([0.1, 1.5], L=1.0, noise_std=2.0), rtol=1e-14)
    for lr, beta, L, sigma in ((0.3, 0.5, 2.0, 1.0), (0.01, 0.9, 1.0, 3.0), (3.0, 0.9, 1.0, 1.0)):
        A = np.array([[1 + beta - lr * L, -beta], [1.0, 0.0]])
        Q = np.array([[(lr * sigma) ** 2, 0.0], [0.0, 0.0]])
        C = np.linalg.solve(np.eye(4) - np.kron(A, A), Q.ravel()).reshape(2, 2)  # C = A C A^T + Q
        assert theory.momentum_noise_floor(lr, beta, L, sigma) == pytest.approx(L * C[0, 0] / 2, rel=1e-10)


def test_momentum_noise_floor_is_sgds_at_lr_over_one_minus_beta_for_small_rates_and_ends_at_the_limit():
    small = theory.momentum_noise_floor(1e-4, 0.9, L=1.0, noise_std=1.0)
    assert small == pytest.approx(theory.noise_floor_quadratic(1e-3, L=1.0, noise_std=1.0), rel=1e-3)
    limit = theory.momentum_stability_limit(1.0, 0.9)
    assert theory.momentum_noise_floor([0.999 * limit, limit, 2 * limit], 0.9, 1.0, 1.0)[1:].tolist() == [np.inf] * 2
    assert np.isfinite(theory.momentum_noise_floor(0.999 * limit, 0.9, 1.0, 1.0))
