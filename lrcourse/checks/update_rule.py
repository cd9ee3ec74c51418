"""Self-checks for the chapter "The update rule"."""

import numpy as np

from lrcourse import landscapes, linesearch, optim
from lrcourse.checks import Mistake, check_function, check_value

__all__ = ["gradient_step", "tangent_prediction", "rescaled_lr", "one_step_lr", "backtracking_rate"]


def _reference_step(w, grad, lr):
    return optim.SGD(lr=lr).step(w, grad)


def gradient_step(function):
    """Check ``function(w, grad, lr)`` against :class:`lrcourse.optim.SGD` on floats and arrays.

    The function must also leave its inputs unchanged.
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
    return check_function(function, _reference_step, cases, name="gradient_step", mistakes=mistakes, unchanged=True)


def tangent_prediction(answer):
    """Check ``predicted_loss``: the loss after one step from w = 2 on f(w) = w**2 with eta = 0.1, by the tangent."""
    w0, lr = 2.0, 0.1
    g = 2 * w0
    return check_value(
        answer,
        w0**2 - lr * g**2,
        name="predicted_loss",
        what="f(w₀) − η f′(w₀)²",
        mistakes=[
            Mistake((w0 - lr * g) ** 2,
                    "that is the actual loss f(w₁); the question asks what the tangent at w₀ predicts it to be."),
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
    """Check ``one_step_lr``: the rate that takes gradient descent to the minimum of f(w) = 4/2 w**2 in one step."""
    return check_value(
        answer,
        0.25,
        name="one_step_lr",
        what="η = 1/L lands exactly on the minimum",
        mistakes=[Mistake(0.5, "η = 2/L overshoots to −w₀: the mirror image of the start."),
                  Mistake(4.0, "that is L itself; write w₁ = w₀ − η L w₀ and ask when it is 0.")],
    )


class _Loss:
    """A learner's ``f`` and ``grad`` as a landscape, for :func:`lrcourse.linesearch.armijo_rate`."""

    dim = 1

    def __init__(self, f, grad):
        self.value, self.grad = f, grad


def _reference_backtracking(f, grad, w, lr0, c):
    return linesearch.armijo_rate(_Loss(f, grad), w, lr0=lr0, c=c)


def _halving(f, grad, w, lr0, c, square=True, strict=False):
    """Backtracking written with a known slip: the slope not squared, or the rate before the last halving."""
    lr, slope = lr0, grad(w)
    promise = slope**2 if square else slope
    for _ in range(60):
        if f(w - lr * slope) <= f(w) - c * lr * promise:
            break
        lr /= 2
    return 2 * lr if strict and lr < lr0 else lr


def backtracking_rate(function):
    """Check ``function(f, grad, w, lr0, c)`` returns the Armijo rate, as :func:`lrcourse.linesearch.armijo_rate` does.

    The cases: quadratics ``L/2 w^2`` where 0, 1, 3 and 4 halvings are
    needed, a start on the left of the minimum, a larger ``c``, a start
    ``lr0`` that is not 1, and a double well whose curvature changes along
    the step.
    """
    steep, gentle, well = landscapes.Quadratic1D(L=10.0), landscapes.Quadratic1D(L=0.5), landscapes.DoubleWell()
    names = {id(steep): "10/2 w²", id(gentle): "0.5/2 w²", id(well): "a double well"}
    cases = [
        {"f": gentle.value, "grad": gentle.grad, "w": 2.0, "lr0": 1.0, "c": 1e-4},
        {"f": steep.value, "grad": steep.grad, "w": 1.0, "lr0": 1.0, "c": 1e-4},
        {"f": steep.value, "grad": steep.grad, "w": -3.0, "lr0": 1.0, "c": 0.5},
        {"f": steep.value, "grad": steep.grad, "w": 0.5, "lr0": 0.3, "c": 1e-4},
        {"f": well.value, "grad": well.grad, "w": 1.7, "lr0": 1.0, "c": 1e-4},
    ]

    def describe(case):
        return (f"f = {names[id(case['f'].__self__)]}, w = {case['w']:g}, lr0 = {case['lr0']:g}, "
                f"c = {case['c']:g}")

    mistakes = [
        Mistake(lambda f, grad, w, lr0, c: lr0, "the rate never shrank: halve it while the Armijo test fails."),
        Mistake(lambda f, grad, w, lr0, c: _halving(f, grad, w, lr0, c, square=False),
                "the tangent's promised decrease is η f′(w)², the slope *squared*."),
        Mistake(lambda f, grad, w, lr0, c: _halving(f, grad, w, lr0, c, strict=True),
                "you returned the last rate that failed; return the first one that passes."),
    ]
    return check_function(function, _reference_backtracking, cases, name="backtracking_rate",
                          mistakes=mistakes, describe=describe, rtol=1e-12)
