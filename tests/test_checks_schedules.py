"""Checks of the schedules chapter pass on the reference, and say 'not yet' with a useful hint otherwise."""

import numpy as np
import pytest

from lrcourse.checks import schedules as check


def placeholder(*args, **kwargs):
    raise NotImplementedError()


def test_step_decay_rate():
    assert check.step_decay_rate(lambda t, lr, step_size, gamma: lr * gamma ** (t // step_size)).passed
    assert "not written yet" in check.step_decay_rate(placeholder).message
    smooth = check.step_decay_rate(lambda t, lr, step_size, gamma: lr * gamma ** (t / step_size))
    assert not smooth.passed and "t // step_size" in smooth.message
    early = check.step_decay_rate(lambda t, lr, step_size, gamma: lr * gamma ** (t // step_size + 1))
    assert not early.passed and "first drop comes at t = step_size" in early.message


def test_cosine_rate():
    def reference(t, lr, total_steps, min_lr):
        return min_lr + (lr - min_lr) * (1 + np.cos(np.pi * np.minimum(t, total_steps) / total_steps)) / 2

    assert check.cosine_rate(reference).passed
    assert "not written yet" in check.cosine_rate(placeholder).message

    def no_hold(t, lr, total_steps, min_lr):
        return min_lr + (lr - min_lr) * (1 + np.cos(np.pi * t / total_steps)) / 2

    result = check.cosine_rate(no_hold)
    assert not result.passed and "hold min_lr" in result.message

    def to_zero(t, lr, total_steps, min_lr):
        return lr * (1 + np.cos(np.pi * np.minimum(t, total_steps) / total_steps)) / 2

    result = check.cosine_rate(to_zero)
    assert not result.passed and "ends at 0" in result.message


@pytest.mark.parametrize(
    "check_function, right, wrong, hint",
    [
        (check.warmup_end, 550, 500, "own clock starts after the warm-up"),
        (check.plateau_rate, 0.01, 0.1, "the third (0.93) is one too many"),
        (check.plateau_rate, 0.01, 0.001, "cut once"),
    ],
)
def test_value_checks(check_function, right, wrong, hint):
    assert check_function(right).passed
    assert "not answered yet" in check_function(None).message
    result = check_function(wrong)
    assert not result.passed and hint in result.message
