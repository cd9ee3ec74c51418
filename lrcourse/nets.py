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

from . import metrics, models, training
from .metrics import *  # noqa: F403  (the names listed in metrics.__all__)
from .models import *  # noqa: F403
from .training import *  # noqa: F403

__all__ = [*models.__all__, *training.__all__, *metrics.__all__]
