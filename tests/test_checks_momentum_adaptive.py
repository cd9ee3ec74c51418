"""Checks of the momentum chapter pass on the reference, and say 'not yet' with a useful hint otherwise."""

import numpy as np
import pytest

from lrcourse.checks import FAIL
from lrcourse.checks import momentum_adaptive as check


def reference_adam_step(w, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def placeholder(w, g, m, v, t, lr, beta1, beta2, eps):
    raise NotImplementedError()


def test_adam_step_passes_on_the_reference_and_names_mistakes():
    assert check.adam_step(reference_adam_step).passed
    assert "not written yet" in check.adam_step(placeholder).message
    message = check.adam_step(None).message
    assert message.startswith(FAIL) and "should be a function" in message

    def no_correction(w, g, m, v, t, lr, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        return w - lr * m / (np.sqrt(v) + eps), m, v

    result = check.adam_step(no_correction)
    assert not result.passed and "bias correction is missing" in result.message

    def returns_w_only(w, g, m, v, t, lr, beta1, beta2, eps):
        return reference_adam_step(w, g, m, v, t, lr, beta1, beta2, eps)[0]

    result = check.adam_step(returns_w_only)
    assert not result.passed and "must return a tuple (w, m, v)" in result.message

    def stale_moments(w, g, m, v, t, lr, beta1, beta2, eps):
        step = lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
        return w - step, beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g * g

    result = check.adam_step(stale_moments)
    assert not result.passed and "update m and v with the new gradient first" in result.message


@pytest.mark.parametrize(
    "check_function, right, wrong, hint",
    [
        (check.effective_lr, 0.1, 0.009, "*old* buffer"),
        (check.effective_lr, 0.1, 0.01, "first step only"),
        (check.effective_lr, 0.1, 0.001, "smaller or larger than 1"),
        (check.momentum_limit, 0.95, 0.5, "without momentum"),
        (check.momentum_limit, 0.95, 2 * 1.9 / (2.8 * 4), "Nesterov"),
        (check.optimal_beta, (9 / 11) ** 2, 9 / 11, "square it"),
        (check.optimal_beta, 0.6694, 99 / 101, "gradient descent's best factor"),
        (check.optimal_beta, 0.669, 9 / 11, "square it"),
        (check.adamw_step, 3.8, 4.0 - 0.1 / (1 + 0.5e-8), "Adam with L2"),
        (check.adamw_step, 3.8, 2.0, "η λ, not λ"),
    ],
)
def test_value_checks(check_function, right, wrong, hint):
    assert check_function(right).passed
    assert "not answered yet" in check_function(None).message
    result = check_function(wrong)
    assert not result.passed and hint in result.message
