import math

import numpy as np
import pytest

from lrcourse import descent, landscapes, theory
from lrcourse import schedules as S


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
        (
            lambda: theory.loss_gap_quadratic(0.1, 1.0, 1.0, t=[2, -1]),
            "t must contain only integers >= 0, got -1 at index 1",
        ),
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


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: theory.loss_gap_quadratic(0.1, 1.0, 1.0, t=1.5),
            "t must be an integer >= 0 or an array of them, got 1.5",
        ),
        (
            lambda: theory.contraction_factor(["0.1", "0.2"], 1.0),
            "lr must be a real number or an array of them, got '0.1' at index 0",
        ),
        (
            lambda: theory.contraction_factor(["a", "b"], 1.0),
            "lr must be a real number or an array of them, got 'a' at index 0",
        ),
        (lambda: theory.stability_limit("1.0"), "L must be a real number or an array of them, got '1.0'"),
    ],
)
def test_wrong_types_are_type_errors_naming_the_argument(call, message):
    with pytest.raises(TypeError) as raised:
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


# --- the noisy quadratic: closed form (constant rate) and exact recursion (any rates) ---


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)


def second_moment_by_recursion(lr, L, noise_std, w0, t):
    """E[w_t^2] from m_{k+1} = (1 - eta L)^2 m_k + eta^2 sigma^2, one step at a time."""
    m = w0**2
    for _ in range(t):
        m = (1 - lr * L) ** 2 * m + lr**2 * noise_std**2
    return m


@pytest.mark.parametrize("lr", [0.0, 1e-7, 0.05, 0.5, 1.0, 1.5, 2.0, 2.1])
@pytest.mark.parametrize("t", [0, 1, 7, 200])
def test_noisy_quadratic_loss_matches_the_recursion(lr, t):
    L, sigma, w0 = 1.0, 0.7, 3.0
    expected = 0.5 * L * second_moment_by_recursion(lr, L, sigma, w0, t)
    assert theory.noisy_quadratic_loss(lr, L, sigma, w0, t) == pytest.approx(expected, rel=1e-9)


def test_noisy_quadratic_loss_without_noise_is_the_deterministic_gap():
    lrs = np.array([0.1, 0.3, 0.9])
    got = theory.noisy_quadratic_loss(lrs, L=2.0, noise_std=0.0, w0=1.5, t=12)
    assert np.allclose(got, theory.loss_gap_quadratic(lrs, 2.0, 0.5 * 2.0 * 1.5**2, 12))


def test_noisy_quadratic_loss_matches_a_simulation():
    rng = np.random.default_rng(0)
    lr, L, sigma, w0, t, n = 0.2, 1.0, 1.0, 2.0, 30, 200_000
    w = np.full(n, w0)
    for _ in range(t):
        w = w - lr * (L * w + sigma * rng.standard_normal(n))
    simulated = 0.5 * L * np.mean(w**2)
    assert simulated == pytest.approx(theory.noisy_quadratic_loss(lr, L, sigma, w0, t), rel=0.02)


def test_noisy_quadratic_loss_overflows_to_inf_without_warnings():
    with np.errstate(all="raise"):
        assert theory.noisy_quadratic_loss(3.0, 1.0, 1.0, 1.0, 5000) == math.inf


def test_noise_floor_is_the_long_run_limit():
    lrs = np.array([0.01, 0.1, 1.0, 1.9])
    floor = theory.noise_floor_quadratic(lrs, L=1.0, noise_std=2.0)
    assert np.allclose(floor, theory.noisy_quadratic_loss(lrs, 1.0, 2.0, 5.0, 100_000))


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: theory.noisy_quadratic_loss(-0.1, 1.0, 1.0, 1.0, 3), ValueError, "^lr must"),
        (lambda: theory.noisy_quadratic_loss(0.1, 0.0, 1.0, 1.0, 3), ValueError, "^L must"),
        (lambda: theory.noisy_quadratic_loss(0.1, 1.0, -1.0, 1.0, 3), ValueError, "^noise_std must"),
        (
            lambda: theory.noisy_quadratic_loss(0.1, 1.0, 1.0, 1.0, -3),
            ValueError,
            "^t must be an integer >= 0, got -3$",
        ),
        (lambda: theory.noisy_quadratic_loss(0.1, 1.0, 1.0, 1.0, 2.5), TypeError, "^t must be an integer >= 0 or an"),
        (lambda: theory.noisy_quadratic_loss(["0.1"], 1.0, 1.0, 1.0, 3), TypeError, "^lr must be a real number or"),
    ],
)
def test_noisy_quadratic_loss_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- sgd_expected_loss ----------------------------------------------------------------


def test_expected_loss_without_noise_is_the_deterministic_loss():
    rates = np.array([0.5, 1.5, 0.2, 1.0, 0.3])
    L, w0 = 2.0, 3.0
    losses = theory.sgd_expected_loss(rates, L=L, noise_std=0.0, w0=w0)
    w = w0
    for t, eta in enumerate(rates):
        assert close(losses[t], L / 2 * w**2)
        w = (1 - eta * L) * w
    assert close(losses[-1], L / 2 * w**2)


def test_expected_loss_follows_the_second_moment_recursion_in_2d():
    rates = np.array([0.4, 0.1, 0.7])
    mu, L, sigma, w0 = 0.5, 2.0, 0.3, (1.0, -2.0)
    m = [w0[0] ** 2, w0[1] ** 2]
    expected = [(mu * m[0] + L * m[1]) / 2]
    for eta in rates:
        m = [(1 - eta * lam) ** 2 * mk + eta**2 * sigma**2 for lam, mk in zip((mu, L), m)]
        expected.append((mu * m[0] + L * m[1]) / 2)
    assert np.allclose(theory.sgd_expected_loss(rates, L=L, noise_std=sigma, w0=w0, mu=mu), expected, rtol=1e-13)


def test_constant_rate_settles_at_the_noise_floor():
    for eta, mu in [(0.3, None), (1.2, None), (0.5, 0.1)]:
        w0 = 2.0 if mu is None else (2.0, -1.0)
        losses = theory.sgd_expected_loss(np.full(3000, eta), L=1.0, noise_std=0.7, w0=w0, mu=mu)
        floor = theory.noise_floor_quadratic(eta, L=1.0, noise_std=0.7, mu=mu)
        assert losses[-1] == pytest.approx(float(floor), rel=1e-9)


def test_expected_loss_matches_monte_carlo_runs():
    mu, L, sigma, w0 = 0.1, 1.0, 0.5, (3.0, 2.0)
    sched = S.warmup(S.cosine(1.5, total_steps=150), warmup_steps=20)
    noisy = landscapes.Noisy(landscapes.Quadratic2D(mu=mu, L=L), noise_std=sigma)
    n = 4000
    runs = descent.run(noisy, x0=np.tile(w0, (n, 1)), lr=sched, steps=170, rng=np.random.default_rng(3))
    expected = theory.sgd_expected_loss(sched(np.arange(170)), L=L, noise_std=sigma, w0=w0, mu=mu)
    measured = runs.losses.mean(axis=1)
    standard_error = runs.losses.std(axis=1) / np.sqrt(n)
    assert np.all(np.abs(measured - expected) < 5 * standard_error + 1e-12)


def test_expected_loss_of_many_schedules_at_once():
    rates = np.stack([np.full(50, 0.1), S.cosine(1.0, 50)(np.arange(50)), S.cyclic(0.1, 1.0, 5)(np.arange(50))])
    batch = theory.sgd_expected_loss(np.stack([rates, rates[::-1]]), L=1.0, noise_std=0.5, w0=1.0)
    assert batch.shape == (2, 3, 51)
    for i in range(3):
        assert np.array_equal(batch[0, i], theory.sgd_expected_loss(rates[i], L=1.0, noise_std=0.5, w0=1.0))


def test_expected_loss_diverges_to_inf_without_warnings_and_survives_a_short_excursion():
    with np.errstate(all="raise"):
        blown = theory.sgd_expected_loss(np.full(2000, 3.0), L=1.0, noise_std=0.1, w0=1.0)
        excursion = np.concatenate([np.full(5, 2.5), np.full(200, 0.5)])
        survived = theory.sgd_expected_loss(excursion, L=1.0, noise_std=0.0, w0=1.0)
    assert np.isinf(blown[-1]) and np.all(np.diff(blown[np.isfinite(blown)]) > 0)
    assert close(survived[5], 0.5 * 1.5 ** (2 * 5))
    assert np.isfinite(survived[-1]) and survived[-1] < 1e-100


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"lrs": [0.1, -0.1]}, ValueError, r"lrs must contain only finite numbers >= 0, got -0.1 at index 1"),
        ({"lrs": []}, ValueError, r"lrs must be an array of shape \(\.\.\., T\) with T >= 1"),
        ({"lrs": 0.1}, ValueError, r"lrs must be an array of shape"),
        ({"L": 0.0}, ValueError, r"L must be a finite number > 0"),
        ({"noise_std": -1.0}, ValueError, r"noise_std must be a finite number >= 0"),
        ({"mu": 2.0, "w0": (1.0, 1.0)}, ValueError, r"mu must be a finite number > 0 and <= 1"),
        ({"mu": 0.5, "w0": 1.0}, TypeError, r"^w0 must be a pair of finite numbers, got 1.0$"),
        ({"mu": 0.5, "w0": (1.0, 2.0, 3.0)}, TypeError, r"^w0 must be a pair of finite numbers"),
        ({"mu": 0.5, "w0": (1.0, float("nan"))}, ValueError, r"^w0\[1\] must be a finite number, got nan$"),
        ({"w0": (1.0, 2.0)}, TypeError, r"w0 must be a real number"),
        ({"lrs": [1e300], "L": 1e10}, ValueError, r"lrs \* L and lrs \* noise_std must be finite"),
    ],
)
def test_expected_loss_bad_input(kwargs, error, message):
    arguments = {"lrs": [0.1, 0.2], "L": 1.0, "noise_std": 0.5, "w0": 1.0, **kwargs}
    with pytest.raises(error, match=message):
        theory.sgd_expected_loss(**arguments)


def test_escape_steps_is_kramers_formula_and_matches_noisy_descent_on_the_double_well():
    from lrcourse import descent, landscapes

    well = landscapes.DoubleWell()
    height = well.barrier[1] - well.minima[1][1]
    at_min, at_barrier = well.max_curvature([-1.0])[0], well.barrier_at**2 - 1
    tau = theory.escape_steps(np.array([0.05, 0.07]), 1.0, height, at_min, at_barrier)
    by_hand = 2 * np.pi / (np.array([0.05, 0.07]) * np.sqrt(1.5 * 0.9375)) * np.exp(2 * height / np.array([0.05, 0.07]))
    np.testing.assert_allclose(tau, by_hand, rtol=1e-12)
    # halving the noise's variance is the same as halving the rate in the exponent
    assert theory.escape_steps(0.05, np.sqrt(0.5), height, 1.5, 0.9375) == pytest.approx(
        by_hand[0] * np.exp(2 * height / 0.05), rel=1e-12)
    # simulated: the share of 2000 runs from the shallow minimum that ended beyond the barrier after 2000 steps
    runs = descent.run(landscapes.Noisy(well, 1.0), np.full(4000, -1.0), np.repeat([0.05, 0.07], 2000),
                       steps=2000, rng=np.random.default_rng(1))
    left = (runs.positions[-1] > well.barrier_at).reshape(2, 2000).mean(axis=1)
    np.testing.assert_allclose(left, 1 - np.exp(-2000 / tau), rtol=0.15)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(lr=0.0), "lr must contain only finite numbers > 0, got 0.0"),
        (dict(noise_std=0.0), "noise_std must contain only finite numbers > 0"),
        (dict(barrier_height=-0.1), "barrier_height must contain only finite numbers > 0, got -0.1"),
        (dict(curvature_barrier=0.0), "curvature_barrier must contain only finite numbers > 0"),
    ],
)
def test_escape_steps_refuses_values_without_an_escape_time(kwargs, words):
    args = dict(lr=0.05, noise_std=1.0, barrier_height=0.1, curvature_min=1.5, curvature_barrier=-0.9)
    with pytest.raises(ValueError, match=words):
        theory.escape_steps(**{**args, **kwargs})


def test_descent_lemma_bound_closed_forms():
    L, g2 = 4.0, 9.0
    assert theory.descent_lemma_bound(1 / L, L, g2) == g2 / (2 * L)  # the best guarantee, at 1/L
    assert theory.descent_lemma_bound(2 / L, L, g2) == 0.0
    assert theory.descent_lemma_bound(0.0, L, g2) == 0.0
    assert theory.descent_lemma_bound(0.75, L, g2) < 0  # above 2/L: no guarantee
    rates = np.linspace(0.0, 0.5, 101)
    bound = theory.descent_lemma_bound(rates, L, g2)
    assert rates[np.argmax(bound)] == pytest.approx(1 / L)
    np.testing.assert_array_equal(bound[1:-1] > 0, (rates[1:-1] > 0) & (rates[1:-1] < 2 / L))


@pytest.mark.parametrize("lr", [0.05, 0.3, 1.0, 1.7, 2.0, 2.6])
def test_descent_lemma_is_an_equality_on_the_quadratic(lr):
    L, w = 1.5, 2.0
    bowl = landscapes.Quadratic1D(L=L)
    decrease = bowl.value(w) - bowl.value(w - lr * bowl.grad(w))
    assert decrease == pytest.approx(theory.descent_lemma_bound(lr, L, bowl.grad(w) ** 2), rel=1e-12, abs=1e-12)


def test_descent_lemma_bound_holds_on_a_smooth_loss_and_is_loose_where_it_bends_less():
    loss = landscapes.PseudoHuber(L=2.0, width=1.0)
    w = np.array([-4.0, -0.5, 0.2, 1.0, 3.0])[:, None]
    rates = np.linspace(0.0, 1.5, 61)[None, :]
    g = loss.grad(w)
    decrease = loss.value(w) - loss.value(w - rates * g)
    bound = theory.descent_lemma_bound(rates, 2.0, g**2)
    assert np.all(decrease >= bound - 1e-12)
    assert decrease[0, -1] > 0 > bound[0, -1]  # far out, 1.5 > 2/L still decreases the loss


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"lr": -0.1, "L": 1.0, "grad_norm_sq": 1.0}, "lr must contain only finite numbers >= 0, got -0.1"),
        ({"lr": 0.1, "L": 0.0, "grad_norm_sq": 1.0}, "L must contain only finite numbers > 0, got 0.0"),
        ({"lr": 0.1, "L": 1.0, "grad_norm_sq": -2.0}, "grad_norm_sq must contain only finite numbers >= 0, got -2.0"),
    ],
)
def test_descent_lemma_bound_bad_input_names_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        theory.descent_lemma_bound(**kwargs)
