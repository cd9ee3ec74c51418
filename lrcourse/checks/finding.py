"""Self-checks for the chapter "Finding a good learning rate"."""

import math

import numpy as np

from lrcourse import finder
from lrcourse.checks import Mistake, check_function, check_value

__all__ = ["sweep_rate", "smoothed_losses", "grid_cost", "points_per_decade"]


def _reference_rate(t, start_lr, end_lr, num_steps):
    return finder.exponential_rates(start_lr, end_lr, num_steps)[t]


def sweep_rate(function):
    """Check ``function(t, start_lr, end_lr, num_steps)`` returns the range test's rate ``eta_t``."""
    cases = [
        {"t": 0, "start_lr": 1e-7, "end_lr": 10.0, "num_steps": 100},
        {"t": 99, "start_lr": 1e-7, "end_lr": 10.0, "num_steps": 100},
        {"t": 2, "start_lr": 1e-3, "end_lr": 1.0, "num_steps": 4},
        {"t": 37, "start_lr": 1e-5, "end_lr": 3.0, "num_steps": 60},
    ]
    mistakes = [
        Mistake(
            lambda t, start_lr, end_lr, num_steps: start_lr * (end_lr / start_lr) ** (t / num_steps),
            "with t / num_steps the last step never reaches end_lr (that is fastai's sweep); "
            "the exponent must be 1 at t = num_steps - 1.",
        ),
        Mistake(
            lambda t, start_lr, end_lr, num_steps: start_lr + (end_lr - start_lr) * t / (num_steps - 1),
            "that is a linear ramp; the range test multiplies the rate by the same factor at every step.",
        ),
        Mistake(
            lambda t, start_lr, end_lr, num_steps: start_lr * (end_lr / start_lr) ** ((t + 1) / (num_steps - 1)),
            "step t = 0 must use start_lr itself: the exponent is t / (num_steps - 1).",
        ),
    ]
    return check_function(function, _reference_rate, cases, name="sweep_rate", rtol=1e-9, mistakes=mistakes)


def _reference_smoothing(losses, beta):
    return finder.smooth(losses, beta)


def _no_correction(losses, beta):
    out, average = [], 0.0
    for loss in losses:
        average = beta * average + (1 - beta) * loss
        out.append(average)
    return np.array(out)


def _swapped_weights(losses, beta):
    out, average = [], 0.0
    for t, loss in enumerate(losses):
        average = (1 - beta) * average + beta * loss
        out.append(average / (1 - (1 - beta) ** (t + 1)))
    return np.array(out)


def smoothed_losses(function):
    """Check ``function(losses, beta)`` returns the bias-corrected moving average ``s_t``."""
    rng = np.random.default_rng(0)
    cases = [
        {"losses": np.array([3.0, 1.0, 2.0]), "beta": 0.5},
        {"losses": rng.uniform(0.5, 3.0, size=30), "beta": 0.98},
        {"losses": np.array([2.0, 2.0, 2.0, 2.0]), "beta": 0.9},
    ]
    mistakes = [
        Mistake(_no_correction, "the average starts at 0 and creeps up; divide a_t by 1 - beta**(t + 1)."),
        Mistake(_swapped_weights, "beta weighs the old average and 1 - beta the new loss, not the other way round."),
    ]
    return check_function(function, _reference_smoothing, cases, name="smoothed_losses", rtol=1e-9, mistakes=mistakes)


def grid_cost(answer):
    """Check the total optimizer steps of a grid 1e-4..1 at 3 rates per decade, 5 seeds, 4 epochs of 34 steps."""
    n_rates = 4 * 3 + 1
    return check_value(
        answer,
        n_rates * 5 * 4 * 34,
        name="total_steps",
        what="13 rates x 5 seeds x 136 steps",
        mistakes=[
            Mistake(12 * 5 * 4 * 34, "4 decades at 3 rates each gives 12 intervals; with both ends there are 13 rates."),
            Mistake(n_rates * 4 * 34, "every rate is trained once per seed."),
            Mistake(n_rates * 5 * 34, "each training runs 4 epochs of 34 steps."),
        ],
    )


def points_per_decade(answer):
    """Check the fewest whole points per decade that put every rate within a factor 1.5 of a grid point."""
    needed = math.ceil(1 / (2 * math.log10(1.5)))
    if answer is not None and isinstance(answer, float) and not float(answer).is_integer():
        return check_value(
            answer,
            needed,
            name="points_per_decade",
            mistakes=[Mistake(answer, "a grid has a whole number of points per decade: round up.")],
        )
    return check_value(
        answer,
        needed,
        name="points_per_decade",
        what="neighbours 10**(1/3) ≈ 2.15 apart, so any rate is within 10**(1/6) ≈ 1.47 of one",
        mistakes=[
            Mistake(6, "that makes neighbours at most 1.5 apart; a rate only needs to be within 1.5 of the *nearest* "
                    "point, half a step on the log scale."),
            Mistake(2, "with 2 per decade, neighbours are 10**(1/2) ≈ 3.16 apart and a rate in between can be 1.78 "
                    "from both."),
        ],
    )
