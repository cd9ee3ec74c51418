"""Learning-rate schedules as pure functions of the step ``t``.

A schedule answers one question: *which learning rate ``eta`` do we use at
step ``t``?* Here ``t`` is the number of optimizer steps already taken,
counting from 0, so ``schedule(0)`` is the rate of the very first update.

Every factory in this module returns a :class:`Schedule`: a small callable
object with no state. Calling it with an ``int`` gives a Python ``float``;
calling it with an integer ndarray gives a float ndarray of the same shape,
computed in closed form (no loop over ``t``)::

    sched = cosine(0.1, total_steps=100)
    sched(0)                    # 0.1
    sched(np.arange(100))       # the whole curve at once

The factories follow PyTorch's ``torch.optim.lr_scheduler`` (same formulas,
same parameter meaning; PyTorch's names are given in each docstring), so a
schedule studied here carries over to a PyTorch training loop. Where a
PyTorch scheduler keeps changing after its horizon, ours holds its last value
instead; each docstring says so.

Schedules compose: :func:`warmup` puts a linear warm-up in front of any
schedule, :func:`join` runs several schedules one after the other, each with
its own clock restarted at its boundary (as ``SequentialLR`` does).

:class:`ReduceOnPlateau` is the one schedule with state: it watches a metric
(a validation loss, say) and cuts ``eta`` when the metric stops improving.

:func:`lrcourse.theory.sgd_expected_loss` says exactly what a schedule does
to SGD on a noisy quadratic: the expected loss at every step.
"""

import math
import numbers
from types import MappingProxyType

import numpy as np

from lrcourse import _validate, reproducible

__all__ = [
    "ReduceOnPlateau",
    "Schedule",
    "constant",
    "cosine",
    "cosine_restarts",
    "cyclic",
    "exponential",
    "inverse_sqrt",
    "join",
    "linear",
    "multistep",
    "one_cycle",
    "polynomial",
    "step_decay",
    "warmup",
    "wsd",
]


class Schedule:
    """A learning-rate schedule: a pure function ``t -> eta`` of the step.

    Build schedules with the factories of this module (:func:`cosine`,
    :func:`step_decay`, ...) rather than directly.

    Parameters
    ----------
    name : str
        The factory that made the schedule (used by the repr).
    params : dict
        The factory's arguments, by name (read them back from ``params``).
    rate : callable
        ``rate(t)`` maps a 1-D int64 array of valid steps to a float array
        of learning rates.

    Examples
    --------
    >>> sched = step_decay(0.1, step_size=10, gamma=0.5)
    >>> sched
    step_decay(lr=0.1, step_size=10, gamma=0.5)
    >>> sched(10)
    0.05
    >>> sched(np.array([0, 9, 10, 25]))
    array([0.1  , 0.1  , 0.05 , 0.025])
    >>> sched.params["step_size"]
    10
    """

    def __init__(self, name, params, rate):
        self.name = name
        self.params = MappingProxyType(dict(params))
        self._rate = rate

    def __call__(self, step):
        """Return the learning rate at ``step`` (an int or an integer array)."""
        t = _validate.steps(step, "step")
        lrs = np.asarray(self._rate(t.ravel()), dtype=float)
        if isinstance(step, numbers.Integral):
            return float(lrs[0])
        return lrs.reshape(t.shape)

    def __repr__(self):
        args = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"{self.name}({args})"


def _as_schedule(schedule, name):
    """Return ``schedule`` as a callable; a plain number becomes :func:`constant`."""
    if isinstance(schedule, numbers.Real) and not isinstance(schedule, bool):
        return constant(schedule)
    if not callable(schedule):
        raise TypeError(f"{name} must be a schedule (a callable of the step) or a number, got {schedule!r}")
    return schedule


def _increasing_steps(values, name, allow_empty=False):
    """Check ``values`` is a sequence of strictly increasing positive ints (non-empty unless allowed)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a sequence of strictly increasing integers >= 1, got {values!r}")
    values = tuple(values)
    for value in values:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be a sequence of strictly increasing integers >= 1, got {values!r}")
    values = tuple(int(v) for v in values)
    increasing = all(b > a for a, b in zip(values, values[1:]))
    if (not values and not allow_empty) or (values and values[0] < 1) or not increasing:
        raise ValueError(f"{name} must be a non-empty sequence of strictly increasing integers >= 1, got {values!r}")
    return values


def constant(lr):
    """A constant learning rate: ``eta_t = lr`` for every step ``t``.

    Parameters
    ----------
    lr : float
        The learning rate ``eta``, finite and ``>= 0``.

    Examples
    --------
    >>> constant(0.1)(1000)
    0.1
    """
    lr = _validate.number(lr, "lr", low=0)
    return Schedule("constant", {"lr": lr}, lambda t: np.full(t.shape, lr))


def step_decay(lr, step_size, gamma=0.1):
    """Multiply the rate by ``gamma`` every ``step_size`` steps.

    ``eta_t = lr * gamma ** floor(t / step_size)``

    PyTorch: ``StepLR(optimizer, step_size, gamma)`` with the optimizer's
    ``lr`` as ``lr``.

    Parameters
    ----------
    lr : float
        The starting rate ``eta_0``, ``>= 0``.
    step_size : int
        Steps between two decays, ``>= 1``.
    gamma : float, default 0.1
        Factor applied at each decay, in ``(0, 1]``.

    Examples
    --------
    >>> sched = step_decay(1.0, step_size=3, gamma=0.5)
    >>> [sched(t) for t in range(7)]
    [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    """
    lr = _validate.number(lr, "lr", low=0)
    step_size = _validate.integer(step_size, "step_size", low=1)
    gamma = _validate.number(gamma, "gamma", low=0, high=1, low_open=True)
    return Schedule(
        "step_decay",
        {"lr": lr, "step_size": step_size, "gamma": gamma},
        lambda t: lr * reproducible.power(gamma, t // step_size),
    )


def multistep(lr, milestones, gamma=0.1):
    """Multiply the rate by ``gamma`` at each of the given steps.

    ``eta_t = lr * gamma ** k(t)`` where ``k(t)`` is the number of milestones
    ``<= t``.

    PyTorch: ``MultiStepLR(optimizer, milestones, gamma)``.

    Parameters
    ----------
    lr : float
        The starting rate ``eta_0``, ``>= 0``.
    milestones : sequence of int
        Steps at which the rate drops, strictly increasing, each ``>= 1``.
    gamma : float, default 0.1
        Factor applied at each milestone, in ``(0, 1]``.

    Examples
    --------
    >>> sched = multistep(1.0, milestones=[2, 5], gamma=0.5)
    >>> [sched(t) for t in range(7)]
    [1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25]
    """
    lr = _validate.number(lr, "lr", low=0)
    milestones = _increasing_steps(milestones, "milestones")
    gamma = _validate.number(gamma, "gamma", low=0, high=1, low_open=True)
    marks = np.array(milestones, dtype=np.int64)
    return Schedule(
        "multistep",
        {"lr": lr, "milestones": milestones, "gamma": gamma},
        lambda t: lr * reproducible.power(gamma, np.searchsorted(marks, t, side="right")),
    )


def exponential(lr, gamma):
    """Multiply the rate by ``gamma`` at every step.

    ``eta_t = lr * gamma ** t``

    PyTorch: ``ExponentialLR(optimizer, gamma)``.

    Parameters
    ----------
    lr : float
        The starting rate ``eta_0``, ``>= 0``.
    gamma : float
        Factor applied at each step, in ``(0, 1]``.

    Examples
    --------
    >>> exponential(1.0, gamma=0.5)(np.arange(4))
    array([1.   , 0.5  , 0.25 , 0.125])
    """
    lr = _validate.number(lr, "lr", low=0)
    gamma = _validate.number(gamma, "gamma", low=0, high=1, low_open=True)
    return Schedule("exponential", {"lr": lr, "gamma": gamma}, lambda t: lr * reproducible.power(gamma, t))


def linear(lr, start_factor=1 / 3, end_factor=1.0, total_steps=5):
    """Move the rate in a straight line from ``start_factor * lr`` to ``end_factor * lr``.

    ``eta_t = lr * (s + (e - s) * min(t, T) / T)`` with ``s = start_factor``,
    ``e = end_factor``, ``T = total_steps``; from ``t = T`` on the rate holds
    at ``e * lr``.

    PyTorch: ``LinearLR(optimizer, start_factor, end_factor, total_iters)``
    (its closed form). PyTorch needs ``start_factor > 0`` because it updates
    the rate by ratios; the closed form here also allows 0.

    Parameters
    ----------
    lr : float
        The base rate, ``>= 0``.
    start_factor, end_factor : float
        Multipliers of ``lr`` at ``t = 0`` and from ``t = T`` on, in ``[0, 1]``.
    total_steps : int
        Length ``T`` of the ramp, ``>= 1``.

    Examples
    --------
    >>> sched = linear(1.0, start_factor=0.5, end_factor=0.0, total_steps=4)
    >>> [sched(t) for t in range(6)]
    [0.5, 0.375, 0.25, 0.125, 0.0, 0.0]
    """
    lr = _validate.number(lr, "lr", low=0)
    start_factor = _validate.number(start_factor, "start_factor", low=0, high=1)
    end_factor = _validate.number(end_factor, "end_factor", low=0, high=1)
    total_steps = _validate.integer(total_steps, "total_steps", low=1)

    def rate(t):
        return lr * (start_factor + (end_factor - start_factor) * np.minimum(t, total_steps) / total_steps)

    params = {"lr": lr, "start_factor": start_factor, "end_factor": end_factor, "total_steps": total_steps}
    return Schedule("linear", params, rate)


def polynomial(lr, total_steps=5, power=1.0):
    """Decay the rate to 0 along a polynomial over ``total_steps`` steps.

    ``eta_t = lr * (1 - min(t, T) / T) ** power`` with ``T = total_steps``;
    the rate is 0 from ``t = T`` on.

    PyTorch: ``PolynomialLR(optimizer, total_iters, power)``.

    Parameters
    ----------
    lr : float
        The starting rate ``eta_0``, ``>= 0``.
    total_steps : int
        Steps ``T`` until the rate reaches 0, ``>= 1``.
    power : float
        Exponent, ``> 0``: 1 is a straight line, 2 drops fast then flattens.

    Examples
    --------
    >>> sched = polynomial(1.0, total_steps=4, power=2.0)
    >>> [sched(t) for t in range(6)]
    [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]
    """
    lr = _validate.number(lr, "lr", low=0)
    total_steps = _validate.integer(total_steps, "total_steps", low=1)
    power = _validate.number(power, "power", low=0, low_open=True)
    return Schedule(
        "polynomial",
        {"lr": lr, "total_steps": total_steps, "power": power},
        lambda t: lr * reproducible.power(1.0 - np.minimum(t, total_steps) / total_steps, power),
    )


def _cosine_rate(lr, min_lr, t_cur, period):
    """Half a cosine from ``lr`` (at ``t_cur = 0``) down to ``min_lr`` (at ``t_cur = period``)."""
    return min_lr + (lr - min_lr) * (1 + np.cos(math.pi * t_cur / period)) / 2


def cosine(lr, total_steps, min_lr=0.0):
    """Anneal the rate from ``lr`` to ``min_lr`` along half a cosine.

    ``eta_t = min_lr + (lr - min_lr) * (1 + cos(pi * t / T)) / 2`` for
    ``t <= T = total_steps``, and ``eta_t = min_lr`` from then on.

    PyTorch: ``CosineAnnealingLR(optimizer, T_max=total_steps,
    eta_min=min_lr)``. Up to ``T_max`` PyTorch follows this formula (it
    computes it recursively, so it agrees to rounding). Past ``T_max``
    PyTorch's recursion keeps going: the rate climbs back to ``lr`` at
    ``2 T_max`` and oscillates with period ``2 T_max``. This schedule holds
    ``min_lr`` instead; for restarts use :func:`cosine_restarts`.

    Parameters
    ----------
    lr : float
        The starting rate ``eta_max``, ``>= 0``.
    total_steps : int
        Length ``T`` of the annealing, ``>= 1``.
    min_lr : float, default 0.0
        The final rate ``eta_min``, in ``[0, lr]``.

    Examples
    --------
    >>> sched = cosine(1.0, total_steps=4)
    >>> sched(np.arange(6)).round(4)
    array([1.    , 0.8536, 0.5   , 0.1464, 0.    , 0.    ])
    """
    lr = _validate.number(lr, "lr", low=0)
    total_steps = _validate.integer(total_steps, "total_steps", low=1)
    min_lr = _validate.number(min_lr, "min_lr", low=0, high=lr)
    return Schedule(
        "cosine",
        {"lr": lr, "total_steps": total_steps, "min_lr": min_lr},
        lambda t: _cosine_rate(lr, min_lr, np.minimum(t, total_steps), total_steps),
    )


def cosine_restarts(lr, first_period, period_mult=1, min_lr=0.0):
    """Cosine annealing with warm restarts (SGDR).

    The steps are cut into periods of lengths ``T_0, T_0 m, T_0 m^2, ...``
    (``T_0 = first_period``, ``m = period_mult``). Within a period of length
    ``T_i``, after ``T_cur`` of its steps,

    ``eta_t = min_lr + (lr - min_lr) * (1 + cos(pi * T_cur / T_i)) / 2``

    so each period starts again at ``lr`` and falls towards ``min_lr``. In
    closed form: with ``m = 1``, ``T_cur = t mod T_0``; with ``m > 1``, period
    ``n`` starts at ``S_n = T_0 (m^n - 1) / (m - 1)``, ``n`` is the largest
    integer with ``S_n <= t`` and ``T_cur = t - S_n``, ``T_i = T_0 m^n``.

    PyTorch: ``CosineAnnealingWarmRestarts(optimizer, T_0=first_period,
    T_mult=period_mult, eta_min=min_lr)`` stepped once per step. The period
    index is found here with exact integer arithmetic (PyTorch's
    ``step(epoch)`` uses a floating-point logarithm for it).

    Parameters
    ----------
    lr : float
        The rate ``eta_max`` at the start of every period, ``>= 0``.
    first_period : int
        Length ``T_0`` of the first period, ``>= 1``.
    period_mult : int, default 1
        Growth factor ``m`` of the period length after each restart, ``>= 1``.
    min_lr : float, default 0.0
        The floor ``eta_min``, in ``[0, lr]``.

    Examples
    --------
    >>> sched = cosine_restarts(1.0, first_period=2, period_mult=2)
    >>> sched(np.arange(8)).round(4)
    array([1.    , 0.5   , 1.    , 0.8536, 0.5   , 0.1464, 1.    , 0.9619])
    """
    lr = _validate.number(lr, "lr", low=0)
    first_period = _validate.integer(first_period, "first_period", low=1)
    period_mult = _validate.integer(period_mult, "period_mult", low=1)
    min_lr = _validate.number(min_lr, "min_lr", low=0, high=lr)

    def rate(t):
        if period_mult == 1:
            return _cosine_rate(lr, min_lr, t % first_period, first_period)
        starts = [0]
        last = int(t.max()) if t.size else 0
        while starts[-1] <= last:
            starts.append(starts[-1] + first_period * period_mult ** (len(starts) - 1))
        starts = np.array(starts, dtype=np.int64)
        n = np.searchsorted(starts, t, side="right") - 1
        period = first_period * reproducible.power(float(period_mult), n)
        return _cosine_rate(lr, min_lr, t - starts[n], period)

    params = {"lr": lr, "first_period": first_period, "period_mult": period_mult, "min_lr": min_lr}
    return Schedule("cosine_restarts", params, rate)


def cyclic(base_lr, max_lr, step_size_up=2000, step_size_down=None, mode="triangular", gamma=1.0):
    """A cyclical learning rate: rise linearly to ``max_lr``, fall back to ``base_lr``, repeat.

    With ``u = step_size_up``, ``d = step_size_down`` (``u`` if None) and
    ``C = u + d`` the cycle length:

    ``cycle = floor(1 + t / C)``, ``x = 1 + t / C - cycle`` (position in the
    cycle, from 0 to 1),

    ``h = x / (u / C)`` if ``x <= u / C`` else ``(x - 1) / (u / C - 1)``
    (0 at the trough, 1 at the peak),

    ``eta_t = base_lr + (max_lr - base_lr) * h * s``

    where the amplitude scale ``s`` depends on ``mode``: ``"triangular"``:
    ``s = 1``; ``"triangular2"``: ``s = 1 / 2^(cycle - 1)`` (halved every
    cycle); ``"exp_range"``: ``s = gamma^t``.

    PyTorch: ``CyclicLR(optimizer, base_lr, max_lr, step_size_up,
    step_size_down, mode, gamma)`` (the learning rate only; PyTorch can also
    cycle the momentum).

    Parameters
    ----------
    base_lr : float
        The lower rate, reached at ``t = 0`` and at the end of every cycle, ``>= 0``.
    max_lr : float
        The upper rate, reached after ``u`` steps of each cycle, ``>= base_lr``.
    step_size_up : int, default 2000
        Steps ``u`` of the rising half, ``>= 1``.
    step_size_down : int or None, default None
        Steps ``d`` of the falling half, ``>= 1``; None means ``u``.
    mode : {"triangular", "triangular2", "exp_range"}
        How the amplitude shrinks over time (see above).
    gamma : float, default 1.0
        Per-step decay of the amplitude in ``"exp_range"`` mode, in ``(0, 1]``.

    Examples
    --------
    >>> sched = cyclic(0.0, 1.0, step_size_up=2, mode="triangular2")
    >>> [sched(t) for t in range(9)]
    [0.0, 0.5, 1.0, 0.5, 0.0, 0.25, 0.5, 0.25, 0.0]
    """
    base_lr = _validate.number(base_lr, "base_lr", low=0)
    max_lr = _validate.number(max_lr, "max_lr", low=base_lr)
    step_size_up = _validate.integer(step_size_up, "step_size_up", low=1)
    if step_size_down is not None:
        step_size_down = _validate.integer(step_size_down, "step_size_down", low=1)
    mode = _validate.choice(mode, "mode", ("triangular", "triangular2", "exp_range"))
    gamma = _validate.number(gamma, "gamma", low=0, high=1, low_open=True)
    up = float(step_size_up)
    total_size = up + (float(step_size_down) if step_size_down is not None else up)
    step_ratio = up / total_size

    def rate(t):
        cycle = np.floor(1 + t / total_size)
        x = 1.0 + t / total_size - cycle
        height = np.where(x <= step_ratio, x / step_ratio, (x - 1) / (step_ratio - 1))
        if mode == "triangular":
            scale = 1.0
        elif mode == "triangular2":
            scale = reproducible.power(0.5, cycle - 1)
        else:
            scale = reproducible.power(gamma, t)
        return base_lr + (max_lr - base_lr) * height * scale

    params = {
        "base_lr": base_lr,
        "max_lr": max_lr,
        "step_size_up": step_size_up,
        "step_size_down": step_size_down,
        "mode": mode,
        "gamma": gamma,
    }
    return Schedule("cyclic", params, rate)


def _anneal(start, end, pct, strategy):
    """Go from ``start`` (``pct = 0``) to ``end`` (``pct = 1``) along a half cosine or a line."""
    if strategy == "cos":
        return end + (start - end) / 2.0 * (np.cos(math.pi * pct) + 1)
    return (end - start) * pct + start


def one_cycle(
    max_lr,
    total_steps,
    pct_start=0.3,
    anneal_strategy="cos",
    div_factor=25.0,
    final_div_factor=1e4,
    three_phase=False,
):
    """The 1cycle policy: warm up to ``max_lr``, then anneal far below the start.

    Rates: ``initial_lr = max_lr / div_factor`` and ``min_lr = initial_lr /
    final_div_factor``. With ``N = total_steps`` and ``p = pct_start`` the
    phases end at these steps (computed exactly as PyTorch does):

    - two phases (default): ``initial_lr -> max_lr`` until ``a = p N - 1``,
      then ``max_lr -> min_lr`` until ``N - 1``;
    - ``three_phase=True``: ``initial_lr -> max_lr`` until ``a = p N - 1``,
      ``max_lr -> initial_lr`` until ``b = 2 p N - 2``, then ``initial_lr ->
      min_lr`` until ``N - 1``.

    Within a phase from step ``s`` to step ``e``, ``pct = (t - s) / (e - s)``
    and the rate moves from the phase's start rate to its end rate along a
    half cosine (``anneal_strategy="cos"``) or a line (``"linear"``). The
    schedule is meant for ``N`` steps, ``t = 0 .. N - 1``; from ``t = N - 1``
    on it holds its final rate ``min_lr`` (PyTorch refuses to go past ``N``).

    PyTorch: ``OneCycleLR(optimizer, max_lr, total_steps, pct_start,
    anneal_strategy, div_factor=div_factor,
    final_div_factor=final_div_factor, three_phase=three_phase)`` (the
    learning rate only; PyTorch can also cycle the momentum).

    Parameters
    ----------
    max_lr : float
        The peak rate, ``>= 0``.
    total_steps : int
        Number of steps ``N`` in the cycle, ``>= 1``.
    pct_start : float, default 0.3
        Fraction of the steps spent warming up, in ``[0, 1]``. ``p N = 1``
        is refused: the warm-up would last zero steps and PyTorch divides by
        zero there.
    anneal_strategy : {"cos", "linear"}
        The shape of each phase.
    div_factor : float, default 25.0
        ``initial_lr = max_lr / div_factor``, ``> 0``.
    final_div_factor : float, default 1e4
        ``min_lr = initial_lr / final_div_factor``, ``> 0``.
    three_phase : bool, default False
        Use the original paper's three phases instead of fastai's two.

    Examples
    --------
    >>> sched = one_cycle(1.0, total_steps=10, pct_start=0.5, anneal_strategy="linear",
    ...                   div_factor=10.0, final_div_factor=10.0)
    >>> [round(sched(t), 4) for t in range(11)]
    [0.1, 0.325, 0.55, 0.775, 1.0, 0.802, 0.604, 0.406, 0.208, 0.01, 0.01]
    """
    max_lr = _validate.number(max_lr, "max_lr", low=0)
    total_steps = _validate.integer(total_steps, "total_steps", low=1)
    pct_start = _validate.number(pct_start, "pct_start", low=0, high=1)
    anneal_strategy = _validate.choice(anneal_strategy, "anneal_strategy", ("cos", "linear"))
    div_factor = _validate.number(div_factor, "div_factor", low=0, low_open=True)
    final_div_factor = _validate.number(final_div_factor, "final_div_factor", low=0, low_open=True)
    three_phase = _validate.flag(three_phase, "three_phase")
    warmup_end = float(pct_start * total_steps) - 1
    if warmup_end == 0:
        raise ValueError(
            "pct_start * total_steps must not be 1 (the warm-up would last zero steps), "
            f"got pct_start={pct_start!r} with total_steps={total_steps}"
        )
    initial_lr = max_lr / div_factor
    min_lr = initial_lr / final_div_factor
    if three_phase:
        phases = [
            (warmup_end, initial_lr, max_lr),
            (float(2 * pct_start * total_steps) - 2, max_lr, initial_lr),
            (total_steps - 1, initial_lr, min_lr),
        ]
    else:
        phases = [(warmup_end, initial_lr, max_lr), (total_steps - 1, max_lr, min_lr)]

    def rate(t):
        t = np.minimum(t, total_steps - 1).astype(float)
        lrs = np.empty(t.shape)
        todo = np.ones(t.shape, dtype=bool)
        phase_start = 0.0
        for i, (phase_end, start_lr, end_lr) in enumerate(phases):
            here = todo if i == len(phases) - 1 else todo & (t <= phase_end)
            if here.any():
                pct = (t[here] - phase_start) / (phase_end - phase_start)
                lrs[here] = _anneal(start_lr, end_lr, pct, anneal_strategy)
            todo &= ~here
            phase_start = phase_end
        return lrs

    params = {
        "max_lr": max_lr,
        "total_steps": total_steps,
        "pct_start": pct_start,
        "anneal_strategy": anneal_strategy,
        "div_factor": div_factor,
        "final_div_factor": final_div_factor,
        "three_phase": three_phase,
    }
    return Schedule("one_cycle", params, rate)


def warmup(schedule, warmup_steps, start_factor=0.1):
    """Put a linear warm-up of ``warmup_steps`` steps in front of ``schedule``.

    With ``W = warmup_steps`` and ``s = start_factor``:

    ``eta_t = schedule(0) * (s + (1 - s) * t / W)`` for ``t < W``,
    ``eta_t = schedule(t - W)`` for ``t >= W``.

    The wrapped schedule starts its own clock when the warm-up ends, so a
    ``cosine(lr, total_steps=T)`` behind a warm-up of ``W`` steps reaches
    ``min_lr`` at step ``W + T``.

    Built as ``join([linear(schedule(0), start_factor, 1.0, W), schedule],
    boundaries=[W])``, as optax builds its warm-ups from ``linear_schedule``
    and ``join_schedules``.

    PyTorch: ``SequentialLR(optimizer, [LinearLR(optimizer, start_factor,
    1.0, total_iters=W), scheduler], milestones=[W])`` when the optimizer's
    ``lr`` equals ``schedule(0)``. PyTorch's ``LinearLR`` needs
    ``start_factor > 0``; here a warm-up from 0 is allowed.

    Parameters
    ----------
    schedule : Schedule, callable or float
        The schedule to run after the warm-up (a number means a constant
        rate); ``schedule(0)``, the rate the warm-up climbs to, is ``>= 0``.
    warmup_steps : int
        Length ``W`` of the warm-up, ``>= 1``.
    start_factor : float, default 0.1
        The first rate is ``start_factor * schedule(0)``; in ``[0, 1]``.

    Examples
    --------
    >>> sched = warmup(step_decay(1.0, step_size=2, gamma=0.5), warmup_steps=4, start_factor=0.0)
    >>> [sched(t) for t in range(9)]
    [0.0, 0.25, 0.5, 0.75, 1.0, 1.0, 0.5, 0.5, 0.25]
    """
    schedule = _as_schedule(schedule, "schedule")
    warmup_steps = _validate.integer(warmup_steps, "warmup_steps", low=1)
    start_factor = _validate.number(start_factor, "start_factor", low=0, high=1)
    peak = _validate.number(float(schedule(0)), "schedule(0)", low=0)
    ramp = linear(peak, start_factor=start_factor, end_factor=1.0, total_steps=warmup_steps)
    joined = join([ramp, schedule], boundaries=[warmup_steps])
    params = {"schedule": schedule, "warmup_steps": warmup_steps, "start_factor": start_factor}
    return Schedule("warmup", params, joined._rate)


def join(schedules, boundaries):
    """Run several schedules one after the other.

    Schedule ``i`` runs from step ``boundaries[i - 1]`` (0 for the first) up to
    ``boundaries[i]``, with its own clock restarted at its start:
    ``eta_t = schedules[i](t - boundaries[i - 1])``.

    PyTorch: ``SequentialLR(optimizer, schedulers, milestones=boundaries)``.

    Parameters
    ----------
    schedules : sequence of Schedule, callable or float
        At least one schedule (a number means a constant rate). Each callable
        must accept an integer ndarray of steps.
    boundaries : sequence of int
        The steps where the next schedule takes over: one fewer than
        ``schedules``, strictly increasing, each ``>= 1``.

    Examples
    --------
    >>> sched = join([constant(0.5), exponential(1.0, gamma=0.5)], boundaries=[2])
    >>> [sched(t) for t in range(5)]
    [0.5, 0.5, 1.0, 0.5, 0.25]
    """
    if isinstance(schedules, (str, bytes)) or not hasattr(schedules, "__iter__"):
        raise TypeError(f"schedules must be a sequence of schedules, got {schedules!r}")
    schedules = [_as_schedule(s, f"schedules[{i}]") for i, s in enumerate(schedules)]
    if not schedules:
        raise ValueError("schedules must hold at least one schedule, got an empty sequence")
    boundaries = _increasing_steps(boundaries, "boundaries", allow_empty=len(schedules) == 1)
    if len(boundaries) != len(schedules) - 1:
        raise ValueError(
            f"boundaries must hold one step fewer than schedules ({len(schedules) - 1}), "
            f"got {len(boundaries)}: {boundaries!r}"
        )
    starts = (0,) + boundaries

    def rate(t):
        lrs = np.empty(t.shape)
        which = np.searchsorted(np.array(boundaries, dtype=np.int64), t, side="right")
        for i, (schedule, start) in enumerate(zip(schedules, starts)):
            here = which == i
            if here.any():
                lrs[here] = schedule(t[here] - start)
        return lrs

    return Schedule("join", {"schedules": schedules, "boundaries": boundaries}, rate)


_WSD_DECAYS = ("linear", "cosine", "1-sqrt")


def wsd(lr, total_steps, warmup_steps=0, decay_steps=None, decay="linear", min_lr=0.0, start_factor=0.0):
    """Warmup-stable-decay (WSD): ramp up, hold ``lr``, and decay only over the last steps.

    With ``W = warmup_steps``, ``D = decay_steps``, ``T = total_steps``,
    ``s = start_factor`` and the decay starting at ``S = T - D``:

    - warm-up, ``t < W``: ``eta_t = lr * (s + (1 - s) * t / W)``;
    - stable, ``W <= t < S``: ``eta_t = lr``;
    - decay, ``S <= t < T``: ``eta_t = min_lr + (lr - min_lr) * d((t - S) / D)``
      with ``d(p) = 1 - p`` (``"linear"``), ``(1 + cos(pi p)) / 2``
      (``"cosine"``) or ``1 - sqrt(p)`` (``"1-sqrt"``);
    - from ``t = T`` on: ``eta_t = min_lr``.

    The stable phase does not depend on ``T``: until the decay starts, a run
    with a longer horizon is the same run, so the horizon can be chosen (or
    changed) late, and one long stable run can be branched into decays at
    several horizons. Hu et al. (2024, MiniCPM) named the schedule; Hägele
    et al. (2024) found that a decay over the last 20 % of the steps
    (the default ``D = T // 5``) with ``"1-sqrt"`` matches a cosine tuned to
    the horizon. PyTorch has no WSD scheduler; it is ``SequentialLR`` of
    ``LinearLR``, ``ConstantLR`` and a decay.

    Parameters
    ----------
    lr : float
        The rate of the stable phase, ``>= 0``.
    total_steps : int
        The horizon ``T``, ``>= 1``.
    warmup_steps : int, default 0
        ``W``, in ``[0, T - D]``.
    decay_steps : int, optional
        ``D``, in ``[1, T - W]``; default ``max(1, T // 5)``.
    decay : {"linear", "cosine", "1-sqrt"}, default "linear"
        The shape ``d`` of the decay.
    min_lr : float, default 0.0
        The final rate, in ``[0, lr]``.
    start_factor : float, default 0.0
        The first warm-up rate is ``start_factor * lr``; in ``[0, 1]``.

    Examples
    --------
    >>> sched = wsd(1.0, total_steps=10, warmup_steps=2, decay_steps=4)
    >>> [round(sched(t), 4) for t in range(12)]
    [0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    """
    lr = _validate.number(lr, "lr", low=0)
    total_steps = _validate.integer(total_steps, "total_steps", low=1)
    warmup_steps = _validate.integer(warmup_steps, "warmup_steps", low=0, high=total_steps - 1)
    if decay_steps is None:
        decay_steps = max(1, min(total_steps // 5, total_steps - warmup_steps))
    decay_steps = _validate.integer(decay_steps, "decay_steps", low=1, high=total_steps - warmup_steps)
    decay = _validate.choice(decay, "decay", _WSD_DECAYS)
    min_lr = _validate.number(min_lr, "min_lr", low=0, high=lr)
    start_factor = _validate.number(start_factor, "start_factor", low=0, high=1)
    decay_start = total_steps - decay_steps

    def rate(t):
        t = t.astype(float)
        ramp = lr * (start_factor + (1.0 - start_factor) * t / max(warmup_steps, 1))
        p = np.clip((t - decay_start) / decay_steps, 0.0, 1.0)
        if decay == "linear":
            shape = 1.0 - p
        elif decay == "cosine":
            shape = (1.0 + np.cos(math.pi * p)) / 2.0
        else:
            shape = 1.0 - np.sqrt(p)
        decayed = min_lr + (lr - min_lr) * shape
        return np.where(t < warmup_steps, ramp, np.where(t < decay_start, lr, decayed))

    params = {
        "lr": lr,
        "total_steps": total_steps,
        "warmup_steps": warmup_steps,
        "decay_steps": decay_steps,
        "decay": decay,
        "min_lr": min_lr,
        "start_factor": start_factor,
    }
    return Schedule("wsd", params, rate)


def inverse_sqrt(lr, warmup_steps=1):
    """A linear warm-up to ``lr``, then decay like ``1 / sqrt(t)``: the Transformer's schedule.

    With ``W = warmup_steps`` and ``s = t + 1`` (the number of the step being taken):

    ``eta_t = lr * min(s / W, sqrt(W / s))``

    which climbs linearly to ``lr`` at ``s = W`` and then falls like
    ``1/sqrt(s)``. Vaswani et al. (2017) write it ``d_model^-0.5 *
    min(s^-0.5, s * W^-1.5)``, which is this with ``lr = (d_model W)^-0.5``.
    It has no horizon: it can run for as long as training does, and never
    reaches 0. ``W = 1`` gives ``lr / sqrt(t + 1)`` without warm-up.
    PyTorch: ``LambdaLR`` with this formula.

    Parameters
    ----------
    lr : float
        The peak rate, reached at step ``t = W - 1``; ``>= 0``.
    warmup_steps : int, default 1
        ``W >= 1``.

    Examples
    --------
    >>> sched = inverse_sqrt(1.0, warmup_steps=4)
    >>> [round(sched(t), 4) for t in [0, 1, 3, 15, 63]]
    [0.25, 0.5, 1.0, 0.5, 0.25]
    """
    lr = _validate.number(lr, "lr", low=0)
    warmup_steps = _validate.integer(warmup_steps, "warmup_steps", low=1)

    def rate(t):
        s = t.astype(float) + 1.0
        return lr * np.minimum(s / warmup_steps, np.sqrt(warmup_steps / s))

    return Schedule("inverse_sqrt", {"lr": lr, "warmup_steps": warmup_steps}, rate)


class ReduceOnPlateau:
    """Cut the learning rate when a metric stops improving.

    Call :meth:`step` once per evaluation (often once per epoch) with the
    monitored metric; it returns the rate to use next. The rule, exactly as
    PyTorch's ``ReduceLROnPlateau``:

    1. The metric is an *improvement* if it beats the best value so far by
       more than the threshold: ``metric < best * (1 - threshold)``
       (``mode="min"``, ``threshold_mode="rel"``), ``metric < best -
       threshold`` (``"abs"``), and mirrored for ``mode="max"``. An
       improvement becomes the new ``best`` and resets the count of bad
       epochs; anything else (including NaN) adds one bad epoch.
    2. During a cooldown, the cooldown counter goes down by one and bad
       epochs are not counted.
    3. Once the bad epochs exceed ``patience``, the rate becomes
       ``max(eta * factor, min_lr)`` (unless that changes it by ``eps`` or
       less), the count restarts and a cooldown of ``cooldown`` calls begins.

    PyTorch: ``ReduceLROnPlateau(optimizer, mode, factor, patience,
    threshold, threshold_mode, cooldown, min_lr, eps)``; the attributes
    ``best``, ``num_bad_epochs`` and ``cooldown_counter`` have PyTorch's names.

    Parameters
    ----------
    lr : float
        The starting rate, ``>= 0``.
    mode : {"min", "max"}
        Whether the metric should go down (a loss) or up (an accuracy).
    factor : float, default 0.1
        Multiplier of the rate at each cut, in ``(0, 1)``.
    patience : int, default 10
        Bad epochs tolerated before a cut, ``>= 0``.
    threshold : float, default 1e-4
        How much better than ``best`` counts as an improvement, ``>= 0``
        (and ``< 1`` when relative).
    threshold_mode : {"rel", "abs"}
        Relative (a fraction of ``best``) or absolute threshold.
    cooldown : int, default 0
        Calls to wait after a cut before counting bad epochs again, ``>= 0``.
    min_lr : float, default 0.0
        The rate never goes below this, ``>= 0``.
    eps : float, default 1e-8
        Cuts smaller than this are skipped, ``>= 0``.

    Examples
    --------
    >>> plateau = ReduceOnPlateau(1.0, factor=0.5, patience=1)
    >>> [plateau.step(loss) for loss in [3.0, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0]]
    [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    >>> plateau
    <ReduceOnPlateau lr=0.25, best=1.0, num_bad_epochs=0 of patience=1, cooldown_counter=0; mode='min', factor=0.5>
    """

    def __init__(
        self,
        lr,
        mode="min",
        factor=0.1,
        patience=10,
        threshold=1e-4,
        threshold_mode="rel",
        cooldown=0,
        min_lr=0.0,
        eps=1e-8,
    ):
        self.lr = _validate.number(lr, "lr", low=0)
        self.mode = _validate.choice(mode, "mode", ("min", "max"))
        self.factor = _validate.number(factor, "factor", low=0, high=1, low_open=True, high_open=True)
        self.patience = _validate.integer(patience, "patience", low=0)
        self.threshold_mode = _validate.choice(threshold_mode, "threshold_mode", ("rel", "abs"))
        if self.threshold_mode == "rel":
            self.threshold = _validate.number(threshold, "threshold", low=0, high=1, high_open=True)
        else:
            self.threshold = _validate.number(threshold, "threshold", low=0)
        self.cooldown = _validate.integer(cooldown, "cooldown", low=0)
        self.min_lr = _validate.number(min_lr, "min_lr", low=0)
        self.eps = _validate.number(eps, "eps", low=0)
        self.best = math.inf if self.mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0

    def is_improvement(self, metric):
        """Whether ``metric`` beats ``best`` by more than the threshold."""
        if self.mode == "min" and self.threshold_mode == "rel":
            return metric < self.best * (1.0 - self.threshold)
        if self.mode == "min":
            return metric < self.best - self.threshold
        if self.threshold_mode == "rel":
            return metric > self.best * (self.threshold + 1.0)
        return metric > self.best + self.threshold

    def step(self, metric):
        """Record one value of the monitored metric and return the rate to use next."""
        if isinstance(metric, bool) or not isinstance(metric, numbers.Real):
            raise TypeError(f"metric must be a real number, got {metric!r}")
        metric = float(metric)
        if self.is_improvement(metric):
            self.best = metric
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            new_lr = max(self.lr * self.factor, self.min_lr)
            if self.lr - new_lr > self.eps:
                self.lr = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        return self.lr

    def __repr__(self):
        return (
            f"<ReduceOnPlateau lr={self.lr!r}, best={self.best!r}, "
            f"num_bad_epochs={self.num_bad_epochs} of patience={self.patience}, "
            f"cooldown_counter={self.cooldown_counter}; mode={self.mode!r}, factor={self.factor!r}>"
        )
