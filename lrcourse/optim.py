"""Optimizers with PyTorch's names, defaults and update order, in numpy.

Five classes mirror ``torch.optim`` (the single-tensor ``foreach=False`` code
path is the reference): :class:`SGD` (with momentum, Nesterov and weight
decay), :class:`Adagrad`, :class:`RMSprop`, :class:`Adam` and :class:`AdamW`.
Results carry over to PyTorch up to floating-point rounding.

Every optimizer is used the same way::

    opt = Adam(lr=1e-3)
    params = opt.step(params, grads)   # an ndarray, or a dict name -> ndarray
    opt.lr = 3e-4                      # takes effect at the next step

or, as two pure functions (the form the package's training loop uses, as
optax's ``init``/``update`` and torch.optim's functional kernels)::

    state = opt.init(params)
    params, state = opt.update(params, grads, state, lr=eta_t)

Notation (the book's): ``w`` the parameters, ``g`` the gradient, ``eta`` the
learning rate ``lr``. ``w_t`` is the parameter after ``t`` steps (``w_0`` is
where we start), so the ``t``-th step computes ``g_t`` at ``w_{t-1}`` and
produces ``w_t``. The step counter inside the update therefore starts at 1,
as PyTorch's does for Adam's bias correction; ``opt.t`` is the number of
steps taken so far. Squares, square roots and divisions act elementwise.
To keep ``mu`` for the smallest curvature, the momentum coefficient (PyTorch's
``momentum``) is written ``beta``.

Contract
--------
- ``update`` is pure: it returns new arrays and a new :class:`State` and
  mutates nothing. ``step`` is ``update`` with a state the optimizer keeps
  (moments and ``t``), created on the first step with the parameters'
  shapes; :meth:`~Optimizer.reset` clears it.
- ``opt.lr`` may be a float ``>= 0``; an ndarray that broadcasts against the
  parameters (a batch of independent runs, e.g. params of shape
  ``(n_rates, dim)`` with ``lr`` of shape ``(n_rates, 1)``); or a dict with
  exactly the params' keys (per-layer rates; each value a float or array).
- Gradients that are NaN or infinite are not an error: as in PyTorch they
  propagate into the parameters (and the state), silently, without numpy
  warnings. Detecting divergence is the caller's job (``lrcourse.descent``
  does it).
- Parameters and gradients are converted to float64.
- Left out from PyTorch on purpose: parameter groups (use a dict ``lr``
  instead), sparse and complex gradients, ``foreach``/``fused``/
  ``capturable``/``differentiable`` (implementation switches that do not
  change the math) and Adam's ``decoupled_weight_decay`` flag (use
  :class:`AdamW`). Every optimizer takes PyTorch's keyword-only ``maximize``.

Example: three steps of heavy-ball momentum on ``f(w) = |w|^2 / 2``, whose
gradient is ``w`` itself. By hand, for the first coordinate: ``b = 1, 1.8,
2.34`` and ``w = 0.9, 0.72, 0.486``.

>>> opt = SGD(lr=0.1, momentum=0.9)
>>> w = np.array([1.0, -2.0])
>>> for _ in range(3):
...     w = opt.step(w, w)
>>> w
array([ 0.486, -0.972])
>>> opt.t
3
"""

import numbers
from dataclasses import dataclass

import numpy as np

from lrcourse import _validate, reproducible

__all__ = [
    "Optimizer", "State", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "SGDScheduleFree", "AdamWScheduleFree", "LARS",
    "LAMB",
]


class Optimizer:
    """Shared plumbing of the optimizers: ``lr``, state, dict or array params.

    Subclasses set ``_hyperparameters`` (constructor names shown by ``repr``,
    in PyTorch's order) and implement two pure functions of one array:
    ``_initial_state(w)`` and ``_update(w, g, eta, state, t)``, which returns
    the new parameter and the new state without mutating its arguments. ``g``
    arrives already negated when ``maximize=True``.

    Parameters
    ----------
    lr : float, ndarray or dict
        The learning rate ``eta``; see the module docstring.
    maximize : bool, default False
        Ascend instead of descend: the update uses ``-g`` in place of ``g``.
    """

    _hyperparameters = ()
    evaluates_elsewhere = False
    """True for an optimizer whose model is evaluated away from the point where gradients are taken (schedule-free)."""

    def __init__(self, lr, *, maximize=False):
        self.lr = lr
        self.maximize = _validate.flag(maximize, "maximize")
        self.reset()

    @property
    def lr(self):
        """The learning rate ``eta`` used by the next step (float, ndarray or dict)."""
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = _check_lr(value, "lr")

    @property
    def state(self):
        """The optimizer's state: a dict of arrays, or one such dict per params key.

        Empty before the first step. Read it to look inside (e.g. Adam's
        ``"exp_avg"``); the arrays are the optimizer's own and must not be modified.
        """
        if self._shapes is not None and tuple(self._shapes) == (_ARRAY,):
            return self._state[_ARRAY]
        return self._state

    def reset(self):
        """Forget the state (moments, step count ``t``), as for a fresh optimizer."""
        self._opt_state = None

    @property
    def t(self):
        """The number of steps :meth:`step` has taken since the last reset."""
        return 0 if self._opt_state is None else self._opt_state.t

    @property
    def _state(self):
        return {} if self._opt_state is None else self._opt_state.moments

    @property
    def _shapes(self):
        return None if self._opt_state is None else self._opt_state.shapes

    def init(self, params):
        """The state before the first step from ``params``: the pure, functional form of the optimizer.

        ``init`` and :meth:`update` are the optimizer as two pure functions,
        as in optax (and torch.optim's functional kernels): nothing is kept
        in the instance, so one optimizer serves any number of independent
        runs, and a run can be restarted from any state it returned.

        Parameters
        ----------
        params : ndarray or dict of str -> ndarray
            The starting parameters ``w_0`` (only their shapes are used).

        Returns
        -------
        State
            Step count ``t = 0`` and the zero moments, one set per array.

        Examples
        --------
        >>> opt = SGD(lr=0.1, momentum=0.9)
        >>> w = np.array([1.0, -2.0])
        >>> state = opt.init(w)
        >>> for _ in range(3):
        ...     w, state = opt.update(w, w, state)
        >>> w, state.t
        (array([ 0.486, -0.972]), 3)
        """
        named, is_dict = _named_arrays(params, "params")
        return State(
            t=0,
            moments={key: self._initial_state(w) for key, w in named.items()},
            shapes={key: w.shape for key, w in named.items()},
        )

    def update(self, params, grads, state, lr=None):
        """One step as a pure function: ``(w_t, state_t) = update(w_{t-1}, g_t, state_{t-1})``.

        Parameters
        ----------
        params : ndarray or dict of str -> ndarray
            The current parameters ``w_{t-1}``. Not modified.
        grads : ndarray or dict of str -> ndarray
            The gradient at ``params``, same kind, keys and shapes. Not modified.
        state : State
            From :meth:`init` or the previous ``update``. Not modified.
        lr : float, ndarray or dict, optional
            This step's rate ``eta_t`` (the forms of ``opt.lr``); default
            ``opt.lr``. A schedule passes its ``eta_t`` here.

        Returns
        -------
        params : ndarray or dict of str -> ndarray
            New arrays ``w_t``, of the same kind (and key order) as ``params``.
        state : State
            The new state, with ``t`` one larger.

        Raises
        ------
        ValueError
            If keys or shapes of ``params``, ``grads``, a dict ``lr`` or the
            state do not match, or ``lr`` does not broadcast.
        TypeError
            If ``params`` or ``grads`` are not numeric arrays (or dicts of
            them), one is a dict and the other is not, or ``state`` is not a
            :class:`State`.
        """
        if not isinstance(state, State):
            raise TypeError(f"state must be a State from init() or update(), got {type(state).__name__}")
        named_params, is_dict = _named_arrays(params, "params")
        named_grads, grads_is_dict = _named_arrays(grads, "grads")
        if grads_is_dict != is_dict:
            raise TypeError(
                f"params and grads must both be ndarrays or both dicts, got {type(params).__name__} "
                f"and {type(grads).__name__}"
            )
        _check_same_keys(named_grads, named_params, "grads")
        for key, w in named_params.items():
            if named_grads[key].shape != w.shape:
                raise ValueError(
                    f"grads{_label(key)} must have the shape of params{_label(key)}, {w.shape}, "
                    f"got shape {named_grads[key].shape}"
                )
        _check_state_matches(state, named_params, is_dict)
        rates = self._rates_for(self.lr if lr is None else _check_lr(lr, "lr"), named_params, is_dict)
        new_params, new_state = self._apply(named_params, named_grads, state, rates)
        if is_dict:
            return {key: np.asarray(value) for key, value in new_params.items()}, new_state
        return np.asarray(new_params[_ARRAY]), new_state

    def step(self, params, grads):
        """Take one step and return the new parameters, keeping the state in the optimizer.

        The stateful form, as ``torch.optim``'s ``step()``: it is
        :meth:`update` with the state the optimizer keeps (created by
        :meth:`init` on the first step) and ``lr = opt.lr``.

        Parameters
        ----------
        params : ndarray or dict of str -> ndarray
            The current parameters ``w_{t-1}``. Not modified.
        grads : ndarray or dict of str -> ndarray
            The gradient at ``params``, same kind, keys and shapes. Not modified.

        Returns
        -------
        ndarray or dict of str -> ndarray
            New arrays ``w_t``, of the same kind (and key order) as ``params``.

        Raises
        ------
        ValueError, TypeError
            As :meth:`update`; also if ``params`` change kind, keys or shapes
            between steps (call :meth:`reset` to start over).
        """
        state = self.init(params) if self._opt_state is None else self._opt_state
        new_params, self._opt_state = self.update(params, grads, state)
        return new_params

    def evaluation_point(self, params, state=None):
        """The parameters at which to evaluate the model (loss, accuracy) after a step.

        For every optimizer but the schedule-free ones this is ``params``
        itself. :class:`SGDScheduleFree` and :class:`AdamWScheduleFree` take
        gradients at one point ``y`` (``params``) and return the model at
        another, the average ``x`` kept in the state (PyTorch's reference
        switches between them with ``optimizer.train()`` and
        ``optimizer.eval()``).

        Parameters
        ----------
        params : ndarray or dict of str -> ndarray
            The parameters ``update`` (or ``step``) returned.
        state : State, optional
            The state ``update`` returned with them; default the state the
            optimizer keeps for :meth:`step`.

        Examples
        --------
        >>> opt = SGD(lr=0.1)
        >>> w = opt.step(np.array([1.0]), np.array([1.0]))
        >>> opt.evaluation_point(w)
        array([0.9])
        """
        return params

    def _update_checked(self, params, grads, state, lr):
        """:meth:`update` for inputs already checked (the package's loop): float64 arrays, a valid ``lr``.

        The loop calls it once per step for every run at once; skipping the
        per-step conversions and checks of :meth:`update` keeps a sweep of
        small runs as fast as a plain numpy loop.
        """
        if isinstance(params, dict):
            rates = lr if isinstance(lr, dict) else dict.fromkeys(params, lr)
            return self._apply(params, grads, state, rates)
        new_params, new_state = self._apply({_ARRAY: params}, {_ARRAY: grads}, state, {_ARRAY: lr})
        return new_params[_ARRAY], new_state

    def _apply(self, named_params, named_grads, state, rates):
        """The update of every array, without input checks: ``({key: w_t}, State)``."""
        t = state.t + 1
        new_params, new_moments = {}, {}
        with np.errstate(all="ignore"):
            for key, w in named_params.items():
                g = -named_grads[key] if self.maximize else named_grads[key]
                new_params[key], new_moments[key] = self._update(w, g, rates[key], state.moments[key], t)
        return new_params, State(t=t, moments=new_moments, shapes=state.shapes)

    def __repr__(self):
        shown = [f"lr={_format(self.lr)}"]
        shown += [f"{name}={_format(getattr(self, name))}" for name in self._hyperparameters]
        if self.maximize:
            shown.append("maximize=True")
        return f"{type(self).__name__}({', '.join(shown)})"

    def _initial_state(self, w):
        raise NotImplementedError

    def _update(self, w, g, eta, state, t):
        raise NotImplementedError

    @staticmethod
    def _rates_for(lr, named_params, is_dict):
        if isinstance(lr, dict):
            if not is_dict:
                raise ValueError("lr is a dict, so params must be a dict with the same keys, got an ndarray")
            _check_same_keys(lr, named_params, "lr")
            rates = dict(lr)
        else:
            rates = dict.fromkeys(named_params, lr)
        for key, w in named_params.items():
            eta = rates[key]
            if isinstance(eta, np.ndarray) and not _broadcasts_onto(eta.shape, w.shape):
                name = f"lr{_label(key)}" if isinstance(lr, dict) else "lr"
                raise ValueError(
                    f"{name} must broadcast against params{_label(key)} of shape {w.shape}, got shape {eta.shape}"
                )
        return rates


class SGD(Optimizer):
    r"""Stochastic gradient descent, with optional momentum, Nesterov and weight decay.

    The ``t``-th step (``t = 1, 2, ...``), with ``eta = lr``, ``lambda =
    weight_decay``, ``beta = momentum``, ``tau = dampening``::

        g_t = grad f(w_{t-1}) + lambda w_{t-1}
        if beta != 0:
            b_t = g_t                                 if t == 1
            b_t = beta b_{t-1} + (1 - tau) g_t        if t > 1
            d_t = g_t + beta b_t    if nesterov else    d_t = b_t
        else:
            d_t = g_t
        w_t = w_{t-1} - eta d_t

    Plain SGD is Robbins & Monro (1951); momentum is Polyak's heavy ball
    (1964). PyTorch keeps the rate outside the buffer ``b``: with a constant
    ``eta`` and ``tau = 0`` this equals Polyak's ``w_t = w_{t-1} - eta g_t +
    beta (w_{t-1} - w_{t-2})`` and Sutskever et al.'s (2013) velocity form
    ``u_t = beta u_{t-1} - eta g_t`` (their ``v``; here ``u_t = -eta b_t``,
    since ``v_t`` is Adam's second moment in this package), but when ``eta``
    changes, PyTorch applies the new rate to the whole accumulated buffer at
    once, whereas the velocity form only scales new gradients.

    How much the buffer multiplies the rate depends on the gradients: a
    steady ``g`` gives the step ``eta g (1 - beta^t) / (1 - beta)`` (gain
    ``1 / (1 - beta)``), a gradient that flips sign every step gives
    ``eta g / (1 + beta)`` in the limit. Dampening ``tau`` scales the new
    gradient; with ``tau = beta`` the buffer is an exponential moving
    average (Adam's ``m_t``) and the steady step is ``eta g``. The first
    step stores ``b_1 = g_1`` undampened, so that average starts at the
    first gradient, not at zero.

    ``nesterov=True`` is PyTorch's form of Nesterov's accelerated gradient:
    a change of variables of Sutskever et al.'s (2013) form, which takes the
    gradient at the look-ahead point ``w + beta u``; PyTorch's evaluates the
    gradient at the current parameters and steps along ``g_t + beta b_t``.

    Parameters
    ----------
    lr : float, ndarray or dict, default 1e-3
        ``eta >= 0``.
    momentum : float, default 0
        ``beta >= 0`` (PyTorch sets no upper bound; ``beta >= 1`` does not converge).
    dampening : float, default 0
        ``tau`` in ``[0, 1]``: the share of the new gradient left out of the
        buffer. PyTorch does not check its range; we do.
    weight_decay : float, default 0
        ``lambda >= 0``, an L2 penalty ``lambda/2 |w|^2`` added to the loss.
    nesterov : bool, default False
        Needs ``momentum > 0`` and ``dampening == 0``, as in PyTorch.
    maximize : bool, default False, keyword-only
        Ascend on ``f`` (the update uses ``-grad f``).

    Examples
    --------
    >>> SGD(lr=0.1, momentum=0.9, nesterov=True)
    SGD(lr=0.1, momentum=0.9, dampening=0, weight_decay=0, nesterov=True)
    """

    _hyperparameters = ("momentum", "dampening", "weight_decay", "nesterov")

    def __init__(self, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False):
        self.momentum = _validate.number(momentum, "momentum", low=0)
        self.dampening = _validate.number(dampening, "dampening", low=0, high=1)
        self.weight_decay = _validate.number(weight_decay, "weight_decay", low=0)
        self.nesterov = _validate.flag(nesterov, "nesterov")
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                "nesterov=True needs momentum > 0 and dampening == 0, "
                f"got momentum={self.momentum!r}, dampening={self.dampening!r}"
            )
        super().__init__(lr, maximize=maximize)

    def _initial_state(self, w):
        return {"momentum_buffer": None} if self.momentum != 0 else {}

    def _update(self, w, g, eta, state, t):
        if self.weight_decay != 0:
            g = g + self.weight_decay * w
        if self.momentum == 0:
            return w - eta * g, state
        if t == 1:
            buffer = g
        else:
            buffer = self.momentum * state["momentum_buffer"] + (1 - self.dampening) * g
        direction = g + self.momentum * buffer if self.nesterov else buffer
        return w - eta * direction, {"momentum_buffer": buffer}


class Adagrad(Optimizer):
    r"""Adagrad: each coordinate's rate shrinks with its accumulated squared gradients.

    The ``t``-th step, with ``eta = lr``, ``lambda = weight_decay``, ``s_0 =
    initial_accumulator_value``::

        g_t   = grad f(w_{t-1}) + lambda w_{t-1}
        eta_t = eta / (1 + (t - 1) lr_decay)
        s_t   = s_{t-1} + g_t^2
        w_t   = w_{t-1} - eta_t g_t / (sqrt(s_t) + eps)

    Duchi, Hazan & Singer (2011). The paper has no ``lr_decay`` (PyTorch's
    inheritance from Torch7, off by default); the ``eps`` outside the square
    root and the starting value ``s_0`` follow PyTorch. With ``eps = 0`` a
    coordinate whose gradients have all been zero gets ``0/0 = nan``, as in
    PyTorch.

    Parameters
    ----------
    lr : float, ndarray or dict, default 0.01
        ``eta >= 0``.
    lr_decay : float, default 0
        ``>= 0``.
    weight_decay : float, default 0
        ``lambda >= 0`` (L2 penalty added to the gradient).
    initial_accumulator_value : float, default 0
        ``s_0 >= 0``.
    eps : float, default 1e-10
        ``>= 0``, added to ``sqrt(s_t)``.
    maximize : bool, default False, keyword-only
        Ascend on ``f``.

    Examples
    --------
    The first step moves every coordinate by about ``eta``, whatever the
    gradient's size:

    >>> Adagrad(lr=0.5).step(np.array([1.0, 1.0]), np.array([100.0, 0.01]))
    array([0.5, 0.5])
    """

    _hyperparameters = ("lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def __init__(self, lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, *, maximize=False):
        self.lr_decay = _validate.number(lr_decay, "lr_decay", low=0)
        self.weight_decay = _validate.number(weight_decay, "weight_decay", low=0)
        self.initial_accumulator_value = _validate.number(
            initial_accumulator_value, "initial_accumulator_value", low=0
        )
        self.eps = _validate.number(eps, "eps", low=0)
        super().__init__(lr, maximize=maximize)

    def _initial_state(self, w):
        return {"sum": np.full(w.shape, self.initial_accumulator_value)}

    def _update(self, w, g, eta, state, t):
        if self.weight_decay != 0:
            g = g + self.weight_decay * w
        eta_t = eta / (1 + (t - 1) * self.lr_decay)
        total = state["sum"] + g * g
        return w - eta_t * g / (np.sqrt(total) + self.eps), {"sum": total}


class RMSprop(Optimizer):
    r"""RMSprop: divide the gradient by a running root mean square of recent gradients.

    The ``t``-th step, with ``eta = lr``, ``lambda = weight_decay``, ``beta =
    momentum``, all state starting at zero::

        g_t = grad f(w_{t-1}) + lambda w_{t-1}
        v_t = alpha v_{t-1} + (1 - alpha) g_t^2
        if centered:
            a_t = alpha a_{t-1} + (1 - alpha) g_t
            r_t = sqrt(v_t - a_t^2) + eps
        else:
            r_t = sqrt(v_t) + eps
        if beta > 0:
            b_t = beta b_{t-1} + g_t / r_t
            w_t = w_{t-1} - eta b_t
        else:
            w_t = w_{t-1} - eta g_t / r_t

    Tieleman & Hinton (2012, Coursera lecture 6.5); the centered variant is
    Graves (2013). As in PyTorch, ``eps`` is added outside the square root,
    there is no bias correction (so early steps are larger than later ones
    with the same gradient: ``v_1 = (1 - alpha) g_1^2``), and momentum
    accumulates the normalized step ``g_t / r_t``.

    Parameters
    ----------
    lr : float, ndarray or dict, default 0.01
        ``eta >= 0``.
    alpha : float, default 0.99
        Smoothing constant in ``[0, 1)``. PyTorch only checks ``alpha >= 0``.
    eps : float, default 1e-8
        ``>= 0``.
    weight_decay : float, default 0
        ``lambda >= 0`` (L2 penalty added to the gradient).
    momentum : float, default 0
        ``beta >= 0``.
    centered : bool, default False
        Normalize by an estimate of the gradient's variance instead of its
        second moment.
    maximize : bool, default False, keyword-only
        Ascend on ``f``.

    Examples
    --------
    >>> RMSprop(lr=0.01, alpha=0.99)
    RMSprop(lr=0.01, alpha=0.99, eps=1e-08, weight_decay=0, momentum=0, centered=False)
    """

    _hyperparameters = ("alpha", "eps", "weight_decay", "momentum", "centered")

    def __init__(self, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, *, maximize=False):
        self.alpha = _validate.number(alpha, "alpha", low=0, high=1, high_open=True)
        self.eps = _validate.number(eps, "eps", low=0)
        self.weight_decay = _validate.number(weight_decay, "weight_decay", low=0)
        self.momentum = _validate.number(momentum, "momentum", low=0)
        self.centered = _validate.flag(centered, "centered")
        super().__init__(lr, maximize=maximize)

    def _initial_state(self, w):
        state = {"square_avg": np.zeros(w.shape)}
        if self.momentum > 0:
            state["momentum_buffer"] = np.zeros(w.shape)
        if self.centered:
            state["grad_avg"] = np.zeros(w.shape)
        return state

    def _update(self, w, g, eta, state, t):
        if self.weight_decay != 0:
            g = g + self.weight_decay * w
        new = {"square_avg": self.alpha * state["square_avg"] + (1 - self.alpha) * g * g}
        if self.centered:
            new["grad_avg"] = self.alpha * state["grad_avg"] + (1 - self.alpha) * g
            rms = np.sqrt(new["square_avg"] - new["grad_avg"] * new["grad_avg"]) + self.eps
        else:
            rms = np.sqrt(new["square_avg"]) + self.eps
        if self.momentum > 0:
            new["momentum_buffer"] = self.momentum * state["momentum_buffer"] + g / rms
            return w - eta * new["momentum_buffer"], new
        return w - eta * g / rms, new


class Adam(Optimizer):
    r"""Adam: momentum on the gradient, RMSprop-style scaling, bias-corrected.

    The ``t``-th step, with ``eta = lr``, ``(beta1, beta2) = betas``,
    ``lambda = weight_decay``, moments starting at zero::

        g_t = grad f(w_{t-1}) + lambda w_{t-1}
        m_t = beta1 m_{t-1} + (1 - beta1) g_t
        v_t = beta2 v_{t-1} + (1 - beta2) g_t^2
        if amsgrad:
            v_t^max = max(v_{t-1}^max, v_t)       # and use v_t^max for v_t below
        w_t = w_{t-1} - eta / (1 - beta1^t) * m_t / (sqrt(v_t / (1 - beta2^t)) + eps)

    Kingma & Ba (2015), Algorithm 1, with ``eps`` outside the square root.
    The division by ``1 - beta^t`` (bias correction) undoes the zero start of
    the moments, so here ``t`` counts from 1. ``amsgrad=True`` is Reddi, Kale
    & Kumar (2018); unlike the paper, PyTorch takes the running maximum of the
    raw ``v_t`` and still bias-corrects it. ``weight_decay`` here is an L2
    penalty added to the gradient, which the adaptive scaling then divides
    along with everything else; see :class:`AdamW` for decoupled decay.

    Parameters
    ----------
    lr : float, ndarray or dict, default 1e-3
        ``eta >= 0``.
    betas : tuple of two floats, default (0.9, 0.999)
        ``(beta1, beta2)``, each in ``[0, 1)``.
    eps : float, default 1e-8
        ``>= 0``.
    weight_decay : float, default 0
        ``lambda >= 0``.
    amsgrad : bool, default False
        Normalize by the largest ``v`` seen so far.
    maximize : bool, default False, keyword-only
        Ascend on ``f``.

    Examples
    --------
    With bias correction the first step has length ``eta`` in each
    coordinate (up to ``eps``):

    >>> Adam(lr=0.1).step(np.array([1.0, 1.0]), np.array([3.0, -0.02])).round(6)
    array([0.9, 1.1])
    >>> Adam()
    Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0, amsgrad=False)
    """

    _hyperparameters = ("betas", "eps", "weight_decay", "amsgrad")
    _decoupled_weight_decay = False

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *, maximize=False):
        self.betas = _validate.pair(betas, "betas", low=0, high=1, high_open=True)
        self.eps = _validate.number(eps, "eps", low=0)
        self.weight_decay = _validate.number(weight_decay, "weight_decay", low=0)
        self.amsgrad = _validate.flag(amsgrad, "amsgrad")
        super().__init__(lr, maximize=maximize)

    def _initial_state(self, w):
        state = {"exp_avg": np.zeros(w.shape), "exp_avg_sq": np.zeros(w.shape)}
        if self.amsgrad:
            state["max_exp_avg_sq"] = np.zeros(w.shape)
        return state

    def _update(self, w, g, eta, state, t):
        beta1, beta2 = self.betas
        if self.weight_decay != 0:
            if self._decoupled_weight_decay:
                w = w * (1 - eta * self.weight_decay)
            else:
                g = g + self.weight_decay * w
        new = {
            "exp_avg": beta1 * state["exp_avg"] + (1 - beta1) * g,
            "exp_avg_sq": beta2 * state["exp_avg_sq"] + (1 - beta2) * g * g,
        }
        second_moment = new["exp_avg_sq"]
        if self.amsgrad:
            new["max_exp_avg_sq"] = second_moment = np.maximum(state["max_exp_avg_sq"], new["exp_avg_sq"])
        step_size = eta / (1 - beta1**t)
        denominator = np.sqrt(second_moment) / np.sqrt(1 - beta2**t) + self.eps
        return w - step_size * new["exp_avg"] / denominator, new


class AdamW(Adam):
    r"""AdamW: Adam with weight decay decoupled from the adaptive step.

    The ``t``-th step, with ``eta = lr``, ``lambda = weight_decay``::

        g_t = grad f(w_{t-1})                      # no L2 term in the gradient
        w'  = (1 - eta lambda) w_{t-1}             # shrink the weights first
        m_t, v_t as in Adam (same amsgrad option)
        w_t = w' - eta / (1 - beta1^t) * m_t / (sqrt(v_t / (1 - beta2^t)) + eps)

    Loshchilov & Hutter (2019). The paper multiplies ``lambda`` by the
    schedule multiplier only, ``w_t = w_{t-1} - eta_t (alpha mhat_t / (sqrt(vhat_t)
    + eps) + lambda w_{t-1})``; PyTorch multiplies it by ``lr`` itself, so
    the decay per step is ``eta lambda`` and changes whenever ``lr`` does.
    Compare :class:`Adam` with ``weight_decay``, where ``lambda w`` enters the
    gradient and is divided by ``sqrt(v_t)`` like the rest.

    Parameters
    ----------
    lr : float, ndarray or dict, default 1e-3
        ``eta >= 0``.
    betas : tuple of two floats, default (0.9, 0.999)
        ``(beta1, beta2)``, each in ``[0, 1)``.
    eps : float, default 1e-8
        ``>= 0``.
    weight_decay : float, default 1e-2
        ``lambda >= 0``; note the default is not zero.
    amsgrad : bool, default False
        As in :class:`Adam`.
    maximize : bool, default False, keyword-only
        Ascend on ``f``.

    Examples
    --------
    With a zero gradient only the decay acts: ``w`` shrinks by ``1 - eta lambda``.

    >>> AdamW(lr=0.1, weight_decay=0.5).step(np.array([2.0]), np.array([0.0]))
    array([1.9])
    """

    _decoupled_weight_decay = True

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *, maximize=False):
        super().__init__(lr, betas, eps, weight_decay, amsgrad, maximize=maximize)


class _ScheduleFree(Optimizer):
    """Shared parts of the schedule-free optimizers: the averaging weights and the point ``x``."""

    evaluates_elsewhere = True

    def evaluation_point(self, params, state=None):
        """The average ``x`` at which a schedule-free run is evaluated (see :meth:`Optimizer.evaluation_point`)."""
        if state is None:
            state = self._opt_state
        if state is None:
            return params
        if isinstance(params, dict):
            return {key: np.array(state.moments[key]["x"]) for key in params}
        return np.array(state.moments[_ARRAY]["x"])

    def _set_averaging(self, lr, weight_decay, warmup_steps, r, weight_lr_power, maximize):
        """Check and keep the settings both schedule-free methods share, then the rate."""
        self.weight_decay = _validate.number(weight_decay, "weight_decay", low=0)
        self.warmup_steps = _validate.integer(warmup_steps, "warmup_steps", low=0)
        self.r = _validate.number(r, "r", low=0)
        self.weight_lr_power = _validate.number(weight_lr_power, "weight_lr_power", low=0)
        super().__init__(lr, maximize=maximize)

    def _averaging(self, eta, state, t):
        """The warmed-up rate ``gamma_t``, ``lr_max`` and the weight ``c_t`` of the new ``z`` in the average ``x``."""
        schedule = min(t / self.warmup_steps, 1.0) if self.warmup_steps > 0 else 1.0
        gamma = eta * schedule
        lr_max = np.maximum(gamma, state["lr_max"])
        weight = reproducible.power(float(t), self.r) * reproducible.power(lr_max, self.weight_lr_power)
        weight_sum = state["weight_sum"] + weight
        with np.errstate(all="ignore"):
            c = np.where(weight_sum > 0, weight / np.where(weight_sum > 0, weight_sum, 1.0), 0.0)
        return gamma, lr_max, weight_sum, c

    def _start(self, w):
        return {
            "z": w.copy(),
            "x": w.copy(),
            "lr_max": np.full(w.shape, -1.0),
            "weight_sum": np.zeros(w.shape),
        }


class SGDScheduleFree(_ScheduleFree):
    r"""Schedule-free SGD (Defazio et al. 2024): no decay to plan, the average does its work.

    Three sequences: ``z`` takes plain SGD steps, ``x`` is a running average
    of the ``z``'s, and gradients are taken at ``y``, between the two. The
    ``t``-th step, with ``beta = momentum``, ``lambda = weight_decay``, ``W =
    warmup_steps``, ``r`` and ``p = weight_lr_power``, all starting at
    ``z_0 = x_0 = y_0 = w_0``::

        gamma_t  = eta * min(t / W, 1)               (eta if W = 0)
        lrmax_t  = max(lrmax_{t-1}, gamma_t)
        c_t      = t^r lrmax_t^p / sum_{i <= t} i^r lrmax_i^p
        g_t      = grad f(y_{t-1}) + lambda y_{t-1}
        z_t      = z_{t-1} - gamma_t g_t
        x_t      = (1 - c_t) x_{t-1} + c_t z_t
        y_t      = beta x_t + (1 - beta) z_t

    With a constant rate and ``r = 0``, ``c_t = 1/t``: ``x_t`` is the plain
    mean of ``z_1 .. z_t``. The parameters this optimizer returns (and takes)
    are ``y``; evaluate the model at ``x``, which :meth:`evaluation_point`
    gives (the reference implementation switches with ``.eval()``).
    Same names, defaults and order of operations as the reference
    implementation, ``schedulefree.SGDScheduleFreeReference``; the
    ``foreach`` switch is left out.

    Parameters
    ----------
    lr : float, ndarray or dict, default 1.0
        ``eta >= 0``.
    momentum : float, default 0.9
        ``beta`` in ``(0, 1)``, the interpolation between ``x`` and ``z``.
    weight_decay : float, default 0
        ``lambda >= 0``, an L2 penalty on ``y``.
    warmup_steps : int, default 0
        ``W >= 0``, a linear warm-up of the rate.
    r : float, default 0.0
        ``>= 0``; weights ``t^r`` in the average.
    weight_lr_power : float, default 2.0
        ``p >= 0``; weights ``lrmax^p`` in the average, so steps taken during
        the warm-up count less.
    maximize : bool, default False, keyword-only

    Examples
    --------
    On ``f(w) = w^2 / 2`` (gradient ``w``) from ``w = 1`` with ``eta = 0.5``:
    ``z_1 = 0.5``, ``x_1 = 0.5`` (``c_1 = 1``), ``y_1 = 0.5``; then
    ``z_2 = 0.25``, ``x_2 = 0.375`` (``c_2 = 1/2``), ``y_2 = 0.9 * 0.375 + 0.1 * 0.25``.

    >>> opt = SGDScheduleFree(lr=0.5)
    >>> y = opt.step(np.array([1.0]), np.array([1.0]))
    >>> y = opt.step(y, y)
    >>> y, opt.evaluation_point(y)
    (array([0.3625]), array([0.375]))
    """

    _hyperparameters = ("momentum", "weight_decay", "warmup_steps", "r", "weight_lr_power")

    def __init__(self, lr=1.0, momentum=0.9, weight_decay=0, warmup_steps=0, r=0.0, weight_lr_power=2.0, *,
                 maximize=False):
        self.momentum = _validate.number(momentum, "momentum", low=0, high=1, low_open=True, high_open=True)
        self._set_averaging(lr, weight_decay, warmup_steps, r, weight_lr_power, maximize)

    def _initial_state(self, w):
        return self._start(w)

    def _update(self, w, g, eta, state, t):
        gamma, lr_max, weight_sum, c = self._averaging(eta, state, t)
        if self.weight_decay != 0:
            g = g + self.weight_decay * w
        z = state["z"] - gamma * g
        x = state["x"] * (1 - c) + z * c
        y = x * self.momentum + z * (1 - self.momentum)
        return y, {"z": z, "x": x, "lr_max": lr_max, "weight_sum": weight_sum}


class AdamWScheduleFree(_ScheduleFree):
    r"""Schedule-free AdamW (Defazio et al. 2024): Adam's scaling on the ``z`` steps, averaging instead of a decay.

    As :class:`SGDScheduleFree` (same ``gamma_t``, ``c_t``, ``x`` and ``y``,
    with ``beta1`` in place of the momentum), but ``z`` takes an
    Adam-scaled step without first moment, and the weight decay is
    decoupled (at ``y``)::

        v_t = beta2 v_{t-1} + (1 - beta2) g_t^2           g_t = grad f(y_{t-1})
        z_t = z_{t-1} - gamma_t lambda y_{t-1} - gamma_t g_t / (sqrt(v_t / (1 - beta2^t)) + eps)
        x_t = (1 - c_t) x_{t-1} + c_t z_t
        y_t = beta1 x_t + (1 - beta1) z_t

    Same names, defaults and order of operations as
    ``schedulefree.AdamWScheduleFreeReference`` (with its defaults
    ``decay_at_z=False`` and ``inner_momentum=0``, which are left out).
    Evaluate the model at :meth:`evaluation_point`.

    Parameters
    ----------
    lr : float, ndarray or dict, default 0.0025
        ``eta >= 0``.
    betas : tuple of two floats, default (0.9, 0.999)
        ``beta1`` in ``(0, 1)`` (the interpolation) and ``beta2`` in ``[0, 1)``.
    eps : float, default 1e-8
    weight_decay : float, default 0
        ``lambda >= 0``, decoupled.
    warmup_steps : int, default 0
    r : float, default 0.0
    weight_lr_power : float, default 2.0
    maximize : bool, default False, keyword-only

    Examples
    --------
    The first step of ``z`` has length ``eta`` per coordinate, as Adam's does:

    >>> opt = AdamWScheduleFree(lr=0.1)
    >>> y = opt.step(np.array([1.0, 1.0]), np.array([3.0, -0.02]))
    >>> opt.evaluation_point(y).round(6)
    array([0.9, 1.1])
    """

    _hyperparameters = ("betas", "eps", "weight_decay", "warmup_steps", "r", "weight_lr_power")

    def __init__(self, lr=0.0025, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, warmup_steps=0, r=0.0,
                 weight_lr_power=2.0, *, maximize=False):
        self.betas = _validate.pair(betas, "betas", low=0, high=1, high_open=True)
        if self.betas[0] == 0:
            raise ValueError(f"betas[0] must be in (0, 1), got {self.betas[0]!r}")
        self.eps = _validate.number(eps, "eps", low=0)
        self._set_averaging(lr, weight_decay, warmup_steps, r, weight_lr_power, maximize)

    def _initial_state(self, w):
        return {**self._start(w), "exp_avg_sq": np.zeros(w.shape)}

    def _update(self, w, g, eta, state, t):
        beta1, beta2 = self.betas
        gamma, lr_max, weight_sum, c = self._averaging(eta, state, t)
        z = state["z"]
        if self.weight_decay != 0:
            z = z - w * (gamma * self.weight_decay)
        exp_avg_sq = state["exp_avg_sq"] * beta2 + g * g * (1 - beta2)
        denominator = np.sqrt(exp_avg_sq / (1 - beta2**t)) + self.eps
        z = z - gamma * g / denominator
        x = state["x"] * (1 - c) + z * c
        y = x * beta1 + z * (1 - beta1)
        return y, {"z": z, "x": x, "lr_max": lr_max, "weight_sum": weight_sum, "exp_avg_sq": exp_avg_sq}


def _layer_norm(a, per_run):
    """``||a||`` over a whole array, or over all but its first axis (one norm per stacked run), kept broadcastable."""
    if per_run:
        return np.sqrt((a * a).reshape(a.shape[0], -1).sum(axis=1)).reshape((-1,) + (1,) * (a.ndim - 1))
    return np.sqrt((a * a).sum())


def _trust(numerator, denominator):
    """``numerator / denominator``, and 1 where either is 0 (a zero layer or a zero step is not rescaled)."""
    ok = (numerator > 0) & (denominator > 0)
    return np.where(ok, numerator / np.where(ok, denominator, 1.0), 1.0)


class LARS(Optimizer):
    r"""LARS (You, Gitman & Ginsburg 2017): SGD with momentum whose rate is rescaled per layer by a trust ratio.

    Each parameter array (a layer's weights or biases: one key of the
    params dict) gets its own local rate. The ``t``-th step, with ``eta =
    lr``, ``beta = momentum``, ``lambda = weight_decay`` and ``c =
    trust_coefficient``, buffer ``b_0 = 0``::

        ratio_t = c |w_{t-1}| / (|g_t| + lambda |w_{t-1}|)      (1 if a norm is 0)
        b_t = beta b_{t-1} + eta ratio_t (g_t + lambda w_{t-1})
        w_t = w_{t-1} - b_t

    Algorithm 1 of the paper (the rate inside the buffer, as there). The
    ratio makes a layer's step a fixed share ``eta c`` of its weights'
    norm, whatever the size of its gradient: the principled form of
    per-layer rates. PyTorch has no LARS; optax's ``lars`` divides by
    ``|g + lambda w|`` instead of ``|g| + lambda |w|``.

    Parameters
    ----------
    lr : float, ndarray or dict, default 1.0
        ``eta >= 0``, the global rate.
    momentum : float, default 0.9
        ``beta`` in ``[0, 1)``.
    weight_decay : float, default 0
        ``lambda >= 0``.
    trust_coefficient : float, default 0.001
        ``c > 0``.
    per_run : bool, default False
        Arrays carry stacked runs on their first axis: one ratio per run.
    maximize : bool, default False, keyword-only

    Examples
    --------
    A layer of norm 2 with a gradient of norm 10: the step is ``eta c 2 / 10`` times the gradient.

    >>> LARS(lr=1.0, momentum=0.0, trust_coefficient=0.5).step(np.array([2.0, 0.0]), np.array([6.0, 8.0]))
    array([ 1.4, -0.8])
    """

    _hyperparameters = ("momentum", "weight_decay", "trust_coefficient", "per_run")

    def __init__(self, lr=1.0, momentum=0.9, weight_decay=0, trust_coefficient=0.001, per_run=False, *,
                 maximize=False):
        self.momentum = _validate.number(momentum, "momentum", low=0, high=1, high_open=True)
        self.weight_decay = _validate.number(weight_decay, "weight_decay", low=0)
        self.trust_coefficient = _validate.number(trust_coefficient, "trust_coefficient", low=0, low_open=True)
        self.per_run = _validate.flag(per_run, "per_run")
        super().__init__(lr, maximize=maximize)

    def _initial_state(self, w):
        return {"momentum_buffer": np.zeros(w.shape)}

    def _update(self, w, g, eta, state, t):
        w_norm, g_norm = _layer_norm(w, self.per_run), _layer_norm(g, self.per_run)
        ratio = _trust(self.trust_coefficient * w_norm, g_norm + self.weight_decay * w_norm)
        buffer = self.momentum * state["momentum_buffer"] + eta * ratio * (g + self.weight_decay * w)
        return w - buffer, {"momentum_buffer": buffer}


class LAMB(Adam):
    r"""LAMB (You et al. 2019): Adam's step, rescaled per layer so that its length is ``eta |w|``.

    The ``t``-th step, with ``m_t, v_t`` and their bias corrections as in
    :class:`Adam` (no L2 term in ``g``), ``lambda = weight_decay``::

        r_t = mhat_t / (sqrt(vhat_t) + eps) + lambda w_{t-1}
        w_t = w_{t-1} - eta (|w_{t-1}| / |r_t|) r_t               (ratio 1 if a norm is 0)

    Algorithm 2 of the paper with its scaling function ``phi`` the identity.

    Parameters
    ----------
    lr : float, ndarray or dict, default 1e-3
    betas : tuple of two floats, default (0.9, 0.999)
    eps : float, default 1e-6
    weight_decay : float, default 0
    per_run : bool, default False
        Arrays carry stacked runs on their first axis: one ratio per run.
    maximize : bool, default False, keyword-only

    Examples
    --------
    Whatever the gradient, the first step of a layer has length ``eta |w|``:

    >>> w = LAMB(lr=0.1).step(np.array([3.0, 4.0]), np.array([1e-3, -5.0]))
    >>> float(np.sqrt(((w - [3.0, 4.0]) ** 2).sum())).__round__(6)
    0.5
    """

    _hyperparameters = ("betas", "eps", "weight_decay", "per_run")

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-6, weight_decay=0, per_run=False, *, maximize=False):
        self.per_run = _validate.flag(per_run, "per_run")
        super().__init__(lr, betas, eps, weight_decay, False, maximize=maximize)

    def _update(self, w, g, eta, state, t):
        beta1, beta2 = self.betas
        new = {
            "exp_avg": beta1 * state["exp_avg"] + (1 - beta1) * g,
            "exp_avg_sq": beta2 * state["exp_avg_sq"] + (1 - beta2) * g * g,
        }
        m_hat = new["exp_avg"] / (1 - beta1**t)
        v_hat = new["exp_avg_sq"] / (1 - beta2**t)
        r = m_hat / (np.sqrt(v_hat) + self.eps) + self.weight_decay * w
        ratio = _trust(_layer_norm(w, self.per_run), _layer_norm(r, self.per_run))
        return w - eta * ratio * r, new


_ARRAY = None  # the single key under which a plain-ndarray parameter is stored


@dataclass(frozen=True)
class State:
    """An optimizer's state between steps, as :meth:`Optimizer.init` and :meth:`Optimizer.update` pass it.

    Attributes
    ----------
    t : int
        Steps taken so far (the next update is step ``t + 1``).
    moments : dict
        Per parameter array (key ``None`` for a plain ndarray), a dict of
        the optimizer's buffers, e.g. Adam's ``"exp_avg"`` and
        ``"exp_avg_sq"``; PyTorch's names. Treat them as read-only.
    shapes : dict
        The shape of every parameter array, to catch a mismatched next step.
    """

    t: int
    moments: dict
    shapes: dict


def _check_state_matches(state, named_params, is_dict):
    if (tuple(state.shapes) == (_ARRAY,)) == is_dict:
        before, now = ("an ndarray", "a dict") if is_dict else ("a dict", "an ndarray")
        raise TypeError(f"params must be {before}, as on the earlier steps, got {now}; call reset() to start over")
    _check_same_keys(named_params, state.shapes, "params", against="the earlier steps")
    for key, w in named_params.items():
        if w.shape != state.shapes[key]:
            raise ValueError(
                f"params{_label(key)} must keep the shape of the earlier steps, {state.shapes[key]}, "
                f"got shape {w.shape}; call reset() to start over"
            )


def _check_lr(value, name):
    if isinstance(value, dict):
        if not value:
            raise ValueError(f"{name} must be a float, an ndarray or a non-empty dict, got {{}}")
        return {key: _check_lr(rate, f"{name}{_label(key)}") for key, rate in value.items()}
    if isinstance(value, np.ndarray):
        return _validate.array(value, name, low=0).copy()
    if isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a float, an ndarray or a dict, got {type(value).__name__}; use np.array")
    return _validate.number(value, name, low=0)


def _named_arrays(value, name):
    """Return ``({key: float64 copy}, is_dict)`` for an ndarray or a dict of them."""
    if isinstance(value, dict):
        if not value:
            raise ValueError(f"{name} must not be an empty dict")
        return {key: _float_array(item, f"{name}{_label(key)}") for key, item in value.items()}, True
    return {_ARRAY: _float_array(value, name)}, False


def _float_array(value, name):
    if isinstance(value, (str, bytes)) or not isinstance(value, (np.ndarray, numbers.Real, list, tuple)):
        raise TypeError(f"{name} must be an ndarray of numbers, got {type(value).__name__}")
    raw = np.asarray(value)
    if raw.dtype.kind not in "fiu":  # "1.0", True, None: refused, not converted
        raise TypeError(f"{name} must be an ndarray of numbers, got {value!r}")
    return np.array(raw, dtype=float)


def _check_same_keys(named, reference, name, against=None):
    against = against or f"params ({', '.join(map(repr, reference))})"
    for key in reference:
        if key not in named:
            raise ValueError(f"{name} is missing the key {key!r}: its keys must be those of {against}")
    for key in named:
        if key not in reference:
            raise ValueError(f"{name} has the key {key!r} that is not in {against}")


def _broadcasts_onto(shape, target):
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def _label(key):
    return "" if key is _ARRAY else f"[{key!r}]"


def _format(value):
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(_format(item) for item in value) + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key!r}: {_format(item)}" for key, item in value.items()) + "}"
    if isinstance(value, np.ndarray):
        return np.array2string(value, separator=", ", precision=6, threshold=8).join(["array(", ")"])
    return repr(value)
