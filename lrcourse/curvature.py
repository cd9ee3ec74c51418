"""The sharpness of a loss: its top Hessian eigenvalue, from exact gradients alone.

Gradient descent on a quadratic is stable only for ``eta < 2 / L``, with
``L`` the largest curvature, the top eigenvalue of the Hessian ``H``. On a
network the Hessian changes along the run, and its top eigenvalue (the
*sharpness*) is what sets the largest stable rate at each moment: Cohen et
al. (2021) saw it rise until it reaches ``2 / eta`` (the edge of stability),
and Gilmer et al. (2022) and Kalra & Barkeshli (2024) use it to explain why
warm-up lets a larger rate survive.

The Hessian of a network with thousands of parameters is never formed here.
:func:`hessian_vector_product` computes ``H v`` by a central difference of
two exact gradients,

``H v ~ (g(w + h v) - g(w - h v)) / (2 h)``,

whose error is ``O(h^2)`` (the third derivative) plus rounding of order
``1e-16 |g| / h``; and :func:`top_eigenvalue` runs power iteration on it:
``v <- H v / |H v|`` converges to the eigenvector of the eigenvalue of
largest magnitude, at the rate ``|lambda_2 / lambda_1|`` per iteration, and
the Rayleigh quotient ``v . H v`` estimates that eigenvalue.

Parameters may be an ndarray or a dict of arrays, for one run or for ``R``
stacked runs (run axis first, as everywhere in the package); each run gets
its own vector and its own estimate, all in the same gradient calls.

>>> A = np.diag([3.0, 1.0, 0.5])
>>> round(top_eigenvalue(lambda w: A @ w, np.zeros(3)).value, 8)
3.0
"""

from dataclasses import dataclass

import numpy as np

from . import _validate

__all__ = ["hessian_vector_product", "top_eigenvalue", "Sharpness", "model_gradient"]


@dataclass(frozen=True)
class Sharpness:
    """What :func:`top_eigenvalue` found.

    Attributes
    ----------
    value : float or ndarray of shape (R,)
        The Rayleigh quotient ``v . H v`` at the last iteration: the
        eigenvalue of largest magnitude (signed).
    vector : ndarray or dict
        The last unit vector ``v``, shaped like the parameters.
    change : float or ndarray of shape (R,)
        ``|value - previous value| / |value|`` at the last iteration: small
        when the iteration has converged.
    iterations : int
    """

    value: object
    vector: object
    change: object
    iterations: int


def model_gradient(model, X, y):
    """The exact gradient ``w -> grad f(w)`` of a model's training objective on the set ``(X, y)``.

    ``f`` is the mean cross-entropy plus the L2 penalty
    (:meth:`lrcourse.models.MLP.loss_and_grads`), evaluated in chunks of the
    set; the returned function takes one run's or stacked parameters.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)

    def grad(params):
        return model._evaluate(params, X, y, with_grads=True)[3]

    return grad


def hessian_vector_product(grad, params, vector, step=1e-4):
    """``H v`` by a central difference of exact gradients: ``(g(w + h v) - g(w - h v)) / (2 h)``.

    Parameters
    ----------
    grad : callable
        ``grad(params) -> gradient``, shaped like ``params``.
    params : ndarray or dict of str -> ndarray
        The point ``w``.
    vector : ndarray or dict
        The direction ``v``, shaped like ``params``.
    step : float, default 1e-4
        ``h > 0``. With ``|v| = 1`` the error is ``O(h^2)`` from the third
        derivative and about ``1e-16 |g| / h`` from rounding.

    Returns
    -------
    ndarray or dict, shaped like ``params``

    Examples
    --------
    >>> A = np.array([[2.0, 1.0], [1.0, 3.0]])
    >>> hessian_vector_product(lambda w: A @ w + w**3, np.zeros(2), np.array([1.0, 0.0])).round(6)
    array([2., 1.])
    """
    step = _validate.number(step, "step", low=0, low_open=True)
    plus = grad(_axpy(params, step, vector))
    minus = grad(_axpy(params, -step, vector))
    return _map2(lambda a, b: (a - b) / (2.0 * step), plus, minus)


def top_eigenvalue(grad, params, iterations=30, step=1e-4, seed=0, stacked=False, largest=False):
    """The Hessian's eigenvalue of largest magnitude, or its largest one (the sharpness), by power iteration.

    ``v_0`` is a seeded random unit vector; then ``u = H v_k`` (by
    :func:`hessian_vector_product`), ``lambda_k = v_k . u`` and ``v_{k+1} =
    u / |u|``. The error of ``lambda_k`` shrinks like ``(lambda_2 /
    lambda_1)^(2k)``, so well-separated top eigenvalues need few
    iterations; ``Sharpness.change`` tells how settled the estimate is. Each
    iteration costs two gradient evaluations.

    Parameters
    ----------
    grad : callable
        ``grad(params) -> gradient``; e.g. :func:`model_gradient`.
    params : ndarray or dict of str -> ndarray
        The point ``w``: one run, or ``R`` stacked runs with ``stacked=True``.
    iterations : int, default 30
        ``>= 1``.
    step : float, default 1e-4
        The finite-difference step ``h``.
    seed : int, default 0
        Seeds ``v_0``.
    stacked : bool, default False
        The leading axis of every array is a run axis: each run gets its own
        ``v`` and estimate (the gradient of stacked runs must be the runs'
        gradients side by side, as the models' are).
    largest : bool, default False
        Return the largest (most positive) eigenvalue instead of the one of
        largest magnitude. Where power iteration finds a negative ``lambda``
        (a network at initialization often has one), it runs again on the
        shifted ``H - lambda I``, whose eigenvalue of largest magnitude is
        ``lambda_max - lambda >= 0``; that costs ``iterations`` more.

    Returns
    -------
    Sharpness

    Examples
    --------
    Two stacked runs of a quadratic with curvatures 4 and 1, scaled by 1 and 2:

    >>> grad = lambda w: w * np.array([[4.0, 1.0], [8.0, 2.0]])
    >>> top_eigenvalue(grad, np.zeros((2, 2)), stacked=True).value.round(6)
    array([4., 8.])
    """
    iterations = _validate.integer(iterations, "iterations", low=1)
    seed = _validate.integer(seed, "seed", low=0)
    stacked = _validate.flag(stacked, "stacked")
    largest = _validate.flag(largest, "largest")
    found = _power_iteration(grad, params, iterations, step, seed, stacked, 0.0)
    if not largest or not np.any(np.asarray(found.value) < 0):
        return found
    shift = np.minimum(found.value, 0.0)
    shifted = _power_iteration(grad, params, iterations, step, seed, stacked, shift)
    keep = np.asarray(found.value) >= 0
    value = np.where(keep, found.value, shifted.value + shift)
    change = np.where(keep, found.change, shifted.change)
    if not stacked:
        return Sharpness(float(value), shifted.vector, float(change), 2 * iterations)
    return Sharpness(value, shifted.vector, change, 2 * iterations)


def _power_iteration(grad, params, iterations, step, seed, stacked, shift):
    """Power iteration on ``H - shift I`` (``shift`` a float, or one per run); its value is of that matrix."""
    arrays = params.values() if isinstance(params, dict) else [params]
    n_runs = next(iter(arrays)).shape[0] if stacked else None
    rng = np.random.default_rng(seed)
    vector = _map1(lambda a: rng.standard_normal(np.shape(a)), params)
    vector = _scaled(vector, 1.0 / _norm(vector, n_runs), n_runs)
    value = previous = None
    for _ in range(iterations):
        product = hessian_vector_product(grad, params, vector, step)
        if np.any(shift != 0):
            product = _map2(lambda p, v: p - _along_runs(shift, v, n_runs) * v, product, vector)
        previous, value = value, _dot(vector, product, n_runs)
        norm = _norm(product, n_runs)
        safe = np.where(norm > 0, norm, 1.0)
        vector = _scaled(product, 1.0 / safe, n_runs)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.inf if previous is None else np.abs(value - previous) / np.abs(value)
    if n_runs is None:
        value, change = float(value), float(change)
    return Sharpness(value=value, vector=vector, change=change, iterations=iterations)


def _along_runs(value, like, n_runs):
    return value if n_runs is None else np.reshape(value, (-1,) + (1,) * (like.ndim - 1))


def _map1(f, a):
    return {key: f(value) for key, value in a.items()} if isinstance(a, dict) else f(a)


def _map2(f, a, b):
    return {key: f(a[key], b[key]) for key in a} if isinstance(a, dict) else f(a, b)


def _axpy(params, scale, vector):
    return _map2(lambda w, v: np.asarray(w, dtype=float) + scale * v, params, vector)


def _per_run(values, n_runs):
    """Sum of squares or products over everything but the run axis."""
    arrays = values.values() if isinstance(values, dict) else [values]
    if n_runs is None:
        return sum(float(a.sum()) for a in arrays)
    return sum(a.reshape(n_runs, -1).sum(axis=1) for a in arrays)


def _norm(vector, n_runs):
    return np.sqrt(_per_run(_map1(lambda v: v * v, vector), n_runs))


def _dot(a, b, n_runs):
    return _per_run(_map2(lambda x, y: x * y, a, b), n_runs)


def _scaled(vector, scale, n_runs):
    if n_runs is None:
        return _map1(lambda v: v * scale, vector)
    return _map1(lambda v: v * np.reshape(scale, (-1,) + (1,) * (v.ndim - 1)), vector)
