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

With noisy gradients (SGD), :func:`noise_floor_quadratic`,
:func:`noisy_quadratic_loss` (a constant rate, closed form in ``t``) and
:func:`sgd_expected_loss` (any sequence of rates, exact recursion) give the
expected loss.

Every function takes numbers or arrays (one value per learning rate) and
broadcasts.

>>> stability_limit(4.0)
0.5
>>> contraction_factor([0.1, 0.25, 0.4, 0.6], L=4.0)
array([0.6, 0. , 0.6, 1.4])
>>> regime(0.4, L=4.0)
'oscillating, converging'
"""

import math
from typing import NamedTuple

import numpy as np

from lrcourse import _validate, reproducible

__all__ = [
    "Tuning",
    "adam_uncorrected_step",
    "contraction_factor",
    "descent_lemma_bound",
    "escape_steps",
    "loss_gap_quadratic",
    "momentum_contraction_factor",
    "momentum_effective_lr",
    "momentum_noise_floor",
    "momentum_stability_limit",
    "noise_floor_quadratic",
    "noisy_quadratic_loss",
    "optimal_heavy_ball",
    "optimal_lr",
    "regime",
    "sgd_expected_loss",
    "stability_limit",
    "steps_to_tolerance_quadratic",
]


def stability_limit(L):
    """The largest stable rate of gradient descent on curvature ``L``: ``2 / L``.

    Rates below it converge on ``f = L/2 w^2``; at ``2 / L`` the iterate flips
    sign with constant size; above it the distance grows geometrically. Near a
    minimum of any smooth loss, ``L`` is the largest Hessian eigenvalue there.

    >>> stability_limit(1.0)
    2.0
    """
    return _validate.scalar_or_array(2.0 / _positive(L, "L"))


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
    return _validate.scalar_or_array(factor)


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
        return _validate.scalar_or_array(1.0 / L)
    return _validate.scalar_or_array(2.0 / (_smallest(mu, L) + L))


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
    t = _validate.steps(t, "t")
    return _validate.scalar_or_array(reproducible.power(1 - lr * L, 2 * t) * gap0)


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
        return _validate.scalar_or_array(np.zeros_like(factor))
    steps = np.full(factor.shape, np.inf)
    steps[factor == 0] = 1.0
    shrinking = (factor > 0) & (factor < 1)
    steps[shrinking] = np.ceil(reproducible.log(tol / gap0) / (2 * reproducible.log(factor[shrinking])))
    return _validate.scalar_or_array(steps)


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


def escape_steps(lr, noise_std, barrier_height, curvature_min, curvature_barrier):
    r"""Kramers' mean number of SGD steps to escape a minimum over a barrier of height ``Delta E``.

    SGD with gradient noise, ``w_{t+1} = w_t - eta (f'(w_t) + sigma xi_t)``,
    is the Euler step (time step ``eta``) of the Langevin equation
    ``dw = -f'(w) dt + sqrt(2 Theta) dB`` at the temperature ``Theta = eta sigma^2 / 2``.
    Kramers' formula for a high barrier (``Delta E >> Theta``; Kramers 1940,
    Hänggi, Talkner & Borkovec 1990) gives the mean escape time
    ``2 pi / sqrt(f''(a) |f''(b)|) exp(Delta E / Theta)``, with ``a`` the
    minimum and ``b`` the barrier top; in steps of length ``eta``:

    .. math::

        \tau = \frac{2 \pi}{\eta \sqrt{f''(a)\, |f''(b)|}}
                \exp\!\left(\frac{2\, \Delta E}{\eta\, \sigma^2}\right).

    Escape is a Poisson process at rate ``1 / tau``, so the share of runs
    that have left after ``t`` steps is ``1 - exp(-t / tau)``. A smaller rate
    escapes *later*, exponentially so in ``1 / eta``, but not never. The
    formula is accurate when ``Delta E / Theta = 2 Delta E / (eta sigma^2)`` is
    at least about 3.

    Parameters
    ----------
    lr : float or array
        ``eta > 0``.
    noise_std : float
        ``sigma > 0``, the standard deviation of the gradient noise.
    barrier_height : float
        ``Delta E = f(b) - f(a) > 0``.
    curvature_min, curvature_barrier : float
        ``f''(a) > 0`` and ``|f''(b)| > 0`` (the sign of ``f''(b)`` is ignored).

    >>> round(float(escape_steps(0.05, 1.0, 0.1142578125, 1.5, 0.9375)))
    10234
    """
    lr = _positive(lr, "lr")
    sigma = _positive(noise_std, "noise_std")
    height = _positive(barrier_height, "barrier_height")
    at_min = _positive(curvature_min, "curvature_min")
    at_barrier = np.abs(_validate.number(curvature_barrier, "curvature_barrier"))
    at_barrier = _positive(at_barrier, "curvature_barrier")
    with np.errstate(over="ignore"):
        steps = 2 * np.pi / (lr * np.sqrt(at_min * at_barrier)) * np.exp(2 * height / (lr * sigma**2))
    return _validate.scalar_or_array(steps)


def noise_floor_quadratic(lr, L, noise_std, mu=None):
    r"""The loss level where SGD with a constant rate stops improving on a quadratic.

    With stochastic gradients ``g(w) + sigma xi_t`` (independent standard
    normal ``xi_t`` in every coordinate, as :class:`lrcourse.landscapes.Noisy`
    draws them), each principal component ``z`` of ``w - w*`` with curvature
    ``h`` follows ``z_{t+1} = (1 - eta h) z_t - eta sigma xi_t``.
    For ``0 < eta < 2 / h`` its variance settles where
    ``v = (1 - eta h)^2 v + eta^2 sigma^2``, so
    ``v = eta sigma^2 / (h (2 - eta h))``, and the expected loss gap
    ``h v / 2`` summed over the components is

    .. math::

        \mathbb{E}[f(w_t) - f^*] \to \sum_h
            \frac{\eta \sigma^2}{2 (2 - \eta h)}
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
    return _validate.scalar_or_array(np.where(stable, floor, np.inf))


def descent_lemma_bound(lr, L, grad_norm_sq):
    r"""The decrease of the loss that one gradient step is guaranteed, on any ``L``-smooth loss.

    A loss is ``L``-smooth when its gradient changes no faster than ``L``
    times the distance, ``||g(v) - g(w)|| <= L ||v - w||`` (for a twice
    differentiable loss: every curvature lies in ``[-L, L]``; the lemma uses
    only the upper bound). Then the loss
    lies below the parabola ``f(v) <= f(w) + g(w) . (v - w) + L/2 ||v - w||^2``,
    and at ``v = w - eta g(w)`` this is the *descent lemma* (Nesterov 2018,
    section 1.2; Bottou, Curtis & Nocedal 2018, section 4.1):

    .. math::

        f(w) - f(w - \eta \nabla f(w)) \;\ge\;
            \eta \left(1 - \frac{\eta L}{2}\right) \|\nabla f(w)\|^2 .

    The right-hand side, returned here, is positive exactly for
    ``0 < eta < 2 / L`` and largest at ``eta = 1 / L``, where it is
    ``||g||^2 / (2 L)``. Above ``2 / L`` it is negative: the lemma then only
    bounds how much the loss can *rise*. On ``f = L/2 w^2`` the bound is an
    equality, so neither number can be improved for the class of
    ``L``-smooth losses.

    Parameters
    ----------
    lr : float or array
        ``eta >= 0``.
    L : float or array
        The smoothness constant (the largest curvature anywhere), > 0.
    grad_norm_sq : float or array
        ``||grad f(w)||^2 >= 0``, the squared length of the gradient.

    Returns
    -------
    float or ndarray
        The guaranteed decrease ``eta (1 - eta L / 2) ||g||^2``, broadcast
        over the arguments.

    >>> descent_lemma_bound([0.5, 1.0, 2.0, 3.0], L=1.0, grad_norm_sq=4.0)
    array([ 1.5,  2. ,  0. , -6. ])
    """
    lr = _rates(lr)
    L = _positive(L, "L")
    grad_norm_sq = _validate.array(grad_norm_sq, "grad_norm_sq", low=0)
    return _validate.scalar_or_array(lr * (1 - lr * L / 2) * grad_norm_sq)


def _rates(lr):
    return _validate.array(lr, "lr", low=0)


def _positive(value, name):
    return _validate.array(value, name, low=0, low_open=True)


def _smallest(mu, L):
    mu = _positive(mu, "mu")
    if np.any(mu > L):
        raise ValueError(f"mu must be <= L, got mu={mu} and L={L}")
    return mu


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
    attained at ``mu`` or ``L``: for the heavy ball the factor is a
    non-decreasing function of ``|T|``, and ``T`` is linear in ``h``; for
    Nesterov, as ``1 - eta h`` increases, the factor falls to 0 (at
    ``eta h = 1``) and then rises again, though it is not a function of
    ``|1 - eta h|`` (with ``beta = 0.5``, ``1 - eta h = 0.5`` gives 0.5 and
    ``-0.5`` gives 1). When the
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
    nesterov = _validate.flag(nesterov, "nesterov")
    factor = _momentum_factor(lr, beta, L, nesterov)
    if mu is not None:
        factor = np.maximum(factor, _momentum_factor(lr, beta, _smallest(mu, L), nesterov))
    return _validate.scalar_or_array(factor)


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
    nesterov = _validate.flag(nesterov, "nesterov")
    limit = 2 * (1 + beta) / L
    return _validate.scalar_or_array(limit / (1 + 2 * beta) if nesterov else limit)


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
        return _validate.scalar_or_array(lr / (1 - beta))
    t = _validate.steps(t, "t", low=1).astype(float)
    return _validate.scalar_or_array(lr * (1 - beta**t) / (1 - beta))


def momentum_noise_floor(lr, beta, L, noise_std):
    r"""The loss level where SGD with momentum settles on a noisy 1-D quadratic.

    On ``f(w) = L/2 w^2`` with gradients ``L w + sigma xi_t`` (independent
    standard normal ``xi_t``, :class:`lrcourse.landscapes.Noisy`), the heavy
    ball (PyTorch's ``SGD(momentum=beta)``, no dampening) makes the error an
    autoregression of order two, ``z_t = (1 + beta - eta L) z_{t-1} - beta
    z_{t-2} - eta sigma xi_t``. Inside the stability limit ``eta < 2 (1 +
    beta) / L`` its variance settles at ``(1 + beta) eta sigma^2 / ((1 -
    beta) L (2 (1 + beta) - eta L))``, so the expected loss gap is

    .. math::

        \mathbb{E}[f(w_t) - f^*] \to
            \frac{(1 + \beta)\, \eta \sigma^2}{2 (1 - \beta) (2 (1 + \beta) - \eta L)}
            \approx \frac{\eta}{1 - \beta} \cdot \frac{\sigma^2}{4}
            \text{ for small } \eta L,

    plain SGD's floor (:func:`noise_floor_quadratic`) at the rate ``eta / (1
    - beta)``: for noise, momentum multiplies the rate by ``1 / (1 - beta)``.
    With ``beta = 0`` it is :func:`noise_floor_quadratic` exactly. At or
    above the limit there is no floor: ``inf``.

    Parameters
    ----------
    lr : float or array
        ``eta >= 0``.
    beta : float or array
        Momentum, in ``[0, 1)``.
    L : float
        The curvature, > 0.
    noise_std : float
        ``sigma >= 0``.

    >>> momentum_noise_floor([0.1, 0.01], beta=[0.0, 0.9], L=1.0, noise_std=1.0)
    array([0.02631579, 0.02506596])
    >>> momentum_noise_floor(3.8, beta=0.9, L=1.0, noise_std=1.0)
    inf
    """
    lr = _rates(lr)
    beta = _momentum(beta)
    L = _positive(L, "L")
    sigma = _validate.number(noise_std, "noise_std", low=0)
    room = 2 * (1 + beta) - lr * L
    with np.errstate(divide="ignore", invalid="ignore"):
        floor = (1 + beta) * lr * sigma**2 / (2 * (1 - beta) * np.where(room > 0, room, 1.0))
    return _validate.scalar_or_array(np.where(room > 0, floor, np.inf))


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
    t = _validate.steps(t, "t", low=1).astype(float)
    beta1, beta2 = _validate.pair(betas, "betas", low=0, high=1, high_open=True)
    return _validate.scalar_or_array((1 - beta1**t) / np.sqrt(1 - beta2**t))


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


def noisy_quadratic_loss(lr, L, noise_std, w0, t):
    """Expected loss ``E[f(w_t)]`` of SGD on ``f(w) = L/2 w^2`` with noisy gradients.

    Each step sees the gradient ``g_t = L w_t + xi_t`` with independent noise
    ``xi_t ~ N(0, sigma^2)``, so ``w_{t+1} = (1 - eta L) w_t - eta xi_t`` and,
    with ``q = (1 - eta L)^2``,

    .. math::

        E[w_t^2] = q^t w_0^2 + \\eta^2 \\sigma^2 \\, (1 + q + \\dots + q^{t-1}),
        \\qquad E[f(w_t)] = \\tfrac{L}{2} E[w_t^2].

    The first term is the start being forgotten (fast for a large ``eta``),
    the second the noise piling up (small for a small ``eta``): the trade-off
    behind "a lower learning rate is better" being true only for long budgets.

    Parameters
    ----------
    lr : float or array_like
        Learning rates ``eta >= 0``.
    L : float
        Curvature, ``> 0``.
    noise_std : float
        ``sigma >= 0``, the standard deviation of the gradient noise.
    w0 : float
        The start.
    t : int or array_like of int
        Steps taken, ``>= 0``; broadcasts against ``lr``.

    Returns
    -------
    float or ndarray
        ``inf`` where the expected loss overflows (``eta >= 2/L`` and large ``t``).

    Examples
    --------
    >>> round(noisy_quadratic_loss(0.5, L=1.0, noise_std=0.0, w0=2.0, t=3), 6)  # (L/2) (1-eta L)^(2t) w0^2
    0.03125
    >>> round(noisy_quadratic_loss(0.5, L=1.0, noise_std=1.0, w0=0.0, t=1), 6)  # (L/2) eta^2 sigma^2
    0.125
    """
    lr = _validate.array(lr, "lr", low=0)
    L = _validate.number(L, "L", low=0, low_open=True)
    noise_std = _validate.number(noise_std, "noise_std", low=0)
    w0 = _validate.number(w0, "w0")
    t = _validate.steps(t, "t")
    q = (1.0 - lr * L) ** 2
    one_minus_q = lr * L * (2.0 - lr * L)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        decay = reproducible.power(q, t)
        # 1 + q + ... + q^(t-1) = (1 - q^t) / (1 - q), with expm1 for accuracy
        # when q is close to 1, and = t exactly when q = 1 (eta = 0 or 2/L).
        forgotten = np.where(t == 0, 0.0, -np.asarray(reproducible.expm1(t * np.asarray(reproducible.log(q)))))
        pile = np.where(one_minus_q == 0, t, forgotten / np.where(one_minus_q == 0, 1.0, one_minus_q))
        second = decay * w0**2 + lr**2 * noise_std**2 * pile
    value = np.where(np.isfinite(second), 0.5 * L * second, np.inf)
    return _validate.scalar_or_array(value)


_RMS_LIMIT = 1e150
"""Above this root-mean-square distance from the minimum a run counts as diverged (its loss is ``inf``)."""


def sgd_expected_loss(lrs, L, noise_std, w0, mu=None):
    """Expected loss gap of SGD on a noisy quadratic, step by step, for any sequence of rates.

    The landscape is ``f(w) = L/2 w^2`` (1-D), or ``(mu w_1^2 + L w_2^2) / 2``
    when ``mu`` is given (:class:`lrcourse.landscapes.Quadratic2D` with
    ``angle=0``), and every gradient carries independent noise of standard
    deviation ``sigma = noise_std`` per coordinate
    (:class:`lrcourse.landscapes.Noisy`). Each coordinate ``z`` with curvature
    ``h`` then follows ``z_{t+1} = (1 - eta_t h) z_t - eta_t sigma
    xi_t``, so its second moment ``m_t = E[z_t^2]`` obeys exactly

    ``m_{t+1} = (1 - eta_t h)^2 m_t + eta_t^2 sigma^2``, ``m_0 = z_0^2``,

    and ``E[f(w_t) - f*] = sum over coordinates of h m_t / 2``. The first
    term is the *bias* (the start being forgotten, fast when ``eta_t`` is
    large), the second the *variance* the noise adds (small when ``eta_t`` is
    small): a schedule trades one for the other. With a constant rate ``m_t``
    settles at the noise floor (:func:`lrcourse.theory.noise_floor_quadratic`).

    Parameters
    ----------
    lrs : array of shape (..., T)
        The rates ``eta_0, ..., eta_{T-1}`` of ``T`` steps, e.g.
        ``schedule(np.arange(T))``; leading axes hold many sequences (many
        schedules or rates), all computed at once.
    L : float
        The curvature ``L > 0``.
    noise_std : float
        ``sigma >= 0``.
    w0 : float or pair of float
        The start minus the minimizer: one number in 1-D, ``(w_1, w_2)``
        (along the ``mu`` and ``L`` axes) when ``mu`` is given.
    mu : float, optional
        The second curvature, in ``(0, L]``.

    Returns
    -------
    ndarray of shape (..., T + 1)
        ``E[f(w_t) - f*]`` for ``t = 0, ..., T``; ``inf`` from the step where a
        run's root-mean-square distance from the minimum passes 1e150 (it
        diverged), computed without overflow.

    Examples
    --------
    Without noise this is the deterministic loss ``(1 - eta L)^(2t) f(w_0)``:

    >>> sgd_expected_loss([0.5, 0.5, 0.5], L=1.0, noise_std=0.0, w0=2.0)
    array([2.     , 0.5    , 0.125  , 0.03125])

    With noise, a constant rate stalls at ``eta sigma^2 / (2 (2 - eta L))``
    (here 0.5); halving the rate halfway lowers it to 1/6:

    >>> from lrcourse.schedules import step_decay
    >>> rates = step_decay(1.0, step_size=200, gamma=0.5)(np.arange(400))
    >>> loss = sgd_expected_loss(rates, L=1.0, noise_std=1.0, w0=0.0)
    >>> print(f"{loss[200]:.4f} {loss[400]:.4f}")
    0.5000 0.1667
    """
    rates = _validate.array(lrs, "lrs", low=0)
    if rates.ndim == 0 or rates.shape[-1] == 0:
        raise ValueError(f"lrs must be an array of shape (..., T) with T >= 1 steps, got shape {rates.shape}")
    L = _validate.number(L, "L", low=0, low_open=True)
    sigma = _validate.number(noise_std, "noise_std", low=0)
    if mu is None:
        curvatures = (L,)
        start = (_validate.number(w0, "w0"),)
    else:
        curvatures = (_validate.number(mu, "mu", low=0, high=L, low_open=True), L)
        start = _validate.pair(w0, "w0")
    largest = float(rates.max())
    if not math.isfinite(largest * L) or not math.isfinite(largest * sigma):
        raise ValueError(f"lrs * L and lrs * noise_std must be finite, got largest rate {largest!r}")
    batch = rates.shape[:-1]
    rms = [np.full(batch, abs(float(z0))) for z0 in start]
    losses = np.empty(batch + (rates.shape[-1] + 1,))
    losses[..., 0] = sum(lam / 2 * z**2 for lam, z in zip(curvatures, rms))
    for t in range(rates.shape[-1]):
        eta = rates[..., t]
        for k, lam in enumerate(curvatures):
            factor = np.abs(1 - eta * lam)
            alive = rms[k] <= _RMS_LIMIT / np.maximum(factor, 1.0)
            rms[k] = np.where(alive, np.hypot(factor * np.where(alive, rms[k], 0.0), eta * sigma), np.inf)
        losses[..., t + 1] = sum(lam / 2 * z**2 for lam, z in zip(curvatures, rms))
    return losses
