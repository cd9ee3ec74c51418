"""Choosing the rate at every step without knowing ``L``: backtracking (Armijo) and Polyak's step size.

A fixed rate must be below ``2 / L`` wherever the run goes, so on a loss whose
curvature changes it is set by the steepest place and is far too small
elsewhere. Two classical rules pick ``eta_t`` from what the run can measure
at the current point ``w_t`` (gradient ``g = grad f(w_t)``):

- **Backtracking** (Armijo 1966): start from a trial rate ``eta_0`` and halve
  it until the *sufficient-decrease* (Armijo) condition holds,

  .. math::

      f(w_t - \\eta g) \\le f(w_t) - c \\, \\eta \\, \\lVert g \\rVert^2,

  a share ``c`` of the decrease that the tangent promises. On an
  ``L``-smooth loss any ``eta <= 2 (1 - c) / L`` passes, so the accepted rate
  is at least ``(1 - c) / L`` (Nocedal & Wright 2006, section 3.1;
  Nesterov 2018, section 1.2).
- **Polyak's step size** (Polyak 1987, section 5.3): with the smallest loss
  ``f*`` known,

  .. math::

      \\eta_t = \\frac{f(w_t) - f^*}{\\lVert g \\rVert^2}.

  On ``f = L/2 w^2`` in one dimension it is ``1/(2L)`` exactly, and for a
  convex loss it never overshoots the level ``f*`` along the tangent.

Both need exact function values: backtracking compares two losses, Polyak's
rule divides a loss gap. With minibatches, losses are noisy, which is why
both are rare with SGD (Vaswani et al. 2019 make backtracking work when the
model can fit every example, so that the noise vanishes at the minimum).

:func:`armijo_rate` and :func:`polyak_rate` compute one step's rate for a
batch of points at once; :func:`run_adaptive` runs gradient descent with
either rule on a landscape of :mod:`lrcourse.landscapes` and returns a
:class:`lrcourse.descent.Trajectory` whose ``lrs`` are the rates chosen.

>>> from lrcourse.landscapes import Quadratic1D
>>> polyak_rate(loss_gap=2.0, grad_norm_sq=4.0)
0.5
>>> armijo_rate(Quadratic1D(L=4.0), 1.0, lr0=1.0)
0.25
"""

import numpy as np

from lrcourse import _validate, descent
from lrcourse.descent import Trajectory

__all__ = ["armijo_rate", "polyak_rate", "run_adaptive", "RULES"]

RULES = ("armijo", "polyak")
"""The rules :func:`run_adaptive` knows."""


def polyak_rate(loss_gap, grad_norm_sq):
    """Polyak's step size ``eta = (f(w) - f*) / ||grad f(w)||^2``.

    Parameters
    ----------
    loss_gap : float or array
        ``f(w) - f* >= 0``.
    grad_norm_sq : float or array
        ``||grad f(w)||^2 >= 0``; where it is 0 (at a minimum) the rate is 0.

    Returns
    -------
    float or ndarray
        The rate, broadcast over the arguments.

    Examples
    --------
    On ``f = L/2 w^2``: gap ``L w^2 / 2``, gradient ``L w``, so the rate is
    ``1 / (2 L)`` wherever the run is, and one step halves ``w``.

    >>> polyak_rate([0.5 * 4.0 * 3.0**2, 0.0], [(4.0 * 3.0) ** 2, 0.0])
    array([0.125, 0.   ])
    """
    gap = _validate.array(loss_gap, "loss_gap", low=0)
    norm_sq = _validate.array(grad_norm_sq, "grad_norm_sq", low=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(norm_sq > 0, gap / np.where(norm_sq > 0, norm_sq, 1.0), 0.0)
    return _validate.scalar_or_array(rate)


def armijo_rate(landscape, w, lr0=1.0, *, shrink=0.5, c=1e-4, max_halvings=60, with_trials=False):
    """The backtracking rate at ``w``: the first of ``lr0, lr0 shrink, lr0 shrink^2, ...`` with sufficient decrease.

    Accepts the first ``eta = lr0 * shrink^k`` (``k = 0, 1, ...``) with

    .. math::

        f(w - \\eta g) \\le f(w) - c \\, \\eta \\, \\lVert g \\rVert^2, \\qquad g = \\nabla f(w).

    All points of a batch are tried at once; each keeps its own ``k``.

    Parameters
    ----------
    landscape : landscape
        With ``dim``, ``value`` and ``grad`` (noiseless: the test compares losses).
    w : float or array
        One point (a number in 1-D, a pair in 2-D) or a batch of points
        (shape ``(n,)`` or ``(n, 2)``).
    lr0 : float
        The trial rate, > 0.
    shrink : float
        The factor applied after each failed trial, in ``(0, 1)``; 0.5 halves.
    c : float
        The share of the tangent's promised decrease that must be achieved,
        in ``(0, 1)``. Small values (1e-4, Nocedal & Wright's example) accept
        almost any decrease.
    max_halvings : int
        The most trials after the first; a point that still fails gets the
        last, smallest rate (only where the gradient is tiny or not finite).
    with_trials : bool
        Also return the number of failed trials ``k`` per point.

    Returns
    -------
    float or ndarray
        The accepted rate; with ``with_trials``, the pair ``(rate, k)``.

    Examples
    --------
    On ``f = L/2 w^2`` the condition holds exactly for ``eta <= 2 (1 - c) / L``:
    with ``L = 3`` that is ``eta <= 0.6666``: the trial 1 fails and 0.5 passes.

    >>> from lrcourse.landscapes import Quadratic1D
    >>> armijo_rate(Quadratic1D(L=3.0), [1.0, -2.0], lr0=1.0, with_trials=True)
    (array([0.5, 0.5]), array([1, 1]))
    """
    dim = _check_landscape(landscape)
    lr0 = _validate.number(lr0, "lr0", low=0, low_open=True)
    shrink = _validate.number(shrink, "shrink", low=0, high=1, low_open=True, high_open=True)
    c = _validate.number(c, "c", low=0, high=1, low_open=True, high_open=True)
    max_halvings = _validate.integer(max_halvings, "max_halvings", low=0)
    w = _validate.array(w, "w")
    single = w.ndim == dim - 1
    points = w.reshape((-1,) + w.shape[w.ndim - (dim - 1):])
    value = np.asarray(landscape.value(points), dtype=float).reshape(-1)
    g = np.asarray(landscape.grad(points), dtype=float).reshape(points.shape)
    rate, trials = _backtrack(landscape, dim, points, value, g, _norm_sq(g, dim), lr0, shrink, c, max_halvings)
    rate = float(rate[0]) if single else rate
    trials = int(trials[0]) if single else trials
    return (rate, trials) if with_trials else rate


def run_adaptive(landscape, x0, steps, rule="armijo", *, lr0=1.0, shrink=0.5, c=1e-4, reset=True):
    """Gradient descent whose rate is chosen at every step by ``rule``: ``"armijo"`` or ``"polyak"``.

    The step from ``w_t`` to ``w_{t+1}`` is ``w_t - eta_t grad f(w_t)`` with

    - ``"armijo"``: ``eta_t`` from :func:`armijo_rate`, trying first
      ``lr0`` (``reset=True``) or ``eta_{t-1} / shrink``, the last accepted
      rate grown back by one factor (``reset=False``, a common warm start
      that saves trials);
    - ``"polyak"``: ``eta_t`` from :func:`polyak_rate` with the landscape's
      ``min_value`` as ``f*``.

    Parameters
    ----------
    landscape : landscape
        Noiseless, with ``dim``, ``value``, ``grad`` (and ``min_value`` for
        ``"polyak"``).
    x0 : float, array or None
        One start or a batch of starts (as for :func:`lrcourse.descent.run`);
        None is ``landscape.default_start``.
    steps : int
        The number of steps, >= 1.
    rule : str
        ``"armijo"`` or ``"polyak"``.
    lr0, shrink, c : float
        As for :func:`armijo_rate` (ignored by ``"polyak"``).
    reset : bool
        For ``"armijo"``: start every search at ``lr0`` (True) or warm (False).

    Returns
    -------
    Trajectory
        ``lrs[t]`` is the rate the rule chose for the step from ``w_t``; no
        run diverges (``diverged_at`` is -1). For ``"armijo"`` the number of
        loss evaluations the searches cost is ``trials.sum() + steps`` per
        run, with ``trials`` in the returned object's ``trials`` attribute
        (shape ``(steps,)`` or ``(steps, n)``).

    Examples
    --------
    Polyak's rule halves ``w`` at every step on a 1-D quadratic:

    >>> from lrcourse.landscapes import Quadratic1D
    >>> run_adaptive(Quadratic1D(L=4.0), 1.0, 3, rule="polyak").positions
    array([1.   , 0.5  , 0.25 , 0.125])
    """
    dim = _check_landscape(landscape)
    steps = _validate.integer(steps, "steps", low=1)
    rule = _validate.choice(rule, "rule", list(RULES))
    lr0 = _validate.number(lr0, "lr0", low=0, low_open=True)
    shrink = _validate.number(shrink, "shrink", low=0, high=1, low_open=True, high_open=True)
    c = _validate.number(c, "c", low=0, high=1, low_open=True, high_open=True)
    reset = _validate.flag(reset, "reset")
    min_value = getattr(landscape, "min_value", None)
    if rule == "polyak" and min_value is None:
        raise ValueError("rule='polyak' needs the landscape's min_value f*, which this landscape does not have")
    w = _validate.array(landscape.default_start if x0 is None else x0, "x0")
    single = w.ndim == dim - 1
    w = w.reshape((-1,) + w.shape[w.ndim - (dim - 1):]).copy()
    n = w.shape[0]
    positions = np.empty((steps + 1,) + w.shape)
    losses = np.empty((steps + 1, n))
    rates = np.empty((steps, n))
    trials = np.zeros((steps, n), dtype=int)
    start = np.full(n, lr0)
    for t in range(steps + 1):
        positions[t] = w
        losses[t] = np.asarray(landscape.value(w), dtype=float).reshape(-1)
        if t == steps:
            break
        g = np.asarray(landscape.grad(w), dtype=float).reshape(w.shape)
        norm_sq = _norm_sq(g, dim)
        if rule == "polyak":
            rates[t] = polyak_rate(np.maximum(losses[t] - min_value, 0.0), norm_sq)
        else:
            rates[t], trials[t] = _backtrack(landscape, dim, w, losses[t], g, norm_sq, start, shrink, c, 60)
            if not reset:
                start = rates[t] / shrink
        w = w - (rates[t][:, np.newaxis] if dim == 2 else rates[t]) * g
    trajectory = Trajectory(
        positions=positions[:, 0] if single else positions,
        losses=losses[:, 0] if single else losses,
        lrs=rates[:, 0] if single else rates,
        diverged_at=-1 if single else np.full(n, -1),
        min_value=None if min_value is None else float(min_value),
        minimum=getattr(landscape, "minimum", None),
    )
    trajectory.trials = trials[:, 0] if single else trials
    return trajectory


def _backtrack(landscape, dim, points, value, g, norm_sq, lr0, shrink, c, max_halvings):
    """Rates and failed-trial counts for a batch of ``points`` (run axis first); ``lr0`` a number or one per point."""
    rate = np.broadcast_to(np.asarray(lr0, dtype=float), value.shape).copy()
    trials = np.zeros(value.shape, dtype=int)
    searching = np.isfinite(value) & (norm_sq > 0)
    for _ in range(max_halvings + 1):
        if not searching.any():
            break
        step = rate[:, np.newaxis] * g if dim == 2 else rate * g
        with np.errstate(over="ignore", invalid="ignore"):
            trial = np.asarray(landscape.value(points - step), dtype=float).reshape(-1)
            passed = trial <= value - c * rate * norm_sq
        failed = searching & ~passed
        if trials.max(initial=0) >= max_halvings:
            break
        rate = np.where(failed, rate * shrink, rate)
        trials = trials + failed
        searching = failed
    return rate, trials


def _norm_sq(g, dim):
    return np.sum(g * g, axis=-1) if dim == 2 else g * g


def _check_landscape(landscape):
    dim = descent._check_landscape(landscape)
    if getattr(landscape, "noise_std", None) is not None:
        raise TypeError(f"landscape must be noiseless: a line search compares exact losses, got {landscape!r}")
    return dim
