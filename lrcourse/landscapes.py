"""Loss landscapes: small functions with value, gradient and curvature.

Every landscape is an object with

``dim``
    1 or 2, the number of parameters ``w``.
``value(x)``, ``grad(x)``
    the loss ``f`` and its gradient ``g``, evaluated on a batch of points at
    once. A 1-D landscape works elementwise on an array of any shape; a 2-D
    landscape takes an array of shape ``(..., 2)`` and returns values of shape
    ``(...)`` and gradients of shape ``(..., 2)``.
``hessian(x)``, ``max_curvature(x)``
    the second derivative (1-D, same shape as ``x``) or the Hessian matrix
    (2-D, shape ``(..., 2, 2)``), and its largest eigenvalue ``L(x)``. Plain
    gradient descent is locally stable near a minimum only if
    ``eta < 2 / L(x)``.
``minimum``, ``min_value``
    the global minimizer and the loss there.
``default_start``
    a starting point that shows the landscape's character.

Entries of ``x`` that are NaN give NaN results (this is how
:func:`lrcourse.descent.run` carries runs that have diverged).

>>> q = Quadratic2D(mu=0.1, L=1.0)
>>> q
Quadratic2D(mu=0.1, L=1.0, angle=0.0)
>>> q.value([[1.0, 1.0], [0.0, 2.0]])
array([0.55, 2.  ])
>>> q.grad([1.0, 1.0])
array([0.1, 1. ])
"""

import numpy as np

from lrcourse import _validate
from lrcourse.reproducible import matmul

__all__ = [
    "Quadratic1D", "Quadratic2D", "Rosenbrock", "DoubleWell", "FlatDeepWell", "PseudoHuber", "LeastSquares", "Noisy",
]


def _points(x, dim):
    """Return ``x`` as a float array, checking the last axis of a 2-D batch."""
    raw = np.asarray(x)
    if raw.dtype.kind not in "fiu":  # strings, bools, objects: not converted silently
        raise TypeError(f"x must be an array of real numbers, got {x!r}")
    x = raw.astype(float, copy=False)
    if dim == 2 and (x.ndim == 0 or x.shape[-1] != 2):
        raise ValueError(f"x must have shape (..., 2) for a 2-D landscape, got shape {x.shape}")
    return x


def _largest_eigenvalue_2x2(a, b, c):
    """Largest eigenvalue of the symmetric matrix [[a, b], [b, c]], elementwise."""
    return (a + c) / 2 + np.hypot((a - c) / 2, b)


class Landscape:
    """Common base: input checks, ``max_curvature`` and the repr.

    Subclasses set ``dim``, ``minimum``, ``min_value`` and ``default_start``
    and implement ``_value``, ``_grad`` and ``_hessian`` on checked arrays.
    """

    dim = 1

    def value(self, x):
        """The loss ``f(x)``; shape ``x.shape`` (1-D) or ``x.shape[:-1]`` (2-D).

        A single point gives a Python float, a batch an ndarray.
        """
        return _validate.scalar_or_array(self._value(_points(x, self.dim)))

    def grad(self, x):
        """The gradient ``g = f'(x)``; same shape as ``x``."""
        return _validate.scalar_or_array(self._grad(_points(x, self.dim)))

    def hessian(self, x):
        """The second derivative (1-D) or the Hessian, shape ``(..., 2, 2)`` (2-D)."""
        return _validate.scalar_or_array(self._hessian(_points(x, self.dim)))

    def max_curvature(self, x):
        """The largest eigenvalue ``L(x)`` of the Hessian at ``x``.

        It sets the local stability limit of gradient descent, ``eta < 2 / L(x)``.
        """
        h = self.hessian(x)
        if self.dim == 1:
            return h
        return _validate.scalar_or_array(_largest_eigenvalue_2x2(h[..., 0, 0], h[..., 0, 1], h[..., 1, 1]))

    def _parameters(self):
        return {}

    def __repr__(self):
        args = ", ".join(f"{name}={value!r}" for name, value in self._parameters().items())
        return f"{type(self).__name__}({args})"


class Quadratic1D(Landscape):
    """The 1-D quadratic, the model of every smooth minimum.

    .. math::

        f(x) = \\frac{L}{2} (x - c)^2, \\quad g(x) = L (x - c), \\quad f''(x) = L

    Gradient descent multiplies the distance to the minimum by ``1 - eta L``
    at every step, so it converges exactly when ``0 < eta < 2 / L``.

    Parameters
    ----------
    L : float
        The curvature, > 0.
    center : float
        The minimizer ``c``.

    Examples
    --------
    >>> q = Quadratic1D(L=2.0)
    >>> q.value(3.0), q.grad(3.0)
    (9.0, 6.0)
    """

    dim = 1

    def __init__(self, L=1.0, center=0.0):
        self.L = _validate.number(L, "L", low=0, low_open=True)
        self.center = _validate.number(center, "center")
        self.minimum = self.center
        self.min_value = 0.0
        self.default_start = self.center + 1.0

    def _value(self, x):
        return 0.5 * self.L * (x - self.center) ** 2

    def _grad(self, x):
        return self.L * (x - self.center)

    def _hessian(self, x):
        return np.full_like(x, self.L)

    def _parameters(self):
        return {"L": self.L, "center": self.center}


class Quadratic2D(Landscape):
    """A 2-D quadratic bowl with curvatures ``mu <= L``, optionally rotated.

    With principal axes ``u_1 = (cos a, sin a)`` (curvature ``mu``) and
    ``u_2 = (-sin a, cos a)`` (curvature ``L``), where ``a`` is ``angle``:

    .. math::

        f(w) = \\tfrac12 \\left(\\mu (u_1 \\cdot w)^2 + L (u_2 \\cdot w)^2\\right),
        \\quad g(w) = H w, \\quad H = \\mu u_1 u_1^T + L u_2 u_2^T

    With ``angle=0`` this is ``f(w) = (mu w_1^2 + L w_2^2) / 2``. Gradient
    descent shrinks the component along ``u_i`` by ``1 - eta lambda_i`` per
    step; it converges iff ``eta < 2 / L``, and the slowest factor
    ``max(|1 - eta mu|, |1 - eta L|)`` sets the speed. The condition number
    ``kappa = L / mu`` measures how hard that trade-off is.

    Parameters
    ----------
    mu : float
        The smallest curvature, > 0.
    L : float
        The largest curvature, >= mu.
    angle : float
        Rotation of the principal axes, in radians.

    Examples
    --------
    >>> q = Quadratic2D(mu=0.5, L=2.0)
    >>> q.condition_number
    4.0
    >>> q.value([2.0, 1.0])
    2.0
    """

    dim = 2

    def __init__(self, mu=0.1, L=1.0, angle=0.0):
        self.mu = _validate.number(mu, "mu", low=0, low_open=True)
        self.L = _validate.number(L, "L", low=self.mu)
        self.angle = _validate.number(angle, "angle")
        cos, sin = np.cos(self.angle), np.sin(self.angle)
        self._axes = np.array([[cos, -sin], [sin, cos]])  # columns u_1, u_2
        self._curvatures = np.array([self.mu, self.L])
        self._H = matmul(self._axes * self._curvatures, self._axes.T)
        self.minimum = np.zeros(2)
        self.min_value = 0.0
        self.default_start = matmul(self._axes, np.array([1.0, 1.0]))

    @property
    def condition_number(self):
        """``kappa = L / mu``."""
        return self.L / self.mu

    def _value(self, x):
        z = matmul(x, self._axes)
        return 0.5 * (self.mu * z[..., 0] ** 2 + self.L * z[..., 1] ** 2)

    def _grad(self, x):
        return matmul(x, self._H)

    def _hessian(self, x):
        return np.broadcast_to(self._H, x.shape[:-1] + (2, 2)).copy()

    def max_curvature(self, x):
        """The largest curvature, ``L``, at every point of ``x``."""
        return _validate.scalar_or_array(np.full(_points(x, 2).shape[:-1], self.L))

    def _parameters(self):
        return {"mu": self.mu, "L": self.L, "angle": self.angle}


class Rosenbrock(Landscape):
    """Rosenbrock's banana-shaped valley (Rosenbrock 1960).

    .. math::

        f(w_1, w_2) = (a - w_1)^2 + b (w_2 - w_1^2)^2

        g = \\left(-2 (a - w_1) - 4 b w_1 (w_2 - w_1^2),\\; 2 b (w_2 - w_1^2)\\right)

        H = \\begin{pmatrix} 2 - 4 b w_2 + 12 b w_1^2 & -4 b w_1 \\\\ -4 b w_1 & 2 b \\end{pmatrix}

    with ``w = (w_1, w_2)``, the coordinates the figures label. The minimum
    is at ``(a, a^2)`` with value 0. The valley floor is curved
    and flat, its walls steep: with the defaults the largest curvature at the
    minimum is about 1002, so gradient descent needs ``eta < 0.002`` there.

    Parameters
    ----------
    a : float
        Position of the minimum along ``w_1``.
    b : float
        Steepness of the valley walls, > 0.

    Examples
    --------
    >>> r = Rosenbrock()
    >>> r.value([1.0, 1.0]), r.grad([0.0, 0.0])
    (0.0, array([-2.,  0.]))
    """

    dim = 2

    def __init__(self, a=1.0, b=100.0):
        self.a = _validate.number(a, "a")
        self.b = _validate.number(b, "b", low=0, low_open=True)
        self.minimum = np.array([self.a, self.a**2])
        self.min_value = 0.0
        self.default_start = np.array([-1.2, 1.0])

    def _value(self, x):
        u, v = x[..., 0], x[..., 1]
        return (self.a - u) ** 2 + self.b * (v - u**2) ** 2

    def _grad(self, x):
        u, v = x[..., 0], x[..., 1]
        gap = v - u**2
        return np.stack([-2 * (self.a - u) - 4 * self.b * u * gap, 2 * self.b * gap], axis=-1)

    def _hessian(self, x):
        u, v = x[..., 0], x[..., 1]
        h = np.empty(x.shape[:-1] + (2, 2))
        h[..., 0, 0] = 2 - 4 * self.b * v + 12 * self.b * u**2
        h[..., 0, 1] = h[..., 1, 0] = -4 * self.b * u
        h[..., 1, 1] = 2 * self.b
        return h

    def _parameters(self):
        return {"a": self.a, "b": self.b}


class DoubleWell(Landscape):
    """A tilted double well: a shallow minimum at -1, a deep one at +1.

    The polynomial is built from its derivative, so the stationary points sit
    exactly where we want them: minima at ``x = -1`` and ``x = +1`` and the
    barrier top at ``x = m`` (``barrier_at``, with ``-1 < m < 0``):

    .. math::

        g(x) = k (x^2 - 1)(x - m)

        f(x) = k \\left(\\frac{x^4}{4} - \\frac{m x^3}{3} - \\frac{x^2}{2} + m x
               + \\frac14 - \\frac{2m}{3}\\right)

        f''(x) = k (3 x^2 - 2 m x - 1)

    The constant makes the global minimum value 0. Then ``f(+1) = 0`` (the
    deep, global minimum), ``f(-1) = -4 k m / 3`` (the shallow one) and the
    barrier is ``f(m) = k (m^2/2 - m^4/12 + 1/4 - 2m/3)``. The curvatures at
    the minima are ``2 k (1 - m)`` at +1 and ``2 k (1 + m)`` at -1.

    Basins: under gradient flow (tiny steps) every start ``x < m`` ends in the
    shallow minimum and every start ``x > m`` in the deep one. With a finite
    learning rate a step can jump over the barrier, so the basin a run ends
    in also depends on ``eta``.

    Parameters
    ----------
    barrier_at : float
        Position ``m`` of the barrier top, in (-1, 0); closer to -1 makes the
        shallow well shallower and narrower.
    scale : float
        The factor ``k`` > 0; all curvatures scale with it.

    Examples
    --------
    With the defaults the minima have curvatures 2.5 and 1.5, so the
    interesting learning rates lie between about 0.01 and 1:

    >>> w = DoubleWell()
    >>> w.minima
    ((1.0, 0.0), (-1.0, 0.3333333333333333))
    >>> position, height = w.barrier
    >>> position, round(height, 4)
    (-0.25, 0.4476)
    >>> w.max_curvature([1.0, -1.0])
    array([2.5, 1.5])
    """

    dim = 1

    def __init__(self, barrier_at=-0.25, scale=1.0):
        self.barrier_at = _validate.number(barrier_at, "barrier_at", low=-1, high=0, low_open=True, high_open=True)
        self.scale = _validate.number(scale, "scale", low=0, low_open=True)
        self.minimum = 1.0
        self.min_value = 0.0
        self.default_start = -1.5

    @property
    def minima(self):
        """``((position, value) of the deep minimum, (position, value) of the shallow one))``."""
        return ((1.0, 0.0), (-1.0, -4 * self.scale * self.barrier_at / 3))

    @property
    def barrier(self):
        """``(position, value)`` of the local maximum between the two minima."""
        m = self.barrier_at
        return (m, self.scale * (m**2 / 2 - m**4 / 12 + 0.25 - 2 * m / 3))

    def which_minimum(self, x, tol=0.01):
        """Name the minimum each point sits at: where did a run end?

        Returns a string array of ``x``'s shape: ``"deep"`` where
        ``|x - 1| <= tol``, ``"shallow"`` where ``|x + 1| <= tol``,
        ``"diverged"`` where ``x`` is NaN (as :func:`lrcourse.descent.run`
        records a diverged run) and ``"neither"`` elsewhere (a run still on its
        way, or bouncing around a minimum it cannot settle in).

        >>> DoubleWell().which_minimum([1.001, -0.999, 0.3, float("nan")])
        array(['deep', 'shallow', 'neither', 'diverged'], dtype='<U8')
        """
        x = _points(x, 1)
        tol = _validate.number(tol, "tol", low=0)
        names = np.full(x.shape, "neither", dtype="<U8")
        names[np.abs(x - 1.0) <= tol] = "deep"
        names[np.abs(x + 1.0) <= tol] = "shallow"
        names[np.isnan(x)] = "diverged"
        return names

    def _value(self, x):
        m = self.barrier_at
        x2 = x * x  # products, not x**3 and x**4: numpy's power differs between CPUs
        return self.scale * (x2 * x2 / 4 - m * x2 * x / 3 - x2 / 2 + m * x + 0.25 - 2 * m / 3)

    def _grad(self, x):
        return self.scale * (x**2 - 1) * (x - self.barrier_at)

    def _hessian(self, x):
        return self.scale * (3 * x**2 - 2 * self.barrier_at * x - 1)

    def _parameters(self):
        return {"barrier_at": self.barrier_at, "scale": self.scale}


class FlatDeepWell(DoubleWell):
    """A double well whose deep minimum is the *flatter* one: depth and sharpness pulled apart.

    In :class:`DoubleWell` the deep minimum is always the sharper one (its
    curvatures are ``2k(1 - m)`` and ``2k(1 + m)`` with ``m < 0``), so an
    experiment on it cannot tell depth from sharpness. Here the gradient has
    an extra factor ``q(x) = (x - c)^2 + d^2 > 0`` that bends the well
    without adding stationary points:

    .. math::

        g(x) = k (x^2 - 1)(x - m) q(x), \\qquad f(x) = \\int_1^x g(u)\\, du,

        f''(\\pm 1) = 2 k (1 \\mp m)\\, q(\\pm 1)

    so the minima are still at ``+1`` (deep, ``f = 0``) and ``-1`` (shallow)
    and the barrier top at ``m``. The scale ``k`` is set by the deep
    minimum's curvature, ``k = deep_curvature / (2 (1 - m) q(1))``. With the
    defaults the curvatures are those of :class:`DoubleWell` swapped, 1.5 at
    the deep minimum and 2.5 at the shallow one, and the barrier is about as
    high above the shallow minimum (0.124 against 0.114).

    Same interface as :class:`DoubleWell` (``minima``, ``barrier``,
    ``which_minimum``); the polynomial is evaluated by Horner's rule.

    Parameters
    ----------
    barrier_at : float
        Position ``m`` of the barrier top, in (-1, 0).
    bend_at, bend_width : float
        The centre ``c`` and half-width ``d > 0`` of ``q``; ``c > 0`` makes
        ``q`` larger at ``-1`` than at ``+1``, so the shallow minimum sharper.
    deep_curvature : float
        ``f''(+1) > 0``.

    Raises
    ------
    ValueError
        If these parameters make ``+1`` not the deeper minimum.

    Examples
    --------
    >>> w = FlatDeepWell()
    >>> w.max_curvature([1.0, -1.0]).round(12)
    array([1.5, 2.5])
    >>> (deep, deep_value), (shallow, shallow_value) = w.minima
    >>> deep, deep_value, shallow, round(shallow_value, 4)
    (1.0, 0.0, -1.0, 0.3322)
    """

    def __init__(self, barrier_at=-0.35, bend_at=2.0, bend_width=1.5, deep_curvature=1.5):
        self.barrier_at = _validate.number(barrier_at, "barrier_at", low=-1, high=0, low_open=True, high_open=True)
        self.bend_at = _validate.number(bend_at, "bend_at")
        self.bend_width = _validate.number(bend_width, "bend_width", low=0, low_open=True)
        self.deep_curvature = _validate.number(deep_curvature, "deep_curvature", low=0, low_open=True)
        m, c, d = self.barrier_at, self.bend_at, self.bend_width
        self.scale = self.deep_curvature / (2 * (1 - m) * ((1 - c) ** 2 + d * d))
        p, r = -2 * c, c * c + d * d  # q(x) = x^2 + p x + r
        # g / k = (x^3 - m x^2 - x + m)(x^2 + p x + r), coefficients from x^0 up
        self._g = [m * r, m * p - r, m - p - m * r, r - m * p - 1, p - m, 1.0]
        self._f = [0.0] + [a / (n + 1) for n, a in enumerate(self._g)]
        self._f[0] = -self._horner(self._f, 1.0)
        self._h = [n * a for n, a in enumerate(self._g)][1:]
        self.minimum = 1.0
        self.min_value = 0.0
        self.default_start = -1.5
        if not self._value(np.array(-1.0)) > 0:
            raise ValueError(
                f"barrier_at, bend_at and bend_width must make +1 the deeper minimum, got f(-1) = "
                f"{float(self._value(np.array(-1.0))):.4g} <= f(+1) = 0 for barrier_at={m}, bend_at={c}, bend_width={d}"
            )

    @staticmethod
    def _horner(coefficients, x):
        result = coefficients[-1] * np.ones_like(x)
        for a in reversed(coefficients[:-1]):
            result = result * x + a
        return result

    @property
    def minima(self):
        """``((position, value) of the deep minimum, (position, value) of the shallow one))``."""
        return ((1.0, 0.0), (-1.0, float(self._value(np.array(-1.0)))))

    @property
    def barrier(self):
        """``(position, value)`` of the local maximum between the two minima."""
        return (self.barrier_at, float(self._value(np.array(self.barrier_at))))

    def _value(self, x):
        return self.scale * self._horner(self._f, x)

    def _grad(self, x):
        return self.scale * self._horner(self._g, x)

    def _hessian(self, x):
        return self.scale * self._horner(self._h, x)

    def _parameters(self):
        return {"barrier_at": self.barrier_at, "bend_at": self.bend_at, "bend_width": self.bend_width,
                "deep_curvature": self.deep_curvature}


class PseudoHuber(Landscape):
    """A smooth loss that is not a quadratic: every curvature is at most ``L``, the largest at the minimum.

    The pseudo-Huber (Charbonnier) loss of robust regression, with width ``s``:

    .. math::

        f(x) = L s^2 \\left(\\sqrt{1 + (x - c)^2 / s^2} - 1\\right), \\quad
        g(x) = \\frac{L (x - c)}{\\sqrt{1 + (x - c)^2 / s^2}}, \\quad
        f''(x) = \\frac{L}{(1 + (x - c)^2 / s^2)^{3/2}}

    Near the minimum ``c`` it is the quadratic ``L/2 (x - c)^2``; far from it,
    a straight line of slope ``L s``. Its curvature is largest at ``c``, where
    it equals ``L``, so the loss is ``L``-smooth: the descent lemma
    (:func:`lrcourse.theory.descent_lemma_bound`) holds with this ``L``
    everywhere, yet away from ``c`` the true curvature is smaller and a step
    decreases the loss by more than the lemma promises. Computed with
    ``+ - * / sqrt`` only (``sqrt(1 + u^2) - 1`` as ``u^2 / (sqrt(1 + u^2) + 1)``),
    so the values are the same on every machine.

    Parameters
    ----------
    L : float
        The curvature at the minimum, > 0: the smoothness constant.
    width : float
        ``s`` > 0, where the quadratic turns into the line.
    center : float
        The minimizer ``c``.

    Examples
    --------
    >>> h = PseudoHuber(L=2.0)
    >>> h.value(0.0), h.grad(0.0), h.hessian(0.0)
    (0.0, 0.0, 2.0)
    >>> round(h.hessian(1.0), 6), round(h.grad(100.0), 4)
    (0.707107, 1.9999)
    """

    dim = 1

    def __init__(self, L=1.0, width=1.0, center=0.0):
        self.L = _validate.number(L, "L", low=0, low_open=True)
        self.width = _validate.number(width, "width", low=0, low_open=True)
        self.center = _validate.number(center, "center")
        self.minimum = self.center
        self.min_value = 0.0
        self.default_start = self.center + 3.0 * self.width

    def _root(self, x):
        u = (x - self.center) / self.width
        return u, np.sqrt(1 + u * u)

    def _value(self, x):
        u, root = self._root(x)
        return self.L * self.width**2 * (u * u / (root + 1))

    def _grad(self, x):
        u, root = self._root(x)
        return self.L * self.width * u / root

    def _hessian(self, x):
        _, root = self._root(x)
        return self.L / (root * root * root)

    def _parameters(self):
        return {"L": self.L, "width": self.width, "center": self.center}


class LeastSquares(Landscape):
    """Linear least squares with two features: the mean squared error of a linear model, halved.

    For ``n`` examples with features ``X`` (shape ``(n, 2)``) and targets
    ``y`` (shape ``(n,)``):

    .. math::

        f(w) = \\frac{1}{2n} \\|X w - y\\|^2
             = f^* + \\tfrac12 (w - w^*)^T H (w - w^*), \\quad
        g(w) = H (w - w^*), \\quad H = \\frac{X^T X}{n},

    with ``w* = H^{-1} X^T y / n``. The Hessian is the features' second
    moment matrix, so the scale of the features sets the curvatures:
    multiplying feature ``i`` by ``s_i`` multiplies ``H_ij`` by ``s_i s_j``,
    the curvature ``H_ii`` along its weight by ``s_i^2``, and so changes the
    condition number (LeCun et al. 1998). Dividing each centred feature by
    its standard deviation makes the diagonal of ``H`` all ones. The loss is
    evaluated in the form with ``w*``, so the gap ``f(w) - f*`` keeps its
    precision near the minimum; every product is :func:`lrcourse.reproducible.matmul`.

    Parameters
    ----------
    features : array of shape (n, 2)
        ``X``; its two columns must not be proportional (``H`` must be
        positive definite).
    targets : array of shape (n,)
        ``y``.

    Examples
    --------
    >>> ls = LeastSquares([[1.0, 0.0], [0.0, 10.0]], [1.0, 10.0])
    >>> ls.hessian([0.0, 0.0])
    array([[ 0.5,  0. ],
           [ 0. , 50. ]])
    >>> ls.minimum, ls.min_value, ls.condition_number
    (array([1., 1.]), 0.0, 100.0)
    """

    dim = 2

    def __init__(self, features, targets):
        X = _validate.array(features, "features")
        y = _validate.array(targets, "targets")
        if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] < 2:
            raise ValueError(f"features must have shape (n, 2) with n >= 2, got shape {X.shape}")
        if y.shape != (X.shape[0],):
            raise ValueError(f"targets must have shape ({X.shape[0]},), one per row of features, got shape {y.shape}")
        n = X.shape[0]
        self.features, self.targets = X, y
        self._H = matmul(X.T, X) / n
        a, b, c = self._H[0, 0], self._H[0, 1], self._H[1, 1]
        det = a * c - b * b
        if not det > 1e-12 * (a * c):
            raise ValueError(
                f"features must have two columns that are not proportional (X^T X / n positive definite), "
                f"got X^T X / n = {self._H.tolist()}"
            )
        moment = matmul(X.T, y) / n
        self.minimum = np.array([c * moment[0] - b * moment[1], a * moment[1] - b * moment[0]]) / det
        residual = matmul(X, self.minimum) - y
        self.min_value = float(matmul(residual, residual) / (2 * n))
        half_gap = np.sqrt((a - c) ** 2 / 4 + b * b)
        self.curvatures = ((a + c) / 2 - half_gap, (a + c) / 2 + half_gap)
        self.default_start = np.zeros(2)

    @property
    def condition_number(self):
        """``kappa = L / mu``, the ratio of the Hessian's eigenvalues."""
        mu, L = self.curvatures
        return float(L / mu)

    def _value(self, x):
        d = x - self.minimum
        return self.min_value + 0.5 * (self._H[0, 0] * d[..., 0] ** 2 + 2 * self._H[0, 1] * d[..., 0] * d[..., 1]
                                       + self._H[1, 1] * d[..., 1] ** 2)

    def _grad(self, x):
        return matmul(x - self.minimum, self._H)

    def _hessian(self, x):
        return np.broadcast_to(self._H, x.shape[:-1] + (2, 2)).copy()

    def max_curvature(self, x):
        """The largest curvature ``L`` (the same everywhere) at every point of ``x``."""
        return _validate.scalar_or_array(np.full(_points(x, 2).shape[:-1], self.curvatures[1]))

    def _parameters(self):
        return {"n": self.features.shape[0]}


class Noisy(Landscape):
    """A landscape with stochastic gradients, for experiments with SGD.

    ``value`` is the wrapped landscape's loss; ``grad`` returns the true
    gradient plus Gaussian noise,

    .. math::

        \\tilde g(x) = g(x) + \\sigma \\xi, \\quad \\xi \\sim N(0, I),

    an unbiased estimate of ``g`` with standard deviation ``sigma`` (``noise_std``)
    in every coordinate, like a minibatch gradient.

    How the noise is drawn: each call draws one independent sample for every
    entry of the gradient array from the generator ``rng`` it is given, so
    in a batch of points (for example one point per learning rate in
    :func:`lrcourse.descent.run`) every run gets its own independent noise.
    The landscape keeps no generator of its own: the caller's ``rng``
    (``np.random.default_rng(seed)``) makes a run reproducible, and two runs
    given fresh generators of the same seed see the same noise.

    Parameters
    ----------
    landscape : Landscape
        The noiseless landscape.
    noise_std : float
        Standard deviation ``sigma`` >= 0 of the noise per coordinate.

    Examples
    --------
    >>> noisy = Noisy(Quadratic1D(), noise_std=0.5)
    >>> noisy
    Noisy(Quadratic1D(L=1.0, center=0.0), noise_std=0.5)
    >>> first = noisy.grad([1.0, 1.0], np.random.default_rng(0))
    >>> bool(first[0] != first[1])
    True
    >>> bool(np.array_equal(noisy.grad([1.0, 1.0], np.random.default_rng(0)), first))
    True
    """

    def __init__(self, landscape, noise_std):
        if isinstance(landscape, Noisy) or not all(hasattr(landscape, a) for a in ("dim", "value", "grad")):
            raise TypeError(f"landscape must be a noiseless landscape with dim, value and grad, got {landscape!r}")
        self.landscape = landscape
        self.noise_std = _validate.number(noise_std, "noise_std", low=0)
        self.dim = landscape.dim
        self.minimum = getattr(landscape, "minimum", None)
        self.min_value = getattr(landscape, "min_value", None)
        self.default_start = getattr(landscape, "default_start", None)

    def value(self, x):
        """The wrapped landscape's loss ``f(x)`` (no noise)."""
        return self.landscape.value(x)

    def grad(self, x, rng=None):
        """A noisy gradient ``g(x) + sigma xi``, with ``xi`` drawn from ``rng`` (a numpy Generator)."""
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"rng must be a numpy Generator (np.random.default_rng(seed)) for a noisy gradient, got {rng!r}"
            )
        g = self.landscape.grad(x)
        return _validate.scalar_or_array(g + self.noise_std * rng.standard_normal(np.shape(g)))

    def hessian(self, x):
        """The wrapped landscape's Hessian."""
        return self.landscape.hessian(x)

    def max_curvature(self, x):
        """The wrapped landscape's largest curvature ``L(x)``."""
        return self.landscape.max_curvature(x)

    def __repr__(self):
        return f"Noisy({self.landscape!r}, noise_std={self.noise_std!r})"
