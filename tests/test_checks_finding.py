"""Checks of the chapter 'Finding a good learning rate' pass on the reference and explain the usual mistakes."""

import numpy as np
import pytest

from lrcourse.checks import finding as check


def placeholder(*args, **kwargs):
    raise NotImplementedError()


def test_sweep_rate():
    def right(t, start_lr, end_lr, num_steps):
        return start_lr * (end_lr / start_lr) ** (t / (num_steps - 1))

    def fastai(t, start_lr, end_lr, num_steps):
        return start_lr * (end_lr / start_lr) ** (t / num_steps)

    def linear(t, start_lr, end_lr, num_steps):
        return start_lr + (end_lr - start_lr) * t / (num_steps - 1)

    assert check.sweep_rate(right).passed
    assert "not written yet" in check.sweep_rate(placeholder).message
    result = check.sweep_rate(fastai)
    assert not result.passed and "never reaches end_lr" in result.message
    assert "linear ramp" in check.sweep_rate(linear).message


def test_smoothed_losses():
    def right(losses, beta):
        out, a = [], 0.0
        for t, f in enumerate(losses):
            a = beta * a + (1 - beta) * f
            out.append(a / (1 - beta ** (t + 1)))
        return np.array(out)

    def uncorrected(losses, beta):
        out, a = [], 0.0
        for f in losses:
            a = beta * a + (1 - beta) * f
            out.append(a)
        return np.array(out)

    assert check.smoothed_losses(right).passed
    assert "not written yet" in check.smoothed_losses(placeholder).message
    result = check.smoothed_losses(uncorrected)
    assert not result.passed and "creeps up" in result.message
    raw = check.smoothed_losses(lambda losses, beta: np.asarray(losses))
    assert not raw.passed and "expected" in raw.message


@pytest.mark.parametrize(
    "check_function, right, wrong, hint",
    [
        (check.grid_cost, 13 * 5 * 136, 12 * 5 * 136, "13 rates"),
        (check.grid_cost, 13 * 5 * 136, 13 * 136, "once per seed"),
        (check.points_per_decade, 3, 6, "half a step"),
        (check.points_per_decade, 3, 2, "1.78"),
        (check.points_per_decade, 3, 2.84, "round up"),
    ],
)
def test_value_checks(check_function, right, wrong, hint):
    assert check_function(right).passed
    assert "not answered yet" in check_function(None).message
    result = check_function(wrong)
    assert not result.passed and hint in result.message
