"""Small classifiers in numpy with exact gradients, trained by ``lrcourse.optim``.

Two models, both ending in a softmax over ``K`` classes and trained on the
mean cross-entropy ``f(w) = -(1/B) sum_i log p_{i, y_i}`` of a batch of ``B``
samples, plus an optional L2 penalty ``(l2 / 2) * sum ||W||^2`` on the weight
matrices (not the biases):

- :class:`SoftmaxRegression`: ``logits = X W + b``; convex in ``w = (W, b)``.
- :class:`MLP`: one hidden layer, ``h = act(X W1 + b1)``, ``logits = h W2 + b2``,
  with ``act`` ReLU (default) or tanh.

Parameters are a dict name -> ndarray (``W, b`` or ``W1, b1, W2, b2``), the
format every optimizer in :mod:`lrcourse.optim` steps, so per-layer learning
rates are a dict ``lr``. :func:`train` runs seeded minibatch training with any
of those optimizers (and optionally a schedule from :mod:`lrcourse.schedules`)
and returns a :class:`History`; it detects divergence before anything
overflows and reports it in words. :func:`train_grid` trains a whole grid of
learning rates x seeds as one vectorized computation (the parameters of all
runs are stacked along a leading *run axis*). Metrics for the chapters:
:func:`accuracy`, :func:`confusion_matrix`, :func:`classification_report`.

Stacked parameters. Every function here also accepts the parameters of ``R``
independent runs at once: a weight ``W`` of shape ``(R, n_in, n_out)`` and a
bias ``b`` of shape ``(R, 1, n_out)`` (see ``model.stack_params``). Inputs are
then ``X`` of shape ``(B, n_in)`` (shared by the runs) or ``(R, B, n_in)``,
and losses come back with shape ``(R,)``. A learning rate of shape
``(R, 1, 1)`` broadcasts against every parameter, one rate per run.

>>> from lrcourse import data, optim
>>> digits = data.load_digits()
>>> model = SoftmaxRegression()
>>> history = train(model, digits, optim.SGD(lr=0.5), epochs=5, batch_size=32)
>>> print(f"{history.train_loss[0]:.4f}")   # zero init: the loss of guessing, ln 10
2.3026
>>> history
History(epochs=5, steps=170, train_loss=0.3021, val_acc=0.9415, diverged_at=None)
"""

import math
import numbers
import time
from dataclasses import dataclass, field

import numpy as np

from . import _validate
from .reproducible import decided_by_rounding, exp, log, matmul, tanh
from .data import check_labels

__all__ = [
    "SoftmaxRegression",
    "MLP",
    "ACTIVATIONS",
    "PARAM_LIMIT",
    "log_softmax",
    "softmax",
    "cross_entropy",
    "train",
    "train_grid",
    "History",
    "GridResult",
    "epochs_to_reach",
    "mean_std",
    "format_mean_std",
    "rounding_sensitive",
    "text_table",
    "accuracy_under_noise",
    "accuracy",
    "confusion_matrix",
    "classification_report",
    "Report",
]

ACTIVATIONS = ("relu", "tanh")

_CHUNK = 256
"""Whole-set evaluations run this many samples at a time, which keeps the
matrix products of many stacked runs small and cache-friendly."""


PARAM_LIMIT = 1e12
"""Training counts a run as diverged once a parameter entry exceeds this in magnitude.

The same size as ``lrcourse.descent.FAR_AWAY``. With inputs in [0, 1] and
every parameter below ``1e12`` in magnitude, no value of a forward or
backward pass can come near float64's overflow (about ``1e308``), so this
check keeps training free of numpy warnings at any learning rate.
"""


# ---------------------------------------------------------------------------
# Softmax and cross-entropy
# ---------------------------------------------------------------------------


def log_softmax(logits):
    """Log-probabilities ``log p_k = z_k - log sum_j exp(z_j)``, computed stably.

    The largest logit is subtracted first (``log p`` does not change), so
    ``exp`` never overflows, even for logits of size ``1e300``. Works on the
    last axis of an array of any shape.

    >>> log_softmax(np.array([1000.0, 1000.0]))
    array([-0.69314718, -0.69314718])
    """
    z = np.asarray(logits, dtype=float)
    z = z - z.max(axis=-1, keepdims=True)
    return z - log(exp(z).sum(axis=-1, keepdims=True))


def softmax(logits):
    """Probabilities ``p_k = exp(z_k) / sum_j exp(z_j)`` on the last axis, computed stably.

    >>> softmax(np.array([0.0, np.log(3.0)]))
    array([0.25, 0.75])
    """
    return exp(log_softmax(logits))


def cross_entropy(logits, y):
    """Mean cross-entropy ``-(1/B) sum_i log p_{i, y_i}`` of logits ``(..., B, K)`` and labels ``y``.

    Returns a float for logits of shape ``(B, K)``, an array of shape ``(...)``
    for stacked logits.

    >>> print(f"{cross_entropy(np.zeros((4, 10)), [0, 1, 2, 3]):.6f}")   # ln 10
    2.302585
    """
    z = np.asarray(logits, dtype=float)
    if z.ndim < 2:
        raise ValueError(f"logits must have shape (..., B, K), got shape {z.shape}")
    y = check_labels(y, z.shape[-1])
    if y.shape not in (z.shape[:-1], z.shape[-2:-1]):
        raise ValueError(f"y must have shape {z.shape[:-1]} or {z.shape[-2:-1]} to match the logits, got shape {y.shape}")
    loss = _cross_entropy_and_grad(z, y)[0]
    return float(loss) if np.ndim(loss) == 0 else loss


def _cross_entropy_and_grad(logits, y, n_total=None):
    """Cross-entropy per run and its gradient ``(p - onehot(y)) / n`` w.r.t. the logits.

    ``n`` is the batch size ``B`` (a mean over the batch), or ``n_total`` when
    the batch is one chunk of a larger set of ``n_total`` samples (then the
    returned values are that chunk's share of the mean over the whole set).
    """
    n = logits.shape[-2] if n_total is None else n_total
    log_p = log_softmax(logits)
    labels = np.broadcast_to(y, logits.shape[:-1])[..., None]
    loss = -np.take_along_axis(log_p, labels, axis=-1)[..., 0].sum(axis=-1) / n
    d_logits = exp(log_p)
    d_logits -= labels == np.arange(logits.shape[-1])
    d_logits /= n
    return loss, d_logits


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------


class _Network:
    """A stack of dense layers with one activation between them and a softmax at the end.

    Subclasses give ``_layers``: a list of ``(weight name, bias name, n_in,
    n_out)`` from input to output.
    """

    activation = None

    def __init__(self, l2):
        self.l2 = _validate.number(l2, "l2", low=0, high=1e3)

    @property
    def n_features(self):
        """Number of inputs."""
        return self._layers[0][2]

    @property
    def n_classes(self):
        """Number of classes ``K``."""
        return self._layers[-1][3]

    @property
    def param_shapes(self):
        """Shapes of one run's parameters: dict name -> shape (``W`` is ``(n_in, n_out)``)."""
        shapes = {}
        for w_name, b_name, n_in, n_out in self._layers:
            shapes[w_name] = (n_in, n_out)
            shapes[b_name] = (n_out,)
        return shapes

    @property
    def n_params(self):
        """Number of scalar parameters of one run."""
        return sum(math.prod(shape) for shape in self.param_shapes.values())

    # -- initialization ------------------------------------------------------

    def init_params(self, seed=0):
        """Seeded initial parameters; a list of seeds gives stacked parameters, one run per seed.

        ``init_params([s1, s2])`` equals ``stack_params([init_params(s1),
        init_params(s2)])``. The random stream is the first child of
        ``np.random.SeedSequence(seed)``; :func:`train` uses the same one.
        """
        if isinstance(seed, (list, tuple, np.ndarray)):
            if len(seed) == 0:
                raise ValueError("seed must be an integer >= 0 or a non-empty list of them, got []")
            return self.stack_params([self.init_params(s) for s in seed])
        init_rng, _ = _rngs(seed)
        params = {}
        for index, (w_name, b_name, n_in, n_out) in enumerate(self._layers):
            params[w_name] = self._init_weight(index, n_in, n_out, init_rng)
            params[b_name] = np.zeros(n_out)
        return params

    def stack_params(self, runs):
        """Stack the parameters of several runs along a new leading run axis.

        A weight ``(n_in, n_out)`` becomes ``(R, n_in, n_out)`` and a bias
        ``(n_out,)`` becomes ``(R, 1, n_out)``, so a rate of shape ``(R, 1, 1)``
        broadcasts against both.

        >>> model = SoftmaxRegression(n_features=2, n_classes=3)
        >>> stacked = model.stack_params([model.init_params()] * 4)
        >>> stacked["W"].shape, stacked["b"].shape
        ((4, 2, 3), (4, 1, 3))
        """
        runs = list(runs) if isinstance(runs, (list, tuple)) else None
        if not runs:
            raise TypeError(f"runs must be a non-empty list of params dicts, got {runs!r}")
        runs = [self._check_params(run) for run in runs]
        if any(_n_runs(run) is not None for run in runs):
            raise ValueError("runs must hold the params of single runs, not stacked params")
        return {
            name: np.stack([run[name].reshape((1,) * (2 - len(shape)) + shape) for run in runs])
            for name, shape in self.param_shapes.items()
        }

    def unstack_params(self, params):
        """Inverse of :meth:`stack_params`: a list of one-run params dicts."""
        params = self._check_params(params)
        n_runs = _n_runs(params)
        if n_runs is None:
            raise ValueError("params must be stacked (weights of shape (R, n_in, n_out))")
        return [{name: params[name][r].reshape(shape) for name, shape in self.param_shapes.items()} for r in range(n_runs)]

    # -- forward and backward ---------------------------------------------------

    def logits(self, params, X):
        """The logits ``z`` (before the softmax) of the inputs ``X``: shape ``(..., B, K)``."""
        params, X = self._check_params(params), self._check_inputs(X, params)
        return self._forward(params, X)[0]

    def predict_proba(self, params, X):
        """Class probabilities ``softmax(z)``, shape ``(..., B, K)``."""
        return softmax(self.logits(params, X))

    def predict(self, params, X):
        """Predicted class ``argmax_k z_k`` of every input, shape ``(..., B)``."""
        return self.logits(params, X).argmax(axis=-1)

    def accuracy(self, params, X, y):
        """Fraction of inputs whose predicted class is ``y``: a float, or ``(R,)`` for stacked params."""
        params, X = self._check_params(params), self._check_inputs(X, params)
        y = self._check_targets(y, X, params)
        acc = (self._forward(params, X)[0].argmax(axis=-1) == y).mean(axis=-1)
        return float(acc) if np.ndim(acc) == 0 else acc

    def loss(self, params, X, y):
        """The training objective ``f(w)``: mean cross-entropy plus the L2 penalty."""
        return self.loss_and_grads(params, X, y)[0]

    def loss_and_grads(self, params, X, y):
        """The objective ``f(w)`` and its exact gradient ``g = grad f(w)`` by backpropagation.

        ``f(w) = -(1/B) sum_i log softmax(z_i)_{y_i} + (l2 / 2) sum_l ||W_l||^2``.
        With ``delta = (softmax(z) - onehot(y)) / B`` at the output, a dense
        layer ``a = x W + b`` has ``grad_W = x^T delta + l2 W``, ``grad_b =
        sum_i delta_i``, and passes ``delta W^T * act'(a)`` to the layer below
        (``act'(a) = 1[a > 0]`` for ReLU, ``1 - tanh(a)^2`` for tanh).

        Parameters
        ----------
        params : dict of str -> ndarray
            One run (shapes :attr:`param_shapes`) or stacked runs.
        X : ndarray of shape (B, n_features), or (R, B, n_features) with stacked params
        y : int ndarray of shape (B,) or (R, B), labels in ``0..K-1``

        Returns
        -------
        loss : float, or ndarray of shape (R,) for stacked params
        grads : dict of str -> ndarray, shaped like ``params``
        """
        params, X = self._check_params(params), self._check_inputs(X, params)
        y = self._check_targets(y, X, params)
        cross_ent, penalty, _, grads = self._backprop(params, X, y)
        loss = cross_ent + penalty
        return (float(loss) if np.ndim(loss) == 0 else loss), grads

    def _forward(self, params, X):
        """Logits and the input of every layer (the input of layer ``l > 0`` is ``act`` of layer ``l-1``)."""
        inputs = []
        out = X
        for index, (w_name, b_name, _, _) in enumerate(self._layers):
            if index > 0:
                out = _ACTIVATION_FUNCTIONS[self.activation](out)
            inputs.append(out)
            out = matmul(out, params[w_name]) + params[b_name]
        return out, inputs

    def _penalty(self, params):
        if self.l2 == 0:
            return 0.0
        return 0.5 * self.l2 * sum((params[w] ** 2).sum(axis=(-2, -1)) for w, _, _, _ in self._layers)

    def _backprop(self, params, X, y, n_total=None, penalty=True):
        """Cross-entropy, penalty, logits and gradients (no input checks: the public methods do them).

        ``n_total`` and ``penalty=False`` serve :meth:`_evaluate`, which sums
        the contributions of chunks of a large set.
        """
        logits, inputs = self._forward(params, X)
        cross_ent, delta = _cross_entropy_and_grad(logits, y, n_total)
        l2 = self.l2 if penalty else 0.0
        grads = {}
        for index in reversed(range(len(self._layers))):
            w_name, b_name, _, _ = self._layers[index]
            W = params[w_name]
            grads[w_name] = matmul(np.swapaxes(inputs[index], -1, -2), delta) + l2 * W
            grads[b_name] = delta.sum(axis=-2).reshape(params[b_name].shape)
            if index > 0:
                h = inputs[index]
                delta = matmul(delta, np.swapaxes(W, -1, -2)) * _ACTIVATION_SLOPES[self.activation](h)
        ordered = {name: grads[name] for name in params}
        return cross_ent, self._penalty(params) if penalty else 0.0, logits, ordered

    def _evaluate(self, params, X, y, with_grads=True, chunk=_CHUNK):
        """Mean cross-entropy, accuracy, penalty and (optionally) the objective's gradient on a whole set.

        The same numbers as one :meth:`_backprop` over all of ``X`` (up to
        rounding), computed ``chunk`` samples at a time so that each matrix
        product stays small (see :data:`_CHUNK`). ``grads`` is None unless
        ``with_grads``.
        """
        n = X.shape[-2]
        cross_ent, correct, grads = 0.0, 0.0, None
        for start in range(0, n, chunk):
            part = slice(start, start + chunk)
            if with_grads:
                ce, _, logits, g = self._backprop(params, X[..., part, :], y[..., part], n_total=n, penalty=False)
                grads = g if grads is None else {name: grads[name] + g[name] for name in g}
            else:
                logits = self._forward(params, X[..., part, :])[0]
                ce = _cross_entropy_and_grad(logits, y[..., part], n_total=n)[0]
            cross_ent = cross_ent + ce
            correct = correct + (logits.argmax(axis=-1) == y[..., part]).sum(axis=-1)
        if with_grads:
            for w_name, _, _, _ in self._layers:
                grads[w_name] = grads[w_name] + self.l2 * params[w_name]
        return cross_ent, correct / n, self._penalty(params), grads

    # -- input checks -----------------------------------------------------------

    def _check_params(self, params):
        if not isinstance(params, dict):
            raise TypeError(f"params must be a dict name -> ndarray, got {type(params).__name__}")
        expected = self.param_shapes
        if set(params) != set(expected):
            raise ValueError(f"params must have exactly the keys {sorted(expected)}, got {sorted(params)}")
        out = {name: np.asarray(params[name], dtype=float) for name in expected}
        first = next(iter(expected))
        n_runs = out[first].shape[0] if out[first].ndim == 3 else None
        for name, shape in expected.items():
            allowed = shape if n_runs is None else (n_runs,) + ((1,) if len(shape) == 1 else ()) + shape
            if out[name].shape != allowed:
                raise ValueError(f"params[{name!r}] must have shape {allowed}, got shape {out[name].shape}")
        return out

    def _check_inputs(self, X, params):
        X = np.asarray(X, dtype=float)
        stacked = _n_runs(params) is not None
        ok = X.ndim == 2 or (stacked and X.ndim == 3 and X.shape[0] == _n_runs(params))
        if not ok or X.shape[-1] != self.n_features or X.shape[-2] == 0:
            wanted = f"(B, {self.n_features})" + (f" or ({_n_runs(params)}, B, {self.n_features})" if stacked else "")
            raise ValueError(f"X must have shape {wanted} with B >= 1, got shape {X.shape}")
        if not np.isfinite(X).all():
            raise ValueError("X must contain only finite numbers")
        return X

    def _check_targets(self, y, X, params):
        y = check_labels(y, self.n_classes)
        n_runs = _n_runs(params)
        allowed = [X.shape[:-1]] + ([(n_runs, X.shape[-2])] if n_runs is not None else [])
        if y.shape not in allowed:
            raise ValueError(f"y must have shape {' or '.join(map(str, allowed))} to match X, got shape {y.shape}")
        return y


class SoftmaxRegression(_Network):
    """Softmax (multinomial logistic) regression: ``logits = X W + b``, ``p = softmax(logits)``.

    Parameters ``W`` of shape ``(n_features, n_classes)`` and ``b`` of shape
    ``(n_classes,)``, both initialized to zero, so every run starts at the
    loss of guessing, ``ln K``, and a seed changes only the order of the
    minibatches. The objective is convex.

    Parameters
    ----------
    n_features : int, default 64
    n_classes : int, default 10
    l2 : float, default 0.0
        Coefficient of the penalty ``(l2 / 2) ||W||^2`` (``b`` is not penalized).

    >>> model = SoftmaxRegression(n_features=2, n_classes=3)
    >>> model
    SoftmaxRegression(n_features=2, n_classes=3, l2=0.0)
    >>> params = model.init_params()
    >>> loss, grads = model.loss_and_grads(params, np.array([[1.0, 2.0]]), np.array([0]))
    >>> print(f"{loss:.4f}")
    1.0986
    >>> grads["b"]   # (p - onehot(y)) / B with p = (1/3, 1/3, 1/3)
    array([-0.66666667,  0.33333333,  0.33333333])
    """

    def __init__(self, n_features=64, n_classes=10, l2=0.0):
        n_features = _validate.integer(n_features, "n_features", low=1)
        n_classes = _validate.integer(n_classes, "n_classes", low=2)
        self._layers = [("W", "b", n_features, n_classes)]
        super().__init__(l2)

    def _init_weight(self, index, n_in, n_out, rng):
        return np.zeros((n_in, n_out))

    def __repr__(self):
        return f"SoftmaxRegression(n_features={self.n_features}, n_classes={self.n_classes}, l2={self.l2!r})"


class MLP(_Network):
    """A network with one hidden layer: ``h = act(X W1 + b1)``, ``logits = h W2 + b2``.

    Initialization (seeded, biases zero): ``W1`` is He-normal for ReLU,
    ``N(0, 2 / n_features)`` (He et al., 2015; PyTorch's
    ``kaiming_normal_``), and Glorot-normal for tanh, ``N(0, 2 / (n_features
    + n_hidden))`` (Glorot & Bengio, 2010; ``xavier_normal_``); ``W2`` is
    Glorot-normal, ``N(0, 2 / (n_hidden + n_classes))``. The objective is not
    convex.

    Parameters
    ----------
    n_features : int, default 64
    n_hidden : int, default 64
    n_classes : int, default 10
    activation : {"relu", "tanh"}, default "relu"
        ``relu(a) = max(a, 0)`` (slope taken as 0 at ``a = 0``, as in PyTorch)
        or ``tanh(a)``.
    l2 : float, default 0.0
        Coefficient of the penalty ``(l2 / 2) (||W1||^2 + ||W2||^2)``.

    >>> model = MLP(n_hidden=32)
    >>> model
    MLP(n_features=64, n_hidden=32, n_classes=10, activation='relu', l2=0.0)
    >>> {name: w.shape for name, w in model.init_params(seed=0).items()}
    {'W1': (64, 32), 'b1': (32,), 'W2': (32, 10), 'b2': (10,)}
    """

    def __init__(self, n_features=64, n_hidden=64, n_classes=10, activation="relu", l2=0.0):
        n_features = _validate.integer(n_features, "n_features", low=1)
        n_hidden = _validate.integer(n_hidden, "n_hidden", low=1)
        n_classes = _validate.integer(n_classes, "n_classes", low=2)
        self.activation = _validate.choice(activation, "activation", ACTIVATIONS)
        self._layers = [("W1", "b1", n_features, n_hidden), ("W2", "b2", n_hidden, n_classes)]
        super().__init__(l2)

    @property
    def n_hidden(self):
        """Number of hidden units."""
        return self._layers[0][3]

    def dead_units(self, params, X):
        """Fraction of hidden units that output 0 for every input in ``X`` (ReLU only).

        A ReLU unit with ``a = x W1 + b1 < 0`` for every input has slope 0
        everywhere, so no gradient reaches its weights: it is *dead* and stays
        dead. Returns a float, or an array ``(R,)`` for stacked params.

        >>> model = MLP(n_features=2, n_hidden=2, n_classes=2)
        >>> params = {"W1": np.array([[1.0, -1.0], [1.0, -1.0]]), "b1": np.zeros(2),
        ...           "W2": np.zeros((2, 2)), "b2": np.zeros(2)}
        >>> model.dead_units(params, np.array([[0.5, 0.2], [0.1, 0.9]]))
        0.5
        """
        if self.activation != "relu":
            raise ValueError(f"dead units are a ReLU notion; this model's activation is {self.activation!r}")
        params, X = self._check_params(params), self._check_inputs(X, params)
        pre_activation = matmul(X, params["W1"]) + params["b1"]
        dead = ~(pre_activation > 0).any(axis=-2)
        fraction = dead.mean(axis=-1)
        return float(fraction) if np.ndim(fraction) == 0 else fraction

    def _init_weight(self, index, n_in, n_out, rng):
        if index == 0 and self.activation == "relu":
            std = math.sqrt(2.0 / n_in)
        else:
            std = math.sqrt(2.0 / (n_in + n_out))
        return rng.normal(0.0, std, size=(n_in, n_out))

    def __repr__(self):
        return (
            f"MLP(n_features={self.n_features}, n_hidden={self.n_hidden}, n_classes={self.n_classes}, "
            f"activation={self.activation!r}, l2={self.l2!r})"
        )


_ACTIVATION_FUNCTIONS = {"relu": lambda a: np.maximum(a, 0.0), "tanh": tanh}
# The slope act'(a) written through the activation's output h = act(a).
_ACTIVATION_SLOPES = {"relu": lambda h: (h > 0).astype(float), "tanh": lambda h: 1.0 - h**2}


def _rngs(seed):
    """Two independent generators from one seed: (initialization, minibatch order)."""
    seed = _validate.integer(seed, "seed", low=0)
    return tuple(np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(2))


# ---------------------------------------------------------------------------
# Stacked runs
# ---------------------------------------------------------------------------


def _n_runs(params):
    """Number of stacked runs, or None for one run's parameters (weights are 2-D)."""
    first_weight = next(value for value in params.values() if np.ndim(value) >= 2)
    return first_weight.shape[0] if np.ndim(first_weight) == 3 else None


# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------

_EPOCH_METRICS = ("train_loss", "val_loss", "train_acc", "val_acc")


@dataclass(repr=False)
class History:
    """What happened in one training run, epoch by epoch and step by step.

    Epoch arrays have ``epochs + 1`` entries: entry 0 is measured before the
    first step, entry ``e`` at the end of epoch ``e``. Entries from the epoch
    in which the run diverged onward are NaN.

    Attributes
    ----------
    epochs : ndarray of int, ``0, 1, ..., E``
    train_loss, val_loss : ndarray
        Mean cross-entropy on the whole training / validation set (without
        the L2 penalty, so runs with different ``l2`` compare directly).
    train_acc, val_acc : ndarray
        Accuracy on the whole training / validation set.
    grad_norm : dict of str -> ndarray
        ``||g||`` of the training objective (with the penalty) on the whole
        training set, per parameter (``"W1"``, ...) and ``"total"`` for all
        parameters together.
    step_loss : ndarray of shape (steps,)
        The objective on the minibatch of each step ``t``, at ``w_t`` (before
        the step's update); NaN after divergence.
    step_lr : ndarray of shape (steps,) or None
        The learning rate ``eta_t`` of each step (None for per-layer rates).
    diverged_at : int or None
        The step ``t`` at which the run was found diverged (its ``w_t``
        broke a rule in :func:`train`), None if it never did.
    divergence : str
        What happened, in words (empty if the run did not diverge).
    params : dict of str -> ndarray
        The final parameters ``w_steps``; for a diverged run the last ones
        that passed the checks, ``w_{diverged_at - 1}``.
    steps : int
        Optimizer steps taken: all of them, or ``diverged_at`` for a
        diverged run.
    wall_time : float
        Seconds the training took (varies between runs; never printed in the
        book's stored outputs).
    settings : dict
        Model, optimizer, epochs, batch size and seed, for the record.
    """

    epochs: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    train_acc: np.ndarray
    val_acc: np.ndarray
    grad_norm: dict
    step_loss: np.ndarray
    step_lr: object
    diverged_at: object
    divergence: str
    params: dict
    steps: int
    wall_time: float
    settings: dict = field(default_factory=dict)

    @property
    def diverged(self):
        """True if the run diverged."""
        return self.diverged_at is not None

    @property
    def best_epoch(self):
        """The epoch with the highest validation accuracy (the first such epoch), or None if none was measured."""
        finite = np.isfinite(self.val_acc)
        if not finite.any():
            return None
        return int(np.argmax(np.where(finite, self.val_acc, -np.inf)))

    def epochs_to(self, target, metric="val_acc"):
        """The first epoch at which ``metric`` reached ``target``, or None (see :func:`epochs_to_reach`)."""
        metric = _validate.choice(metric, "metric", _EPOCH_METRICS)
        return epochs_to_reach(getattr(self, metric), target)

    def summary(self):
        """A few lines: the settings (one per line), final (or last measured) and best metrics, divergence."""
        last = self._last_measured()
        lines = [
            *(f"{key}: {value}" for key, value in self.settings.items()),
            f"epoch {last}: train loss {self.train_loss[last]:.4f}, val loss {self.val_loss[last]:.4f}, "
            f"train acc {self.train_acc[last]:.4f}, val acc {self.val_acc[last]:.4f}",
            f"best val acc {self.val_acc[self.best_epoch]:.4f} at epoch {self.best_epoch}",
            self.divergence if self.diverged else "did not diverge",
        ]
        return "\n".join(lines)

    def _last_measured(self):
        return int(np.flatnonzero(np.isfinite(self.train_loss))[-1])

    def __repr__(self):
        last = self._last_measured()
        metrics = f"train_loss={self.train_loss[last]:.4f}, val_acc={self.val_acc[last]:.4f}"
        if self.diverged:
            return (
                f"History(epochs={len(self.epochs) - 1}, steps={self.steps}, diverged_at={self.diverged_at}, "
                f"last measured at epoch {last}: {metrics})"
            )
        return f"History(epochs={len(self.epochs) - 1}, steps={self.steps}, {metrics}, diverged_at=None)"


def train(
    model,
    data,
    optimizer,
    epochs=20,
    batch_size=32,
    schedule=None,
    seed=0,
    params=None,
    blowup=1e6,
):
    """Train ``model`` on ``data`` with minibatches and ``optimizer``; return a :class:`History`.

    Each epoch visits the training set once in a seeded random order, in
    ``ceil(n / batch_size)`` minibatches (the last one smaller when
    ``batch_size`` does not divide ``n``, as PyTorch's ``DataLoader`` with
    ``shuffle=True``). Step ``t = 0, 1, ...`` computes the objective ``f`` and
    its gradient ``g_t`` on one minibatch at ``w_t`` and sets ``w_{t+1} =
    optimizer.step(w_t, g_t)``; with a schedule, ``optimizer.lr =
    schedule(t)`` first (as PyTorch's ``scheduler.step()`` after every
    ``optimizer.step()``).

    Divergence. The run stops, and says why in ``History.divergence``, at
    the first step ``t`` where an entry of ``w_t`` is not finite or exceeds
    :data:`PARAM_LIMIT` in magnitude (checked before anything can overflow, so
    no numpy warning appears at any learning rate), or where the minibatch
    objective at ``w_t`` is not finite or exceeds ``blowup * max(f_0, 1)``,
    with ``f_0`` the objective on the whole training set at ``w_0`` (the rule
    of :func:`lrcourse.descent.run`, with ``f* = 0``, the least a
    cross-entropy can be). The default ``blowup`` is generous on purpose: a
    large rate can make the loss jump tenfold and still recover (softmax
    regression on the digits does at ``eta = 10``), so a smaller threshold
    would call healthy runs diverged.

    Parameters
    ----------
    model : SoftmaxRegression or MLP
    data : Digits
        Anything with ``X_train, y_train, X_val, y_val`` (see
        :func:`lrcourse.data.load_digits`).
    optimizer : lrcourse.optim optimizer
        Any object with ``lr`` and ``step(params, grads) -> params``. It keeps
        its state, so pass a fresh one for a fresh run.
    epochs : int, default 20
    batch_size : int, default 32
    schedule : callable, optional
        ``schedule(t) -> eta_t`` (from :mod:`lrcourse.schedules`); it is
        called once, with ``t = np.arange(steps)``.
    seed : int, default 0
        Seeds the initialization (unless ``params`` is given) and the order of
        the minibatches, through two independent streams of
        ``np.random.SeedSequence(seed)``.
    params : dict, optional
        Start here instead of ``model.init_params(seed)``.
    blowup : float, default 1e6
        See *Divergence*; must be >= 1.

    Returns
    -------
    History
    """
    arrays = _check_training_inputs(model, data)
    optimizer = _check_optimizer(optimizer)
    epochs = _validate.integer(epochs, "epochs", low=1)
    batch_size = _validate.integer(batch_size, "batch_size", low=1)
    seed = _validate.integer(seed, "seed", low=0)
    blowup = _validate.number(blowup, "blowup", low=1)
    if params is None:
        params = model.init_params(seed)
    else:
        params = model._check_params(params)
        if _n_runs(params) is not None:
            raise ValueError("params must be one run's parameters; use train_grid for many runs")
    n_steps = epochs * math.ceil(len(arrays[1]) / batch_size)
    rates = None if schedule is None else _schedule_table(schedule, n_steps, "schedule")
    settings = {
        "model": repr(model),
        "optimizer": repr(optimizer),
        "epochs": epochs,
        "batch_size": batch_size,
        "seed": seed,
    }
    if schedule is not None:
        settings["schedule"] = getattr(schedule, "__name__", None) or repr(schedule)
    start = time.perf_counter()
    result = _fit(model, params, optimizer, arrays, epochs, batch_size, rates, [_rngs(seed)[1]], None, blowup)
    wall_time = time.perf_counter() - start
    if rates is not None:
        step_lr = rates
    elif isinstance(optimizer.lr, numbers.Real):
        step_lr = np.full(n_steps, float(optimizer.lr))
    else:
        step_lr = None
    return History(
        epochs=np.arange(epochs + 1),
        **{name: result[name][0] for name in _EPOCH_METRICS},
        grad_norm={name: norms[0] for name, norms in result["grad_norm"].items()},
        step_loss=result["step_loss"][0],
        step_lr=step_lr,
        diverged_at=result["diverged_at"][0],
        divergence=result["divergence"][0],
        params=result["params"],
        steps=result["steps"][0],
        wall_time=wall_time,
        settings=settings,
    )


def _fit(model, params, optimizer, arrays, epochs, batch_size, rates, shuffle_rngs, seed_of_run, blowup):
    """The training loop shared by :func:`train` (one run) and :func:`train_grid` (stacked runs).

    ``rates`` is None, shape ``(steps,)`` (one run) or ``(R, steps)``;
    ``shuffle_rngs`` has one generator per distinct seed and ``seed_of_run``
    maps each stacked run to its generator (None for one run).
    """
    X_train, y_train, X_val, y_val = arrays
    n_runs = _n_runs(params)
    R = 1 if n_runs is None else n_runs
    steps_per_epoch = math.ceil(len(y_train) / batch_size)
    n_steps = epochs * steps_per_epoch
    record = {name: np.full((R, epochs + 1), np.nan) for name in _EPOCH_METRICS}
    grad_norm = {name: np.full((R, epochs + 1), np.nan) for name in [*params, "total"]}
    step_loss = np.full((R, n_steps), np.nan)
    alive = np.ones(R, dtype=bool)
    diverged_at = [None] * R
    divergence = [""] * R
    steps_taken = np.zeros(R, dtype=int)

    def per_run(value):
        return np.broadcast_to(np.asarray(value, dtype=float).reshape(-1), (R,))

    def measure(epoch):
        cross_ent, train_acc, penalty, grads = model._evaluate(params, X_train, y_train)
        val_loss, val_acc, _, _ = model._evaluate(params, X_val, y_val, with_grads=False)
        values = {"train_loss": cross_ent, "val_loss": val_loss, "train_acc": train_acc, "val_acc": val_acc}
        for name, value in values.items():
            record[name][alive, epoch] = per_run(value)[alive]
        squares = {name: per_run(_sum_of_squares(g, n_runs)) for name, g in grads.items()}
        for name, sq in squares.items():
            grad_norm[name][alive, epoch] = np.sqrt(sq[alive])
        grad_norm["total"][alive, epoch] = np.sqrt(sum(squares.values())[alive])
        return per_run(cross_ent + penalty)

    def mark(newly, step, epoch, reason):
        for r in np.flatnonzero(newly):
            diverged_at[r] = step
            divergence[r] = f"diverged at step {step} (epoch {epoch}): {reason(r)}"
        alive[newly] = False

    initial = measure(0)
    limit = blowup * np.maximum(initial, 1.0)
    previous = params
    t = 0
    for epoch in range(1, epochs + 1):
        orders = np.stack([rng.permutation(len(y_train)) for rng in shuffle_rngs])
        orders = orders[0] if len(shuffle_rngs) == 1 else orders[seed_of_run]
        for start in range(0, len(y_train), batch_size):
            batch = orders[..., start : start + batch_size]
            if rates is not None:
                optimizer.lr = float(rates[t]) if n_runs is None else rates[:, t].reshape(R, 1, 1)
            cross_ent, penalty, _, grads = model._backprop(params, X_train[batch], y_train[batch])
            loss = per_run(cross_ent + penalty)
            step_loss[alive, t] = loss[alive]
            exploded = alive & ~(loss <= limit)
            mark(
                exploded,
                t,
                epoch,
                lambda r: (
                    f"the minibatch loss {loss[r]:.4g} exceeded {blowup:g} x the initial "
                    f"training loss {initial[r]:.4g}"
                    if np.isfinite(loss[r])
                    else f"the minibatch loss became {loss[r]}"
                ),
            )
            params = _keep_alive(~exploded, params, previous, n_runs)
            if not alive.any():
                break
            new = optimizer.step(params, grads)
            too_large = alive & ~_within_limit(new, n_runs, R)
            steps_taken[too_large] += 1
            mark(too_large, t + 1, epoch, lambda r: f"a parameter exceeded {PARAM_LIMIT:g} in magnitude")
            if not alive.any():
                break
            previous, params = params, _keep_alive(alive, new, params, n_runs)
            steps_taken[alive] += 1
            t += 1
        if not alive.any():
            break
        measure(epoch)
    return {
        **record,
        "grad_norm": grad_norm,
        "step_loss": step_loss,
        "diverged_at": diverged_at,
        "divergence": divergence,
        "params": params,
        "steps": [int(s) for s in steps_taken],
    }


def _sum_of_squares(array, n_runs):
    return (array**2).sum() if n_runs is None else (array**2).reshape(n_runs, -1).sum(axis=1)


def _within_limit(params, n_runs, R):
    """Per run: True if every parameter entry is finite and at most PARAM_LIMIT in magnitude."""
    ok = np.ones(R, dtype=bool)
    for value in params.values():
        small = np.abs(value) <= PARAM_LIMIT
        ok &= small.all() if n_runs is None else small.reshape(n_runs, -1).all(axis=1)
    return ok


def _keep_alive(keep_new, new, old, n_runs):
    """Per run: the ``new`` parameters where ``keep_new``, else the ``old`` ones."""
    if keep_new.all():
        return new
    if n_runs is None:
        return old
    mask = keep_new.reshape(-1, 1, 1)
    return {name: np.where(mask, new[name], old[name]) for name in old}


def _schedule_table(schedule, n_steps, name):
    if not callable(schedule):
        raise TypeError(f"{name} must be a callable of the step t, got {schedule!r}")
    table = np.broadcast_to(np.asarray(schedule(np.arange(n_steps)), dtype=float), (n_steps,))
    return _validate.array(table, f"{name}(t)", low=0)


def _check_optimizer(optimizer):
    if not callable(getattr(optimizer, "step", None)) or not hasattr(optimizer, "lr"):
        raise TypeError(f"optimizer must have a learning rate lr and a step(params, grads) method, got {optimizer!r}")
    return optimizer


def _check_training_inputs(model, data):
    if not isinstance(model, _Network):
        raise TypeError(f"model must be a SoftmaxRegression or an MLP, got {model!r}")
    arrays = []
    for split in ("train", "val"):
        if not (hasattr(data, f"X_{split}") and hasattr(data, f"y_{split}")):
            raise TypeError(f"data must have X_train, y_train, X_val and y_val (e.g. load_digits()), got {data!r}")
        X = np.asarray(getattr(data, f"X_{split}"), dtype=float)
        if X.ndim != 2 or X.shape[1] != model.n_features or len(X) == 0:
            raise ValueError(f"data.X_{split} must have shape (n, {model.n_features}) with n >= 1, got shape {X.shape}")
        if not np.isfinite(X).all():
            raise ValueError(f"data.X_{split} must contain only finite numbers")
        y = check_labels(getattr(data, f"y_{split}"), model.n_classes, name=f"data.y_{split}")
        if y.shape != (len(X),):
            raise ValueError(f"data.y_{split} must have shape ({len(X)},) to match data.X_{split}, got shape {y.shape}")
        arrays += [X, y]
    return arrays


# ---------------------------------------------------------------------------
# Many runs at once
# ---------------------------------------------------------------------------


@dataclass(repr=False)
class GridResult:
    """The runs of :func:`train_grid`: one per (learning rate, seed), as arrays.

    Arrays are indexed ``[i, j, ...]`` for rate ``lrs[i]`` and seed
    ``seeds[j]``; the epoch and step axes and the NaN convention are those of
    :class:`History`, and ``history(i, j)`` gives one run as a History.

    Attributes
    ----------
    lrs : ndarray of shape (n_lrs,)
    seeds : ndarray of int, shape (n_seeds,)
    epochs : ndarray of int, ``0, ..., E``
    train_loss, val_loss, train_acc, val_acc : ndarray of shape (n_lrs, n_seeds, E + 1)
    grad_norm : dict of str -> ndarray of shape (n_lrs, n_seeds, E + 1)
    step_loss : ndarray of shape (n_lrs, n_seeds, steps)
    step_lr : ndarray of shape (n_lrs, steps) or None
        The scheduled rates (None without ``make_schedule``).
    diverged_at : ndarray of int, shape (n_lrs, n_seeds)
        The step at which each run diverged, ``-1`` where it never did (the
        convention of :mod:`lrcourse.descent`).
    divergence : tuple of tuples of str
        ``divergence[i][j]`` says what happened, in words ("" if nothing).
    params : dict of str -> ndarray
        The final parameters, stacked: run ``i * n_seeds + j`` is
        (``lrs[i]``, ``seeds[j]``).
    steps : ndarray of int, shape (n_lrs, n_seeds)
    wall_time : float
        Seconds for the whole grid.
    model : SoftmaxRegression or MLP
        The model trained (use it to evaluate the final parameters).
    settings : dict
    """

    lrs: np.ndarray
    seeds: np.ndarray
    epochs: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    train_acc: np.ndarray
    val_acc: np.ndarray
    grad_norm: dict
    step_loss: np.ndarray
    step_lr: object
    diverged_at: np.ndarray
    divergence: tuple
    params: dict
    steps: np.ndarray
    wall_time: float
    model: object
    settings: dict = field(default_factory=dict)

    @property
    def diverged(self):
        """Bool array ``(n_lrs, n_seeds)``: which runs diverged."""
        return self.diverged_at >= 0

    def history(self, i, j=0):
        """Run (``lrs[i]``, ``seeds[j]``) as a :class:`History`."""
        i = _validate.integer(i, "i", low=0, high=len(self.lrs) - 1)
        j = _validate.integer(j, "j", low=0, high=len(self.seeds) - 1)
        run = i * len(self.seeds) + j
        at = int(self.diverged_at[i, j])
        return History(
            epochs=self.epochs,
            **{name: getattr(self, name)[i, j] for name in _EPOCH_METRICS},
            grad_norm={name: norms[i, j] for name, norms in self.grad_norm.items()},
            step_loss=self.step_loss[i, j],
            step_lr=None if self.step_lr is None else self.step_lr[i],
            diverged_at=None if at < 0 else at,
            divergence=self.divergence[i][j],
            params={name: self.params[name][run].reshape(shape) for name, shape in self.model.param_shapes.items()},
            steps=int(self.steps[i, j]),
            wall_time=self.wall_time,
            settings={**self.settings, "lr": float(self.lrs[i]), "seed": int(self.seeds[j])},
        )

    def rows(self):
        """A tidy table: one dict per run with its rate, seed and summary numbers.

        Keys: ``lr``, ``seed``, ``final_train_loss``, ``final_val_loss``,
        ``final_train_acc``, ``final_val_acc`` (at the last epoch, NaN if the
        run diverged), ``best_val_acc``, ``best_epoch`` (None if nothing was
        measured), ``diverged_at`` (None if it never diverged).
        """
        rows = []
        for i, lr in enumerate(self.lrs):
            for j, seed in enumerate(self.seeds):
                run = self.history(i, j)
                best = run.best_epoch
                rows.append(
                    {
                        "lr": float(lr),
                        "seed": int(seed),
                        **{f"final_{name}": float(getattr(run, name)[-1]) for name in _EPOCH_METRICS},
                        "best_val_acc": float("nan") if best is None else float(run.val_acc[best]),
                        "best_epoch": best,
                        "diverged_at": run.diverged_at,
                    }
                )
        return rows

    def epochs_to(self, target, metric="val_acc"):
        """Per run, the first epoch at which ``metric`` reached ``target``: int array ``(n_lrs, n_seeds)``, -1 for never.

        See :func:`epochs_to_reach`.
        """
        metric = _validate.choice(metric, "metric", _EPOCH_METRICS)
        return epochs_to_reach(getattr(self, metric), target)

    def table(self, metrics=("train_loss", "val_acc")):
        """A text table, one line per learning rate: the final metrics over the seeds, and divergences.

        Each cell is ``mean ± std`` over the seeds whose run did not diverge
        (see :func:`mean_std`); ``diverged`` counts the runs that diverged.
        """
        metrics = tuple(_validate.choice(m, "metrics", _EPOCH_METRICS) for m in metrics)
        rows = []
        for i, lr in enumerate(self.lrs):
            cells = [format_mean_std(getattr(self, metric)[i, :, -1]) for metric in metrics]
            rows.append([f"{lr:.4g}", *cells, f"{int(self.diverged[i].sum())}/{len(self.seeds)}"])
        return text_table(["lr", *(f"final {m}" for m in metrics), "diverged"], rows)

    def __repr__(self):
        return (
            f"GridResult(lrs={len(self.lrs)}, seeds={len(self.seeds)}, epochs={len(self.epochs) - 1}, "
            f"diverged={int(self.diverged.sum())} of {self.diverged.size} runs)"
        )


def train_grid(
    model,
    data,
    make_optimizer,
    lrs,
    seeds=(0,),
    epochs=20,
    batch_size=32,
    make_schedule=None,
    blowup=1e6,
):
    """Train one run per (learning rate, seed) pair, all at once; return a :class:`GridResult`.

    The runs are stacked along a leading run axis (see the module docstring)
    and trained together in one vectorized loop: run (``lrs[i]``,
    ``seeds[j]``) gets exactly the initialization, minibatch order, updates
    and divergence rule of ``train(model, data, make_optimizer(lrs[i]),
    seed=seeds[j], ...)`` (equal up to floating-point rounding). A run that
    diverges is frozen at its last good parameters while the others go on.

    Parameters
    ----------
    model : SoftmaxRegression or MLP
    data : Digits
    make_optimizer : callable
        ``make_optimizer(lr) -> optimizer``, called once with ``lr`` an
        array of shape ``(R, 1, 1)`` holding every run's rate, e.g.
        ``lambda lr: optim.SGD(lr=lr, momentum=0.9)`` or just ``optim.Adam``.
    lrs : sequence of float
        The learning rates ``eta``, each finite and ``>= 0``.
    seeds : sequence of int, default (0,)
        One run per seed for every rate (seeds as in :func:`train`).
    epochs, batch_size, blowup
        As in :func:`train`.
    make_schedule : callable, optional
        ``make_schedule(lr) -> schedule`` for one base rate, e.g.
        ``lambda lr: schedules.cosine(lr, total_steps=680)``; each schedule
        is called once, with ``t = np.arange(steps)``, and run ``i`` uses
        ``eta_t = make_schedule(lrs[i])(t)`` (for every param, replacing a
        per-layer ``lr`` the optimizer may have).

    Returns
    -------
    GridResult

    Examples
    --------
    >>> from lrcourse import data, optim
    >>> grid = train_grid(SoftmaxRegression(), data.load_digits(), optim.SGD,
    ...                   lrs=[0.1, 1.0], seeds=[0, 1], epochs=3)
    >>> grid.val_acc.shape
    (2, 2, 4)
    >>> grid.diverged_at
    array([[-1, -1],
           [-1, -1]])
    """
    arrays = _check_training_inputs(model, data)
    if not callable(make_optimizer):
        raise TypeError(f"make_optimizer must be a callable lr -> optimizer, got {make_optimizer!r}")
    lrs = _validate.array(lrs, "lrs", low=0)
    if lrs.ndim != 1 or len(lrs) == 0:
        raise ValueError(f"lrs must be a non-empty 1-D sequence of rates, got shape {lrs.shape}")
    if not isinstance(seeds, (list, tuple, np.ndarray)) or len(seeds) == 0:
        raise ValueError(f"seeds must be a non-empty list of integers >= 0, got {seeds!r}")
    seeds = [_validate.integer(s, f"seeds[{k}]", low=0) for k, s in enumerate(seeds)]
    epochs = _validate.integer(epochs, "epochs", low=1)
    batch_size = _validate.integer(batch_size, "batch_size", low=1)
    blowup = _validate.number(blowup, "blowup", low=1)
    n_lrs, n_seeds = len(lrs), len(seeds)
    n_runs = n_lrs * n_seeds
    n_steps = epochs * math.ceil(len(arrays[1]) / batch_size)
    per_seed = model.init_params(seeds)
    params = {name: np.tile(value, (n_lrs, 1, 1)) for name, value in per_seed.items()}
    optimizer = _check_optimizer(make_optimizer(np.repeat(lrs, n_seeds).reshape(n_runs, 1, 1)))
    step_lr = None
    if make_schedule is not None:
        if not callable(make_schedule):
            raise TypeError(f"make_schedule must be a callable lr -> schedule, got {make_schedule!r}")
        step_lr = np.stack([_schedule_table(make_schedule(float(lr)), n_steps, "make_schedule(lr)") for lr in lrs])
    rates = None if step_lr is None else np.repeat(step_lr, n_seeds, axis=0)
    shuffle_rngs = [_rngs(s)[1] for s in seeds]
    seed_of_run = np.tile(np.arange(n_seeds), n_lrs)
    start = time.perf_counter()
    result = _fit(model, params, optimizer, arrays, epochs, batch_size, rates, shuffle_rngs, seed_of_run, blowup)
    wall_time = time.perf_counter() - start

    def grid(values):
        return np.asarray(values).reshape(n_lrs, n_seeds, *np.shape(values)[1:])

    return GridResult(
        lrs=lrs,
        seeds=np.array(seeds),
        epochs=np.arange(epochs + 1),
        **{name: grid(result[name]) for name in _EPOCH_METRICS},
        grad_norm={name: grid(norms) for name, norms in result["grad_norm"].items()},
        step_loss=grid(result["step_loss"]),
        step_lr=step_lr,
        diverged_at=grid([-1 if at is None else at for at in result["diverged_at"]]),
        divergence=tuple(tuple(result["divergence"][i * n_seeds : (i + 1) * n_seeds]) for i in range(n_lrs)),
        params=result["params"],
        steps=grid(result["steps"]),
        wall_time=wall_time,
        model=model,
        settings={
            "model": repr(model),
            "optimizer": repr(optimizer),
            "epochs": epochs,
            "batch_size": batch_size,
        },
    )


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


def rounding_sensitive(grid, data, make_optimizer, make_schedule=None, rows=None, rtol=1e-6):
    """Which runs of a grid are chaotic: True where a change the size of one rounding error changes the outcome.

    Trains the runs of ``grid`` again at the next larger floats of their
    (peak) rates (``eta (1 + 2e-16)``, the size of one rounding error, which is what
    another CPU's arithmetic would change) and compares the final training
    losses by :func:`lrcourse.reproducible.decided_by_rounding`, the rule
    ``compare.sweep`` uses too: a run whose loss differs by more than
    ``rtol`` (relative), or that diverged in one of the two trainings and
    not in the other, is *sensitive to rounding*: past the edge of
    stability the iterates are chaotic, so their digits report rounding,
    not the learning rate. A stable run changes by about ``1e-13``, far
    below ``rtol``.

    Parameters
    ----------
    grid : GridResult
        From :func:`train_grid` with the same arguments as these.
    data, make_optimizer, make_schedule
        As given to :func:`train_grid` (``make_schedule`` is required when
        the grid was trained with a schedule).
    rows : array of bool or int, optional
        Which rates (rows of the grid) to test, e.g. ``grid.lrs > 3``; by
        default all. Each tested row costs one more training of its runs.
    rtol : float, default 1e-6

    Returns
    -------
    ndarray of bool, shape (n_lrs, n_seeds)
        Rows that were not tested are False.

    >>> from lrcourse import data, optim
    >>> digits = data.load_digits()
    >>> grid = train_grid(SoftmaxRegression(), digits, optim.SGD, [0.1], seeds=[0], epochs=2)
    >>> rounding_sensitive(grid, digits, optim.SGD)
    array([[False]])
    """
    if not isinstance(grid, GridResult):
        raise TypeError(f"grid must be a GridResult from train_grid, got {type(grid).__name__}")
    if (grid.step_lr is None) != (make_schedule is None):
        raise ValueError("make_schedule must be given exactly when the grid was trained with a schedule")
    rtol = _validate.number(rtol, "rtol", low=0, low_open=True)
    tested = np.zeros(len(grid.lrs), dtype=bool)
    try:
        tested[np.arange(len(grid.lrs)) if rows is None else rows] = True
    except (IndexError, ValueError):
        raise ValueError(f"rows must select rows of a grid of {len(grid.lrs)} rates, got {rows!r}") from None
    sensitive = np.zeros(grid.diverged.shape, dtype=bool)
    if not tested.any():
        return sensitive
    settings = {
        "seeds": list(grid.seeds),
        "epochs": len(grid.epochs) - 1,
        "batch_size": grid.settings["batch_size"],
        "make_schedule": make_schedule,
    }
    nudged = train_grid(grid.model, data, make_optimizer, np.nextafter(grid.lrs[tested], np.inf), **settings)
    sensitive[tested] = decided_by_rounding(grid.train_loss[tested, :, -1], nudged.train_loss[..., -1], rtol)
    return sensitive


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
