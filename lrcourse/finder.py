"""The learning-rate range test: one short run with an exponentially growing rate.

Smith (2017) proposed the *LR range test*: one run of a few epochs in which
the rate grows linearly from a small to a large value, reading off from the
accuracy where training starts to improve and where it degrades. fastai's
``lr_find`` (Howard and Gugger, 2020) popularized the shorter variant this
module implements: start with a tiny rate, multiply it by a constant factor
at every step, record the loss, and read off the rates where the loss falls
fastest and where it blows up. This module follows fastai's rules, stated
here exactly, with one deviation in the sweep.

The sweep. Step ``t = 0, 1, ..., num_steps - 1`` uses the rate

    eta_t = start_lr * (end_lr / start_lr) ** (t / (num_steps - 1)),

so the first step uses ``start_lr`` and the last ``end_lr``, evenly spaced
on a log scale. (fastai uses ``t / num_steps`` and so never quite reaches
``end_lr``; the difference is one grid step.)

The loss. ``step_fn(eta_t)`` takes one optimizer step with rate ``eta_t``
and returns the loss ``f_t`` it computed on the way, at the parameters
``w_t`` *before* the update (for minibatch training: the minibatch loss, the
number a training loop has for free). So ``f_t`` reflects the rates
``eta_0, ..., eta_{t-1}``: the curve lags the rate by one step.

Smoothing. Minibatch losses are noisy, so the test smooths them with an
exponential moving average with bias correction (as fastai's ``Recorder``
does, ``beta = 0.98`` by default):

    a_t = beta * a_{t-1} + (1 - beta) * f_t,   a_{-1} = 0,
    s_t = a_t / (1 - beta ** (t + 1)).

Without the correction the average would start near 0 and creep up; with
it ``s_0 = f_0`` and every ``s_t`` is a weighted mean of ``f_0..f_t`` with
weights proportional to ``beta ** (t - k)``. ``beta = 0`` turns smoothing off.

Stopping. After recording step ``t`` the test updates the best smoothed loss
``b_t = min(s_0, ..., s_t)`` and stops when ``s_t > diverge_factor * b_t``
(fastai stops at 4 times the best, the default here) or when ``f_t`` is not
finite. The rule reads "the loss has blown up to several times the best it
reached", so it needs losses ``>= 0`` (cross-entropy, squared error, the
book's landscapes); a negative loss is an error.

Suggestions. :meth:`RangeTest.suggestion` reads a rate off the smoothed
curve by one of three rules (fastai's ``steep``, ``minimum`` and ``valley``),
after dropping the first ``num_steps // 10`` and the last 5 recorded points
as ``lr_find`` does; :func:`suggest` applies a rule to any curve.

On ``f(w) = w^2 / 2`` (so ``L = 1`` and the stability limit is ``2 / L =
2``) with noisy gradients, the test stops a little past that limit:

>>> from lrcourse import landscapes
>>> noisy = landscapes.Noisy(landscapes.Quadratic1D(L=1.0), noise_std=1.0)
>>> test = range_test_landscape(noisy, x0=1.0, start_lr=1e-4, end_lr=100.0, rng=np.random.default_rng(0))
>>> print(test.describe())
stopped at step 74 (eta = 3.05): the smoothed loss 1.67 exceeded 4 x its best 0.254
>>> print(f"{test.suggestion('steepest'):.3g}, {test.suggestion('min/10'):.3g}")
0.0811, 0.1
"""

import math
import numbers
from dataclasses import dataclass

import numpy as np

from . import _validate, engine, optim, reproducible
from .descent import landscape_objective

__all__ = [
    "RULES",
    "RangeTest",
    "exponential_rates",
    "smooth",
    "suggest",
    "range_test",
    "range_test_landscape",
    "range_test_network",
]

#: The suggestion rules, in the order :meth:`RangeTest.suggestions` reports them.
RULES = ("steepest", "min/10", "valley")

def exponential_rates(start_lr, end_lr, num_steps):
    """The rates of the sweep: ``eta_t = start_lr * (end_lr / start_lr) ** (t / (num_steps - 1))``.

    Parameters
    ----------
    start_lr : float
        The first rate ``eta_0``, > 0.
    end_lr : float
        The last rate ``eta_{num_steps - 1}``, > ``start_lr``.
    num_steps : int
        Number of steps, >= 2.

    Returns
    -------
    ndarray of shape (num_steps,)
        Evenly spaced on a log scale: each rate is ``(end_lr / start_lr) **
        (1 / (num_steps - 1))`` times the one before.

    >>> exponential_rates(1e-3, 1.0, 4)
    array([0.001, 0.01 , 0.1  , 1.   ])
    """
    start_lr, end_lr, num_steps = _check_sweep(start_lr, end_lr, num_steps)
    t = np.arange(num_steps)
    rates = start_lr * reproducible.power(end_lr / start_lr, t / (num_steps - 1))
    rates[-1] = end_lr  # exact, whatever the rounding of the power
    return rates


def smooth(losses, beta=0.98):
    """Bias-corrected exponential moving average of a loss curve.

    ``a_t = beta a_{t-1} + (1 - beta) f_t`` from ``a_{-1} = 0``, and
    ``s_t = a_t / (1 - beta^(t+1))``: a weighted mean of ``f_0..f_t`` with
    weights proportional to ``beta^(t-k)``. Non-finite losses propagate
    (``inf`` stays ``inf``, NaN stays NaN) without numpy warnings.

    Parameters
    ----------
    losses : sequence of float
        The raw losses ``f_0, f_1, ...`` (a 1-D sequence; inf and NaN allowed).
    beta : float, default 0.98
        The smoothing factor, in ``[0, 1)``; 0 returns the losses unchanged.

    Returns
    -------
    ndarray, same length as ``losses``

    >>> smooth([3.0, 1.0, 2.0], beta=0.5).round(4)
    array([3.    , 1.6667, 1.8571])
    """
    beta = _check_beta(beta)
    values = np.asarray(losses, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"losses must be a 1-D sequence, got shape {values.shape}")
    smoother = _Smoother(beta)
    return np.array([smoother.add(float(f)) for f in values])


class _Smoother:
    """The running bias-corrected average, one loss at a time (plain floats: no numpy warnings)."""

    def __init__(self, beta):
        self.beta = beta
        self.average = 0.0
        self.count = 0

    def add(self, loss):
        self.count += 1
        if not math.isfinite(loss):
            self.average = loss if math.isnan(loss) or math.isnan(self.average) else math.inf
        else:
            self.average = self.beta * self.average + (1.0 - self.beta) * loss
        return self.average / (1.0 - self.beta**self.count)


def suggest(lrs, losses, rule="steepest"):
    """A learning rate read off a loss-vs-rate curve by a named rule.

    The rules, as in fastai's ``lr_find`` (``steep``, ``minimum``, ``valley``):

    ``"steepest"``
        The rate where the loss falls fastest against ``log eta``: with the
        slopes ``d_k = (f_{k+1} - f_k) / (log eta_{k+1} - log eta_k)`` between
        neighbouring points, the rate ``eta_k`` at the left end of the most
        negative slope (the first one on ties).
    ``"min/10"``
        The rate of the lowest loss (the first one on ties), divided by 10:
        one decade below the point where the loss stops improving.
    ``"valley"``
        The longest valley: let ``n_i`` be the length of the longest strictly
        decreasing subsequence of ``f_0..f_i`` ending at ``f_i``; ``e`` the
        first index with the largest ``n_e``, ``s = e - n_e`` and ``m = e -
        s``. The suggestion is ``eta_k`` at ``k = s + floor(m / 3) +
        floor(m / 6)``, about the middle of the valley. (fastai's index
        arithmetic; when the valley starts at the first point ``k`` can come
        out as -1, where fastai would wrap around to the last rate; here it
        is 0.)

    Parameters
    ----------
    lrs : sequence of float
        The rates, > 0, increasing.
    losses : sequence of float
        The loss at each rate (finite), same length, at least 2 points.
    rule : {"steepest", "min/10", "valley"}

    Returns
    -------
    float

    >>> lrs = [0.01, 0.1, 1.0, 10.0]
    >>> suggest(lrs, [2.0, 1.5, 0.5, 3.0], "steepest"), suggest(lrs, [2.0, 1.5, 0.5, 3.0], "min/10")
    (0.1, 0.1)
    """
    rule = _validate.choice(rule, "rule", RULES)
    lrs = _validate.array(lrs, "lrs", low=0, low_open=True)
    losses = _validate.array(losses, "losses")
    if lrs.ndim != 1 or lrs.shape != losses.shape:
        raise ValueError(f"lrs and losses must be 1-D of the same length, got shapes {lrs.shape} and {losses.shape}")
    if len(lrs) < 2:
        raise ValueError(f"losses must hold at least 2 points to suggest a rate, got {len(lrs)}")
    if np.any(np.diff(lrs) <= 0):
        raise ValueError("lrs must be strictly increasing")
    if rule == "steepest":
        slopes = np.diff(losses) / np.diff(reproducible.log(lrs))
        return float(lrs[np.argmin(slopes)])
    if rule == "min/10":
        return float(lrs[np.argmin(losses)] / 10)
    return float(lrs[_valley_index(losses)])


def _valley_index(losses):
    """The index of fastai's ``valley`` rule (see :func:`suggest`)."""
    n = len(losses)
    lengths = np.ones(n, dtype=int)
    end = 0
    for i in range(1, n):
        higher_before = losses[:i] > losses[i]
        if higher_before.any():
            lengths[i] = lengths[:i][higher_before].max() + 1
        if lengths[i] > lengths[end]:
            end = i
    start = end - lengths[end] if end > 0 else 0
    span = end - start
    return max(start + span // 3 + int(span / 3 / 2), 0)


@dataclass(frozen=True, repr=False)
class RangeTest:
    """The record of one learning-rate range test (see the module docstring for the rules).

    Attributes
    ----------
    lrs : ndarray
        The rates used, ``eta_0, eta_1, ...`` (one per recorded step).
    losses : ndarray
        The raw loss ``f_t`` returned by each step (at ``w_t``, before the update).
    smoothed : ndarray
        The bias-corrected moving average ``s_t`` of the losses.
    stopped_at : int or None
        The step at which the test stopped because the loss blew up, or None
        if it ran all ``num_steps`` steps.
    reason : str
        Why it stopped, in words (empty if it did not stop early).
    start_lr, end_lr : float
    num_steps : int
        The planned sweep (``len(lrs) < num_steps`` when the test stopped early).
    beta, diverge_factor : float
        The smoothing factor and the stopping threshold used.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    stopped_at: object
    reason: str
    start_lr: float
    end_lr: float
    num_steps: int
    beta: float
    diverge_factor: float

    @property
    def steps(self):
        """Number of recorded steps."""
        return len(self.losses)

    @property
    def best_loss(self):
        """The lowest smoothed loss of the test."""
        finite = self.smoothed[np.isfinite(self.smoothed)]
        return float(finite.min()) if len(finite) else math.nan

    def curve(self, skip_start=None, skip_end=5):
        """The rates and smoothed losses the suggestions use.

        The first ``skip_start`` (default ``num_steps // 10``, as in fastai) and
        the last ``skip_end`` recorded points are dropped: the first are
        averages of a few noisy losses, the last the start of the blow-up.
        The curve also ends before its first non-finite value.

        Returns
        -------
        lrs, smoothed : ndarray
        """
        skip_start = self.num_steps // 10 if skip_start is None else _validate.integer(skip_start, "skip_start", low=0)
        skip_end = _validate.integer(skip_end, "skip_end", low=0)
        lrs = self.lrs[skip_start : self.steps - skip_end]
        smoothed = self.smoothed[skip_start : self.steps - skip_end]
        finite = np.isfinite(smoothed)
        keep = len(smoothed) if finite.all() else int(np.argmin(finite))
        return lrs[:keep], smoothed[:keep]

    def suggestion(self, rule="steepest", skip_start=None, skip_end=5):
        """The rate suggested by ``rule`` (see :func:`suggest`) on the smoothed curve.

        Parameters
        ----------
        rule : {"steepest", "min/10", "valley"}
        skip_start, skip_end : int
            Points dropped at both ends first, see :meth:`curve`.

        Returns
        -------
        float
        """
        rule = _validate.choice(rule, "rule", RULES)
        lrs, smoothed = self.curve(skip_start, skip_end)
        if len(lrs) < 2:
            raise ValueError(
                f"only {len(lrs)} usable points remain after skipping {self.num_steps // 10 if skip_start is None else skip_start} "
                f"at the start and {skip_end} at the end of {self.steps} recorded steps; start from a smaller "
                "start_lr, use more num_steps, or pass smaller skip_start / skip_end"
            )
        return suggest(lrs, smoothed, rule)

    def suggestions(self, skip_start=None, skip_end=5):
        """Every rule's suggestion: a dict rule -> rate."""
        return {rule: self.suggestion(rule, skip_start, skip_end) for rule in RULES}

    def describe(self):
        """One line: how far the sweep went and why it stopped.

        >>> print(range_test(lambda lr: 2.0 - lr, 0.1, 1.0, num_steps=3).describe())
        ran all 3 steps from eta = 0.1 to 1; lowest smoothed loss 1.52 at eta = 1
        """
        if self.stopped_at is not None:
            return f"stopped at step {self.stopped_at} (eta = {self.lrs[self.stopped_at]:.3g}): {self.reason}"
        best = int(np.argmin(self.smoothed))
        return (
            f"ran all {self.num_steps} steps from eta = {self.start_lr:.3g} to {self.end_lr:.3g}; "
            f"lowest smoothed loss {self.smoothed[best]:.3g} at eta = {self.lrs[best]:.3g}"
        )

    def __repr__(self):
        stop = "None" if self.stopped_at is None else f"{self.stopped_at} (eta = {self.lrs[self.stopped_at]:.3g})"
        return (
            f"RangeTest(start_lr={self.start_lr:g}, end_lr={self.end_lr:g}, num_steps={self.num_steps}, "
            f"beta={self.beta:g}, diverge_factor={self.diverge_factor:g}, steps={self.steps}, "
            f"best_loss={self.best_loss:.4g}, stopped_at={stop})"
        )


def range_test(step_fn, start_lr=1e-7, end_lr=10.0, num_steps=100, *, beta=0.98, diverge_factor=4.0):
    """Run the learning-rate range test with any training step.

    Parameters
    ----------
    step_fn : callable
        ``step_fn(eta) -> loss``: takes one optimizer step with learning rate
        ``eta`` and returns the loss ``f_t`` at the parameters before the
        step (a real number >= 0; inf or NaN means the run blew up). It keeps
        its own parameters and state between calls (a closure).
    start_lr, end_lr : float, default 1e-7 and 10 (fastai's defaults)
        The first and last rates, ``0 < start_lr < end_lr``.
    num_steps : int, default 100
        Planned steps, >= 2; the rates are :func:`exponential_rates`.
    beta : float, default 0.98
        Smoothing factor of :func:`smooth`, in ``[0, 1)``.
    diverge_factor : float, default 4.0
        Stop once the smoothed loss exceeds this multiple of its best, > 1.

    Returns
    -------
    RangeTest

    >>> losses = iter([4.0, 2.0, 1.0, 9.0, 50.0])
    >>> test = range_test(lambda lr: next(losses), 0.01, 100.0, num_steps=5, beta=0.0)
    >>> print(test.describe())
    stopped at step 3 (eta = 10): the smoothed loss 9 exceeded 4 x its best 1
    """
    if not callable(step_fn):
        raise TypeError(f"step_fn must be a callable lr -> loss, got {step_fn!r}")
    rates = exponential_rates(start_lr, end_lr, num_steps)
    return _record((_checked_loss(step_fn(float(lr)), t) for t, lr in enumerate(rates)), rates, beta, diverge_factor)


def _checked_loss(loss, t):
    if isinstance(loss, bool) or not isinstance(loss, numbers.Real | np.ndarray) or np.size(loss) != 1:
        raise TypeError(f"step_fn must return one real number (the loss), got {loss!r} at step {t}")
    loss = float(np.asarray(loss).reshape(()))
    if loss < 0:
        raise ValueError(
            f"step_fn returned a negative loss {loss!r} at step {t}; the stopping rule compares the loss "
            "with a multiple of its best, so it needs losses >= 0 (shift the loss by a lower bound)"
        )
    return loss


def _record(losses_in_order, rates, beta, diverge_factor):
    """Smooth the losses one at a time and stop by the rule of the module docstring; a RangeTest.

    ``losses_in_order`` may be a lazy iterator: nothing past the stopping step is read.
    """
    beta = _check_beta(beta)
    diverge_factor = _validate.number(diverge_factor, "diverge_factor", low=1, low_open=True)
    smoother = _Smoother(beta)
    losses, smoothed = [], []
    best = math.inf
    stopped_at, reason = None, ""
    for t, loss in enumerate(losses_in_order):
        losses.append(loss)
        smoothed.append(smoother.add(loss))
        best = min(best, smoothed[-1])
        if not math.isfinite(loss):
            stopped_at, reason = t, f"the loss became {loss}"
        elif smoothed[-1] > diverge_factor * best:
            stopped_at = t
            reason = f"the smoothed loss {smoothed[-1]:.3g} exceeded {diverge_factor:g} x its best {best:.3g}"
        if stopped_at is not None:
            break
    return RangeTest(
        lrs=rates[: len(losses)],
        losses=np.array(losses),
        smoothed=np.array(smoothed),
        stopped_at=stopped_at,
        reason=reason,
        start_lr=float(rates[0]),
        end_lr=float(rates[-1]),
        num_steps=len(rates),
        beta=beta,
        diverge_factor=diverge_factor,
    )


def _range_test_runs(objective, params, optimizer, rates, beta, diverge_factor):
    """The range test as one run of :func:`lrcourse.engine.run_steps` with the exponential rates as schedule.

    The loop stops the run where a parameter leaves ``FAR_AWAY`` (a loss of
    ``inf`` there, never evaluated) or the loss is not finite; the stopping
    rule then reads the losses in order.
    """
    _check_beta(beta)
    _validate.number(diverge_factor, "diverge_factor", low=1, low_open=True)
    runs = engine.run_steps(objective, params, optimizer, rates[:, np.newaxis], len(rates))
    losses = runs.losses[: len(rates), 0]
    if runs.diverged_at[0] >= 0:
        losses = losses[: runs.diverged_at[0] + 1]
        if runs.far[0]:
            losses[-1] = math.inf
    return _record((float(loss) for loss in losses), rates, beta, diverge_factor)


def range_test_landscape(
    landscape,
    x0=None,
    start_lr=1e-7,
    end_lr=10.0,
    num_steps=100,
    optimizer=None,
    *,
    beta=0.98,
    diverge_factor=4.0,
    rng=None,
):
    """The range test on a landscape of :mod:`lrcourse.landscapes`.

    One run of the package's loop (:func:`lrcourse.engine.run_steps`) with
    the exponential rates as its schedule: step ``t`` records ``f(w_t)`` and
    moves ``w_{t+1}`` by the optimizer's update with ``eta_t``. A position
    that is not finite or beyond ``1e12`` in some coordinate counts as a
    loss of ``inf`` (the test stops there, before anything can overflow).

    Parameters
    ----------
    landscape : a landscape (``value``, ``grad``, ``default_start``)
    x0 : float or array, optional
        The start ``w_0`` (one point); default ``landscape.default_start``.
    start_lr, end_lr, num_steps, beta, diverge_factor
        As in :func:`range_test`.
    optimizer : lrcourse.optim optimizer, optional
        Default plain gradient descent (``optim.SGD()``). Used through its
        pure ``init``/``update``: the instance is left untouched.
    rng : numpy.random.Generator, optional
        For stochastic landscapes (:class:`lrcourse.landscapes.Noisy`).

    Returns
    -------
    RangeTest
    """
    if not (callable(getattr(landscape, "value", None)) and callable(getattr(landscape, "grad", None))):
        raise TypeError(f"landscape must have value(x) and grad(x), got {landscape!r}")
    w = _validate.array(landscape.default_start if x0 is None else x0, "x0")
    if w.ndim > 1 or (w.ndim == 1 and w.shape != (landscape.dim,)) or (w.ndim == 0 and landscape.dim != 1):
        raise ValueError(f"x0 must be one point of dimension {landscape.dim}, got shape {w.shape}")
    if not np.all(np.abs(w) <= engine.FAR_AWAY):
        raise ValueError(f"x0 must have every coordinate at most {engine.FAR_AWAY:g} in size, got {w!r}")
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)) or None, got {rng!r}")
    # One run on the run axis; a 1-D landscape gets the point shape (1,): every landscape then returns arrays.
    w = w.reshape(1, landscape.dim)
    opt = optim.SGD() if optimizer is None else _check_optimizer(optimizer)
    rates = exponential_rates(start_lr, end_lr, num_steps)
    objective = landscape_objective(landscape, one_run=True, rng=rng)
    return _range_test_runs(objective, w, opt, rates, beta, diverge_factor)


def range_test_network(
    model,
    data,
    optimizer,
    start_lr=1e-7,
    end_lr=10.0,
    num_steps=100,
    batch_size=32,
    seed=0,
    *,
    beta=0.98,
    diverge_factor=4.0,
):
    """The range test on a network of :mod:`lrcourse.nets`, trained on minibatches.

    It is :func:`lrcourse.nets.train` with the exponential rates as the
    schedule, stopped by the range test's rule: the same initialization
    ``model.init_params(seed)``, the same seeded minibatch order (epochs of
    shuffled batches of ``batch_size``, as many as ``num_steps`` needs), and
    step ``t`` records the minibatch objective at ``w_t`` before the update,
    exactly ``History.step_loss[t]`` of that training run. Parameters that
    are not finite or exceed ``1e12`` in magnitude count as a loss of ``inf``.

    Parameters
    ----------
    model : lrcourse.nets.SoftmaxRegression or lrcourse.nets.MLP
    data : lrcourse.data.Digits
        Anything with ``X_train`` and ``y_train``.
    optimizer : lrcourse.optim optimizer
        Used through its pure ``init``/``update`` with the sweep's rates;
        the instance is left untouched.
    start_lr, end_lr, num_steps, beta, diverge_factor
        As in :func:`range_test`.
    batch_size : int, default 32
    seed : int, default 0
        Seeds the initialization and the minibatch order, as in ``train``.

    Returns
    -------
    RangeTest
    """
    from .training import minibatch_objective

    seed = _validate.integer(seed, "seed", low=0)
    params = model.init_params([seed])
    objective = minibatch_objective(model, getattr(data, "X_train", None), getattr(data, "y_train", None), batch_size, [seed])
    rates = exponential_rates(start_lr, end_lr, num_steps)
    return _range_test_runs(objective, params, _check_optimizer(optimizer), rates, beta, diverge_factor)


def _check_optimizer(optimizer):
    if not isinstance(optimizer, optim.Optimizer):
        raise TypeError(f"optimizer must be an lrcourse.optim optimizer, got {optimizer!r}")
    return optimizer


def _check_sweep(start_lr, end_lr, num_steps):
    start_lr = _validate.number(start_lr, "start_lr", low=0, low_open=True)
    end_lr = _validate.number(end_lr, "end_lr", low=start_lr, low_open=True)
    num_steps = _validate.integer(num_steps, "num_steps", low=2)
    return start_lr, end_lr, num_steps


def _check_beta(beta):
    return _validate.number(beta, "beta", low=0, high=1, high_open=True)
