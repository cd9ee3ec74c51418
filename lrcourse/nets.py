"""Networks in one namespace: the models, their training and their metrics.

The code lives in three modules, each with one job; this module gathers
their public names, so a chapter can write ``nets.train`` or ``nets.MLP``:

================  ==========================================================
``models``        :class:`SoftmaxRegression`, :class:`MLP`, softmax and cross-entropy
``training``      :func:`train`, :func:`train_grid`, :class:`History`, :class:`GridResult`
``metrics``       means over seeds, tables, accuracy, confusion, precision and recall
================  ==========================================================

>>> from lrcourse import data, optim
>>> digits = data.load_digits()
>>> history = train(SoftmaxRegression(), digits, optim.SGD(lr=0.5), epochs=5, batch_size=32)
>>> history.diverged
False
"""

from .metrics import (
    Report,
    accuracy,
    accuracy_under_noise,
    classification_report,
    confusion_matrix,
    epochs_to_reach,
    format_mean_std,
    mean_std,
    text_table,
)
from .models import ACTIVATIONS, MLP, SoftmaxRegression, cross_entropy, log_softmax, softmax
from .training import EPOCH_METRICS, GridResult, History, rounding_sensitive, train, train_grid

__all__ = [
    "SoftmaxRegression",
    "MLP",
    "ACTIVATIONS",
    "log_softmax",
    "softmax",
    "cross_entropy",
    "train",
    "train_grid",
    "History",
    "GridResult",
    "EPOCH_METRICS",
    "rounding_sensitive",
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
