"""lrcourse: the helper package of *The Learning Rate*, an executable course.

The package is small on purpose. Each module has one job:

=================  ==========================================================
``landscapes``     loss functions with value and gradient, batched over points
``optim``          SGD, Adagrad, RMSprop, Adam, AdamW with PyTorch's semantics
``schedules``      learning-rate schedules as pure functions of the step ``t``
``engine``         the one training loop: many runs at once, one divergence rule
``descent``        run an optimizer on a landscape, many learning rates at once
``theory``         closed forms: stability limits, contraction factors, optimal rates
``evidence``       intervals over seeds, paired differences, accuracy intervals, claims
``data``           the UCI handwritten digits, shipped with the package
``models``         softmax regression and a one-hidden-layer network in numpy
``training``       train those networks, a grid of rates x seeds at once
``metrics``        means over seeds, tables, accuracy, confusion, precision, recall
``nets``           models, training and metrics in one namespace
``finder``         the learning-rate range test
``reproducible``   arithmetic with the same bits on every CPU (matmul, exp, log)
``plots``          the book's plotting style and figure helpers
``widgets``        slider explorers, live in Jupyter and static in the book
``quiz``           self-quizzes answered on the static page, no kernel
``checks``         self-checks for the exercises, one module per chapter
``experiments``    helpers of one chapter's experiments, one module per chapter
=================  ==========================================================

Submodules are imported lazily, so ``import lrcourse`` stays light: numpy is
loaded only when a numerical module is first used, matplotlib and ipywidgets
only by ``plots`` and ``widgets``.

Notation used throughout: ``eta`` is the learning rate, ``t`` the step (number
of optimizer steps already taken, from 0), ``L`` the largest curvature (the
largest eigenvalue of the Hessian) and ``mu`` the smallest.
"""

import importlib

__version__ = "0.1.0"

__all__ = [
    "checks",
    "data",
    "descent",
    "engine",
    "evidence",
    "experiments",
    "finder",
    "landscapes",
    "metrics",
    "models",
    "nets",
    "optim",
    "plots",
    "quiz",
    "reproducible",
    "schedules",
    "theory",
    "training",
    "widgets",
]


def __getattr__(name):
    if name in __all__:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
