"""The one training loop of the package: many independent runs at once, along a run axis.

Every experiment in the course is a batch of runs of the same optimizer:
gradient descent on a landscape for a sweep of rates (:mod:`lrcourse.descent`),
networks for a grid of rates x seeds (:mod:`lrcourse.training`), the range
test (:mod:`lrcourse.finder`). :func:`run_steps` is the loop they share. It
knows nothing of landscapes or networks: it calls an *objective*, steps the
optimizer through its pure :meth:`~lrcourse.optim.Optimizer.update`, applies
one divergence rule, and records the loss of every step.

Parameters of ``R`` runs are stacked on a leading *run axis*: an ndarray of
shape ``(R, ...)`` or a dict of such arrays. Step ``t = 0, 1, ...`` computes
the objective ``f_t`` and gradient ``g_t`` at ``w_t``, then ``w_{t+1} =
update(w_t, g_t, eta_t)``.

Divergence (one rule for every run in the package). A run has *diverged at
step* ``t``, the first step at which

- an entry of ``w_t`` is not finite or exceeds :data:`FAR_AWAY` in
  magnitude (checked right after the update, before anything is evaluated
  at ``w_t``, so nothing overflows and numpy prints no warning), or
- its objective ``f_t`` is not finite or exceeds the run's ``loss_limit``.

From then on the run is frozen at ``w_{t-1}``, the last parameters that
passed both checks; its later losses are NaN; ``diverged_at`` holds ``t``,
and ``-1`` for a run that never diverged (the package's one convention).
The limit is usually ``f* + blowup * max(f_0 - f*, 1)`` (see
:func:`loss_limit`).

>>> import numpy as np
>>> from lrcourse import optim
>>> def objective(w, t, with_grad=True):   # f(w) = w^2 / 2 for 3 runs
...     return w * w / 2, (w if with_grad else None)
>>> rates = np.broadcast_to([0.5, 1.0, 3.0], (20, 3))   # (steps, runs)
>>> result = run_steps(objective, np.ones(3), optim.SGD(), rates, steps=20,
...                    loss_limit=loss_limit(np.full(3, 0.5), 0.0, 1e3))
>>> result.diverged_at
array([-1, -1,  6])
"""

import math
import os
import sys
import time
from dataclasses import dataclass

import numpy as np

from . import _validate, schedules

__all__ = ["run_steps", "Runs", "loss_limit", "schedule_rates", "check_memory", "FAR_AWAY", "MEMORY_LIMIT"]

FAR_AWAY = 1e12
"""A run with a parameter entry beyond this size (or not finite) has diverged.

With inputs of order 1 and every parameter below ``1e12`` in magnitude, no
loss or gradient in the package comes near float64's overflow (about
``1e308``): the check keeps every run free of numpy warnings at any rate.
"""

MEMORY_LIMIT = 2**30
"""Bytes a batch of runs may record (1 GiB); larger requests are refused before they start."""

PROGRESS_AFTER = 3.0
"""Seconds after which a run shows its progress, in an interactive Jupyter session only."""


@dataclass(repr=False, eq=False)
class Runs:
    """What :func:`run_steps` returns: the end of every run and its losses.

    Attributes
    ----------
    params : ndarray or dict of str -> ndarray
        The final parameters, run axis first: ``w_steps``, or ``w_{d-1}`` for a
        run that diverged at step ``d``.
    losses : ndarray of shape (steps + 1, R)
        ``f_t`` at ``w_t``; NaN from the step of divergence on (a run found
        far away at ``t`` was never evaluated there), and row ``steps`` is
        NaN unless ``evaluate_last`` was set.
    diverged_at : ndarray of int, shape (R,)
        The step of divergence, ``-1`` if none.
    far : ndarray of bool, shape (R,)
        True for a run that diverged because a parameter left ``FAR_AWAY``
        (False if its loss broke the limit, or it never diverged).
    steps : ndarray of int, shape (R,)
        Updates applied: all of them, or ``diverged_at`` for a diverged run.
    state : lrcourse.optim.State
        The optimizer's state after the last update.
    """

    params: object
    losses: np.ndarray
    diverged_at: np.ndarray
    far: np.ndarray
    steps: np.ndarray
    state: object

    def blank_after_divergence(self, record):
        """Set to NaN, in place, what a per-step record ``(steps + 1, R, ...)`` holds after each run diverged.

        Entries after the step of divergence ``d`` become NaN, and those at
        ``d`` too for a run found beyond ``FAR_AWAY`` (nothing was evaluated
        there). One vectorized write after the loop, cheaper than masking
        every step.
        """
        for run in np.flatnonzero(self.diverged_at >= 0):
            first = self.diverged_at[run] + (0 if self.far[run] else 1)
            record[first:, run] = np.nan
        return record


def loss_limit(initial, min_value, blowup):
    """The loss above which a run counts as diverged: ``f* + blowup * max(f_0 - f*, 1)``.

    ``f_0`` is the run's loss at its start and ``f*`` the least loss
    possible (the landscape's minimum; 0 for a cross-entropy). The floor of
    1 keeps a start at the minimum from calling small wiggles divergence.
    On a quadratic, ``blowup = 1e6`` means the distance to the minimum grew
    a thousandfold.

    >>> loss_limit(np.array([2.0, 0.1]), 0.0, 1e6)
    array([2000000., 1000000.])
    """
    initial = np.asarray(initial, dtype=float)
    return min_value + blowup * np.maximum(initial - min_value, 1.0)


def check_memory(steps, n_runs, values_per_step, name="steps"):
    """Refuse, before it starts, a batch of runs whose record would exceed :data:`MEMORY_LIMIT`.

    ``values_per_step`` is the number of float64 values recorded per step
    and run (e.g. the coordinates of the position plus its loss and rate).

    >>> check_memory(10**7, 10, 3)
    Traceback (most recent call last):
    ...
    ValueError: steps=10000000 with 10 runs would record 2.2 GiB (3 numbers per step and run); the limit is 1 GiB: use fewer steps or fewer runs
    """
    needed = 8 * (steps + 1) * n_runs * values_per_step
    if needed > MEMORY_LIMIT:
        raise ValueError(
            f"{name}={steps} with {n_runs} runs would record {needed / 2**30:.1f} GiB "
            f"({values_per_step} numbers per step and run); the limit is {MEMORY_LIMIT / 2**30:g} GiB: "
            f"use fewer {name} or fewer runs"
        )


def run_steps(
    objective, params, optimizer, rates, steps, *, loss_limit=np.inf, evaluate_last=False, after_step=None, state=None
):
    """Run ``R`` independent runs of ``optimizer`` for ``steps`` steps; return :class:`Runs`.

    Parameters
    ----------
    objective : callable
        ``objective(w, t, with_grad) -> (f, g)``: the loss of every run at
        ``w_t``, shape ``(R,)``, and (when ``with_grad``) its gradient, shaped
        like ``w``. Frozen runs are evaluated too (at their last good
        parameters) and ignored, so the objective never sees a parameter
        beyond :data:`FAR_AWAY`.
    params : ndarray or dict of str -> ndarray
        ``w_0``, run axis first. Must be finite and within ``FAR_AWAY``
        (the callers check their users' starts).
    optimizer : lrcourse.optim.Optimizer
        Used through ``init``/``update`` only; the instance is not changed.
    rates : ndarray of shape (steps, R), or None
        ``rates[t, r]`` is run ``r``'s ``eta_t`` (one schedule per run);
        None uses ``optimizer.lr`` throughout (e.g. per-layer rates).
    steps : int
    loss_limit : float or ndarray of shape (R,), default inf
        A run whose loss is not ``<= loss_limit`` has diverged (inf: only a
        non-finite loss counts).
    evaluate_last : bool, default False
        Also evaluate (and check) the loss at ``w_steps``, without gradient.
    after_step : callable, optional
        ``after_step(t, w, alive)`` after each update, with ``w = w_t`` (``t
        = 1 .. steps``) and ``alive`` the runs not diverged; e.g. to record
        positions or measure a network at the end of an epoch.
    state : lrcourse.optim.State, optional
        Continue from this optimizer state instead of ``optimizer.init(params)``.

    Returns
    -------
    Runs
    """
    first = next(iter(params.values())) if isinstance(params, dict) else params
    n_runs = first.shape[0]
    losses = np.full((steps + 1, n_runs), np.nan)  # rows after an early stop stay NaN
    diverged_at = np.full(n_runs, -1)
    far = np.zeros(n_runs, dtype=bool)
    alive = np.ones(n_runs, dtype=bool)
    state = optimizer.init(params) if state is None else state
    previous = w = params
    progress = _Progress(steps)
    n_alive = n_runs
    for t in range(steps + 1):
        if t == steps and not evaluate_last:
            break
        loss, grads = objective(w, t, t < steps)
        losses[t] = loss  # frozen runs' entries are blanked at the end
        bad = alive & ~(loss <= loss_limit)
        if np.count_nonzero(bad):
            diverged_at[bad] = t
            alive &= ~bad
            n_alive = np.count_nonzero(alive)
            w = _where_runs(bad, previous, w)
        if t == steps or not n_alive:
            break
        lr = optimizer.lr if rates is None else _per_run(rates[t], w)
        new, state = optimizer._update_checked(w, grads, state, lr)
        escaped = alive & ~_within(new, n_runs)
        if np.count_nonzero(escaped):
            diverged_at[escaped] = t + 1
            far |= escaped
            alive &= ~escaped
            n_alive = np.count_nonzero(alive)
        previous, w = w, (new if n_alive == n_runs else _where_runs(~alive, w, new))
        if after_step is not None:
            after_step(t + 1, w, alive)
        progress.update(t + 1)
        if not n_alive:
            break
    progress.close()
    taken = np.where(diverged_at >= 0, diverged_at, steps)
    runs = Runs(params=w, losses=losses, diverged_at=diverged_at, far=far, steps=taken, state=state)
    runs.blank_after_divergence(losses)
    return runs


def _per_run(rates, w):
    """One step's rates ``(R,)`` shaped to broadcast against each parameter array."""
    if isinstance(w, dict):
        return {key: rates.reshape((-1,) + (1,) * (value.ndim - 1)) for key, value in w.items()}
    return rates.reshape((-1,) + (1,) * (w.ndim - 1))


def _within(params, n_runs):
    """Per run: True if every entry is finite and at most ``FAR_AWAY`` in magnitude."""
    arrays = params.values() if isinstance(params, dict) else [params]
    ok = np.ones(n_runs, dtype=bool)
    for value in arrays:
        ok &= (np.abs(value) <= FAR_AWAY).reshape(n_runs, -1).all(axis=1)
    return ok


def _where_runs(take_old, old, new):
    """Per run: the ``old`` parameters where ``take_old``, else the ``new`` ones (written into ``new``).

    ``new`` is always a fresh array of the loop (the optimizer's result, or
    the parameters the loop holds), never one of the caller's.
    """
    if isinstance(new, dict):
        return {key: _where_runs(take_old, old[key], value) for key, value in new.items()}
    np.copyto(new, old, where=take_old.reshape((-1,) + (1,) * (new.ndim - 1)))
    return new


class _Progress:
    """A one-line progress display for long runs in an interactive Jupyter session.

    Shown only after :data:`PROGRESS_AFTER` seconds, and only when a person
    is watching: in a kernel started by a Jupyter server (JupyterLab,
    Notebook, Binder) or in Colab. Executions that store outputs (the book
    build, nbval, the tools) start kernels without a server, so nothing of
    it enters a stored notebook. The display is a transient update of one
    line, not printed text.
    """

    def __init__(self, steps):
        self.steps = steps
        self.start = time.perf_counter()
        self.handle = None
        self.next_check = 1
        self.shown = False
        self.enabled = _watched()

    def update(self, t):
        if not self.enabled or t < self.next_check:
            return
        self.next_check = t + max(1, self.steps // 100)
        elapsed = time.perf_counter() - self.start
        if elapsed < PROGRESS_AFTER:
            return
        left = elapsed * (self.steps - t) / t
        self._show(f"step {t} of {self.steps} ({100 * t / self.steps:.0f} %), about {math.ceil(left)} s left")
        self.shown = True

    def close(self):
        if self.shown:
            self._show(f"{self.steps} steps in {time.perf_counter() - self.start:.0f} s")

    def _show(self, text):
        from IPython.display import display

        if self.handle is None:
            self.handle = display({"text/plain": text}, raw=True, display_id=True)
        else:
            self.handle.update({"text/plain": text}, raw=True)


def _watched():
    """True in a Jupyter kernel that a person is watching (started by a Jupyter server, or Colab)."""
    if "ipykernel" not in sys.modules:
        return False
    return bool(os.environ.get("JPY_SESSION_NAME")) or "google.colab" in sys.modules


def schedule_rates(schedule, steps, name="schedule"):
    """The rates ``eta_0 .. eta_{steps-1}`` of a schedule, validated: a float array of shape ``(steps,)``.

    The package's one schedule protocol: a schedule is any callable of the
    step ``t`` (an int from 0) returning a rate ``>= 0``, such as
    ``lambda t: 0.1 if t < 5 else 0.01``. The schedules of
    :mod:`lrcourse.schedules` also take an array of steps, and are called
    once with all of them.

    >>> schedule_rates(lambda t: 0.1 if t < 2 else 0.01, 4)
    array([0.1 , 0.1 , 0.01, 0.01])
    >>> schedule_rates(lambda t: -1.0, 3)
    Traceback (most recent call last):
    ...
    ValueError: schedule(0) must be a finite number >= 0, got -1.0
    """
    if not callable(schedule):
        raise TypeError(f"{name} must be a callable of the step t, got {schedule!r}")
    if isinstance(schedule, schedules.Schedule):
        return _validate.array(schedule(np.arange(steps)), f"{name}(t)", low=0)
    return np.array([_validate.number(schedule(t), f"{name}({t})", low=0) for t in range(steps)])
