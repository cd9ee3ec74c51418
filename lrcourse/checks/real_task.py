"""Self-checks for the chapter "The learning rate on a real task"."""

import numpy as np

from lrcourse import evidence, nets
from lrcourse.checks import Mistake, check_function, check_value

__all__ = ["best_rate", "epochs_to_target", "macro_f1", "MACRO_F1_COUNTS"]


def _reference_best_rate(lrs, val_acc):
    """The package's one policy, :func:`lrcourse.evidence.best_rate`, which the chapter's own selections use."""
    return evidence.best_rate(lrs, val_acc).lr


def best_rate(function):
    """Check ``function(lrs, val_acc)``: the rate with the best mean validation accuracy over seeds.

    A diverged run (NaN) counts as accuracy 0: a rate that fails for some
    seeds pays for it.
    """
    nan = float("nan")
    cases = [
        {"lrs": np.array([0.01, 0.1, 1.0]), "val_acc": np.array([[0.80, 0.81, 0.79], [0.99, 0.85, 0.86], [0.95, 0.94, 0.96]])},
        {"lrs": np.array([0.01, 0.1, 1.0]), "val_acc": np.array([[0.90, 0.91, 0.92], [0.95, 0.96, 0.94], [0.98, nan, 0.99]])},
        {"lrs": np.array([0.3, 3.0]), "val_acc": np.array([[0.10, 0.20], [0.97, 0.96]])},
        {"lrs": np.array([0.01, 0.1, 1.0]), "val_acc": np.array([[0.50] * 5, [0.70] * 5, [0.99, 0.99, 0.99, 0.99, nan]])},
    ]

    def best_single_seed(lrs, val_acc):
        return float(lrs[np.nanargmax(np.nanmax(val_acc, axis=1))])

    def ignores_failures(lrs, val_acc):
        finite = np.isfinite(val_acc)
        means = np.where(finite, val_acc, 0.0).sum(axis=1) / np.maximum(finite.sum(axis=1), 1)
        return float(lrs[np.argmax(means)])

    def drops_failing_rates(lrs, val_acc):
        means = np.where(np.isfinite(val_acc).all(axis=1), val_acc.mean(axis=1), -np.inf)
        return float(lrs[np.argmax(means)])

    def index_not_rate(lrs, val_acc):
        return int(np.argmax(np.where(np.isfinite(val_acc), val_acc, 0.0).mean(axis=1)))

    def worst(lrs, val_acc):
        return float(lrs[np.argmin(np.where(np.isfinite(val_acc), val_acc, 0.0).mean(axis=1))])

    mistakes = [
        Mistake(ignores_failures, "a diverged run (NaN) must count against its rate: count it as accuracy 0."),
        Mistake(
            drops_failing_rates,
            "a rate with a diverged run is not out of the race: count the NaN as accuracy 0 and average as usual.",
        ),
        Mistake(best_single_seed, "that is the rate of the single luckiest run; average over the seeds instead."),
        Mistake(index_not_rate, "you returned the position in the grid; return the rate lrs[i] itself."),
        Mistake(worst, "that is the worst rate: look for the largest mean accuracy (argmax)."),
    ]
    return check_function(function, _reference_best_rate, cases, name="best_rate", mistakes=mistakes)


def _reference_epochs_to_target(curve, target):
    first = nets.epochs_to_reach(curve, target)
    return -1 if first is None else first


def epochs_to_target(function):
    """Check ``function(curve, target)`` against :func:`lrcourse.nets.epochs_to_reach`, on curves that reach the target,
    never do, touch it exactly, dip below it again, start above it, or diverge."""
    cases = [
        {"curve": np.array([0.10, 0.80, 0.96, 0.97, 0.98]), "target": 0.95},
        {"curve": np.array([0.10, 0.50, 0.70]), "target": 0.95},
        {"curve": np.array([0.10, 0.95, 0.97]), "target": 0.95},
        {"curve": np.array([0.10, 0.96, 0.90, 0.97]), "target": 0.95},
        {"curve": np.array([0.97, 0.98]), "target": 0.95},
        {"curve": np.array([0.10, 0.90, np.nan, np.nan]), "target": 0.95},
    ]

    def strict(curve, target):
        hits = np.flatnonzero(curve > target)
        return int(hits[0]) if len(hits) else -1

    def counted_from_one(curve, target):
        first = _reference_epochs_to_target(curve, target)
        return first + 1 if first >= 0 else -1

    def last_epoch(curve, target):
        hits = np.flatnonzero(curve >= target)
        return int(hits[-1]) if len(hits) else -1

    mistakes = [
        Mistake(strict, "reaching the target includes being equal to it: use >=, not >."),
        Mistake(counted_from_one, "entry 0 of a history is measured before training (epoch 0): the index is the epoch."),
        Mistake(last_epoch, "the question is when the curve *first* reaches the target: stop at the first hit."),
    ]
    return check_function(function, _reference_epochs_to_target, cases, name="epochs_to_target", mistakes=mistakes)


MACRO_F1_COUNTS = np.array([[8, 1, 1], [2, 5, 3], [0, 0, 20]])
"""The confusion matrix of the macro-F1 exercise (rows: true class, columns: predicted)."""


def macro_f1(answer):
    """Check the macro F1 of :data:`MACRO_F1_COUNTS`: the mean of the three per-class F1 scores."""
    counts = MACRO_F1_COUNTS
    y_true = np.repeat(np.arange(3), counts.sum(axis=1))
    y_pred = np.concatenate([np.repeat(np.arange(3), row) for row in counts])
    report = nets.classification_report(y_true, y_pred, n_classes=3)
    p, r = report.macro_precision, report.macro_recall
    weighted = float(np.sum(report.f1 * report.support) / report.support.sum())
    return check_value(
        answer,
        report.macro_f1,
        name="macro_f1",
        what="the mean of the per-class F1 scores",
        rtol=1e-3,
        mistakes=[
            Mistake(report.accuracy, "that is the accuracy (the micro-averaged F1); average the per-class F1 scores."),
            Mistake(2 * p * r / (p + r), "that is the F1 of the macro precision and recall; macro F1 averages each class's F1."),
            Mistake(weighted, "that weights each class by its size; macro F1 gives every class the same weight."),
        ],
    )
