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

from typing import NamedTuple

import numpy as np

from lrcourse import _validate

__all__ = [
    "stability_limit",
    "contraction_factor",
    "optimal_lr",
    "loss_gap_quadratic",
    "steps_to_tolerance_quadratic",
    "regime",
    "noise_floor_quadratic",
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


def noise_floor_quadratic(lr, L, noise_std, mu=None):
    r"""The loss level where SGD with a constant rate stops improving on a quadratic.

    With stochastic gradients ``g(w) + sigma xi_t`` (independent standard
    normal ``xi_t`` in every coordinate, as :class:`lrcourse.landscapes.Noisy`
    draws them), each principal component ``z`` of ``w - w*`` with curvature
    ``lambda`` follows ``z_{t+1} = (1 - eta lambda) z_t - eta sigma xi_t``.
    For ``0 < eta < 2 / lambda`` its variance settles where
    ``v = (1 - eta lambda)^2 v + eta^2 sigma^2``, so
    ``v = eta sigma^2 / (lambda (2 - eta lambda))``, and the expected loss gap
    ``lambda v / 2`` summed over the components is

    .. math::

        \mathbb{E}[f(w_t) - f^*] \to \sum_\lambda
            \frac{\eta \sigma^2}{2 (2 - \eta \lambda)}
            \approx \frac{d \, \eta \sigma^2}{4} \text{ for small } \eta,

    with ``d`` components: the floor grows in proportion to ``eta``. The sum
    runs over ``L`` alone in 1-D, and over ``mu`` and ``L`` when ``mu`` is
    given (a 2-D bowl). For ``eta >= 2 / L`` there is no floor: ``inf``.

    Parameters
    ----------
    lr : float or array
        ``eta >= 0``.
    L, mu : float
        Curvatures as in :func:`contraction_factor`.
    noise_std : float
        ``sigma >= 0``, the noise's standard deviation per coordinate.

    >>> noise_floor_quadratic([0.1, 1.0, 2.0], L=1.0, noise_std=1.0)
    array([0.02631579, 0.5       ,        inf])
    """
    lr = _rates(lr)
    L = _positive(L, "L")
    sigma = _validate.number(noise_std, "noise_std", low=0)
    curvatures = [L] if mu is None else [_smallest(mu, L), L]
    stable = lr * L < 2
    floor = 0.0
    for curvature in curvatures:
        floor = floor + lr * sigma**2 / (2 * (2 - np.where(stable, lr * curvature, 0.0)))
    return _result(np.where(stable, floor, np.inf))


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


# Momentum and Adam: the closed forms of the chapter on momentum and adaptive rates.
#
# With momentum each direction of curvature h follows a two-term recursion.
# For lrcourse.optim.SGD at a constant rate without dampening, on
# f(w) = h w^2 / 2:
#   heavy ball  b_t = beta b_{t-1} + g_t, w_t = w_{t-1} - eta b_t, i.e.
#               w_t = w_{t-1} - eta h w_{t-1} + beta (w_{t-1} - w_{t-2});
#               characteristic polynomial z^2 - (1 + beta - eta h) z + beta
#   Nesterov    w_t = w_{t-1} - eta (g_t + beta b_t);
#               characteristic polynomial z^2 - (1 + beta)(1 - eta h) z + beta (1 - eta h)

__all__ += [
    "Tuning",
    "momentum_contraction_factor",
    "momentum_stability_limit",
    "optimal_heavy_ball",
    "momentum_effective_lr",
    "adam_uncorrected_step",
]


class Tuning(NamedTuple):
    """Best constant ``lr`` and ``beta`` for a quadratic, and the contraction factor they give."""

    lr: float
    beta: float
    factor: float


def momentum_contraction_factor(lr, beta, L, mu=None, nesterov=False):
    """Per-step contraction factor of SGD with momentum along curvature ``L`` (or over ``[mu, L]``).

    The error along a direction of curvature ``h`` shrinks per step by the
    largest ``|z|`` among the roots of ``z^2 - T z + D``, with

    - heavy ball: ``T = 1 + beta - eta h``, ``D = beta``;
    - Nesterov: ``T = (1 + beta)(1 - eta h)``, ``D = beta (1 - eta h)``.

    Complex roots (``T^2 < 4 D``) mean the error spirals in, oscillating, with
    ``|z| = sqrt(D)``: for the heavy ball that is ``sqrt(beta)`` whatever
    ``eta``, so too much momentum makes every direction slow. With ``beta = 0``
    both give ``|1 - eta h|`` (:func:`contraction_factor`). With ``mu`` also
    given, the slowest factor over all curvatures in ``[mu, L]``, which is
    attained at ``mu`` or ``L`` (the factor is a non-decreasing function of
    ``|T|`` for the heavy ball and of ``|1 - eta h|`` for Nesterov). When the
    slowest root is a double root the error shrinks like ``t factor^t``,
    slightly slower than ``factor^t``.

    Parameters
    ----------
    lr : float or array
        ``eta >= 0``.
    beta : float or array
        Momentum, in ``[0, 1)``.
    L : float or array
        Curvature, > 0.
    mu : float or array, optional
        The smallest curvature, in ``(0, L]``.
    nesterov : bool, default False
        Nesterov's recursion as in ``SGD(nesterov=True)``.

    >>> momentum_contraction_factor(0.5, beta=0.0, L=3.0)
    0.5
    >>> momentum_contraction_factor([0.1, 1.0], beta=0.81, L=1.0)
    array([0.9, 0.9])
    """
    lr = _rates(lr)
    beta = _momentum(beta)
    L = _positive(L, "L")
    if not isinstance(nesterov, bool):
        raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
    factor = _momentum_factor(lr, beta, L, nesterov)
    if mu is not None:
        factor = np.maximum(factor, _momentum_factor(lr, beta, _smallest(mu, L), nesterov))
    return _result(factor)


def momentum_stability_limit(L, beta, nesterov=False):
    """The largest stable rate of SGD with momentum ``beta`` on curvature ``L``.

    From the Jury conditions on the characteristic polynomials of
    :func:`momentum_contraction_factor`, the run converges for every curvature
    in ``(0, L]`` exactly when ``eta`` is below

    - heavy ball: ``2 (1 + beta) / L``, higher than plain gradient descent's ``2 / L``;
    - Nesterov: ``2 (1 + beta) / ((1 + 2 beta) L)``, between ``4 / (3 L)`` and ``2 / L``.

    At the limit the error along ``L`` keeps a constant size.

    >>> momentum_stability_limit(4.0, beta=0.5)
    0.75
    >>> momentum_stability_limit(4.0, beta=0.5, nesterov=True)
    0.375
    """
    L = _positive(L, "L")
    beta = _momentum(beta)
    if not isinstance(nesterov, bool):
        raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
    limit = 2 * (1 + beta) / L
    return _result(limit / (1 + 2 * beta) if nesterov else limit)


def optimal_heavy_ball(L, mu):
    """The best constant ``eta`` and ``beta`` for the heavy ball on curvatures in ``[mu, L]`` (Polyak 1964).

    In PyTorch's convention (``b_t = beta b_{t-1} + g_t``, ``w_t = w_{t-1} -
    eta b_t``, the one of Goh, "Why Momentum Really Works", 2017)::

        eta*    = (2 / (sqrt(L) + sqrt(mu)))^2
        beta*   = ((sqrt(L) - sqrt(mu)) / (sqrt(L) + sqrt(mu)))^2
        factor  = sqrt(beta*) = (sqrt(kappa) - 1) / (sqrt(kappa) + 1)

    against ``(kappa - 1) / (kappa + 1)`` for the best plain gradient descent:
    the steps needed grow like ``sqrt(kappa)`` instead of ``kappa``.

    Returns
    -------
    Tuning
        ``(lr, beta, factor)``.

    >>> optimal_heavy_ball(L=9.0, mu=1.0)
    Tuning(lr=0.25, beta=0.25, factor=0.5)
    """
    L = _validate.number(L, "L", low=0, low_open=True)
    mu = _validate.number(mu, "mu", low=0, high=L, low_open=True)
    root_L, root_mu = np.sqrt(L), np.sqrt(mu)
    return Tuning(
        lr=float((2 / (root_L + root_mu)) ** 2),
        beta=float(((root_L - root_mu) / (root_L + root_mu)) ** 2),
        factor=float((root_L - root_mu) / (root_L + root_mu)),
    )


def momentum_effective_lr(lr, beta, t=None):
    """The rate that momentum effectively applies to a gradient that stays the same.

    With ``b_1 = g`` and ``b_t = beta b_{t-1} + g`` (PyTorch, no dampening),
    ``b_t = g (1 - beta^t) / (1 - beta)``, so step ``t`` (counted from 1) moves
    by ``eta_eff g`` with ``eta_eff = eta (1 - beta^t) / (1 - beta)``, which
    tends to ``eta / (1 - beta)``: ten times ``eta`` for ``beta = 0.9``.

    Parameters
    ----------
    lr : float or array
        ``eta >= 0``.
    beta : float or array
        Momentum, in ``[0, 1)``.
    t : int or array of int, optional
        The step, from 1. ``None`` gives the limit ``t -> infinity``.

    >>> momentum_effective_lr(0.1, beta=0.5)
    0.2
    >>> momentum_effective_lr(0.1, beta=0.5, t=[1, 2, 3])
    array([0.1  , 0.15 , 0.175])
    """
    lr = _rates(lr)
    beta = _momentum(beta)
    if t is None:
        return _result(lr / (1 - beta))
    return _result(lr * (1 - beta ** _steps_from_one(t)) / (1 - beta))


def adam_uncorrected_step(t, betas=(0.9, 0.999)):
    """The size of Adam's step ``t`` without bias correction, in units of ``eta``, for a steady gradient.

    With a constant gradient ``g`` Adam's moments are ``m_t = (1 - beta1^t) g``
    and ``v_t = (1 - beta2^t) g^2``. With the bias correction the step is
    ``eta`` per coordinate (up to ``eps``); without it, ``m_t / sqrt(v_t)``
    makes it ``eta (1 - beta1^t) / sqrt(1 - beta2^t)``. This returns that
    factor: about 3.16 at ``t = 1`` with the default betas, so leaving the
    correction out makes the first steps larger, not smaller.

    Parameters
    ----------
    t : int or array of int
        The step, from 1.
    betas : pair of floats, default (0.9, 0.999)
        Adam's ``(beta1, beta2)``, each in ``[0, 1)``.

    >>> round(adam_uncorrected_step(1), 4)
    3.1623
    """
    t = _steps_from_one(t)
    if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
        raise TypeError(f"betas must be a pair (beta1, beta2), each in [0, 1), got {betas!r}")
    beta1, beta2 = (_validate.number(b, f"betas[{i}]", low=0, high=1, high_open=True) for i, b in enumerate(betas))
    return _result((1 - beta1**t) / np.sqrt(1 - beta2**t))


def _momentum_factor(lr, beta, h, nesterov):
    if nesterov:
        trace, det = (1 + beta) * (1 - lr * h), beta * (1 - lr * h)
    else:
        trace = 1 + beta - lr * h
        det = beta * np.ones_like(trace)
    discriminant = trace * trace - 4 * det
    real_roots = (np.abs(trace) + np.sqrt(np.maximum(discriminant, 0.0))) / 2
    return np.where(discriminant >= 0, real_roots, np.sqrt(np.maximum(det, 0.0)))


def _momentum(beta):
    return _validate.array(beta, "beta", low=0, high=1, high_open=True)


def _steps_from_one(t):
    t = np.asarray(t)
    if not np.issubdtype(t.dtype, np.integer):
        raise TypeError(f"t must be an integer or integers, got {t!r}")
    if np.any(t < 1):
        raise ValueError(f"t must be integers >= 1 (steps count from 1), got {t!r}")
    return t.astype(float)
