"""Summaries of runs and classifiers: means over seeds, tables, accuracy, confusion, precision and recall.

:func:`mean_std` and :func:`format_mean_std` summarize the seeds of a grid
of runs (leaving diverged runs out), :func:`epochs_to_reach` reads curves,
:func:`text_table` prints aligned tables; :func:`accuracy`,
:func:`confusion_matrix` and :func:`classification_report` judge a
classifier's predictions.

>>> print(text_table(["seeds", "val acc"], [["5", format_mean_std([0.96, 0.95, 0.97])]]))
seeds          val acc
    5  0.9600 ± 0.0100
"""

from dataclasses import dataclass

import numpy as np

from . import _validate
from .data import check_labels

__all__ = [
    "epochs_to_reach",
    "mean_std",
    "format_mean_std",
    "text_table",
    "accuracy_under_noise",
    "accuracy",
    "confusion_matrix",
    "classification_report",
    "Report",
]


# ---------------------------------------------------------------------------
# Summaries of runs
# ---------------------------------------------------------------------------


def epochs_to_reach(curves, target):
    """The first epoch at which each curve reaches ``target`` (value ``>= target``).

    Parameters
    ----------
    curves : array of shape (..., epochs + 1)
        Values per epoch, e.g. ``History.val_acc`` or ``GridResult.val_acc``;
        NaN (a diverged run) never reaches the target.
    target : float

    Returns
    -------
    int or None for one curve; for several, an int array of shape ``(...)``
    with ``-1`` where the target was never reached (as :mod:`lrcourse.descent`).

    >>> epochs_to_reach([0.1, 0.5, 0.93, 0.97, 0.96], 0.95)
    3
    >>> epochs_to_reach([[0.1, 0.96], [0.1, 0.2]], 0.95)
    array([ 1, -1])
    """
    target = _validate.number(target, "target")
    curves = np.asarray(curves, dtype=float)
    if curves.ndim == 0:
        raise ValueError("curves must have an epoch axis (its last axis), got a scalar")
    reached = curves >= target
    first = np.where(reached.any(axis=-1), reached.argmax(axis=-1), -1)
    if curves.ndim == 1:
        return None if first < 0 else int(first)
    return first


def mean_std(values, axis=-1):
    """Mean, sample standard deviation (``ddof=1``) and count of the finite values along ``axis``.

    NaN entries (diverged runs) are left out. The mean is NaN where no value
    is finite, the standard deviation where fewer than two are. No numpy
    warnings either way.

    >>> mean, std, count = mean_std([[0.9, 0.8, np.nan], [np.nan, np.nan, np.nan]])
    >>> mean, std, count
    (array([0.85, nan]), array([0.07071068, nan]), array([2, 0]))
    """
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    count = finite.sum(axis=axis)
    total = np.where(finite, values, 0.0).sum(axis=axis)
    mean = np.full(np.shape(count), np.nan)
    np.divide(total, count, out=mean, where=count > 0)
    deviations = np.where(finite, values - np.expand_dims(mean, axis), 0.0)
    std = np.full(np.shape(count), np.nan)
    np.divide((deviations**2).sum(axis=axis), count - 1, out=std, where=count > 1)
    std = np.sqrt(std)
    return mean, std, count


def format_mean_std(values, digits=4, chaotic=None):
    """One table cell for the values of several seeds: ``"0.9610 ± 0.0052"``.

    NaN values (diverged runs) are left out; a single finite value is shown
    alone, none as ``"-"``. ``chaotic`` (bool, one per value, e.g. from
    :func:`rounding_sensitive`) marks runs whose digits rounding decides: if
    any is marked, the cell says ``"chaotic"`` instead of printing them.

    >>> format_mean_std([0.9, 0.8, np.nan]), format_mean_std([0.9]), format_mean_std([np.nan])
    ('0.8500 ± 0.0707', '0.9000', '-')
    >>> format_mean_std([0.9, 0.8], 3, chaotic=[False, True])
    'chaotic'
    """
    values = np.asarray(values, dtype=float).reshape(-1)
    if chaotic is not None:
        chaotic = np.asarray(chaotic, dtype=bool).reshape(-1)
        if chaotic.shape != values.shape:
            raise ValueError(f"chaotic must have one entry per value ({values.size}), got {chaotic.size}")
        if chaotic.any():
            return "chaotic"
    mean, std, count = mean_std(values)
    if count == 0:
        return "-"
    if count == 1:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def text_table(header, rows):
    """Rows of strings as a text table with right-aligned columns.

    >>> print(text_table(["lr", "acc"], [["0.1", "0.96"], ["10", "0.1"]]))
       lr   acc
      0.1  0.96
       10   0.1
    """
    rows = [[str(cell) for cell in row] for row in rows]
    if any(len(row) != len(header) for row in rows):
        raise ValueError(f"every row must have {len(header)} cells, like the header")
    widths = [max(len(str(h)), *(len(row[k]) for row in rows)) for k, h in enumerate(header)]
    lines = ["  ".join(f"{str(h):>{w}}" for h, w in zip(header, widths))]
    lines += ["  ".join(f"{cell:>{w}}" for cell, w in zip(row, widths)) for row in rows]
    return "\n".join(lines)


def accuracy_under_noise(model, params, X, y, noise_stds, seed=0):
    """Accuracy on inputs with Gaussian noise added: ``X + sigma * Z``, ``Z ~ N(0, 1)`` per pixel.

    The same draw ``Z`` (from ``np.random.default_rng(seed)``) is used for
    every ``sigma`` and every model, so differences come from ``sigma`` and
    the models, not from the luck of the draw. The noisy inputs are not
    clipped to ``[0, 1]``.

    Parameters
    ----------
    model : SoftmaxRegression or MLP
    params : dict
        One run's or stacked parameters.
    X, y : the inputs and labels, e.g. the test split
    noise_stds : sequence of float
        Noise levels ``sigma >= 0``, in the units of the scaled pixels.
    seed : int, default 0

    Returns
    -------
    ndarray of shape (n_levels,), or (R, n_levels) for stacked params.
    """
    params, X = model._check_params(params), model._check_inputs(X, params)
    y = model._check_targets(y, X, params)
    noise_stds = _validate.array(noise_stds, "noise_stds", low=0).reshape(-1)
    seed = _validate.integer(seed, "seed", low=0)
    noise = np.random.default_rng(seed).standard_normal(X.shape)
    return np.stack(
        [model._evaluate(params, X + sigma * noise, y, with_grads=False)[1] for sigma in noise_stds], axis=-1
    )


# ---------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------


def _check_predictions(y_true, y_pred, n_classes):
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.ndim != 1 or y_true.shape != y_pred.shape or len(y_true) == 0:
        raise ValueError(
            f"y_true and y_pred must be 1-D with the same length >= 1, got shapes {y_true.shape} and {y_pred.shape}"
        )
    if n_classes is None:
        n_classes = int(max(check_labels(y_true, np.iinfo(np.int64).max, "y_true").max(),
                            check_labels(y_pred, np.iinfo(np.int64).max, "y_pred").max())) + 1
    n_classes = _validate.integer(n_classes, "n_classes", low=1)
    return check_labels(y_true, n_classes, "y_true"), check_labels(y_pred, n_classes, "y_pred"), n_classes


def accuracy(y_true, y_pred):
    """Fraction of correct predictions, ``(1/n) sum_i 1[y_pred_i == y_true_i]``.

    >>> accuracy([0, 1, 2, 2], [0, 2, 2, 2])
    0.75
    """
    y_true, y_pred, _ = _check_predictions(y_true, y_pred, None)
    return float((y_true == y_pred).mean())


def confusion_matrix(y_true, y_pred, n_classes=None):
    """Counts ``C[i, j]`` of samples of true class ``i`` predicted as class ``j``.

    Rows are true classes, columns predictions (scikit-learn's convention):
    the diagonal holds the correct predictions, row sums the class sizes.
    ``n_classes`` defaults to the largest label seen plus one.

    >>> confusion_matrix([0, 1, 2, 2], [0, 2, 2, 1])
    array([[1, 0, 0],
           [0, 0, 1],
           [0, 1, 1]])
    """
    y_true, y_pred, n_classes = _check_predictions(y_true, y_pred, n_classes)
    return np.bincount(y_true * n_classes + y_pred, minlength=n_classes**2).reshape(n_classes, n_classes)


@dataclass(frozen=True, repr=False)
class Report:
    """Per-class precision, recall, F1 and support, with their macro averages.

    For class ``k`` with ``TP_k`` true positives, ``FP_k`` false positives and
    ``FN_k`` false negatives: precision ``TP / (TP + FP)``, recall ``TP / (TP
    + FN)``, ``F1 = 2 P R / (P + R)``, support ``TP + FN``. A ratio with a
    zero denominator is 0 (scikit-learn's ``zero_division=0``). Macro
    averages are plain means over the classes; ``macro_f1`` is the mean of the
    per-class F1 scores (as in scikit-learn), not the F1 of the macro
    precision and recall.
    """

    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    accuracy: float
    class_names: tuple

    @property
    def macro_precision(self):
        return float(self.precision.mean())

    @property
    def macro_recall(self):
        return float(self.recall.mean())

    @property
    def macro_f1(self):
        return float(self.f1.mean())

    def __str__(self):
        width = max(5, *(len(name) for name in self.class_names))
        lines = [f"{'class':>{width}}  precision  recall      f1  support"]
        for name, p, r, f, n in zip(self.class_names, self.precision, self.recall, self.f1, self.support):
            lines.append(f"{name:>{width}}  {p:9.4f}  {r:6.4f}  {f:6.4f}  {n:7d}")
        lines.append(
            f"{'macro':>{width}}  {self.macro_precision:9.4f}  {self.macro_recall:6.4f}  "
            f"{self.macro_f1:6.4f}  {int(self.support.sum()):7d}"
        )
        lines.append(f"accuracy {self.accuracy:.4f}")
        return "\n".join(lines)

    def __repr__(self):
        return (
            f"Report(classes={len(self.class_names)}, accuracy={self.accuracy:.4f}, "
            f"macro_precision={self.macro_precision:.4f}, macro_recall={self.macro_recall:.4f}, "
            f"macro_f1={self.macro_f1:.4f})"
        )


def classification_report(y_true, y_pred, n_classes=None, class_names=None):
    """Precision, recall and F1 per class and macro-averaged: a :class:`Report`.

    >>> report = classification_report([0, 0, 1, 1], [0, 1, 1, 1])
    >>> report.precision, report.recall
    (array([1.        , 0.66666667]), array([0.5, 1. ]))
    >>> print(f"{report.macro_f1:.4f}")   # mean of F1 = 2/3 and 4/5
    0.7333
    """
    y_true, y_pred, n_classes = _check_predictions(y_true, y_pred, n_classes)
    if class_names is None:
        class_names = tuple(str(k) for k in range(n_classes))
    elif len(class_names) != n_classes:
        raise ValueError(f"class_names must have {n_classes} names, got {len(class_names)}")
    counts = confusion_matrix(y_true, y_pred, n_classes)
    true_pos = np.diag(counts).astype(float)
    predicted = counts.sum(axis=0)
    support = counts.sum(axis=1)
    precision = _ratio(true_pos, predicted)
    recall = _ratio(true_pos, support)
    f1 = _ratio(2 * precision * recall, precision + recall)
    return Report(precision, recall, f1, support, float(true_pos.sum() / len(y_true)), tuple(map(str, class_names)))


def _ratio(numerator, denominator):
    """``numerator / denominator`` elementwise, 0 where the denominator is 0."""
    out = np.zeros(np.shape(numerator))
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out

