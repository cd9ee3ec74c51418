"""Training the networks of :mod:`lrcourse.models` on minibatches, many runs at once.

:func:`train_grid` trains one run per (learning rate, seed) pair, all
together: the parameters of the runs are stacked on a leading run axis and
stepped by the package's one loop, :func:`lrcourse.engine.run_steps`, with
its divergence rule. :func:`train` is a grid of one run, and its
:class:`History` is a view of one run of a :class:`GridResult`.

Each epoch visits the training set once in a seeded random order
(:func:`lrcourse.data.minibatches`). Step ``t = 0, 1, ...`` computes the
objective ``f`` and its gradient ``g_t`` on one minibatch at ``w_t`` and sets
``w_{t+1}`` by the optimizer's update with rate ``eta_t``. At the end of
every epoch (and before the first step) the whole training and validation
sets are measured. A schedule-free optimizer (:class:`lrcourse.optim.SGDScheduleFree`,
:class:`~lrcourse.optim.AdamWScheduleFree`) takes its gradients at one point
``y`` and is measured, and returns its final parameters, at its average ``x``
(:meth:`~lrcourse.optim.Optimizer.evaluation_point`), as its authors evaluate it.

>>> from lrcourse import data, optim
>>> from lrcourse.models import SoftmaxRegression
>>> digits = data.load_digits()
>>> history = train(SoftmaxRegression(), digits, optim.SGD(lr=0.5), epochs=5, batch_size=32)
>>> print(f"{history.train_loss[0]:.4f}")   # zero init: the loss of guessing, ln 10
2.3026
>>> history
History(epochs=5, steps=170, train_loss=0.3021, val_acc=0.9415, diverged_at=-1)
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np

from . import _validate, engine, optim
from .data import check_labels, minibatches
from .metrics import epochs_to_reach, format_mean_std, text_table
from .models import _n_runs, _Network, _rngs
from .reproducible import decided_by_rounding

__all__ = ["train", "train_grid", "History", "GridResult", "rounding_sensitive", "minibatch_objective", "EPOCH_METRICS"]

EPOCH_METRICS = ("train_loss", "val_loss", "train_acc", "val_acc")
"""The measurements taken on the whole training and validation sets after every epoch."""


@dataclass(repr=False, eq=False)
class GridResult:
    """The runs of :func:`train_grid`: one per (learning rate, seed), as arrays.

    Arrays are indexed ``[i, j, ...]`` for rate ``lrs[i]`` and seed
    ``seeds[j]``; the epoch and step axes and the NaN convention are those of
    :class:`History`, and ``history(i, j)`` gives one run as a History.

    Attributes
    ----------
    lrs : ndarray of shape (n_lrs,)
    seeds : ndarray of int, shape (n_seeds,)
    epochs : ndarray of int, ``0, ..., E``
    train_loss, val_loss, train_acc, val_acc : ndarray of shape (n_lrs, n_seeds, E + 1)
    grad_norm : dict of str -> ndarray of shape (n_lrs, n_seeds, E + 1)
        Empty when the grid was trained with ``grad_norm=False``.
    step_loss : ndarray of shape (n_lrs, n_seeds, steps)
    step_lr : ndarray of shape (n_lrs, steps) or None
        The rate ``eta_t`` of every step: the schedule's, or the constant
        rate; None for per-layer (dict) rates without a schedule.
    diverged_at : ndarray of int, shape (n_lrs, n_seeds)
        The step at which each run diverged, ``-1`` where it never did (the
        package's one convention, :mod:`lrcourse.engine`).
    divergence : tuple of tuples of str
        ``divergence[i][j]`` says what happened, in words ("" if nothing).
    params : dict of str -> ndarray
        The final parameters, indexed like every other field:
        ``params[name][i, j]`` is run (``lrs[i]``, ``seeds[j]``)'s, of shape
        ``model.param_shapes[name]``. :meth:`stacked_params` gives them in
        the stacked form the model's methods evaluate at once.
    steps : ndarray of int, shape (n_lrs, n_seeds)
    wall_time : float
        Seconds for the whole grid.
    model : SoftmaxRegression or MLP
        The model trained (use it to evaluate the final parameters).
    settings : dict
        Model, optimizer, epochs, batch size, and whether a schedule was used.
    start : dict, callable or None
        The ``params`` the runs started from (None: ``model.init_params``).
    """

    lrs: np.ndarray
    seeds: np.ndarray
    epochs: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    train_acc: np.ndarray
    val_acc: np.ndarray
    grad_norm: dict
    step_loss: np.ndarray
    step_lr: object
    diverged_at: np.ndarray
    divergence: tuple
    params: dict
    steps: np.ndarray
    wall_time: float
    model: object
    settings: dict = field(default_factory=dict)
    start: object = None

    @property
    def diverged(self):
        """Bool array ``(n_lrs, n_seeds)``: which runs diverged."""
        return self.diverged_at >= 0

    def history(self, i, j=0):
        """Run (``lrs[i]``, ``seeds[j]``) as a :class:`History` (a view: no copy)."""
        i = _validate.integer(i, "i", low=0, high=len(self.lrs) - 1)
        j = _validate.integer(j, "j", low=0, high=len(self.seeds) - 1)
        return History(self, i, j)

    def stacked_params(self, rows=None):
        """The final parameters of the runs at the rates ``rows`` (default: all), stacked for the model.

        The stacked form of :meth:`lrcourse.models.MLP.stack_params`, runs in
        the order (``i``, ``j``), rate by rate and seed by seed, so that e.g.
        ``model.dead_units(grid.stacked_params(), X).reshape(len(grid.lrs), -1)``
        is indexed ``[i, j]``. ``rows`` is a rate index, a list of them or a slice.
        """
        picked = np.arange(len(self.lrs))[slice(None) if rows is None else rows]
        runs = [self.history(int(i), j).params for i in np.atleast_1d(picked) for j in range(len(self.seeds))]
        return self.model.stack_params(runs)

    def rows(self):
        """A tidy table: one dict per run with its rate, seed and summary numbers.

        Keys: ``lr``, ``seed``, ``final_train_loss``, ``final_val_loss``,
        ``final_train_acc``, ``final_val_acc`` (at the last epoch, NaN if the
        run diverged), ``best_val_acc``, ``best_epoch`` (None if nothing was
        measured), ``diverged_at`` (-1 if it never diverged).
        """
        rows = []
        for i, lr in enumerate(self.lrs):
            for j, seed in enumerate(self.seeds):
                run = self.history(i, j)
                best = run.best_epoch
                rows.append(
                    {
                        "lr": float(lr),
                        "seed": int(seed),
                        **{f"final_{name}": float(getattr(run, name)[-1]) for name in EPOCH_METRICS},
                        "best_val_acc": float("nan") if best is None else float(run.val_acc[best]),
                        "best_epoch": best,
                        "diverged_at": run.diverged_at,
                    }
                )
        return rows

    def epochs_to(self, target, metric="val_acc"):
        """Per run, the first epoch at which ``metric`` reached ``target``: int array ``(n_lrs, n_seeds)``, -1 for never.

        See :func:`lrcourse.metrics.epochs_to_reach`.
        """
        metric = _validate.choice(metric, "metric", EPOCH_METRICS)
        return epochs_to_reach(getattr(self, metric), target)

    def table(self, metrics=("train_loss", "val_acc")):
        """A text table, one line per learning rate: the final metrics over the seeds, and divergences.

        Each cell is ``mean ± std`` over the seeds whose run did not diverge
        (see :func:`lrcourse.metrics.mean_std`); ``diverged`` counts the runs that diverged.
        """
        metrics = tuple(_validate.choice(m, "metrics", EPOCH_METRICS) for m in metrics)
        rows = []
        for i, lr in enumerate(self.lrs):
            cells = [format_mean_std(getattr(self, metric)[i, :, -1]) for metric in metrics]
            rows.append([f"{lr:.4g}", *cells, f"{int(self.diverged[i].sum())}/{len(self.seeds)}"])
        return text_table(["lr", *(f"final {m}" for m in metrics), "diverged"], rows)

    def __repr__(self):
        return (
            f"GridResult(lrs={len(self.lrs)}, seeds={len(self.seeds)}, epochs={len(self.epochs) - 1}, "
            f"diverged={int(self.diverged.sum())} of {self.diverged.size} runs)"
        )


class History:
    """What happened in one training run, epoch by epoch and step by step.

    Epoch arrays have ``epochs + 1`` entries: entry 0 is measured before the
    first step, entry ``e`` at the end of epoch ``e``. Entries from the epoch
    in which the run diverged onward are NaN.

    Attributes
    ----------
    epochs : ndarray of int, ``0, 1, ..., E``
    train_loss, val_loss : ndarray
        Mean cross-entropy on the whole training / validation set (without
        the L2 penalty, so runs with different ``l2`` compare directly).
    train_acc, val_acc : ndarray
        Accuracy on the whole training / validation set.
    grad_norm : dict of str -> ndarray
        ``||g||`` of the training objective (with the penalty) on the whole
        training set, per parameter (``"W1"``, ...) and ``"total"`` for all
        parameters together.
    step_loss : ndarray of shape (steps,)
        The objective on the minibatch of each step ``t``, at ``w_t`` (before
        the step's update); NaN after divergence.
    step_lr : ndarray of shape (steps,) or None
        The learning rate ``eta_t`` of each step (None for per-layer rates).
    diverged_at : int
        The step ``t`` at which the run was found diverged (its ``w_t``
        broke a rule in :func:`train`), ``-1`` if it never did.
    divergence : str
        What happened, in words (empty if the run did not diverge).
    params : dict of str -> ndarray
        The final parameters ``w_steps``; for a diverged run the last ones
        that passed the checks, ``w_{diverged_at - 1}``.
    steps : int
        Optimizer steps taken: all of them, or ``diverged_at`` for a
        diverged run.
    wall_time : float
        Seconds the training took (varies between runs; never printed in the
        book's stored outputs).
    settings : dict
        Model, optimizer, epochs, batch size and seed, for the record.
    """


    def __init__(self, grid, i=0, j=0):
        self.grid, self.i, self.j = grid, i, j

    def _of_run(name, doc):
        return property(lambda self: getattr(self.grid, name)[self.i, self.j], doc=doc)

    train_loss = _of_run("train_loss", "Mean cross-entropy on the whole training set, per epoch.")
    val_loss = _of_run("val_loss", "Mean cross-entropy on the whole validation set, per epoch.")
    train_acc = _of_run("train_acc", "Accuracy on the whole training set, per epoch.")
    val_acc = _of_run("val_acc", "Accuracy on the whole validation set, per epoch.")
    step_loss = _of_run("step_loss", "The minibatch objective of each step, at ``w_t``.")
    del _of_run

    @property
    def epochs(self):
        """``0, 1, ..., E``."""
        return self.grid.epochs

    @property
    def grad_norm(self):
        """``||g||`` on the whole training set per epoch, per parameter and ``"total"``."""
        return {name: norms[self.i, self.j] for name, norms in self.grid.grad_norm.items()}

    @property
    def step_lr(self):
        """The rate ``eta_t`` of every step (None for per-layer rates)."""
        return None if self.grid.step_lr is None else self.grid.step_lr[self.i]

    @property
    def diverged_at(self):
        """The step of divergence, ``-1`` if none."""
        return int(self.grid.diverged_at[self.i, self.j])

    @property
    def divergence(self):
        """What happened, in words (empty if the run did not diverge)."""
        return self.grid.divergence[self.i][self.j]

    @property
    def params(self):
        """The final parameters of this run (one run's shapes)."""
        return {name: value[self.i, self.j] for name, value in self.grid.params.items()}

    @property
    def steps(self):
        """Optimizer steps taken."""
        return int(self.grid.steps[self.i, self.j])

    @property
    def wall_time(self):
        """Seconds the training took (of the whole grid it belongs to)."""
        return self.grid.wall_time

    @property
    def settings(self):
        """Model, optimizer, epochs, batch size and seed (and rate, for a run of a grid)."""
        settings = dict(self.grid.settings)
        settings.pop("scheduled", None)
        if settings.pop("grid", True):
            settings.update(lr=float(self.grid.lrs[self.i]), seed=int(self.grid.seeds[self.j]))
        return settings

    @property
    def diverged(self):
        """True if the run diverged."""
        return self.diverged_at >= 0

    @property
    def best_epoch(self):
        """The epoch with the highest validation accuracy (the first such epoch), or None if none was measured."""
        finite = np.isfinite(self.val_acc)
        if not finite.any():
            return None
        return int(np.argmax(np.where(finite, self.val_acc, -np.inf)))

    def epochs_to(self, target, metric="val_acc"):
        """The first epoch at which ``metric`` reached ``target``, or None (see :func:`lrcourse.metrics.epochs_to_reach`)."""
        metric = _validate.choice(metric, "metric", EPOCH_METRICS)
        return epochs_to_reach(getattr(self, metric), target)

    def summary(self):
        """A few lines: the settings (one per line), final (or last measured) and best metrics, divergence."""
        last = self._last_measured()
        lines = [
            *(f"{key}: {value}" for key, value in self.settings.items()),
            f"epoch {last}: train loss {self.train_loss[last]:.4f}, val loss {self.val_loss[last]:.4f}, "
            f"train acc {self.train_acc[last]:.4f}, val acc {self.val_acc[last]:.4f}",
            f"best val acc {self.val_acc[self.best_epoch]:.4f} at epoch {self.best_epoch}",
            self.divergence if self.diverged else "did not diverge",
        ]
        return "\n".join(lines)

    def _last_measured(self):
        return int(np.flatnonzero(np.isfinite(self.train_loss))[-1])

    def __repr__(self):
        last = self._last_measured()
        metrics = f"train_loss={self.train_loss[last]:.4f}, val_acc={self.val_acc[last]:.4f}"
        epochs = len(self.epochs) - 1
        if self.diverged:
            return (
                f"History(epochs={epochs}, steps={self.steps}, diverged_at={self.diverged_at}, "
                f"last measured at epoch {last}: {metrics})"
            )
        return f"History(epochs={epochs}, steps={self.steps}, {metrics}, diverged_at=-1)"


def train(model, data, optimizer, epochs=20, batch_size=32, schedule=None, seed=0, params=None, blowup=1e6):
    """Train ``model`` on ``data`` with minibatches and ``optimizer``; return a :class:`History`.

    A grid of one run: the loop, the minibatch order and the divergence rule
    are those of :func:`train_grid`. Unlike ``train_grid``, it takes an
    optimizer instance and continues from the state that optimizer keeps, as
    ``torch.optim`` does: calling ``train`` again with the same optimizer
    (say, one epoch at a time) goes on with its momentum and step count, and
    the optimizer holds the final state afterwards. With a schedule,
    ``eta_t = schedule(t)`` (as PyTorch's ``scheduler.step()`` after every
    ``optimizer.step()``); without, ``optimizer.lr``.

    Divergence. The run stops, and says why in ``History.divergence``, at
    the first step ``t`` where an entry of ``w_t`` is not finite or exceeds
    :data:`lrcourse.engine.FAR_AWAY` (1e12) in magnitude (checked before
    anything can overflow, so no numpy warning appears at any learning
    rate), or where the minibatch objective at ``w_t`` is not finite or
    exceeds ``blowup * max(f_0, 1)``, with ``f_0`` the objective on the whole
    training set at ``w_0`` (the package's one rule,
    :func:`lrcourse.engine.run_steps`, with ``f* = 0``, the least a
    cross-entropy can be). The default ``blowup`` is generous on purpose: a
    large rate can make the loss jump tenfold and still recover (softmax
    regression on the digits does at ``eta = 10``), so a smaller threshold
    would call healthy runs diverged.

    Parameters
    ----------
    model : SoftmaxRegression or MLP
    data : Digits
        Anything with ``X_train, y_train, X_val, y_val`` (see
        :func:`lrcourse.data.load_digits`).
    optimizer : lrcourse.optim optimizer
        Its ``lr`` (float or per-layer dict) unless a schedule is given.
    epochs : int, default 20
    batch_size : int, default 32
    schedule : callable, optional
        ``schedule(t) -> eta_t``, a schedule of :mod:`lrcourse.schedules` or
        any function of the step (see :func:`lrcourse.engine.schedule_rates`).
    seed : int, default 0
        Seeds the initialization (unless ``params`` is given) and the order of
        the minibatches, through two independent streams of
        ``np.random.SeedSequence(seed)``.
    params : dict, optional
        Start here instead of ``model.init_params(seed)``.
    blowup : float, default 1e6
        See *Divergence*; must be >= 1.

    Returns
    -------
    History
    """
    if not isinstance(optimizer, optim.Optimizer):
        raise TypeError(f"optimizer must be an lrcourse.optim optimizer, got {optimizer!r}")
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a callable of the step t, got {schedule!r}")
    seed = _validate.integer(seed, "seed", low=0)
    settings = {"model": repr(model), "optimizer": repr(optimizer)}
    if isinstance(optimizer.lr, dict):
        lrs = np.array([math.nan])
    else:
        lrs = np.array([float(np.asarray(optimizer.lr).reshape(-1)[0])])
    grid = _train(
        model, data, optimizer, lrs, [seed], epochs, batch_size,
        make_schedule=None if schedule is None else (lambda lr: schedule), blowup=blowup, params=params,
        keep_state=True, settings=settings, schedule_name="schedule",
    )
    if schedule is not None:
        grid.settings["schedule"] = getattr(schedule, "__name__", None) or repr(schedule)
    return grid.history(0, 0)


def train_grid(
    model, data, make_optimizer, lrs, seeds=(0,), epochs=20, batch_size=32, make_schedule=None, blowup=1e6, params=None,
    grad_norm=True,
):
    """Train one run per (learning rate, seed) pair, all at once; return a :class:`GridResult`.

    The runs are stacked along a leading run axis and trained together by
    :func:`lrcourse.engine.run_steps`: run (``lrs[i]``, ``seeds[j]``) gets
    exactly the initialization, minibatch order, updates and divergence rule
    of ``train(model, data, make_optimizer(lrs[i]), seed=seeds[j], ...)``
    (equal up to floating-point rounding). A run that diverges is frozen at
    its last good parameters while the others go on.

    Parameters
    ----------
    model : SoftmaxRegression or MLP
    data : Digits
    make_optimizer : callable
        ``make_optimizer(lr) -> optimizer``, called once with ``lr`` an
        array of shape ``(R, 1, 1)`` holding every run's rate, e.g.
        ``lambda lr: optim.SGD(lr=lr, momentum=0.9)`` or just ``optim.Adam``.
    lrs : sequence of float
        The learning rates ``eta``, each finite and ``>= 0``.
    seeds : sequence of int, default (0,)
        One run per seed for every rate (seeds as in :func:`train`).
    epochs, batch_size, blowup
        As in :func:`train`.
    make_schedule : callable, optional
        ``make_schedule(lr) -> schedule`` for one base rate, e.g.
        ``lambda lr: schedules.cosine(lr, total_steps=680)``; run ``i`` uses
        ``eta_t = make_schedule(lrs[i])(t)`` (for every param, replacing a
        per-layer ``lr`` the optimizer may have).
    params : dict or callable, optional
        Where the runs start instead of ``model.init_params(seed)``: one
        run's parameters (the same start for every run), or a function
        ``params(seed) -> one run's parameters`` (e.g.
        :func:`lrcourse.experiments.momentum_adaptive.from_pretrained`).
    grad_norm : bool, default True
        Measure ``||g||`` on the whole training set after every epoch. Its
        backward pass over the whole set is a good part of the cost of the
        measurements; ``False`` skips it (``GridResult.grad_norm`` is then
        empty) and changes nothing else.

    Returns
    -------
    GridResult

    Raises
    ------
    ValueError
        For a record of more than 1 GiB (``epochs`` times the steps per
        epoch times the number of runs).

    Examples
    --------
    >>> from lrcourse import data, optim
    >>> from lrcourse.models import SoftmaxRegression
    >>> grid = train_grid(SoftmaxRegression(), data.load_digits(), optim.SGD,
    ...                   lrs=[0.1, 1.0], seeds=[0, 1], epochs=3)
    >>> grid.val_acc.shape
    (2, 2, 4)
    >>> grid.diverged_at
    array([[-1, -1],
           [-1, -1]])
    """
    if not callable(make_optimizer):
        raise TypeError(f"make_optimizer must be a callable lr -> optimizer, got {make_optimizer!r}")
    lrs = _validate.array(lrs, "lrs", low=0)
    if lrs.ndim != 1 or len(lrs) == 0:
        raise ValueError(f"lrs must be a non-empty 1-D sequence of rates, got shape {lrs.shape}")
    if not isinstance(seeds, (list, tuple, np.ndarray)) or len(seeds) == 0:
        raise ValueError(f"seeds must be a non-empty list of integers >= 0, got {seeds!r}")
    seeds = [_validate.integer(s, f"seeds[{k}]", low=0) for k, s in enumerate(seeds)]
    if make_schedule is not None and not callable(make_schedule):
        raise TypeError(f"make_schedule must be a callable lr -> schedule, got {make_schedule!r}")
    n_runs = len(lrs) * len(seeds)
    optimizer = make_optimizer(np.repeat(lrs, len(seeds)).reshape(n_runs, 1, 1))
    if not isinstance(optimizer, optim.Optimizer):
        raise TypeError(f"make_optimizer(lr) must return an lrcourse.optim optimizer, got {optimizer!r}")
    settings = {"model": repr(model), "optimizer": repr(optimizer)}
    grad_norm = _validate.flag(grad_norm, "grad_norm")
    return _train(
        model, data, optimizer, lrs, seeds, epochs, batch_size, make_schedule, blowup, params, False, settings,
        with_grad_norm=grad_norm,
    )


def _train(
    model, data, optimizer, lrs, seeds, epochs, batch_size, make_schedule, blowup, params, keep_state, settings,
    schedule_name="make_schedule(lr)", with_grad_norm=True,
):
    """The training of :func:`train` and :func:`train_grid`, inputs checked here or by them."""
    X_train, y_train, X_val, y_val = _check_training_inputs(model, data)
    epochs = _validate.integer(epochs, "epochs", low=1)
    batch_size = _validate.integer(batch_size, "batch_size", low=1)
    blowup = _validate.number(blowup, "blowup", low=1)
    n_lrs, n_seeds = len(lrs), len(seeds)
    n_runs = n_lrs * n_seeds
    steps_per_epoch = math.ceil(len(y_train) / batch_size)
    n_steps = epochs * steps_per_epoch
    engine.check_memory(n_steps, n_runs, 2, name="epochs x steps per epoch")
    start = _starting_params(model, params, seeds)
    w = {name: np.tile(value, (n_lrs, 1, 1)) for name, value in start.items()}
    step_lr = _step_rates(make_schedule, optimizer, lrs, n_steps, schedule_name)
    rates = None if make_schedule is None else np.repeat(step_lr, n_seeds, axis=0).T
    record = {name: np.full((n_runs, epochs + 1), np.nan) for name in EPOCH_METRICS}
    grad_norm = {name: np.full((n_runs, epochs + 1), np.nan) for name in [*w, "total"]} if with_grad_norm else {}

    def measure(epoch, params, alive):
        cross_ent, train_acc, penalty, grads = model._evaluate(params, X_train, y_train, with_grads=with_grad_norm)
        val_loss, val_acc, _, _ = model._evaluate(params, X_val, y_val, with_grads=False)
        values = {"train_loss": cross_ent, "val_loss": val_loss, "train_acc": train_acc, "val_acc": val_acc}
        for name, value in values.items():
            record[name][alive, epoch] = value[alive]
        if with_grad_norm:
            squares = {name: (g**2).reshape(n_runs, -1).sum(axis=1) for name, g in grads.items()}
            for name, sq in squares.items():
                grad_norm[name][alive, epoch] = np.sqrt(sq[alive])
            grad_norm["total"][alive, epoch] = np.sqrt(sum(squares.values())[alive])
        return cross_ent + penalty

    objective = minibatch_objective(model, X_train, y_train, batch_size, seeds, runs_per_seed=n_lrs)

    # A schedule-free optimizer takes its gradients at y (the loop's params) and is evaluated at x (in its state).
    stepper = _KeepsLastState(optimizer) if optimizer.evaluates_elsewhere else optimizer

    def after_step(t, params, alive):
        if t % steps_per_epoch == 0:
            if stepper is not optimizer:
                params = optimizer.evaluation_point(params, stepper.state)
            measure(t // steps_per_epoch, params, alive)

    initial = measure(0, w, np.ones(n_runs, dtype=bool))
    state = _kept_state(optimizer, model) if keep_state else None
    clock = time.perf_counter()
    runs = engine.run_steps(
        objective, w, stepper, rates, n_steps,
        loss_limit=engine.loss_limit(initial, 0.0, blowup), after_step=after_step, state=state,
    )
    if stepper is not optimizer:
        runs.params = _where_alive(runs.diverged_at < 0, optimizer.evaluation_point(runs.params, runs.state), runs.params)
    wall_time = time.perf_counter() - clock
    if keep_state:
        _keep_state(optimizer, model, runs.state)
    divergence = [_divergence_text(runs, r, steps_per_epoch, blowup, initial) for r in range(n_runs)]

    def grid(values):
        return np.asarray(values).reshape(n_lrs, n_seeds, *np.shape(values)[1:])

    return GridResult(
        lrs=lrs,
        seeds=np.array(seeds),
        epochs=np.arange(epochs + 1),
        **{name: grid(values) for name, values in record.items()},
        grad_norm={name: grid(norms) for name, norms in grad_norm.items()},
        step_loss=grid(runs.losses[:n_steps].T),
        step_lr=step_lr,
        diverged_at=grid(runs.diverged_at),
        divergence=tuple(tuple(divergence[i * n_seeds : (i + 1) * n_seeds]) for i in range(n_lrs)),
        params={name: value.reshape(n_lrs, n_seeds, *model.param_shapes[name]) for name, value in runs.params.items()},
        steps=grid(runs.steps),
        wall_time=wall_time,
        model=model,
        settings={
            **settings,
            "epochs": epochs,
            "batch_size": batch_size,
            **({"seed": seeds[0], "grid": False} if keep_state else {}),
            "scheduled": make_schedule is not None,
        },
        start=params,
    )


class _KeepsLastState:
    """An optimizer's pure update that remembers the state it returned last, for an evaluation point off the params.

    Schedule-free optimizers return the point ``y`` where the next gradient
    is taken; the model is measured at ``x``, which only the state holds.
    """

    def __init__(self, optimizer):
        self.optimizer, self.lr, self.state = optimizer, optimizer.lr, None

    def init(self, params):
        self.state = self.optimizer.init(params)
        return self.state

    def _update_checked(self, params, grads, state, lr):
        new, self.state = self.optimizer._update_checked(params, grads, state, lr)
        return new, self.state


def _where_alive(alive, evaluated, params):
    """Per run: ``evaluated`` where the run is alive, else its last good ``params``."""
    return {
        key: np.where(alive.reshape((-1,) + (1,) * (value.ndim - 1)), evaluated[key], value)
        for key, value in params.items()
    }


def minibatch_objective(model, X, y, batch_size, seeds, runs_per_seed=1):
    """The objective of training: ``objective(w, t, with_grad)`` on step ``t``'s minibatch, for stacked runs.

    Run ``r`` uses seed ``seeds[r % len(seeds)]`` (the runs of a grid are
    ordered rate by rate, seed by seed): the minibatch order of each seed is
    :func:`lrcourse.data.minibatches` with the second stream of
    ``np.random.SeedSequence(seed)``, one epoch after another, and the
    objective is the mean cross-entropy of the minibatch plus the penalty.
    With a single seed, every run sees the same minibatch (one array of
    inputs shared by the runs).
    """
    X = _validate.array(X, "data.X_train")
    y = check_labels(y, model.n_classes, name="data.y_train")
    batch_size = _validate.integer(batch_size, "batch_size", low=1)
    if X.ndim != 2 or X.shape[1] != model.n_features or len(X) == 0 or y.shape != (len(X),):
        raise ValueError(
            f"data.X_train must have shape (n, {model.n_features}) and data.y_train shape (n,), "
            f"got shapes {X.shape} and {y.shape}"
        )
    shuffle_rngs = [_rngs(seed)[1] for seed in seeds]
    seed_of_run = np.tile(np.arange(len(seeds)), runs_per_seed)
    steps_per_epoch = math.ceil(len(y) / batch_size)
    batches = []

    def objective(params, t, with_grad):
        if t % steps_per_epoch == 0:
            orders = minibatches(len(y), batch_size, shuffle_rngs)
            batches[:] = [b[0] if len(seeds) == 1 else b[seed_of_run] for b in orders]
        batch = batches[t % steps_per_epoch]
        cross_ent, penalty, _, grads = model._backprop(params, X[batch], y[batch])
        return cross_ent + penalty, grads

    return objective


def _starting_params(model, params, seeds):
    """Stacked starting parameters, one run per seed."""
    if params is None:
        return model.init_params(seeds)
    if callable(params):
        return model.stack_params([params(seed) for seed in seeds])
    one = model._check_params(params)
    if _n_runs(one) is not None:
        raise ValueError("params must be one run's parameters (or a function of the seed returning them)")
    return model.stack_params([one] * len(seeds))


def _step_rates(make_schedule, optimizer, lrs, n_steps, name):
    """The rate of every step, ``(n_lrs, steps)``: the schedules', the constant rates, or None for per-layer rates."""
    if make_schedule is not None:
        return np.stack([engine.schedule_rates(make_schedule(float(lr)), n_steps, name) for lr in lrs])
    if isinstance(optimizer.lr, dict):
        return None
    return np.repeat(lrs[:, np.newaxis], n_steps, axis=1)


def _divergence_text(runs, r, steps_per_epoch, blowup, initial):
    """What happened to run ``r``, in words ("" if it did not diverge)."""
    step = int(runs.diverged_at[r])
    if step < 0:
        return ""
    if runs.far[r]:
        epoch = (step - 1) // steps_per_epoch + 1
        reason = f"a parameter exceeded {engine.FAR_AWAY:g} in magnitude"
    else:
        epoch = step // steps_per_epoch + 1
        loss = runs.losses[step, r]
        reason = (
            f"the minibatch loss {loss:.4g} exceeded {blowup:g} x the initial training loss {initial[r]:.4g}"
            if np.isfinite(loss)
            else f"the minibatch loss became {loss}"
        )
    return f"diverged at step {step} (epoch {epoch}): {reason}"


def _kept_state(optimizer, model):
    """The state the optimizer keeps from earlier steps, in the stacked shapes of one run (or None)."""
    kept = optimizer._opt_state
    if kept is None:
        return None
    stacked = {name: (1,) + ((1,) if len(shape) == 1 else ()) + shape for name, shape in model.param_shapes.items()}
    moments = {name: _reshaped(buffers, stacked[name]) for name, buffers in kept.moments.items()}
    return optim.State(t=kept.t, moments=moments, shapes=stacked)


def _keep_state(optimizer, model, state):
    """Store a one-run stacked state in the optimizer, in one run's shapes."""
    shapes = model.param_shapes
    moments = {name: _reshaped(buffers, shapes[name]) for name, buffers in state.moments.items()}
    optimizer._opt_state = optim.State(t=state.t, moments=moments, shapes=dict(shapes))


def _reshaped(buffers, shape):
    return {key: None if value is None else np.reshape(value, shape) for key, value in buffers.items()}


def _check_training_inputs(model, data):
    if not isinstance(model, _Network):
        raise TypeError(f"model must be a SoftmaxRegression or an MLP, got {model!r}")
    arrays = []
    for split in ("train", "val"):
        if not (hasattr(data, f"X_{split}") and hasattr(data, f"y_{split}")):
            raise TypeError(f"data must have X_train, y_train, X_val and y_val (e.g. load_digits()), got {data!r}")
        X = np.asarray(getattr(data, f"X_{split}"), dtype=float)
        if X.ndim != 2 or X.shape[1] != model.n_features or len(X) == 0:
            raise ValueError(f"data.X_{split} must have shape (n, {model.n_features}) with n >= 1, got shape {X.shape}")
        if not np.isfinite(X).all():
            raise ValueError(f"data.X_{split} must contain only finite numbers")
        y = check_labels(getattr(data, f"y_{split}"), model.n_classes, name=f"data.y_{split}")
        if y.shape != (len(X),):
            raise ValueError(f"data.y_{split} must have shape ({len(X)},) to match data.X_{split}, got shape {y.shape}")
        arrays += [X, y]
    return arrays


def rounding_sensitive(grid, data, make_optimizer, make_schedule=None, rows=None, rtol=1e-6):
    """Which runs of a grid are chaotic: True where a change the size of one rounding error changes the outcome.

    Trains the runs of ``grid`` again at the next larger floats of their
    (peak) rates (``eta (1 + 2e-16)``, the size of one rounding error, which is what
    another CPU's arithmetic would change) and compares the final training
    losses by :func:`lrcourse.reproducible.decided_by_rounding`, the rule
    ``compare.sweep`` uses too: a run whose loss differs by more than
    ``rtol`` (relative), or that diverged in one of the two trainings and
    not in the other, is *sensitive to rounding*: past the edge of
    stability the iterates are chaotic, so their digits report rounding,
    not the learning rate. A stable run changes by about ``1e-13``, far
    below ``rtol``.

    Parameters
    ----------
    grid : GridResult
        From :func:`train_grid` with the same arguments as these.
    data, make_optimizer, make_schedule
        As given to :func:`train_grid` (``make_schedule`` is required when
        the grid was trained with a schedule).
    rows : array of bool or int, optional
        Which rates (rows of the grid) to test, e.g. ``grid.lrs > 3``; by
        default all. Each tested row costs one more training of its runs.
    rtol : float, default 1e-6

    Returns
    -------
    ndarray of bool, shape (n_lrs, n_seeds)
        Rows that were not tested are False.

    >>> from lrcourse import data, optim
    >>> from lrcourse.models import SoftmaxRegression
    >>> digits = data.load_digits()
    >>> grid = train_grid(SoftmaxRegression(), digits, optim.SGD, [0.1], seeds=[0], epochs=2)
    >>> rounding_sensitive(grid, digits, optim.SGD)
    array([[False]])
    """
    if not isinstance(grid, GridResult):
        raise TypeError(f"grid must be a GridResult from train_grid, got {type(grid).__name__}")
    if grid.settings.get("scheduled", False) != (make_schedule is not None):
        raise ValueError("make_schedule must be given exactly when the grid was trained with a schedule")
    rtol = _validate.number(rtol, "rtol", low=0, low_open=True)
    tested = np.zeros(len(grid.lrs), dtype=bool)
    try:
        tested[np.arange(len(grid.lrs)) if rows is None else rows] = True
    except (IndexError, ValueError):
        raise ValueError(f"rows must select rows of a grid of {len(grid.lrs)} rates, got {rows!r}") from None
    sensitive = np.zeros(grid.diverged.shape, dtype=bool)
    if not tested.any():
        return sensitive
    settings = {
        "seeds": list(grid.seeds),
        "epochs": len(grid.epochs) - 1,
        "batch_size": grid.settings["batch_size"],
        "make_schedule": make_schedule,
        "params": grid.start,
        "grad_norm": bool(grid.grad_norm),
    }
    nudged = train_grid(grid.model, data, make_optimizer, np.nextafter(grid.lrs[tested], np.inf), **settings)
    sensitive[tested] = decided_by_rounding(grid.train_loss[tested, :, -1], nudged.train_loss[..., -1], rtol)
    return sensitive


