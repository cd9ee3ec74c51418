"""Checks of the chapter "Too high, too low" pass on the reference and give the right hint on typical mistakes."""

import math

import numpy as np
import pytest

from lrcourse.checks import too_high_too_low as check


def placeholder(lr, L, gap0, tol):
    raise NotImplementedError()


def steps_by_hand(lr, L, gap0, tol):
    """The first t with gap0 * (1 - lr L)^(2t) <= tol, by counting."""
    t, gap = 0, gap0
    while gap > tol:
        gap *= (1 - lr * L) ** 2
        t += 1
    return t


@pytest.mark.parametrize(
    "check_function, right, wrong, hint",
    [
        (check.largest_stable_lr, 2 / 4.0, 2 / 0.5, "flat direction"),
        (check.largest_stable_lr, 2 / 4.0, 1 / 4.0, "not the largest that converges"),
        (check.largest_stable_lr, 2 / 4.0, 4.0 / 2, "L goes in the denominator"),
        (check.fastest_lr, 2 / 4.5, 1 / 4.0, "crawls"),
        (check.fastest_lr, 2 / 4.5, 2 / 4.0, "never converges"),
        (check.rosenbrock_limit, 2 / (501 + math.hypot(301, 400)), 2 / 802, "off-diagonal"),
        (check.rosenbrock_limit, 2 / (501 + math.hypot(301, 400)), 2 / 1002, "1002 is the trace"),
        (check.noise_floor, 0.1 / (2 * (2 - 0.1)), 0.1 / 4, "small-η approximation"),
        (check.noise_floor, 0.1 / (2 * (2 - 0.1)), 0.1 / (2 - 0.1), "variance of w"),
        # descent lemma, L = 4, g = (2, -1, 2): the best guarantee is ||g||^2 / (2L) = 9/8, at eta = 1/L
        (check.best_guaranteed_decrease, 9 / 8, 1 / 4, "the rate that gives the best guarantee"),
        (check.best_guaranteed_decrease, 9 / 8, 3 / 8, "squared length"),
        (check.best_guaranteed_decrease, 9 / 8, 9 / 4, "1 − ηL/2 is not 1"),
        (check.best_guaranteed_decrease, 9 / 8, 0.0, "η = 2/L"),
        (check.best_guaranteed_decrease, 9 / 8, 18.0, "shrinks as L grows"),
        # H = diag(4, 0.01): feature 2 times s has curvature 0.01 s^2, equal to 4 at s = 20
        (check.feature_scale, 20.0, 400.0, "scale squared"),
        (check.feature_scale, 20.0, 1 / 20, "shrinks feature 2"),
        (check.feature_scale, 20.0, 400**0.25, "not with its square root"),
    ],
)
def test_value_checks(check_function, right, wrong, hint):
    assert check_function(right).passed
    assert "not answered yet" in check_function(None).message
    result = check_function(wrong)
    assert not result.passed and hint in result.message


def test_predicted_steps_passes_on_counting_by_hand():
    assert check.predicted_steps(steps_by_hand).passed


def test_predicted_steps_placeholder_and_mistakes():
    assert "not written yet" in check.predicted_steps(placeholder).message

    def not_squared(lr, L, gap0, tol):
        return math.ceil(math.log(tol / gap0) / math.log(abs(1 - lr * L)))

    def rounded_down(lr, L, gap0, tol):
        return math.floor(math.log(tol / gap0) / (2 * math.log(abs(1 - lr * L))))

    def no_absolute_value(lr, L, gap0, tol):
        return np.ceil(np.log(tol / gap0) / (2 * np.log(1 - lr * L)))

    assert "|1 − ηL|²" in check.predicted_steps(not_squared).message
    assert "round up" in check.predicted_steps(rounded_down).message
    with np.errstate(invalid="ignore"):  # the learner's log of a negative number
        result = check.predicted_steps(no_absolute_value)
    assert not result.passed and "case 2" in result.message


@pytest.mark.parametrize("check_function", [check.best_guaranteed_decrease, check.feature_scale])
def test_new_checks_never_show_the_answer_when_it_is_wrong(check_function):
    for wrong in [0.3, 1.0, 7.0, 100.0]:
        message = check_function(wrong).message
        assert "1.125" not in message and "20" not in message.replace(f"{wrong:g}", "")


def test_the_descent_lemma_check_agrees_with_the_bound_at_every_rate():
    """The expected value is the largest bound over a fine grid of rates."""
    rates = np.linspace(0, 1, 100001)
    best = (rates * (1 - rates * 4 / 2) * 9).max()
    assert check.best_guaranteed_decrease(best).passed
