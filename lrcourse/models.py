"""Small classifiers in numpy with exact gradients: softmax regression and a one-hidden-layer network.

Two models, both ending in a softmax over ``K`` classes and trained on the
mean cross-entropy ``f(w) = -(1/B) sum_i log p_{i, y_i}`` of a batch of ``B``
samples, plus an optional L2 penalty ``(l2 / 2) * sum ||W||^2`` on the weight
matrices (not the biases):

- :class:`SoftmaxRegression`: ``logits = X W + b``; convex in ``w = (W, b)``.
- :class:`MLP`: one hidden layer, ``h = act(X W1 + b1)``, ``logits = h W2 + b2``,
  with ``act`` ReLU (default) or tanh.

Parameters are a dict name -> ndarray (``W, b`` or ``W1, b1, W2, b2``), the
format every optimizer in :mod:`lrcourse.optim` steps, so per-layer learning
rates are a dict ``lr``. Training is :mod:`lrcourse.training`; metrics are
:mod:`lrcourse.metrics`.

Stacked parameters. Every function here also accepts the parameters of ``R``
independent runs at once: a weight ``W`` of shape ``(R, n_in, n_out)`` and a
bias ``b`` of shape ``(R, 1, n_out)`` (see ``model.stack_params``). Inputs are
then ``X`` of shape ``(B, n_in)`` (shared by the runs) or ``(R, B, n_in)``,
and losses come back with shape ``(R,)``. A learning rate of shape
``(R, 1, 1)`` broadcasts against every parameter, one rate per run.

>>> model = MLP(n_features=64, n_hidden=32)
>>> model.n_params
2410
"""

import math

import numpy as np

from . import _validate
from .data import check_labels
from .reproducible import exp, log, matmul, tanh

__all__ = ["SoftmaxRegression", "MLP", "ACTIVATIONS", "log_softmax", "softmax", "cross_entropy"]

ACTIVATIONS = ("relu", "tanh")
PARAMETRIZATIONS = ("standard", "mup")

_CHUNK = 256
"""Whole-set evaluations run this many samples at a time, which keeps the
matrix products of many stacked runs small and cache-friendly."""


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
    return _validate.scalar_or_array(loss)


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
        return _validate.scalar_or_array(acc)

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
        return _validate.scalar_or_array(loss), grads

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
    parametrization : {"standard", "mup"}, default "standard"
        How initialization and learning rates scale with the width ``n =
        n_hidden``. ``"standard"`` is the initialization above with one rate
        for every layer. ``"mup"`` is the maximal-update parametrization for
        SGD (Yang & Hu 2021; Yang et al. 2022, "Tensor Programs V", Table 3),
        written relative to ``base_width`` ``n_0`` with ``m = n / n_0``:
        ``W1`` and ``b1`` as above with rate ``eta m`` (fan-out ``n``),
        ``W2`` drawn with variance divided by ``m`` (so ``~ 1/n^2``: the
        logits start near 0) with rate ``eta / m`` (fan-in ``n``), and ``b2``
        with rate ``eta``. At ``n = n_0`` the two parametrizations are the
        same network; as ``n`` grows, each step under ``"mup"`` changes the
        hidden features and the logits by amounts that do not depend on
        ``n``, which is why a rate tuned at one width carries over.
        :meth:`layer_rates` gives the per-layer rates to pass as ``lr``.
    base_width : int, default 64
        ``n_0``, the width at which ``"mup"`` equals ``"standard"``.

    >>> model = MLP(n_hidden=32)
    >>> model
    MLP(n_features=64, n_hidden=32, n_classes=10, activation='relu', l2=0.0)
    >>> {name: w.shape for name, w in model.init_params(seed=0).items()}
    {'W1': (64, 32), 'b1': (32,), 'W2': (32, 10), 'b2': (10,)}
    """

    def __init__(self, n_features=64, n_hidden=64, n_classes=10, activation="relu", l2=0.0,
                 parametrization="standard", base_width=64):
        n_features = _validate.integer(n_features, "n_features", low=1)
        n_hidden = _validate.integer(n_hidden, "n_hidden", low=1)
        n_classes = _validate.integer(n_classes, "n_classes", low=2)
        self.activation = _validate.choice(activation, "activation", ACTIVATIONS)
        self.parametrization = _validate.choice(parametrization, "parametrization", PARAMETRIZATIONS)
        self.base_width = _validate.integer(base_width, "base_width", low=1)
        self._layers = [("W1", "b1", n_features, n_hidden), ("W2", "b2", n_hidden, n_classes)]
        super().__init__(l2)

    @property
    def n_hidden(self):
        """Number of hidden units."""
        return self._layers[0][3]

    @property
    def width_multiplier(self):
        """``m = n_hidden / base_width``."""
        return self.n_hidden / self.base_width

    def lr_multipliers(self):
        """Each layer's rate as a multiple of the base rate ``eta``: all 1 under ``"standard"``.

        Under ``"mup"``: ``W1, b1 -> m``, ``W2 -> 1/m``, ``b2 -> 1`` with
        ``m = n_hidden / base_width`` (Tensor Programs V, Table 3, SGD).

        >>> MLP(n_hidden=256, parametrization="mup", base_width=64).lr_multipliers()
        {'W1': 4.0, 'b1': 4.0, 'W2': 0.25, 'b2': 1.0}
        """
        if self.parametrization == "standard":
            return dict.fromkeys(self.param_shapes, 1.0)
        m = self.width_multiplier
        return {"W1": m, "b1": m, "W2": 1.0 / m, "b2": 1.0}

    def layer_rates(self, lr):
        """The per-layer rates ``{name: eta * multiplier}`` for an optimizer's ``lr`` (a float or an array).

        >>> MLP(n_hidden=128, parametrization="mup").layer_rates(0.1)["W2"]
        0.05
        """
        return {name: lr * factor for name, factor in self.lr_multipliers().items()}

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
        return _validate.scalar_or_array(fraction)

    def _init_weight(self, index, n_in, n_out, rng):
        if index == 0 and self.activation == "relu":
            std = math.sqrt(2.0 / n_in)
        else:
            std = math.sqrt(2.0 / (n_in + n_out))
        if index == 1 and self.parametrization == "mup":
            std = std / math.sqrt(self.width_multiplier)
        return rng.normal(0.0, std, size=(n_in, n_out))

    def __repr__(self):
        mup = f", parametrization='mup', base_width={self.base_width}" if self.parametrization == "mup" else ""
        return (
            f"MLP(n_features={self.n_features}, n_hidden={self.n_hidden}, n_classes={self.n_classes}, "
            f"activation={self.activation!r}, l2={self.l2!r}{mup})"
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


