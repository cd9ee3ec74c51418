"""Checks of the at-scale chapter pass on the reference, and say 'not yet' with a useful hint otherwise."""

import pytest

from lrcourse.checks import FAIL
from lrcourse.checks import at_scale as check


@pytest.mark.parametrize("check_fn, right, wrong, hint", [
    (check.linear_scaling, 0.8, 0.1 * 8**0.5, "square-root"),
    (check.adam_warmup_steps, 2000, 1000, "a multiple of it"),
    (check.stable_rate_from_sharpness, 0.25, 0.125, "twice that"),
    (check.mup_output_rate, 0.025, 1.6, "input layer"),
    (check.wsd_rate, 0.05, 0.1, "decay"),
    (check.inverse_sqrt_rate, 0.5, 40 ** -0.5, "relative to the warm-up"),
    (check.inverse_sqrt_rate, 0.5, 4.0, "falls like"),
])
def test_checks_pass_the_reference_and_name_the_mistake(check_fn, right, wrong, hint):
    assert check_fn(right).passed
    result = check_fn(wrong)
    assert not result.passed and result.message.startswith(FAIL) and hint in result.message
    assert str(right) not in check_fn(wrong).message


def test_unanswered_is_not_an_error():
    assert "not answered" in check.linear_scaling(None).message


def test_the_inverse_square_root_check_names_the_step_count_off_by_one():
    """s = t + 1: the answer for s = t is close to the right one (0.506 against 0.5) and still fails, with its hint."""
    result = check.inverse_sqrt_rate((10 / 39) ** 0.5)
    assert not result.passed and "the 40th" in result.message
