import math

import numpy as np
import pytest

from lrcourse import data, finder, landscapes, nets, optim
from lrcourse.finder import exponential_rates, range_test, range_test_landscape, range_test_network, smooth, suggest


def replay(losses):
    """A step_fn that returns the given losses one after another, ignoring the rate."""
    values = iter(losses)
    return lambda lr: next(values)


# --- the sweep -----------------------------------------------------------------


@pytest.mark.parametrize("start, end, n", [(1e-7, 10.0, 100), (0.01, 1.0, 3), (2.0, 3.0, 2)])
def test_rates_grow_by_a_constant_factor_from_start_to_end(start, end, n):
    rates = exponential_rates(start, end, n)
    assert len(rates) == n
    assert rates[0] == start and rates[-1] == end
    for t in range(n):
        assert rates[t] == pytest.approx(start * (end / start) ** (t / (n - 1)), rel=1e-13)
    factor = (end / start) ** (1 / (n - 1))
    assert np.allclose(rates[1:] / rates[:-1], factor, rtol=1e-12)


def test_the_test_calls_step_fn_with_the_sweep_rates_in_order():
    seen = []

    def step(lr):
        seen.append(lr)
        return 1.0

    test = range_test(step, 1e-4, 1.0, num_steps=5, beta=0.0)
    assert seen == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1, 1.0], rel=1e-12)
    assert np.array_equal(test.lrs, np.array(seen))
    assert test.stopped_at is None and test.steps == 5
    assert all(type(lr) is float for lr in seen)


# --- smoothing -----------------------------------------------------------------


def test_bias_corrected_average_matches_a_hand_computation():
    beta = 0.5
    # a_0 = 0.5 * 3 = 1.5, s_0 = 1.5 / 0.5 = 3
    # a_1 = 0.5 * 1.5 + 0.5 * 1 = 1.25, s_1 = 1.25 / 0.75
    # a_2 = 0.5 * 1.25 + 0.5 * 2 = 1.625, s_2 = 1.625 / 0.875
    assert smooth([3.0, 1.0, 2.0], beta) == pytest.approx([3.0, 1.25 / 0.75, 1.625 / 0.875], rel=1e-15)


def test_smoothed_loss_is_the_weighted_mean_with_weights_beta_to_the_age():
    losses = np.random.default_rng(0).uniform(0, 5, size=40)
    beta = 0.98
    s = smooth(losses, beta)
    for t in (0, 1, 7, 39):
        weights = beta ** (t - np.arange(t + 1))
        assert s[t] == pytest.approx(np.sum(weights * losses[: t + 1]) / weights.sum(), rel=1e-12)


def test_beta_zero_is_no_smoothing_and_a_constant_stays_constant():
    losses = [4.0, 0.5, 2.5]
    assert np.array_equal(smooth(losses, 0.0), losses)
    assert np.allclose(smooth([2.0] * 50, 0.98), 2.0, rtol=1e-12)


def test_smoothing_passes_inf_and_nan_on_without_warnings():
    s = smooth([1.0, math.inf, 2.0], 0.9)
    assert s[0] == 1.0 and s[1] == math.inf and s[2] == math.inf
    assert np.isnan(smooth([1.0, math.nan, 2.0], 0.9)[1:]).all()


def test_range_test_records_the_same_smoothing():
    losses = [3.0, 2.0, 1.5, 1.2, 1.1]
    test = range_test(replay(losses), 0.1, 1.0, num_steps=5, beta=0.9)
    assert np.array_equal(test.losses, losses)
    assert np.allclose(test.smoothed, smooth(losses, 0.9), rtol=0, atol=0)


# --- stopping --------------------------------------------------------------------


def test_stops_at_the_first_step_whose_smoothed_loss_exceeds_the_factor_times_the_best():
    test = range_test(replay([4.0, 2.0, 1.0, 3.9, 4.1, 100.0]), 0.01, 1.0, num_steps=6, beta=0.0)
    assert test.stopped_at == 4
    assert test.steps == 5 and len(test.lrs) == 5
    assert "4.1 exceeded 4 x its best 1" in test.reason
    assert test.describe().startswith("stopped at step 4 (eta = ")


def test_the_best_so_far_is_updated_before_the_comparison():
    # 9 > 4 * 2 only compared with the best before it; the best includes the step itself.
    test = range_test(replay([2.0, 9.0, 1.0]), 0.01, 1.0, num_steps=3, beta=0.0, diverge_factor=4.0)
    assert test.stopped_at == 1
    test = range_test(replay([2.0, 7.9, 1.0]), 0.01, 1.0, num_steps=3, beta=0.0, diverge_factor=4.0)
    assert test.stopped_at is None


@pytest.mark.parametrize("bad", [math.inf, math.nan])
def test_a_non_finite_loss_stops_the_test_and_says_so(bad):
    test = range_test(replay([1.0, 0.9, bad, 0.5]), 0.01, 1.0, num_steps=4)
    assert test.stopped_at == 2
    assert test.reason == f"the loss became {bad}"


def quadratic_losses(L, x0, rates):
    """f(w_t) on f = L/2 w^2 under w_{t+1} = (1 - eta_t L) w_t, before each step: the closed form."""
    factors = np.concatenate([[1.0], np.cumprod((1 - rates[:-1] * L) ** 2)])
    return L / 2 * x0**2 * factors


@pytest.mark.parametrize("L", [0.5, 1.0, 4.0])
def test_without_smoothing_the_stop_on_a_quadratic_is_the_closed_form_step(L):
    rates = exponential_rates(1e-2, 1e3, 120)
    f = quadratic_losses(L, 1.0, rates)
    # The loss falls while eta_t < 2/L, so the stop comes once the growth
    # since the minimum, the product of (1 - eta_s L)^2, exceeds 4.
    predicted = next(t for t in range(len(f)) if f[t] > 4 * f[: t + 1].min())
    test = range_test_landscape(landscapes.Quadratic1D(L=L), 1.0, 1e-2, 1e3, 120, beta=0.0)
    assert test.stopped_at == predicted
    assert np.allclose(test.losses, f[: predicted + 1], rtol=1e-9, atol=0)
    first_unstable = int(np.argmax(rates > 2 / L))
    assert test.stopped_at > first_unstable


@pytest.mark.parametrize("L", [0.5, 1.0, 4.0])
def test_with_smoothing_the_stop_comes_after_two_over_L_and_within_the_growth_bound(L):
    rates = exponential_rates(1e-2, 1e3, 120)
    f = quadratic_losses(L, 1.0, rates)
    test = range_test_landscape(landscapes.Quadratic1D(L=L), 1.0, 1e-2, 1e3, 120)
    first_unstable = int(np.argmax(rates > 2 / L))
    # No stop while the raw loss does not rise: its first rise is at step first_unstable + 1.
    assert test.stopped_at >= first_unstable + 1
    # s_t >= (1 - beta) f_t and the best is <= s_0 = f_0, so the stop comes by the
    # first t with f_t / f_0 > 4 / (1 - beta) = 200.
    bound = int(np.argmax(f / f[0] > 4 / (1 - 0.98)))
    assert bound > first_unstable
    assert test.stopped_at <= bound


def test_no_numpy_warning_even_when_the_rates_explode():
    # pytest turns warnings into errors (pyproject); an end rate of 1e12 would overflow without the guard.
    test = range_test_landscape(landscapes.Quadratic1D(L=1.0), 1.0, 3.0, 1e12, 30, beta=0.0, diverge_factor=1e300)
    assert test.stopped_at is not None
    assert test.reason == "the loss became inf"


def test_landscape_wrapper_runs_the_given_optimizer_like_descent():
    quad = landscapes.Quadratic2D(mu=0.1, L=1.0)
    opt = optim.Adam(lr=123.0)
    test = range_test_landscape(quad, [1.0, -1.0], 1e-3, 1.0, 20, optimizer=opt, diverge_factor=1e9)
    rates = exponential_rates(1e-3, 1.0, 20)
    reference = optim.Adam()
    w = np.array([1.0, -1.0])
    expected = []
    for lr in rates:
        expected.append(float(quad.value(w)))
        reference.lr = lr
        w = reference.step(w, quad.grad(w))
    assert np.allclose(test.losses, expected, rtol=1e-12)
    assert opt.lr == 123.0 and opt.t == 0  # the caller's optimizer is untouched


def test_network_wrapper_records_the_minibatch_losses_of_train_with_the_same_rates():
    digits = data.load_digits()
    model = nets.MLP(n_hidden=16)
    n = 50
    test = range_test_network(model, digits, optim.SGD(momentum=0.9), 1e-3, 10.0, n, batch_size=64, seed=3,
                              diverge_factor=1e9)
    rates = exponential_rates(1e-3, 10.0, n)
    ramp = lambda t: rates[np.minimum(t, n - 1)]  # noqa: E731
    epochs = math.ceil(n / math.ceil(len(digits.y_train) / 64))
    history = nets.train(model, digits, optim.SGD(lr=1.0, momentum=0.9), epochs=epochs, batch_size=64,
                         schedule=ramp, seed=3)
    recorded = test.steps if test.stopped_at is None else test.stopped_at
    assert recorded > 10
    assert np.allclose(test.losses[:recorded], history.step_loss[:recorded], rtol=1e-10)


# --- suggestions -------------------------------------------------------------------


def synthetic_curve(n=81):
    """f(x) = 2 - tanh(3 (x - x_s)) + 2 exp(4 (x - x_m)) on x = log10(eta), a grid of step 0.05.

    Its steepest descent is near x_s (the middle of a grid interval), its
    minimum near x_m; both are checked on a fine grid below.
    """
    x = np.linspace(-4.0, 0.0, n)
    x_s = -2.025
    f = 2 - np.tanh(3 * (x - x_s)) + 2 * np.exp(4 * (x - (-0.9)))
    return 10**x, f, x


def test_steepest_is_the_left_end_of_the_steepest_segment():
    lrs, f, x = synthetic_curve()
    # By hand: the slope between neighbours, in f per unit of ln(eta).
    slopes = [(f[k + 1] - f[k]) / (math.log(lrs[k + 1]) - math.log(lrs[k])) for k in range(len(f) - 1)]
    k = int(np.argmin(slopes))
    assert suggest(lrs, f, "steepest") == lrs[k]
    # The tanh drop is steepest at x_s = -2.025, between the grid points -2.05 and -2.0.
    assert x[k] == pytest.approx(-2.05)


def test_min_over_10_is_one_decade_below_the_minimum():
    lrs, f, x = synthetic_curve()
    # The minimum of the smooth curve: f'(x) = -3 sech^2(3(x - x_s)) + 8 exp(4(x + 0.9)) = 0,
    # found on a fine grid, then rounded to the curve's grid.
    fine = np.linspace(-4, 0, 400001)
    slope = -3 / np.cosh(3 * (fine + 2.025)) ** 2 + 8 * np.exp(4 * (fine + 0.9))
    x_min = fine[np.argmin(np.abs(np.where(fine > -2, slope, np.inf)))]
    k = int(np.argmin(f))
    assert abs(x[k] - x_min) <= 0.025 + 1e-9
    assert suggest(lrs, f, "min/10") == pytest.approx(lrs[k] / 10, rel=1e-15)


def test_valley_on_a_hand_built_curve():
    lrs = np.geomspace(1e-3, 1e1, 9)
    losses = np.array([5.0, 5.5, 4.0, 3.0, 2.0, 1.0, 0.5, 2.0, 9.0])
    # Longest strictly decreasing subsequence: 5.5, 4, 3, 2, 1, 0.5 (length 6) ending at index 6,
    # so s = 6 - 6 = 0, m = 6 and k = 0 + 6 // 3 + 6 // 6 = 3.
    assert suggest(lrs, losses, "valley") == lrs[3]


def test_valley_starting_at_the_first_point_does_not_wrap_around():
    lrs = np.array([0.1, 1.0, 10.0])
    # Decreasing subsequence 3, 2 ends at index 1 with length 2: s = -1, k = -1, kept at 0.
    assert suggest(lrs, [3.0, 2.0, 2.5], "valley") == 0.1


def test_suggestion_uses_fastais_trimmed_smoothed_curve():
    lrs, f, _ = synthetic_curve(n=100)
    test = range_test(replay(list(f)), lrs[0], lrs[-1], num_steps=100, diverge_factor=1e9)
    trimmed_lrs, trimmed = test.lrs[10:95], test.smoothed[10:95]
    for rule in finder.RULES:
        assert test.suggestion(rule) == suggest(trimmed_lrs, trimmed, rule)
    assert test.suggestion("steepest", skip_start=0, skip_end=0) == suggest(test.lrs, test.smoothed, "steepest")
    assert test.suggestions() == {rule: test.suggestion(rule) for rule in finder.RULES}


def test_suggestion_with_beta_zero_finds_the_synthetic_answer():
    lrs, f, x = synthetic_curve()
    test = range_test(replay(list(f)), lrs[0], lrs[-1], num_steps=len(lrs), beta=0.0, diverge_factor=1e9)
    assert test.suggestion("steepest", 0, 0) == pytest.approx(10**-2.05, rel=1e-9)
    assert test.suggestion("min/10", 0, 0) == pytest.approx(lrs[np.argmin(f)] / 10, rel=1e-9)


def test_too_few_points_for_a_suggestion_is_explained():
    test = range_test(replay([1.0, 0.5, 100.0]), 0.1, 10.0, num_steps=50, beta=0.0)
    with pytest.raises(ValueError, match="only 0 usable points remain"):
        test.suggestion("steepest")


def test_repr_and_describe_are_helpful():
    test = range_test(replay([1.0, 0.5, 0.25]), 0.1, 10.0, num_steps=3, beta=0.0)
    assert repr(test) == (
        "RangeTest(start_lr=0.1, end_lr=10, num_steps=3, beta=0, diverge_factor=4, steps=3, "
        "best_loss=0.25, stopped_at=None)"
    )
    assert test.describe() == "ran all 3 steps from eta = 0.1 to 10; lowest smoothed loss 0.25 at eta = 10"


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"start_lr": 0.0}, ValueError, "start_lr must be a finite number > 0, got 0.0"),
        ({"start_lr": -1.0}, ValueError, "start_lr must be a finite number > 0, got -1.0"),
        ({"end_lr": 1e-8}, ValueError, "end_lr must be a finite number > 1e-07, got 1e-08"),
        ({"end_lr": math.inf}, ValueError, "end_lr must be a finite number"),
        ({"num_steps": 1}, ValueError, "num_steps must be an integer >= 2, got 1"),
        ({"num_steps": 10.0}, TypeError, "num_steps must be an integer"),
        ({"beta": 1.0}, ValueError, r"beta must be a finite number >= 0 and < 1, got 1.0"),
        ({"beta": -0.1}, ValueError, r"beta must be a finite number >= 0 and < 1, got -0.1"),
        ({"diverge_factor": 1.0}, ValueError, "diverge_factor must be a finite number > 1, got 1.0"),
    ],
)
def test_bad_settings_name_the_argument(kwargs, error, message):
    with pytest.raises(error, match=message):
        range_test(lambda lr: 1.0, **kwargs)


def test_bad_step_fn_and_losses_are_explained():
    with pytest.raises(TypeError, match="step_fn must be a callable"):
        range_test(3.0)
    with pytest.raises(TypeError, match="step_fn must return one real number"):
        range_test(lambda lr: "loss")
    with pytest.raises(TypeError, match="step_fn must return one real number"):
        range_test(lambda lr: np.ones(2))
    with pytest.raises(ValueError, match="negative loss -0.5 at step 0"):
        range_test(lambda lr: -0.5)


@pytest.mark.parametrize(
    "args, message",
    [
        (([0.1, 1.0], [1.0, 2.0], "best"), "rule must be one of 'steepest', 'min/10', 'valley', got 'best'"),
        (([0.1], [1.0], "steepest"), "at least 2 points"),
        (([0.1, 1.0], [1.0], "steepest"), "same length"),
        (([1.0, 0.1], [1.0, 2.0], "steepest"), "strictly increasing"),
        (([0.0, 1.0], [1.0, 2.0], "steepest"), "lrs must contain only finite numbers > 0, got 0.0 at index 0"),
        (([0.1, 1.0], [1.0, math.nan], "steepest"), "losses must contain only finite numbers, got nan at index 1"),
    ],
)
def test_suggest_rejects_bad_curves(args, message):
    with pytest.raises(ValueError, match=message):
        suggest(*args)


def test_wrappers_reject_bad_inputs():
    with pytest.raises(ValueError, match=r"x0 must be one point of dimension 2, got shape \(3,\)"):
        range_test_landscape(landscapes.Quadratic2D(), [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="landscape must have value"):
        range_test_landscape("bowl")
    with pytest.raises(TypeError, match="optimizer must be an lrcourse.optim optimizer"):
        range_test_landscape(landscapes.Quadratic1D(), 1.0, optimizer="sgd")
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):
        range_test_network(nets.SoftmaxRegression(), data.load_digits(), optim.SGD(), batch_size=0)

