"""Checks of the misconceptions chapter pass on the reference, and say 'not yet' with a useful hint otherwise."""

import numpy as np
import pytest

from lrcourse import schedules
from lrcourse.checks import misconceptions as check


def placeholder(t):
    raise NotImplementedError()


def test_refuting_rates():
    assert check.refuting_rates(0.25, 0.45).passed
    assert "not answered yet" in check.refuting_rates(None, None).message
    assert check.refuting_rates(0.3, 0.45).passed  # both above 1/L = 0.25
    supports = check.refuting_rates(0.1, 0.2)
    assert not supports.passed and "supports the claim" in supports.message
    straddles = check.refuting_rates(0.1, 0.3)  # opposite sides of 1/L, and still the larger is faster
    assert not straddles.passed and "supports the claim" in straddles.message
    assert "both rates in [1/L, 2/L)" in straddles.message and "compare two rates on opposite sides" not in straddles.message
    tie = check.refuting_rates(0.2, 0.301)  # both need 5 steps
    assert not tie.passed and "a tie does not refute" in tie.message
    diverges = check.refuting_rates(0.1, 0.6)
    assert not diverges.passed and "does not converge" in diverges.message
    swapped = check.refuting_rates(0.45, 0.25)
    assert not swapped.passed and "must be larger" in swapped.message


def test_settling_schedule():
    assert check.settling_schedule(schedules.step_decay(1.0, step_size=20, gamma=0.5)).passed
    assert "not answered yet" in check.settling_schedule(None).message
    assert "not written yet" in check.settling_schedule(placeholder).message
    stuck = check.settling_schedule(schedules.constant(0.5))
    assert not stuck.passed and "over the barrier" in stuck.message
    bouncing = check.settling_schedule(schedules.constant(1.0))
    assert not bouncing.passed and "cannot settle" in bouncing.message
    assert "diverged" in check.settling_schedule(schedules.constant(3.0)).message
    lucky = check.settling_schedule(schedules.constant(1.6))  # -1.5 -> +1 in one step
    assert not lucky.passed and "by luck" in lucky.message


@pytest.mark.parametrize(
    "check_function, right, wrong, hint",
    [
        (check.budget_rate, 0.05, 0.01, "too low"),
        (check.budget_rate, 0.05, 0.5, "too high"),
    ],
)
def test_value_checks(check_function, right, wrong, hint):
    assert check_function(right).passed
    assert "not answered yet" in check_function(None).message
    result = check_function(wrong)
    assert not result.passed and hint in result.message


def test_scaled_rate_is_judged_by_the_task_s_evidence_not_by_the_linear_rule():
    """At batch 128 the square-root rule's 0.6 has the best mean; the linear rule's 1.2 is no better."""
    assert "not answered yet" in check.scaled_rate(None).message
    assert "not a number: remove the quotes" in check.scaled_rate("1.2").message
    assert "should be a single number" in check.scaled_rate([0.6, 1.2]).message
    assert "must be a rate > 0" in check.scaled_rate(-0.3).message
    best = check.scaled_rate(0.6)
    assert best.passed and "has the best mean validation accuracy of the tested rates" in best.message
    linear = check.scaled_rate(1.2)  # not detectably worse over 10 seeds, but a wide spread
    assert linear.passed and "at η = 0.6, the best tested" in linear.message and "worst seed" in linear.message
    timid = check.scaled_rate(0.15)
    assert not timid.passed and "detectably worse" in timid.message and "too low" in timid.message
    reckless = check.scaled_rate(2.4)
    assert not reckless.passed and "seeds collapsed" in reckless.message and "curvature" in reckless.message


def test_the_design_checks_name_an_answer_of_the_wrong_kind():
    assert "larger_lr should be a single number" in check.refuting_rates(0.25, np.array([0.3, 0.45])).message
    assert "smaller_lr is the text '0.25'" in check.refuting_rates("0.25", 0.45).message
    assert check.refuting_rates(np.array([0.25]), [0.45]).passed, "one number in an array counts as that number"
    assert "not a number: remove the quotes" in check.budget_rate("0.05").message
    listed = check.settling_schedule([0.5] * 300).message
    assert "got list of 300: [0.5, 0.5, 0.5, ..., 0.5, 0.5, 0.5]" in listed and len(listed) < 200
