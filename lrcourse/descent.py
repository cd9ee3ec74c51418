"""Run gradient descent (or any optimizer) on a landscape, many learning rates at once.

:func:`run` takes a landscape from :mod:`lrcourse.landscapes`, a start ``w_0``,
a learning rate ``eta`` and a number of steps, and returns a
:class:`Trajectory`. Plain gradient descent is

.. math::

    w_{t+1} = w_t - \\eta_t \\, g(w_t), \\qquad t = 0, 1, \\dots, \\text{steps} - 1,

and it is computed by :class:`lrcourse.optim.SGD` with its default options,
the same update every other chapter uses. The rate may be one number, a 1-D
array of numbers (one independent run per rate, all computed together in one
vectorized numpy computation) or a schedule from :mod:`lrcourse.schedules`.

Divergence is detected before anything overflows: see :func:`run`.

>>> from lrcourse.landscapes import Quadratic1D
>>> runs = run(Quadratic1D(L=1.0), x0=1.0, lr=[0.5, 1.5, 2.5], steps=50)
>>> print(runs.describe())
lr=0.5: converged to loss 3.9e-31 in 50 steps (within 1e-06 of the minimum from step 10)
lr=1.5: converged to loss 3.9e-31 in 50 steps (within 1e-06 of the minimum from step 10)
lr=2.5: diverged at step 18

A run that neither converged nor diverged says which way its loss is going
(:meth:`Trajectory.outcomes`): here ``lr=2.05`` is growing, slowly, and
would only pass the divergence threshold after many more steps.

>>> print(run(Quadratic1D(L=1.0), x0=1.0, lr=[0.01, 2.0, 2.05], steps=50).describe())
lr=0.01: still decreasing after 50 steps, loss 0.5 -> 0.18
lr=2: stalled after 50 steps, loss 0.5 -> 0.5
lr=2.05: growing after 50 steps, loss 0.5 -> 66
"""

from dataclasses import dataclass

import numpy as np

from lrcourse import _validate, engine, optim, reproducible
from lrcourse.engine import FAR_AWAY

__all__ = ["run", "preconditioned_run", "Trajectory", "landscape_objective", "FAR_AWAY"]

@dataclass(repr=False, eq=False)
class Trajectory:
    """The record of one run, or of a batch of independent runs, of :func:`run`.

    For a batch the run index is the second axis of every array (after the
    step axis).

    Attributes
    ----------
    positions : ndarray
        ``w_t`` for ``t = 0 .. steps``: shape ``(steps + 1,)`` for one run on a
        1-D landscape, ``(steps + 1, n_runs)`` for a batch, with a trailing
        axis of length 2 on a 2-D landscape.
    losses : ndarray
        ``f(w_t)``, shape ``(steps + 1,)`` or ``(steps + 1, n_runs)``.
    lrs : ndarray
        ``lrs[t]`` is the rate ``eta_t`` of the step from ``w_t`` to
        ``w_{t+1}``; shape ``(steps,)`` or ``(steps, n_runs)``.
    diverged_at : int or ndarray of int
        The first step ``t`` at which the run had diverged (see :func:`run`),
        ``-1`` if it never did (the package's one convention): an int for one
        run, an int array for a batch. Positions and losses after that step
        are NaN. :attr:`diverged` says the same as booleans.
    min_value : float or None
        The landscape's minimum loss ``f*``, if known; used by
        :meth:`steps_to` and :meth:`describe`.
    minimum : float, ndarray or None
        The landscape's global minimizer ``w*``, if known; used by
        :meth:`oscillation_amplitude`.
    """

    positions: np.ndarray
    losses: np.ndarray
    lrs: np.ndarray
    diverged_at: object
    min_value: float = None
    minimum: object = None

    @property
    def diverged(self):
        """True where the run diverged: a bool for one run, a bool array for a batch."""
        diverged = np.asarray(self.diverged_at) >= 0
        return bool(diverged) if diverged.ndim == 0 else diverged

    @property
    def steps(self):
        """The number of steps taken."""
        return self.lrs.shape[0]

    @property
    def n_runs(self):
        """The number of runs in the batch, or None for a single run."""
        return self.losses.shape[1] if self.losses.ndim == 2 else None

    @property
    def final_loss(self):
        """``f(w_steps)``: a float for one run, an array for a batch (NaN if diverged)."""
        return _validate.scalar_or_array(self.losses[-1])

    def steps_to(self, tol):
        """The first step ``t`` with ``f(w_t) - f* <= tol``.

        Returns an int (None if never reached) for one run; for a batch an int
        array with ``-1`` where it is never reached.
        """
        tol = _validate.number(tol, "tol", low=0)
        if self.min_value is None:
            raise ValueError("steps_to needs the landscape's min_value, which this trajectory does not know")
        reached = self.losses - self.min_value <= tol
        first = np.where(reached.any(axis=0), np.argmax(reached, axis=0), -1)
        if first.ndim == 0:
            return None if first < 0 else int(first)
        return first

    def oscillation_amplitude(self):
        """The largest overshoot: how far past the minimum the run landed after crossing it.

        A step *crosses* the minimum in a coordinate when that coordinate of
        ``w_t - w*`` changes sign between ``w_{t-1}`` and ``w_t``; the
        amplitude is the largest ``|w_t - w*|`` in such a coordinate over all
        steps up to divergence (the finite positions), and 0 for a run that
        never crosses. On ``f = L/2 w^2`` with ``1/L < eta < 2/L`` it is the
        first overshoot, ``|1 - eta L| |w_0 - w*|``.

        Returns a float for one run, an array for a batch.
        """
        if self.minimum is None:
            raise ValueError("oscillation_amplitude needs the landscape's minimum, which this trajectory does not know")
        error = self.positions - np.asarray(self.minimum, dtype=float)
        crossed = np.sign(error[1:]) * np.sign(error[:-1]) < 0  # False where NaN
        overshoot = np.where(crossed, np.abs(error[1:]), 0.0)
        amplitude = overshoot.max(axis=0, initial=0.0)
        if self.positions.ndim > self.losses.ndim:  # 2-D: the largest over the coordinates
            amplitude = amplitude.max(axis=-1)
        return _validate.scalar_or_array(amplitude)

    def table(self, tol=1e-6):
        """A measured table, one row per run: outcome, steps to ``tol``, final loss, overshoot.

        Columns: the rate (first to last for a schedule); the outcome
        (``diverged at step t``, else :meth:`outcomes`' word: ``converged``,
        ``still decreasing``, ``growing`` or ``stalled``); the first step with
        ``f(w_t) - f* <= tol`` (:meth:`steps_to`, ``never`` if not reached);
        the final loss (``-`` after divergence); and
        :meth:`oscillation_amplitude`.
        """
        tol = _validate.number(tol, "tol", low=0)
        runs = [self] if self.n_runs is None else [self[i] for i in range(self.n_runs)]
        words = {"decreasing": "still decreasing"}
        header = f"{'lr':>15}  {'outcome':<21}  {f'steps to {tol:.0e}':>16}  {'final loss':>10}  {'overshoot':>9}"
        lines = [header]
        for one in runs:
            reached = one.steps_to(tol)
            if one.diverged:
                outcome, final = f"diverged at step {one.diverged_at}", "-"
            else:
                outcome = one.outcomes(tol)
                outcome, final = words.get(outcome, outcome), f"{one.final_loss:.2e}"
            lines.append(
                f"{_rate_text(one.lrs):>15}  {outcome:<21}  {'never' if reached is None else reached:>16}  "
                f"{final:>10}  {one.oscillation_amplitude():>9.3g}"
            )
        return "\n".join(lines)

    def outcomes(self, tol=1e-6):
        """What each run did, in one word: diverged, converged, decreasing, growing or stalled.

        ``"diverged"`` if the run was stopped (see :func:`run`);
        ``"converged"`` if the final loss gap ``f(w_T) - f*`` is at most
        ``tol``. Otherwise the trend of the last stretch decides: with
        ``k = max(1, T // 4)`` steps, the largest and the smallest gap over
        the last ``k`` steps are compared with those over the ``k`` steps
        before them (a window of two steps or more spans both phases of an
        oscillation). ``"growing"`` if the largest rose by more than 0.1 %;
        ``"decreasing"`` if it fell by more than 0.1 % and the smallest did
        not rise by more than 0.1 %; else ``"stalled"``: a standstill (such
        as ``eta = 2/L`` on a quadratic), a cycle, or a run that bounces
        without getting lower. A growing run has not (yet) passed the
        divergence threshold; a decreasing one needs more steps.
        Without a known ``f*`` the gap is taken to the smallest loss seen.

        Returns a str for one run, an array of str for a batch.

        Examples
        --------
        On ``f = w^2/2`` from ``w_0 = 2``: ``eta = 1.9`` still contracts by
        ``0.9`` per step, ``eta = 2`` swaps sides for ever, ``eta = 2.3``
        grows by ``1.3`` per step but is still below the threshold after 25
        steps.

        >>> from lrcourse.landscapes import Quadratic1D
        >>> run(Quadratic1D(L=1.0), 2.0, [0.5, 1.9, 2.0, 2.3], 25).outcomes()
        array(['converged', 'decreasing', 'stalled', 'growing'], dtype='<U10')
        """
        tol = _validate.number(tol, "tol", low=0)
        losses = self.losses if self.n_runs is not None else self.losses[:, np.newaxis]
        floor = self.min_value if self.min_value is not None else np.nanmin(losses, axis=0)
        gaps = losses - floor
        steps = self.steps
        k = max(1, steps // 4)
        earlier, recent = gaps[max(0, steps - 2 * k) : steps - k + 1], gaps[steps - k + 1 :]
        top = _relative_change(np.max(earlier, axis=0), np.max(recent, axis=0))
        bottom = _relative_change(np.min(earlier, axis=0), np.min(recent, axis=0))
        falling = (top < -1e-3) & (bottom <= 1e-3)
        words = np.where(top > 1e-3, "growing", np.where(falling, "decreasing", "stalled"))
        if self.min_value is not None:
            words = np.where(gaps[-1] <= tol, "converged", words)
        words = np.where(np.atleast_1d(self.diverged_at) >= 0, "diverged", words).astype("<U10")
        return str(words[0]) if self.n_runs is None else words

    def describe(self, tol=1e-6):
        """The outcome in words, one line per run.

        ``"lr=2.5: diverged at step 37"``; ``"lr=0.5: converged to loss
        1.2e-09 in 100 steps (within 1e-06 of the minimum from step 12)"``
        when the final loss is within ``tol`` of the minimum; otherwise the
        trend of :meth:`outcomes`, with the loss at the start and at the end:
        ``"lr=0.05: still decreasing after 25 steps, loss 2 -> 0.15"``,
        ``"lr=2.3: growing after 25 steps, loss 2 -> 1e+06"`` or
        ``"lr=2: stalled after 25 steps, loss 2 -> 2"``.
        """
        tol = _validate.number(tol, "tol", low=0)
        if self.n_runs is None:
            return self._describe_one(self.lrs, self.losses, self.diverged_at, tol)
        return "\n".join(
            self._describe_one(self.lrs[:, i], self.losses[:, i], int(self.diverged_at[i]), tol)
            for i in range(self.n_runs)
        )

    def __getitem__(self, run):
        """The single run number ``run`` of a batch, as its own Trajectory."""
        if self.n_runs is None:
            raise TypeError("this trajectory is a single run; index a batch of runs instead")
        run = _validate.integer(run, "run", low=-self.n_runs, high=self.n_runs - 1)
        diverged_at = int(self.diverged_at[run])
        return Trajectory(
            positions=self.positions[:, run],
            losses=self.losses[:, run],
            lrs=self.lrs[:, run],
            diverged_at=diverged_at,
            min_value=self.min_value,
            minimum=self.minimum,
        )

    def __repr__(self):
        if self.n_runs is None:
            outcome = (
                f"diverged_at={self.diverged_at}"
                if self.diverged
                else f"final_loss={self.final_loss:.3g}"
            )
            return f"Trajectory({_rate_label(self.lrs)}, steps={self.steps}, {outcome})"
        diverged = int(np.count_nonzero(self.diverged_at >= 0))
        return f"Trajectory(runs={self.n_runs}, steps={self.steps}, diverged={diverged})"

    def _describe_one(self, lrs, losses, diverged_at, tol):
        label = _rate_label(lrs)
        if diverged_at >= 0:
            return f"{label}: diverged at step {diverged_at}"
        final = float(losses[-1])
        steps = len(lrs)
        if self.min_value is None:
            return f"{label}: loss {final:.2g} after {steps} steps"
        if final - self.min_value <= tol:
            first = int(np.argmax(losses - self.min_value <= tol))
            return (
                f"{label}: converged to loss {final:.2g} in {steps} steps "
                f"(within {tol:g} of the minimum from step {first})"
            )
        one = Trajectory(positions=losses, losses=losses, lrs=lrs, diverged_at=-1, min_value=self.min_value)
        trend = {"decreasing": "still decreasing"}.get(one.outcomes(tol), one.outcomes(tol))
        return f"{label}: {trend} after {steps} steps, loss {float(losses[0]):.2g} -> {final:.2g}"


def run(landscape, x0, lr, steps, optimizer=None, *, blowup=1e6, rng=None):
    """Run gradient descent, or ``optimizer``, on ``landscape``.

    Parameters
    ----------
    landscape : landscape
        An object with ``dim``, ``value`` and ``grad`` (and, ideally,
        ``min_value``), e.g. from :mod:`lrcourse.landscapes`.
    x0 : float, array or None
        The start ``w_0``: a point (a number on a 1-D landscape, a pair on a
        2-D one), or a batch of points (shape ``(n_runs,)`` or
        ``(n_runs, 2)``), one per run. None means ``landscape.default_start``.
    lr : float, 1-D array, callable or list of callables
        The learning rate ``eta``. A number: one run. A 1-D array: one
        independent run per rate, all computed together (with a batch ``x0``
        of the same length, run ``i`` uses ``lr[i]`` from ``x0[i]``). A
        schedule: a function of the step ``t`` (from 0) returning the rate
        (the protocol of :func:`lrcourse.engine.schedule_rates`), so the
        step from ``w_t`` to ``w_{t+1}`` uses ``lr(t)``; it applies to every
        run. A list of schedules: one run per schedule.
    steps : int
        The number of steps, >= 1.
    optimizer : lrcourse.optim.Optimizer or None
        None is plain gradient descent, ``optim.SGD()``. Otherwise its pure
        ``init``/``update`` are run with the rates ``lr`` (its own ``lr`` is
        ignored); the instance you pass is not changed.
    blowup : float
        The divergence threshold factor, >= 1 (see below).
    rng : numpy.random.Generator or None
        Passed to ``landscape.grad`` for stochastic landscapes
        (:class:`lrcourse.landscapes.Noisy`, which needs it).

    Returns
    -------
    Trajectory

    Raises
    ------
    ValueError
        For a start beyond ``FAR_AWAY`` or where the loss is not finite, and
        for a run whose record would exceed 1 GiB (``steps`` times the
        number of runs; see :func:`lrcourse.engine.check_memory`).

    Notes
    -----
    The loop is :func:`lrcourse.engine.run_steps`, with its divergence rule:
    a run has diverged at the first step ``t`` where its loss is not finite or

    .. math::

        f(w_t) - f^* > \\text{blowup} \\cdot \\max(f(w_0) - f^*, 1),

    with ``f*`` the landscape's ``min_value`` (``f(w_0)`` if unknown), or
    where a coordinate of ``w_t`` is not finite or exceeds ``FAR_AWAY`` =
    1e12 in size (then its loss is recorded as ``inf`` rather than evaluated,
    so nothing overflows). The floor of 1 keeps a start at the minimum from
    calling small wiggles divergence. On a quadratic the default threshold
    means the distance to the minimum grew a thousandfold. From then on the
    run is no longer updated: its positions and losses after step ``t`` are
    NaN, ``diverged_at`` records ``t``.

    Examples
    --------
    On ``f(x) = x^2 / 2`` with ``eta = 1.5`` every step multiplies ``x`` by
    ``1 - eta L = -0.5``:

    >>> from lrcourse.landscapes import Quadratic1D
    >>> trajectory = run(Quadratic1D(L=1.0), x0=1.0, lr=1.5, steps=3)
    >>> trajectory.positions
    array([ 1.   , -0.5  ,  0.25 , -0.125])
    >>> trajectory
    Trajectory(lr=1.5, steps=3, final_loss=0.00781)

    Each run its own schedule:

    >>> two = run(Quadratic1D(L=1.0), 1.0, [lambda t: 0.5, lambda t: 1.0 if t < 1 else 0.5], steps=2)
    >>> two.positions
    array([[1.  , 1.  ],
           [0.5 , 0.  ],
           [0.25, 0.  ]])
    """
    dim = _check_landscape(landscape)
    steps = _validate.integer(steps, "steps", low=1)
    blowup = _validate.number(blowup, "blowup", low=1)
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)) or None, got {rng!r}")
    rates, batched = _rate_table(lr, steps)
    w = _check_start(landscape.default_start if x0 is None else x0, dim)
    point = w.shape[w.ndim - (dim - 1) :]
    batch = _batch_shape(w.shape[: w.ndim - (dim - 1)], rates.shape[1:] if batched else ())
    n_runs = batch[0] if batch else 1
    engine.check_memory(steps, n_runs, dim + 2)
    w = np.broadcast_to(w, (n_runs,) + point).copy()
    rates = np.broadcast_to(rates, (steps, n_runs))
    opt = _check_optimizer(optimizer)

    min_value = getattr(landscape, "min_value", None)
    loss = np.asarray(landscape.value(w), dtype=float)
    if not np.all(np.isfinite(loss)):
        raise ValueError(
            f"x0 must be a point where the loss is finite, got loss {_shaped(loss, batch)} at {_shaped(w, batch)}"
        )
    reference = loss if min_value is None else min_value
    objective = landscape_objective(landscape, one_run=not batch, rng=rng)
    positions = np.full((steps + 1,) + w.shape, np.nan)
    positions[0] = w

    def record(t, w, alive):
        positions[t] = w  # frozen runs' entries are blanked after the loop

    runs = engine.run_steps(
        objective, w, opt, rates, steps,
        loss_limit=engine.loss_limit(loss, reference, blowup), evaluate_last=True, after_step=record,
    )
    runs.blank_after_divergence(positions)
    losses = runs.losses
    far = np.flatnonzero(runs.far)
    losses[runs.diverged_at[far], far] = np.inf
    return Trajectory(
        positions=_shaped(positions, batch, axis=1),
        losses=_shaped(losses, batch, axis=1),
        lrs=_shaped(np.array(rates), batch, axis=1),
        diverged_at=_shaped(runs.diverged_at, batch),
        min_value=None if min_value is None else float(min_value),
        minimum=getattr(landscape, "minimum", None),
    )


def landscape_objective(landscape, one_run=False, rng=None):
    """A landscape as the objective of :func:`lrcourse.engine.run_steps`: ``(f(w), grad f(w))`` per run.

    ``w`` has the run axis first. With ``one_run`` the landscape is evaluated
    at the single point ``w[0]`` (a number on a 1-D landscape), exactly as
    for a run without a run axis; ``rng`` goes to a stochastic landscape's
    ``grad``.
    """
    grad_kwargs = {} if rng is None else {"rng": rng}

    def objective(w, t, with_grad):
        x = w[0] if one_run else w
        value = np.reshape(np.asarray(landscape.value(x), dtype=float), w.shape[:1])
        return value, (np.reshape(landscape.grad(x, **grad_kwargs), w.shape) if with_grad else None)

    return objective


def preconditioned_run(landscape, x0, lr, steps, preconditioner, *, blowup=1e6):
    """Run gradient descent with every gradient multiplied by a preconditioner ``P``.

    .. math::

        w_{t+1} = w_t - \\eta_t \\, P \\, g(w_t)

    A fixed symmetric positive-definite ``P`` is gradient descent in new
    coordinates ``v = P^{-1/2} w``, where the Hessian becomes
    ``P^{1/2} H P^{1/2}``: a diagonal ``P = diag(1 / H_ii)`` gives every
    coordinate curvature 1 on its diagonal, as standardizing the features of a
    least-squares problem does, and ``P = H^{-1}`` makes every curvature 1
    (condition number 1). ``preconditioner="newton"`` uses the inverse
    Hessian at the current point, ``P = H(w_t)^{-1}``: Newton's method, which
    with ``eta = 1`` lands on the minimum of a quadratic in one step. In 1-D
    Newton's step ``g / f''`` is gradient descent at the rate ``1 / f''(w_t)``.

    Parameters
    ----------
    landscape : landscape
        As for :func:`run`; ``"newton"`` needs its ``hessian`` too.
    x0, lr, steps, blowup
        As for :func:`run` (``lr`` scales the preconditioned step).
    preconditioner : float, array of shape (dim, dim) or "newton"
        On a 1-D landscape a number > 0; on a 2-D one a symmetric
        positive-definite 2 x 2 matrix; or ``"newton"``.

    Returns
    -------
    Trajectory
        As :func:`run` returns it, with ``min_value`` and ``minimum`` of the
        landscape.

    Examples
    --------
    Newton's step on a bowl with condition number 100 reaches the minimum at
    once, where gradient descent crawls:

    >>> from lrcourse.landscapes import Quadratic2D
    >>> bowl = Quadratic2D(mu=0.01, L=1.0)
    >>> preconditioned_run(bowl, [1.0, 1.0], lr=1.0, steps=1, preconditioner="newton").positions
    array([[1., 1.],
           [0., 0.]])
    """
    dim = _check_landscape(landscape)
    return run(_Preconditioned(landscape, _check_preconditioner(preconditioner, dim, landscape)),
               x0, lr, steps, blowup=blowup)


class _Preconditioned:
    """``landscape`` seen by :func:`run`: the same loss, with the gradient replaced by ``P g``."""

    def __init__(self, landscape, preconditioner):
        self.landscape, self.preconditioner = landscape, preconditioner
        self.dim = landscape.dim
        for name in ("min_value", "minimum", "default_start"):
            setattr(self, name, getattr(landscape, name, None))

    def value(self, x):
        return self.landscape.value(x)

    def grad(self, x):
        g = np.asarray(self.landscape.grad(x), dtype=float)
        P = self.preconditioner
        if isinstance(P, str):  # Newton: solve H d = g, in closed form (the same bits on every machine)
            h = np.asarray(self.landscape.hessian(x), dtype=float)
            with np.errstate(divide="ignore", invalid="ignore"):
                if self.dim == 1:
                    return g / h
                a, b, c = h[..., 0, 0], h[..., 0, 1], h[..., 1, 1]
                det = a * c - b * b
                return np.stack([(c * g[..., 0] - b * g[..., 1]) / det, (a * g[..., 1] - b * g[..., 0]) / det],
                                axis=-1)
        if self.dim == 1:
            return P * g
        return reproducible.matmul(g, P)  # P is symmetric: (P g)^T = g^T P


def _check_preconditioner(preconditioner, dim, landscape):
    if isinstance(preconditioner, str):
        _validate.choice(preconditioner, "preconditioner", ["newton"])
        if not callable(getattr(landscape, "hessian", None)):
            raise TypeError(f"preconditioner='newton' needs a landscape with hessian(x), got {landscape!r}")
        return preconditioner
    if dim == 1:
        return _validate.number(preconditioner, "preconditioner", low=0, low_open=True)
    P = _validate.array(preconditioner, "preconditioner")
    if P.shape != (2, 2):
        raise ValueError(f"preconditioner must be a 2 x 2 matrix on a 2-D landscape (or 'newton'), got shape {P.shape}")
    if P[0, 1] != P[1, 0] or not (P[0, 0] > 0 and P[0, 0] * P[1, 1] - P[0, 1] ** 2 > 0):
        raise ValueError(f"preconditioner must be symmetric and positive definite, got {P.tolist()}")
    return P


def _check_landscape(landscape):
    if not all(callable(getattr(landscape, name, None)) for name in ("value", "grad")):
        raise TypeError(f"landscape must have value(x) and grad(x) methods, got {landscape!r}")
    dim = getattr(landscape, "dim", None)
    if dim not in (1, 2):
        raise ValueError(f"landscape.dim must be 1 or 2, got {dim!r}")
    return dim


def _rate_table(lr, steps):
    """Return ``(rates, batched)``: the rates as a ``(steps, n)`` table, and whether ``lr`` asked for a batch."""
    if callable(lr):
        return engine.schedule_rates(lr, steps, "lr")[:, np.newaxis], False
    if isinstance(lr, (list, tuple)) and lr and all(callable(item) for item in lr):
        columns = [engine.schedule_rates(item, steps, f"lr[{i}]") for i, item in enumerate(lr)]
        return np.stack(columns, axis=1), True
    if isinstance(lr, (list, tuple, np.ndarray)):
        rates = _validate.array(lr, "lr", low=0)
        if rates.ndim == 0:
            return np.full((steps, 1), float(rates)), False
        if rates.ndim != 1 or rates.size == 0:
            raise ValueError(
                f"lr must be a number, a non-empty 1-D array of rates or a schedule, got shape {rates.shape}"
            )
        return np.broadcast_to(rates, (steps, rates.size)), True
    return np.full((steps, 1), _validate.number(lr, "lr", low=0)), False


def _check_start(x0, dim):
    w = _validate.array(x0, "x0")
    if dim == 1 and w.ndim > 1:
        raise ValueError(f"x0 must be a number or a 1-D array of starts on a 1-D landscape, got shape {w.shape}")
    if dim == 2 and (w.ndim not in (1, 2) or w.shape[-1] != 2):
        raise ValueError(f"x0 must have shape (2,) or (n_runs, 2) on a 2-D landscape, got shape {w.shape}")
    if not np.all(np.abs(w) <= FAR_AWAY):
        raise ValueError(
            f"x0 must have every coordinate at most {FAR_AWAY:g} in size (FAR_AWAY), got {float(np.max(np.abs(w)))!r}"
        )
    return w


def _batch_shape(starts, rates):
    if starts and rates and starts != rates:
        raise ValueError(
            f"x0 and lr must give the same number of runs, got {starts[0]} starts and {rates[0]} rates"
        )
    return starts or rates


def _check_optimizer(optimizer):
    if optimizer is None:
        return optim.SGD()
    if not isinstance(optimizer, optim.Optimizer):
        raise TypeError(f"optimizer must be an lrcourse.optim optimizer or None, got {optimizer!r}")
    return optimizer


def _shaped(values, batch, axis=0):
    """Drop the run axis (at ``axis``) of a single run's arrays; an int for a single divergence step."""
    if batch:
        return values
    one = np.take(values, 0, axis=axis)
    return int(one) if one.ndim == 0 and one.dtype.kind == "i" else one


def _relative_change(before, after):
    """``after / before - 1`` for gaps ``>= 0``: ``inf`` from 0 to a positive gap, 0 from 0 to 0."""
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = after / np.where(before > 0, before, 1.0) - 1
    return np.where(before > 0, ratio, np.where(after > 0, np.inf, 0.0))


def _rate_label(lrs):
    return f"lr={_rate_text(lrs)}"


def _rate_text(lrs):
    """``"0.5"`` for a constant rate, ``"first..last"`` for a varying one."""
    lrs = np.asarray(lrs)
    if np.all(lrs == lrs[0]):
        return f"{lrs[0]:g}"
    return f"{lrs[0]:g}..{lrs[-1]:g}"
