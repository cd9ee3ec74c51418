"""Closed forms for gradient descent on quadratics: what the experiments should show.

On ``f(w) = L/2 w^2`` one step of gradient descent with rate ``eta`` is

.. math::

    w_{t+1} = w_t - \\eta L w_t = (1 - \\eta L)\\, w_t,

so ``w_t = (1 - eta L)^t w_0`` and the loss gap ``f(w_t) - f* = (1 - eta
L)^{2t} (f(w_0) - f*)``. Everything here follows from that line: the
distance shrinks by the contraction factor ``|1 - eta L|`` per step, which is
below 1 exactly when ``0 < eta < 2 / L``. On a quadratic with curvatures
``mu <= L`` (one per principal axis) each component has its own factor and
the slowest, ``max(|1 - eta mu|, |1 - eta L|)``, sets the pace.

Every function takes numbers or arrays (one value per learning rate) and
broadcasts.

>>> stability_limit(4.0)
0.5
>>> contraction_factor([0.1, 0.25, 0.4, 0.6], L=4.0)
array([0.6, 0. , 0.6, 1.4])
>>> regime(0.4, L=4.0)
'oscillating, converging'
"""

import numpy as np

from lrcourse import _validate

__all__ = [
    "stability_limit",
    "contraction_factor",
    "optimal_lr",
    "loss_gap_quadratic",
    "steps_to_tolerance_quadratic",
    "regime",
]


def stability_limit(L):
    """The largest stable rate of gradient descent on curvature ``L``: ``2 / L``.

    Rates below it converge on ``f = L/2 w^2``; at ``2 / L`` the iterate flips
    sign with constant size; above it the distance grows geometrically. Near a
    minimum of any smooth loss, ``L`` is the largest Hessian eigenvalue there.

    >>> stability_limit(1.0)
    2.0
    """
    return _result(2.0 / _positive(L, "L"))


def contraction_factor(lr, L, mu=None):
    """The factor by which gradient descent shrinks the distance to the minimum per step.

    ``|1 - eta L|`` on a 1-D quadratic; with the smallest curvature ``mu``
    also given, the slowest factor over all directions of a quadratic bowl,
    ``max(|1 - eta mu|, |1 - eta L|)``. Below 1 the run converges, above 1 it
    diverges.

    Parameters
    ----------
    lr : float or array
        ``eta >= 0``.
    L : float or array
        The largest curvature, > 0.
    mu : float or array, optional
        The smallest curvature, in (0, L].

    >>> contraction_factor(1.5, L=1.0)
    0.5
    >>> contraction_factor(0.1, L=1.0, mu=0.1)
    0.99
    """
    lr = _rates(lr)
    L = _positive(L, "L")
    factor = np.abs(1 - lr * L)
    if mu is not None:
        mu = _smallest(mu, L)
        factor = np.maximum(factor, np.abs(1 - lr * mu))
    return _result(factor)


def optimal_lr(L, mu=None):
    """The constant rate that makes the slowest contraction factor smallest.

    ``1 / L`` on a 1-D quadratic (one step to the minimum); ``2 / (mu + L)``
    on a bowl with curvatures ``mu <= L``, where the factors along the two
    extreme directions balance at ``(kappa - 1) / (kappa + 1)``, ``kappa = L / mu``.

    >>> optimal_lr(1.0, mu=0.1)
    1.8181818181818181
    """
    L = _positive(L, "L")
    if mu is None:
        return _result(1.0 / L)
    return _result(2.0 / (_smallest(mu, L) + L))


def loss_gap_quadratic(lr, L, gap0, t):
    """The loss gap ``f(w_t) - f*`` after ``t`` steps on a 1-D quadratic.

    .. math::

        f(w_t) - f^* = (1 - \\eta L)^{2t} \\, (f(w_0) - f^*)

    >>> loss_gap_quadratic(0.5, L=1.0, gap0=1.0, t=[0, 1, 2])
    array([1.    , 0.25  , 0.0625])
    """
    lr = _rates(lr)
    L = _positive(L, "L")
    gap0 = _validate.array(gap0, "gap0", low=0)
    t = np.asarray(t)
    if not np.issubdtype(t.dtype, np.integer) or np.any(t < 0):
        raise ValueError(f"t must be integers >= 0, got {t!r}")
    return _result((1 - lr * L) ** (2 * t) * gap0)


def steps_to_tolerance_quadratic(lr, L, gap0, tol, mu=None):
    """The predicted number of steps until the loss gap is at most ``tol``.

    With factor ``r`` (:func:`contraction_factor`), the gap after ``t`` steps
    is at most ``r^{2t}`` times the initial gap ``gap0``: exactly that on a
    1-D quadratic, an upper bound on a bowl (where ``r`` is the slowest
    factor, which dominates after a few steps). So

    .. math::

        t = \\left\\lceil \\frac{\\log(\\text{tol} / \\text{gap0})}{2 \\log r} \\right\\rceil,

    0 if ``gap0 <= tol`` already, 1 if ``r = 0`` (``eta = 1 / L`` in 1-D) and
    ``inf`` if ``r >= 1`` (never).

    Parameters
    ----------
    lr : float or array
        ``eta >= 0``.
    L, mu : float
        Curvatures as in :func:`contraction_factor`.
    gap0 : float
        The initial loss gap ``f(w_0) - f*`` >= 0.
    tol : float
        The target gap, > 0.

    Returns
    -------
    float or ndarray
        Whole numbers of steps, as floats so that ``inf`` can mean "never".

    >>> steps_to_tolerance_quadratic([0.1, 1.0, 2.5], L=1.0, gap0=0.5, tol=1e-6)
    array([63.,  1., inf])
    """
    factor = np.asarray(contraction_factor(lr, L, mu))
    gap0 = _validate.number(gap0, "gap0", low=0)
    tol = _validate.number(tol, "tol", low=0, low_open=True)
    if gap0 <= tol:
        return _result(np.zeros_like(factor))
    steps = np.full(factor.shape, np.inf)
    steps[factor == 0] = 1.0
    shrinking = (factor > 0) & (factor < 1)
    steps[shrinking] = np.ceil(np.log(tol / gap0) / (2 * np.log(factor[shrinking])))
    return _result(steps)


def regime(lr, L):
    """Name the behaviour of gradient descent with rate ``eta`` on curvature ``L``.

    ================================  =====================================
    ``0 < eta < 1/L``                 ``"monotone, converging"``
    ``eta = 1/L``                     ``"one step to the minimum"``
    ``1/L < eta < 2/L``               ``"oscillating, converging"``
    ``eta = 2/L``                     ``"oscillating, constant size"``
    ``eta > 2/L``                     ``"oscillating, diverging"``
    ``eta = 0``                       ``"not moving"``
    ================================  =====================================

    Rates within a relative 1e-12 of ``1/L`` or ``2/L`` count as equal to them.

    >>> regime(0.1, L=1.0), regime(3.0, L=1.0)
    ('monotone, converging', 'oscillating, diverging')
    """
    lr = _validate.number(lr, "lr", low=0)
    L = _validate.number(L, "L", low=0, low_open=True)
    x = lr * L
    if x == 0:
        return "not moving"
    if np.isclose(x, 1.0, rtol=1e-12, atol=0):
        return "one step to the minimum"
    if np.isclose(x, 2.0, rtol=1e-12, atol=0):
        return "oscillating, constant size"
    if x < 1:
        return "monotone, converging"
    if x < 2:
        return "oscillating, converging"
    return "oscillating, diverging"


def _rates(lr):
    return _validate.array(lr, "lr", low=0)


def _positive(value, name):
    return _validate.array(value, name, low=0, low_open=True)


def _smallest(mu, L):
    mu = _positive(mu, "mu")
    if np.any(mu > L):
        raise ValueError(f"mu must be <= L, got mu={mu} and L={L}")
    return mu


def _result(values):
    values = np.asarray(values)
    return float(values) if values.ndim == 0 else values
