"""Self-checks for the chapter "Learning-rate schedules"."""

import numpy as np

from lrcourse import schedules
from lrcourse.checks import Mistake, check_function, check_value

__all__ = ["step_decay_rate", "cosine_rate", "warmup_end", "plateau_rate"]


def _reference_step_decay(t, lr, step_size, gamma):
    return schedules.step_decay(lr, step_size, gamma)(t)


def step_decay_rate(function):
    """Check ``function(t, lr, step_size, gamma)`` against :func:`lrcourse.schedules.step_decay`, for ints and arrays."""
    cases = [
        {"t": 0, "lr": 0.1, "step_size": 10, "gamma": 0.5},
        {"t": 9, "lr": 0.1, "step_size": 10, "gamma": 0.5},
        {"t": 10, "lr": 0.1, "step_size": 10, "gamma": 0.5},
        {"t": 47, "lr": 0.3, "step_size": 15, "gamma": 0.1},
        {"t": np.arange(12), "lr": 1.0, "step_size": 4, "gamma": 0.2},
    ]
    mistakes = [
        Mistake(
            lambda t, lr, step_size, gamma: lr * gamma ** (t / step_size),
            "t / step_size decays a little at every step (that is exponential decay); "
            "round down with t // step_size so the rate stays flat between drops.",
        ),
        Mistake(
            lambda t, lr, step_size, gamma: lr * gamma ** (t // step_size + 1),
            "the first step_size steps use lr itself: the first drop comes at t = step_size.",
        ),
        Mistake(
            lambda t, lr, step_size, gamma: lr * gamma * (t // step_size),
            "each drop multiplies the rate by gamma once more: raise gamma to the number of drops.",
        ),
    ]
    return check_function(function, _reference_step_decay, cases, name="step_decay_rate", mistakes=mistakes)


def _reference_cosine(t, lr, total_steps, min_lr):
    return schedules.cosine(lr, total_steps, min_lr)(t)


def _cosine_without_hold(t, lr, total_steps, min_lr):
    return min_lr + (lr - min_lr) * (1 + np.cos(np.pi * t / total_steps)) / 2


def cosine_rate(function):
    """Check ``function(t, lr, total_steps, min_lr)`` is cosine annealing that holds ``min_lr`` after ``total_steps``."""
    cases = [
        {"t": 0, "lr": 0.1, "total_steps": 100, "min_lr": 0.0},
        {"t": 50, "lr": 0.1, "total_steps": 100, "min_lr": 0.01},
        {"t": 30, "lr": 0.5, "total_steps": 40, "min_lr": 0.05},
        {"t": np.arange(0, 200, 10), "lr": 0.2, "total_steps": 100, "min_lr": 0.02},
    ]
    mistakes = [
        Mistake(
            _cosine_without_hold,
            "after total_steps the cosine climbs back up; hold min_lr there, e.g. with np.minimum(t, total_steps).",
        ),
        Mistake(
            lambda t, lr, total_steps, min_lr: min_lr
            + (lr - min_lr) * (1 + np.cos(np.pi * np.minimum(t, total_steps) / total_steps)),
            "1 + cos goes from 2 to 0: divide by 2 so the rate starts at lr.",
        ),
        Mistake(
            lambda t, lr, total_steps, min_lr: lr * (1 + np.cos(np.pi * np.minimum(t, total_steps) / total_steps)) / 2,
            "this ends at 0, not at min_lr: anneal the distance lr - min_lr and add min_lr.",
        ),
        Mistake(
            lambda t, lr, total_steps, min_lr: min_lr
            + (lr - min_lr) * (1 + np.cos(np.minimum(t, total_steps) / total_steps)) / 2,
            "the angle must run from 0 to pi: multiply t / total_steps by np.pi.",
        ),
    ]
    return check_function(function, _reference_cosine, cases, name="cosine_rate", mistakes=mistakes)


def warmup_end(answer):
    """Check the first step at which ``warmup(cosine(0.1, total_steps=500), warmup_steps=50)`` reaches its minimum."""
    warmup_steps, total_steps = 50, 500
    return check_value(
        answer,
        warmup_steps + total_steps,
        name="first_step_at_min",
        what="the cosine's clock starts when the warm-up ends, so it ends 50 + 500 steps in",
        mistakes=[
            Mistake(total_steps, "the cosine does not start at step 0: its own clock starts after the warm-up."),
            Mistake(total_steps - warmup_steps, "the warm-up adds to the cosine's 500 steps, it does not eat into them."),
            Mistake(warmup_steps + total_steps - 1, "the cosine reaches min_lr at its own step total_steps, not one before."),
        ],
    )


def plateau_rate(answer):
    """Check the rate after ``ReduceOnPlateau(0.1, factor=0.1, patience=2)`` sees 1.0, 0.9, 0.91, 0.92, 0.93, 0.85."""
    plateau = schedules.ReduceOnPlateau(0.1, factor=0.1, patience=2)
    for loss in (1.0, 0.9, 0.91, 0.92, 0.93, 0.85):
        plateau.step(loss)
    return check_value(
        answer,
        plateau.lr,
        name="rate_after_six_epochs",
        what="three bad epochs in a row exceed a patience of 2, one cut; the improvement to 0.85 does not undo it",
        mistakes=[
            Mistake(0.1, "patience=2 tolerates two bad epochs; the third (0.93) is one too many, so the rate is cut."),
            Mistake(0.001, "the rate is cut once: after a cut the count of bad epochs starts again from 0."),
        ],
    )
