"""Experiments of the chapter on momentum and adaptive rates: optimizers and per-layer rates over sweeps.

Three experiments (chapter 8 reuses the per-layer one):

- :func:`sweep` runs several optimizers on one landscape, each over the same
  grid of learning rates ``eta`` (one vectorized :func:`lrcourse.descent.run`
  per optimizer) and tabulates the final loss; :func:`good_range` measures how
  wide the band of good rates is, in decades.
- :func:`layer_rate_grid` fine-tunes a network with a different rate for its
  lower layer, ``eta_lower = ratio * eta``, over a grid of ratios, base rates
  ``eta`` and seeds, all in one vectorized :func:`lrcourse.training.train_grid`;
  :func:`from_pretrained` and :func:`shift_images` set up the fine-tuning task.
- :func:`moving_target` follows a minimum that jumps, from noisy gradients:
  the setting where Adagrad's ever-shrinking rates stall.
"""

import math
from dataclasses import dataclass

import numpy as np

from lrcourse import _validate, descent, engine, optim, reproducible, training
from lrcourse.metrics import mean_std
from lrcourse.evidence import best_rate

__all__ = [
    "Sweep",
    "sweep",
    "good_range",
    "Tracking",
    "moving_target",
    "shift_images",
    "from_pretrained",
    "LayerRateGrid",
    "layer_rate_grid",
]


@dataclass(repr=False, eq=False)
class Sweep:
    """Final losses of several optimizers over one grid of learning rates.

    Attributes
    ----------
    names : list of str
        The optimizers, in the order given.
    lrs : ndarray of shape (n_lrs,)
        The learning rates ``eta``, increasing.
    final_loss : ndarray of shape (n_optimizers, n_lrs)
        ``f(w_T) - f*`` after the last step; ``inf`` for a run that diverged.
    diverged_at : ndarray of int, shape (n_optimizers, n_lrs)
        The step at which each run diverged, ``-1`` if it never did.
    steps : int
        The number of steps of every run.
    chaotic : ndarray of bool, shape (n_optimizers, n_lrs)
        Runs whose final loss is decided by rounding: run again at the next
        larger floating-point rate (a change of one rounding error), their
        loss gap moves by more than one part in a million while it is above
        ``1e-12`` (below that, the run has converged to rounding level).
        Such runs are typical of adaptive methods in a limit cycle at a
        constant rate.
    nudged_loss : ndarray of shape (n_optimizers, n_lrs)
        The final loss gaps of that second run. A chaotic run is judged by
        the worse of its two losses, so that it counts as good (or best)
        only where rounding cannot change the verdict.
    """

    names: list
    lrs: np.ndarray
    final_loss: np.ndarray
    diverged_at: np.ndarray
    steps: int
    chaotic: np.ndarray
    nudged_loss: np.ndarray

    def best_lr(self, name):
        """The rate with the lowest final loss for optimizer ``name`` (the smallest such rate on ties; see ``nudged_loss``)."""
        return float(self.lrs[int(np.argmin(self._stable_loss(name)))])

    def good_range(self, name, threshold):
        """``(low, high)``: the contiguous band of rates around the best one with final loss <= ``threshold``.

        A chaotic run is good only if both its losses are (see ``nudged_loss``).
        """
        return good_range(self.lrs, self._stable_loss(name), threshold)

    def _stable_loss(self, name):
        k = self._index(name)
        return np.where(self.chaotic[k], np.maximum(self.final_loss[k], self.nudged_loss[k]), self.final_loss[k])

    def table(self, threshold):
        """One line per optimizer: best rate, its final loss, the good band and its width in decades."""
        lines = [f"{'optimizer':10s} {'best eta':>9s} {'final loss':>10s} {'chaotic':>8s}   good band (loss <= {threshold:g})"]
        for name in self.names:
            row = self._stable_loss(name)
            band = self.good_range(name, threshold)
            width = "none" if band is None else (
                f"{band[0]:.3g} .. {band[1]:.3g} ({math.log10(band[1] / band[0]):.1f} decades)"
            )
            best = int(np.argmin(row))
            loss = (
                f"{'chaotic':>10s}" if self.chaotic[self._index(name), best]
                else f"{row[best]:10.2e}" if row[best] >= reproducible.ROUNDING_LEVEL
                else f"{'< 1e-12':>10s}"
            )
            n_chaotic = int(self.chaotic[self._index(name)].sum())
            lines.append(f"{name:10s} {self.best_lr(name):9.3g} {loss} {n_chaotic:8d}   {width}")
        return "\n".join(lines)

    def _index(self, name):
        if name not in self.names:
            raise ValueError(f"name must be one of {', '.join(map(repr, self.names))}, got {name!r}")
        return self.names.index(name)

    def __repr__(self):
        return f"Sweep({', '.join(self.names)}; {len(self.lrs)} rates {self.lrs[0]:.3g} .. {self.lrs[-1]:.3g}, {self.steps} steps)"


def sweep(landscape, optimizers, lrs, steps, x0=None):
    """Run every optimizer at every learning rate on ``landscape`` for ``steps`` steps.

    Parameters
    ----------
    landscape : landscape
        From :mod:`lrcourse.landscapes` (with ``min_value``).
    optimizers : dict of str -> lrcourse.optim.Optimizer
        Name -> optimizer; its own ``lr`` is ignored (each is run with every rate).
    lrs : sequence of float
        The learning rates, increasing and > 0.
    steps : int
    x0 : point, optional
        The start, default ``landscape.default_start``.

    Returns
    -------
    Sweep

    Examples
    --------
    >>> from lrcourse import landscapes
    >>> result = sweep(landscapes.Quadratic1D(L=1.0), {"SGD": optim.SGD()}, [0.5, 1.0, 2.5], steps=30)
    >>> result.best_lr("SGD"), result.diverged_at.tolist()
    (1.0, [[-1, -1, 18]])
    """
    if not isinstance(optimizers, dict) or not optimizers:
        raise TypeError(f"optimizers must be a non-empty dict name -> optimizer, got {optimizers!r}")
    lrs = _validate.array(lrs, "lrs", low=0, low_open=True)
    if lrs.ndim != 1 or lrs.size < 2 or np.any(np.diff(lrs) <= 0):
        raise ValueError(f"lrs must be a 1-D array of at least 2 increasing rates, got {lrs}")
    final, nudged, diverged, chaotic = [], [], [], []
    for opt in optimizers.values():
        gaps = []
        for rates in (lrs, np.nextafter(lrs, np.inf)):
            run = descent.run(landscape, x0, rates, steps, opt)
            gaps.append(np.where(run.diverged_at >= 0, np.inf, run.losses[-1] - (run.min_value or 0.0)))
            if len(gaps) == 1:
                diverged.append(run.diverged_at)
        final.append(gaps[0])
        nudged.append(gaps[1])
        chaotic.append(reproducible.decided_by_rounding(*gaps))
    return Sweep(list(optimizers), lrs, *map(np.array, (final, diverged)), steps, *map(np.array, (chaotic, nudged)))


def good_range(lrs, losses, threshold):
    """The band of good learning rates: ``(low, high)``, or None if no rate is good.

    The band is the longest run of consecutive rates around the best one
    (lowest loss) whose loss is at most ``threshold``; its width in decades is
    ``log10(high / low)``.

    >>> good_range([0.1, 0.3, 1.0, 3.0, 10.0], [0.5, 1e-4, 1e-6, 1e-3, float("inf")], 1e-3)
    (0.3, 3.0)
    """
    lrs = _validate.array(lrs, "lrs", low=0, low_open=True)
    losses = np.asarray(losses, dtype=float)
    if losses.shape != lrs.shape or lrs.ndim != 1:
        raise ValueError(f"losses must have the shape of lrs, {lrs.shape}, got shape {losses.shape}")
    threshold = _validate.number(threshold, "threshold", low=0)
    good = ~(losses > threshold) & ~np.isnan(losses)
    best = int(np.argmin(np.where(np.isnan(losses), np.inf, losses)))
    if not good[best]:
        return None
    low = best
    while low > 0 and good[low - 1]:
        low -= 1
    high = best
    while high < len(lrs) - 1 and good[high + 1]:
        high += 1
    return float(lrs[low]), float(lrs[high])


def shift_images(X, pixels=1, image_shape=(8, 8)):
    """Move every image ``pixels`` columns to the right (wrapping around), as a new domain.

    >>> shift_images(np.arange(4.0).reshape(1, 4), image_shape=(2, 2))
    array([[1., 0., 3., 2.]])
    """
    X = _validate.array(X, "X")
    pixels = _validate.integer(pixels, "pixels")
    size = math.prod(image_shape)
    if X.ndim != 2 or X.shape[1] != size:
        raise ValueError(f"X must have shape (n, {size}) for images of shape {image_shape}, got shape {X.shape}")
    return np.roll(X.reshape(-1, *image_shape), pixels, axis=-1).reshape(len(X), size)


def from_pretrained(model, params, reinit=("W2", "b2")):
    """Where fine-tuning starts: ``start(seed)`` gives ``params``, except ``reinit``, which is drawn fresh.

    ``start(seed)`` returns copies of the pretrained arrays for every
    parameter not in ``reinit`` and ``model.init_params(seed)``'s arrays for
    those in it (a fresh output layer, by default). Pass it as ``params=`` to
    :func:`lrcourse.training.train_grid` or :func:`layer_rate_grid`.

    >>> from lrcourse.models import MLP
    >>> model = MLP(n_features=2, n_hidden=3, n_classes=2)
    >>> start = from_pretrained(model, model.init_params(7))
    >>> bool(np.array_equal(start(0)["W1"], model.init_params(7)["W1"]))
    True
    >>> bool(np.array_equal(start(0)["W2"], model.init_params(0)["W2"]))
    True
    """
    if not isinstance(params, dict) or set(params) != set(model.param_shapes):
        raise ValueError(f"params must be a dict with the keys {sorted(model.param_shapes)}, got {params!r}")
    for name in reinit:
        if name not in model.param_shapes:
            raise ValueError(f"reinit must name parameters of the model ({sorted(model.param_shapes)}), got {name!r}")
    pretrained = {name: _validate.array(value, f"params[{name!r}]").copy() for name, value in params.items()}
    for name, shape in model.param_shapes.items():
        if pretrained[name].shape != shape:
            raise ValueError(f"params[{name!r}] must have shape {shape}, got shape {pretrained[name].shape}")

    def start(seed):
        fresh = model.init_params(seed)
        return {name: fresh[name] if name in reinit else pretrained[name].copy() for name in fresh}

    return start


@dataclass(repr=False, eq=False)
class LayerRateGrid:
    """Final validation accuracy of fine-tuning runs over ratios x base rates x seeds.

    Attributes
    ----------
    ratios : ndarray of shape (n_ratios,)
        ``eta_lower / eta``.
    lrs : ndarray of shape (n_lrs,)
        The base rates ``eta`` of the upper layer.
    seeds : ndarray of int
    val_acc : ndarray of shape (n_ratios, n_lrs, n_seeds)
        Validation accuracy after the last epoch (NaN for a run that diverged).
    diverged_at : ndarray of int, shape (n_ratios, n_lrs, n_seeds)
        ``-1`` where the run never diverged.
    """

    ratios: np.ndarray
    lrs: np.ndarray
    seeds: np.ndarray
    val_acc: np.ndarray
    diverged_at: np.ndarray

    def __repr__(self):
        runs = self.diverged_at.size
        return (
            f"LayerRateGrid(ratios={len(self.ratios)}, lrs={len(self.lrs)}, seeds={len(self.seeds)}, "
            f"diverged={int((self.diverged_at >= 0).sum())} of {runs} runs)"
        )

    def best(self):
        """For each ratio: ``(best base rate, mean and std of val_acc over seeds there)``, by mean accuracy.

        The course's policy for diverged runs (:func:`lrcourse.evidence.best_rate`):
        a diverged run counts as accuracy 0 inside its rate's mean over all
        seeds; the standard deviation uses ``ddof=1``.
        """
        val_acc = np.where(self.diverged_at >= 0, np.nan, self.val_acc)
        rows = []
        for k in range(len(self.ratios)):
            top = best_rate(self.lrs, val_acc[k])
            rows.append((top.lr, top.mean, top.spread))
        return rows

    def table(self):
        """Mean ± std (``ddof=1``, :func:`lrcourse.metrics.mean_std`) of the final validation accuracy per ratio and rate.

        A cell in which a seed diverged says ``diverged``.
        """
        head = "ratio  " + "".join(f"eta={lr:<12.3g}" for lr in self.lrs)
        lines = [head]
        mean, std, count = mean_std(self.val_acc, axis=2)
        for k, ratio in enumerate(self.ratios):
            cells = [
                f"{mean[k, i]:.3f}±{std[k, i]:.3f}  " if count[k, i] == len(self.seeds) else "diverged".ljust(15)
                for i in range(len(self.lrs))
            ]
            lines.append(f"{ratio:<7.3g}" + "".join(cells))
        return "\n".join(lines)


def layer_rate_grid(
    model, data, ratios, lrs, seeds=(0,), lower=("W1", "b1"), momentum=0.9, epochs=10, batch_size=32, params=None
):
    """Train with ``SGD(momentum)`` and per-layer rates: ``ratio * eta`` for ``lower``, ``eta`` for the rest.

    Every (ratio, eta, seed) run is trained together in one vectorized
    :func:`lrcourse.training.train_grid`; run (``ratios[k]``, ``lrs[i]``,
    ``seeds[j]``) equals ``training.train(model, data, optim.SGD(lr={p: ratio *
    eta for p in lower, other p: eta}, momentum=momentum), seed=seeds[j])``.

    Parameters
    ----------
    model : SoftmaxRegression or MLP
    data : Digits or anything with ``X_train, y_train, X_val, y_val``
    ratios : sequence of float
        ``eta_lower / eta``, each >= 0 (0 freezes the lower layer).
    lrs : sequence of float
        The base rates ``eta``, each > 0.
    seeds : sequence of int
    lower : tuple of str
        The parameters of the lower layer.
    momentum, epochs, batch_size
        As in :class:`lrcourse.optim.SGD` and :func:`lrcourse.training.train`.
    params : dict or callable, optional
        Where the runs start, as in :func:`lrcourse.training.train_grid`,
        e.g. :func:`from_pretrained`.

    Returns
    -------
    LayerRateGrid
    """
    ratios = _validate.array(ratios, "ratios", low=0)
    lrs = _validate.array(lrs, "lrs", low=0, low_open=True)
    if ratios.ndim != 1 or lrs.ndim != 1 or ratios.size == 0 or lrs.size == 0:
        raise ValueError(f"ratios and lrs must be non-empty 1-D sequences, got shapes {ratios.shape} and {lrs.shape}")
    for name in lower:
        if name not in model.param_shapes:
            raise ValueError(f"lower must name parameters of the model ({sorted(model.param_shapes)}), got {name!r}")
    n_seeds = len(seeds)
    run_ratio = np.repeat(ratios, lrs.size * n_seeds).reshape(-1, 1, 1)

    def make_optimizer(lr):
        rates = {name: lr * run_ratio if name in lower else lr for name in model.param_shapes}
        return optim.SGD(lr=rates, momentum=momentum)

    grid = training.train_grid(
        model,
        data,
        make_optimizer,
        lrs=np.tile(lrs, ratios.size),
        seeds=list(seeds),
        epochs=epochs,
        batch_size=batch_size,
        params=params,
        grad_norm=False,  # not reported: saves a full-set gradient per epoch
    )
    shape = (ratios.size, lrs.size, n_seeds)
    return LayerRateGrid(
        ratios=ratios,
        lrs=lrs,
        seeds=np.array(seeds),
        val_acc=grid.val_acc[:, :, -1].reshape(shape),
        diverged_at=grid.diverged_at.reshape(shape),
    )


@dataclass(repr=False, eq=False)
class Tracking:
    """A run of :func:`moving_target`, one column per learning rate.

    Attributes
    ----------
    positions : ndarray of shape (steps + 1, n_lrs)
        ``w_t``.
    targets : ndarray of shape (steps,)
        The minimizer ``c_t`` in force at step ``t``.
    grads : ndarray of shape (steps, n_lrs)
        The noisy gradients ``g_t`` used.
    effective_lr : ndarray of shape (steps, n_lrs)
        ``|w_{t+1} - w_t| / |g_t|``: the rate the optimizer actually applied to
        the gradient at step ``t`` (for Adagrad ``eta / (sqrt(s_t) + eps)``, for
        RMSprop ``eta / (sqrt(v_t) + eps)``; NaN where ``g_t = 0``).
    diverged_at : ndarray of int, shape (n_lrs,)
        The first step ``t`` with ``|w_t|`` beyond ``lrcourse.descent.FAR_AWAY``
        (or not finite), ``-1`` if none; later positions are NaN.
    """

    positions: np.ndarray
    targets: np.ndarray
    grads: np.ndarray
    effective_lr: np.ndarray
    diverged_at: np.ndarray

    def catch_up_steps(self, within):
        """Steps after each change of target until ``|w_t - c| <= within``: shape (n_centers, n_lrs), -1 if never."""
        within = _validate.number(within, "within", low=0, low_open=True)
        changes = np.flatnonzero(np.r_[True, np.diff(self.targets) != 0])
        ends = np.r_[changes[1:], self.targets.size]
        rows = []
        for start, end in zip(changes, ends):
            close = np.abs(self.positions[start + 1 : end + 1] - self.targets[start]) <= within
            rows.append(np.where(close.any(axis=0), np.argmax(close, axis=0) + 1, -1))
        return np.array(rows)


def moving_target(optimizer, lrs, centers, steps_per_center, noise_std=1.0, seed=0, x0=0.0):
    """Follow the minimum of ``f(w) = (w - c)^2 / 2`` while ``c`` jumps, from noisy gradients.

    For ``steps_per_center`` steps the minimizer is ``centers[0]``, then
    ``centers[1]``, and so on; every step sees ``g_t = (w_t - c) + xi_t`` with
    ``xi_t ~ N(0, noise_std^2)`` from ``np.random.default_rng(seed)`` (the same
    noise for every rate). A method whose rate only shrinks (Adagrad) falls
    behind after a jump; one that forgets old gradients (RMSprop) keeps up.

    Parameters
    ----------
    optimizer : lrcourse.optim.Optimizer
        Run through :func:`lrcourse.engine.run_steps` with the rates ``lrs``
        (its own ``lr`` is ignored; the instance is not changed).
    lrs : sequence of float
        One run per rate, vectorized.
    centers : sequence of float
    steps_per_center : int
    noise_std : float
    seed : int
    x0 : float

    Returns
    -------
    Tracking
    """
    if not isinstance(optimizer, optim.Optimizer):
        raise TypeError(f"optimizer must be an lrcourse.optim optimizer, got {optimizer!r}")
    lrs = _validate.array(lrs, "lrs", low=0)
    if lrs.ndim != 1 or lrs.size == 0:
        raise ValueError(f"lrs must be a non-empty 1-D sequence of rates, got shape {lrs.shape}")
    centers = _validate.array(centers, "centers")
    steps_per_center = _validate.integer(steps_per_center, "steps_per_center", low=1)
    noise_std = _validate.number(noise_std, "noise_std", low=0)
    seed = _validate.integer(seed, "seed", low=0)
    targets = np.repeat(centers, steps_per_center)
    noise = np.random.default_rng(seed).normal(0.0, noise_std, size=targets.size)
    x0 = _validate.number(x0, "x0", low=-engine.FAR_AWAY, high=engine.FAR_AWAY)
    steps = targets.size
    positions = np.full((steps + 1, lrs.size), np.nan)
    positions[0] = x0
    grads = np.full((steps, lrs.size), np.nan)

    def objective(w, t, with_grad):
        grads[t] = (w - targets[t]) + noise[t]
        return 0.5 * (w - targets[t]) ** 2, grads[t]

    def record(t, w, alive):
        positions[t] = np.where(alive, w, np.nan)

    rates = np.broadcast_to(lrs, (steps, lrs.size))
    runs = engine.run_steps(objective, np.full(lrs.size, x0), optimizer, rates, steps, after_step=record)
    for r in np.flatnonzero(runs.diverged_at >= 0):
        grads[runs.diverged_at[r] :, r] = np.nan  # the gradient at a position past FAR_AWAY is not taken
    moved = np.abs(np.diff(positions, axis=0))
    effective = np.full(grads.shape, np.nan)
    np.divide(moved, np.abs(grads), out=effective, where=grads != 0)
    return Tracking(
        positions=positions, targets=targets, grads=grads, effective_lr=effective, diverged_at=runs.diverged_at
    )
