"""Self-checks for the chapter "The update rule"."""

import numpy as np

from lrcourse import optim
from lrcourse.checks import FAIL, CheckResult, Mistake, check_function, check_value

__all__ = ["gradient_step", "tangent_prediction", "rescaled_lr", "one_step_lr"]


def _reference_step(w, grad, lr):
    return optim.SGD(lr=lr).step(w, grad)


def gradient_step(function):
    """Check ``function(w, grad, lr)`` returns ``w - lr * grad``, as :class:`lrcourse.optim.SGD` does.

    The function must also leave its inputs unchanged (no ``w -= lr * grad``).
    """
    cases = [
        {"w": 1.5, "grad": 3.0, "lr": 0.1},
        {"w": -2.0, "grad": -0.5, "lr": 0.3},
        {"w": np.array([1.0, -2.0, 0.5]), "grad": np.array([0.2, -0.4, 1.0]), "lr": 0.05},
    ]
    mistakes = [
        Mistake(lambda w, grad, lr: w + lr * grad, "the step goes *up* the gradient; the update subtracts it."),
        Mistake(lambda w, grad, lr: w - grad, "the learning rate is missing: the step is lr times the gradient."),
        Mistake(lambda w, grad, lr: -lr * grad, "you returned the step; return the new parameters w + step."),
        Mistake(lambda w, grad, lr: w - grad / lr, "the step is lr *times* the gradient, not the gradient divided by lr."),
    ]
    result = check_function(function, _reference_step, cases, name="gradient_step", mistakes=mistakes)
    if not result.passed:
        return result
    changed = _changed_input(function, cases)
    return result if changed is None else changed


def _changed_input(function, cases):
    """A failing CheckResult if ``function`` changed an array it was given, else None.

    ``w -= lr * grad`` returns the right values but overwrites the caller's
    ``w``: the update rule must leave its inputs as they were.
    """
    for number, case in enumerate(cases, start=1):
        given = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in case.items()}
        function(**given)
        changed = [k for k, v in given.items() if isinstance(v, np.ndarray) and not np.array_equal(v, case[k])]
        if changed:
            return CheckResult(
                False,
                f"{FAIL}: case {number}, gradient_step changed its input {changed[0]} in place. Hint: an in-place "
                "update such as `w -= ...` overwrites the caller's array; compute and return a new array instead.",
            )
    return None


def tangent_prediction(answer):
    """Check the first-order prediction of f after one step from w=2 on f(w) = w**2 with eta = 0.1.

    The tangent predicts ``f(w0) - eta f'(w0)**2 = 4 - 0.1 * 16 = 2.4``.
    """
    w0, lr = 2.0, 0.1
    g = 2 * w0
    return check_value(
        answer,
        w0**2 - lr * g**2,
        name="predicted_loss",
        what="f(w₀) − η f′(w₀)²",
        mistakes=[
            Mistake((w0 - lr * g) ** 2, "that is the actual loss f(w₁); the tangent's prediction is f(w₀) − η f′(w₀)²."),
            Mistake(w0**2 - lr * g, "the decrease is η f′(w₀) times the step's slope f′(w₀): square the derivative."),
            Mistake(w0**2 + lr * g**2, "the first-order model predicts a *decrease*."),
        ],
    )


def rescaled_lr(answer):
    """Check the learning rate that keeps the same trajectory when the loss is multiplied by 100 (eta was 0.3)."""
    return check_value(
        answer,
        0.3 / 100,
        name="lr_for_scaled_loss",
        what="η / 100: the gradient is 100 times larger",
        mistakes=[Mistake(0.3 * 100, "a loss 100 times larger has gradients 100 times larger; the rate must shrink."),
                  Mistake(0.3, "the same rate moves 100 times farther on the scaled loss.")],
    )


def one_step_lr(answer):
    """Check the rate that reaches the minimum of f(w) = 4/2 w**2 in one step: eta = 1/L = 0.25."""
    return check_value(
        answer,
        0.25,
        name="one_step_lr",
        what="η = 1/L lands exactly on the minimum",
        mistakes=[Mistake(0.5, "η = 2/L overshoots to −w₀: the mirror image of the start."),
                  Mistake(4.0, "that is L itself; the step is η·L·w₀, so η = 1/L.")],
    )
