"""Self-checks for the chapter "Momentum and adaptive learning rates"."""

import math

import numpy as np

from lrcourse import optim, theory
from lrcourse.checks import FAIL, CheckResult, Mistake, check_function, check_value

__all__ = ["effective_lr", "momentum_limit", "optimal_beta", "adam_step", "adamw_step"]


def effective_lr(answer):
    """Check ``effective_lr``: the effective rate of momentum under a steady gradient, eta = 0.01, beta = 0.9."""
    lr, beta = 0.01, 0.9
    return check_value(
        answer,
        theory.momentum_effective_lr(lr, beta),
        name="effective_lr",
        what="η / (1 − β), the sum 1 + β + β² + ... times η",
        mistakes=[
            Mistake(lr * beta, "β multiplies the *old* buffer; the sum of all the copies of g is 1 + β + β² + ..."),
            Mistake(lr * (1 - beta),
                    "that multiplies by 1 − β; sum the series 1 + β + β² + ... again: is it smaller or larger than 1?"),
            Mistake(lr, "that is the first step only; the buffer keeps growing while the gradient stays the same."),
            Mistake(lr / beta, "1 / β is not the sum of the geometric series 1 + β + β² + ...: work it out again."),
        ],
    )


def momentum_limit(answer):
    """Check the largest stable rate of heavy-ball momentum with beta = 0.9 on curvature L = 4."""
    L, beta = 4.0, 0.9
    return check_value(
        answer,
        theory.momentum_stability_limit(L, beta),
        name="largest_stable_lr",
        what="2 (1 + β) / L",
        mistakes=[
            Mistake(2 / L, "2/L is the limit without momentum; momentum lets a larger rate converge."),
            Mistake(2 * (1 - beta) / L, "that shrinks with β, but momentum makes the limit grow with β."),
            Mistake(theory.momentum_stability_limit(L, beta, nesterov=True), "that is Nesterov's limit; the question is about the heavy ball."),
            Mistake(2 * (1 + beta), "divide by the curvature L = 4."),
        ],
    )


def optimal_beta(answer):
    """Check Polyak's best momentum for curvatures mu = 1, L = 100."""
    L, mu = 100.0, 1.0
    kappa = L / mu
    return check_value(
        answer,
        theory.optimal_heavy_ball(L, mu).beta,
        name="best_beta",
        rtol=1e-3,
        what="((√κ − 1) / (√κ + 1))², κ = 100",
        mistakes=[
            Mistake((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1), "that is the contraction factor √β; square it to get β."),
            Mistake((kappa - 1) / (kappa + 1), "that is gradient descent's best factor; the heavy ball's uses √κ."),
        ],
    )


def _run_adam(w, grads, lr, beta1, beta2, eps):
    opt = optim.Adam(lr=lr, betas=(beta1, beta2), eps=eps)
    for g in grads:
        w = opt.step(w, g)
    return w


def _runner(step):
    """Run a learner's ``step(w, g, m, v, t, lr, beta1, beta2, eps) -> (w, m, v)`` over a gradient sequence."""

    def run(w, grads, lr, beta1, beta2, eps):
        m, v = np.zeros_like(w), np.zeros_like(w)
        for t, g in enumerate(grads, start=1):
            result = step(w, g, m, v, t, lr, beta1, beta2, eps)
            if not isinstance(result, tuple) or len(result) != 3:
                raise TypeError(f"adam_step must return a tuple (w, m, v), got {result!r}")
            w, m, v = result
        return w

    return run


def _no_bias_correction(w, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    return w - lr * m / (np.sqrt(v) + eps), m, v


def _eps_inside(w, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    return w - lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps), m, v


def _old_moments(w, g, m, v, t, lr, beta1, beta2, eps):
    update = lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return w - update, beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g * g


def _v_not_squared(w, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * np.abs(g)
    return w - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def adam_step(function):
    """Check ``function(w, g, m, v, t, lr, beta1, beta2, eps) -> (w, m, v)``, one Adam step, against :class:`lrcourse.optim.Adam`.

    The check runs the learner's step from ``m = v = 0`` and ``t = 1`` over a
    few gradient sequences and compares the final ``w`` with Adam's.
    """
    if not callable(function):
        return CheckResult(False, f"{FAIL}: adam_step should be a function, got {function!r}.")
    cases = [
        {"w": np.array([1.0, -2.0]), "grads": [np.array([0.5, -3.0])], "lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
        {
            "w": np.array([0.5, 0.5, -1.0]),
            "grads": [np.array([1.0, -0.2, 0.0]), np.array([-2.0, 0.1, 0.3]), np.array([0.5, 0.5, 0.5])],
            "lr": 0.05,
            "beta1": 0.8,
            "beta2": 0.9,
            "eps": 1e-3,
        },
    ]

    def describe(case):
        return f"{len(case['grads'])} step(s) from w = {np.array2string(case['w'], separator=', ')}, lr = {case['lr']}"

    mistakes = [
        Mistake(_runner(wrong), text)
        for wrong, text in [
            (_no_bias_correction, "the bias correction is missing: divide m by 1 − β₁ᵗ and v by 1 − β₂ᵗ."),
            (_eps_inside, "eps goes outside the square root, as in PyTorch: sqrt(v̂) + eps."),
            (_old_moments, "update m and v with the new gradient first, then step with the new moments."),
            (_v_not_squared, "v averages the *squared* gradient g²."),
        ]
    ]
    return check_function(
        _runner(function), _run_adam, cases, name="adam_step", mistakes=mistakes, describe=describe, rtol=1e-7
    )


def adamw_step(answer):
    """Check w after one AdamW step from w = 4 with a zero gradient, eta = 0.1, weight_decay = 0.5."""
    w, lr, decay = 4.0, 0.1, 0.5
    adam_l2 = float(optim.Adam(lr=lr, weight_decay=decay).step(np.array([w]), np.array([0.0]))[0])
    return check_value(
        answer,
        float(optim.AdamW(lr=lr, weight_decay=decay).step(np.array([w]), np.array([0.0]))[0]),
        name="w_after_adamw",
        what="w (1 − η λ): decay applied directly",
        mistakes=[
            Mistake(adam_l2, "that is Adam with L2: λw entered the gradient and was normalized to a step of η."),
            Mistake(w * (1 - decay), "the decay per step is η λ, not λ."),
            Mistake(w, "the gradient is zero, but the weight decay still shrinks w."),
        ],
    )
