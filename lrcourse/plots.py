"""One visual style for the whole book, and the figure helpers the chapters share.

The style is applied inside a context (:func:`style`), never by changing the
global ``rcParams``. Colors come from the Okabe-Ito palette, which stays
distinguishable for the common forms of color blindness; runs that differ by
learning rate get shades of one sequential, colorblind-safe colormap
(``cividis``) on a log scale, so that a larger ``eta`` is always a lighter line.

Every helper takes ``ax=None``: it draws on the given axes, or makes a new
figure in the book's style.
"""

import contextlib

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

#: The Okabe-Ito palette (Okabe and Ito, "Color Universal Design", 2008).
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}

#: One color per optimizer, the same in every chapter.
OPTIMIZER_COLORS = {
    "SGD": PALETTE["black"],
    "Momentum": PALETTE["blue"],
    "Nesterov": PALETTE["sky"],
    "Adagrad": PALETTE["green"],
    "RMSprop": PALETTE["orange"],
    "Adam": PALETTE["vermillion"],
    "AdamW": PALETTE["purple"],
}

#: Colors for the three regimes of the learning rate, the same in every chapter.
REGIME_COLORS = {
    "too low": PALETTE["sky"],
    "good": PALETTE["green"],
    "oscillating": PALETTE["orange"],
    "diverging": PALETTE["vermillion"],
}

_RC = {
    "axes.prop_cycle": mpl.cycler(color=[PALETTE[k] for k in ("blue", "orange", "green", "vermillion", "sky", "purple", "black")]),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.figsize": (6.4, 3.6),
    "image.cmap": "cividis",
}


@contextlib.contextmanager
def style():
    """Context in which matplotlib draws in the book's style.

    >>> with style():
    ...     fig, ax = plt.subplots()
    >>> plt.close(fig)
    """
    with mpl.rc_context(_RC):
        yield


def figure(ncols=1, nrows=1, *, width=None, height=None, **kwargs):
    """Make a figure and axes in the book's style, with constrained layout.

    The size defaults to 3.6 inches high and 6.4 inches wide for one column,
    growing with the number of columns up to 10 inches.

    Returns
    -------
    fig, ax
        ``ax`` is one Axes, or an array of them as from :func:`matplotlib.pyplot.subplots`.
    """
    width = width if width is not None else min(6.4 if ncols == 1 else 3.6 * ncols, 10.0)
    height = height if height is not None else 3.4 * nrows + (0.2 if nrows == 1 else 0.0)
    with style():
        return plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained", **kwargs)


def _axes(ax):
    if ax is not None:
        return ax
    return figure()[1]


def lr_label(lr):
    """Legend label for a learning rate, e.g. ``'η = 0.1'``.

    >>> lr_label(0.1), lr_label(2e-4), lr_label(1e-5)
    ('η = 0.1', 'η = 0.0002', 'η = 1e-05')
    """
    return f"η = {float(lr):.3g}"


def lr_colors(lrs, cmap="cividis"):
    """One color per learning rate, on a log scale: a larger ``eta`` is lighter.

    Parameters
    ----------
    lrs : sequence of float
        Positive learning rates.

    Returns
    -------
    list of RGBA tuples, one per rate.
    """
    lrs = np.asarray(lrs, dtype=float)
    if lrs.size == 0:
        return []
    if lrs.size == 1:
        return [mpl.colormaps[cmap](0.2)]
    logs = np.log10(lrs)
    span = logs.max() - logs.min()
    positions = (logs - logs.min()) / span if span > 0 else np.zeros_like(logs)
    # Stay away from the very light end, which vanishes on white.
    return [mpl.colormaps[cmap](0.05 + 0.8 * p) for p in positions]


def log_lr_axis(ax, axis="x", label="learning rate η"):
    """Put the learning rate on a log axis with a plain label."""
    if axis == "x":
        ax.set_xscale("log")
        ax.set_xlabel(label)
    else:
        ax.set_yscale("log")
        ax.set_ylabel(label)
    return ax


def plot_curve_1d(f, xlim, *, ax=None, n=400, color=None, label=None, **kwargs):
    """Draw a 1-D function ``f`` (a callable on arrays) over ``xlim``."""
    ax = _axes(ax)
    xs = np.linspace(xlim[0], xlim[1], n)
    ax.plot(xs, f(xs), color=color or PALETTE["black"], label=label, lw=1.5, **kwargs)
    ax.set_xlim(*xlim)
    ax.set_xlabel("parameter w")
    ax.set_ylabel("loss f(w)")
    return ax


def plot_path_1d(f, positions, *, ax=None, color=None, label=None, max_arrows=12):
    """Draw the iterates ``w_0, w_1, ...`` of a 1-D run on the curve of ``f``.

    Each step is an arrow from ``(w_t, f(w_t))`` to ``(w_{t+1}, f(w_{t+1}))``;
    only the first ``max_arrows`` steps get arrows, the rest are dots. NaN
    positions (a run that diverged) end the path.
    """
    ax = _axes(ax)
    color = color or PALETTE["vermillion"]
    w = np.asarray(positions, dtype=float)
    w = w[: np.argmax(~np.isfinite(w))] if not np.all(np.isfinite(w)) else w
    fw = f(w)
    ax.plot(w, fw, "o", color=color, ms=4, label=label, zorder=3)
    for k in range(min(len(w) - 1, max_arrows)):
        ax.annotate(
            "",
            xy=(w[k + 1], fw[k + 1]),
            xytext=(w[k], fw[k]),
            arrowprops={"arrowstyle": "->", "color": color, "lw": 1.2, "shrinkA": 2, "shrinkB": 2},
        )
    return ax


def plot_losses(losses, *, lrs=None, labels=None, ax=None, logy=True, min_value=0.0):
    """Loss curves ``f(w_t) - f*`` against the step ``t``, one per run.

    Parameters
    ----------
    losses : ndarray, shape (steps + 1,) or (steps + 1, n_runs)
        Losses per step; NaN after a run diverged (the line simply ends).
    lrs : sequence of float, optional
        The runs' learning rates: colors them on a log scale and labels them.
    labels : sequence of str, optional
        Legend labels (default: from ``lrs``).
    logy : bool
        Log scale for the loss gap (default True).
    min_value : float
        ``f*``, subtracted so that a log scale shows the gap to the minimum.
    """
    ax = _axes(ax)
    losses = np.asarray(losses, dtype=float)
    losses = losses[:, None] if losses.ndim == 1 else losses
    n = losses.shape[1]
    colors = lr_colors(lrs) if lrs is not None else [None] * n
    if labels is None:
        labels = [lr_label(lr) for lr in lrs] if lrs is not None else [None] * n
    gap = losses - min_value
    if logy:
        gap = np.where(gap > 0, gap, np.nan)
    steps = np.arange(losses.shape[0])
    for j in range(n):
        ax.plot(steps, gap[:, j], color=colors[j], label=labels[j])
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("step t")
    ax.set_ylabel("loss gap f(w_t) − f*" if min_value else "loss f(w_t)")
    if any(label is not None for label in labels):
        ax.legend(loc="best")
    return ax


def plot_tangent_step(f, df, w0, lr, *, ax=None, xlim=None):
    """One gradient step drawn against the tangent line it trusts.

    The tangent at ``w0`` is the first-order model
    ``f(w0 + d) ≈ f(w0) + f'(w0) d``. The step ``d = -eta f'(w0)`` moves
    along it to ``w1 = w0 + d``; the figure marks where the tangent predicts
    the loss would be (``f(w0) - eta f'(w0)^2``) and where it actually is
    (``f(w1)``).

    Parameters
    ----------
    f, df : callable
        The loss and its derivative (elementwise on arrays).
    w0 : float
        The current parameter.
    lr : float
        The learning rate ``eta``.
    """
    ax = _axes(ax)
    g = float(df(w0))
    w1 = w0 - lr * g
    predicted = float(f(w0)) - lr * g**2
    span = max(abs(w1 - w0), 0.5)
    xlim = xlim or (min(w0, w1) - 0.6 * span, max(w0, w1) + 0.6 * span)
    plot_curve_1d(f, xlim, ax=ax, label="loss f(w)")
    xs = np.linspace(*xlim, 2)
    ax.plot(xs, f(w0) + g * (xs - w0), "--", color=PALETTE["blue"], lw=1.3, label="tangent at w₀ (first-order model)")
    ax.plot([w0], [f(w0)], "o", color=PALETTE["black"], ms=6, zorder=4)
    ax.annotate("w₀", (w0, f(w0)), textcoords="offset points", xytext=(6, 6))
    ax.annotate(
        "", xy=(w1, predicted), xytext=(w0, f(w0)),
        arrowprops={"arrowstyle": "->", "color": PALETTE["blue"], "lw": 1.6},
    )
    ax.plot([w1], [predicted], "s", color=PALETTE["blue"], ms=6, label="predicted by the tangent", zorder=4)
    ax.plot([w1], [f(w1)], "o", color=PALETTE["vermillion"], ms=7, label="actual loss at w₁", zorder=4)
    ax.vlines(w1, min(predicted, f(w1)), max(predicted, f(w1)), colors=PALETTE["vermillion"], linestyles=":", lw=1.2)
    ax.annotate("w₁ = w₀ − η f′(w₀)", (w1, f(w1)), textcoords="offset points", xytext=(10, -4), va="top")
    ax.legend(loc="upper left")
    return ax


def plot_contours(landscape, xlim, ylim, *, ax=None, levels=12, n=200, log=False):
    """Contour lines of a 2-D landscape over ``xlim`` x ``ylim``, with its minimum marked.

    Parameters
    ----------
    landscape : 2-D landscape
        An object with ``value(points)`` on ``(..., 2)`` arrays and, ideally,
        ``minimum`` (e.g. :class:`lrcourse.landscapes.Quadratic2D`).
    xlim, ylim : pair of float
        The window.
    levels : int or sequence of float
        Number of contour levels, or the levels themselves.
    n : int
        Grid points per axis.
    log : bool
        Space the levels evenly in ``log(f - f* + 1e-3)`` rather than in ``f``
        (for valleys such as Rosenbrock's, whose floor is flat and walls steep).
    """
    ax = _axes(ax)
    xs, ys = np.linspace(*xlim, n), np.linspace(*ylim, n)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    values = landscape.value(grid)
    if log:
        values = np.log10(values - (getattr(landscape, "min_value", None) or 0.0) + 1e-3)
    ax.contour(xs, ys, values, levels=levels, colors=PALETTE["black"], linewidths=0.6, alpha=0.45)
    minimum = getattr(landscape, "minimum", None)
    if minimum is not None:
        ax.plot(*minimum, marker="*", color=PALETTE["black"], ms=10, ls="none", label="minimum", zorder=4)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("w₁")
    ax.set_ylabel("w₂")
    return ax


def plot_path_2d(positions, *, ax=None, color=None, label=None, markersize=3):
    """Draw the iterates ``w_0, w_1, ...`` of one 2-D run as a polyline with dots.

    ``positions`` has shape ``(steps + 1, 2)``; NaN rows (after a run
    diverged) end the path. The start is marked with a larger dot.
    """
    ax = _axes(ax)
    color = color or PALETTE["vermillion"]
    w = np.asarray(positions, dtype=float)
    finite = np.all(np.isfinite(w), axis=-1)
    w = w[: np.argmin(finite)] if not finite.all() else w
    ax.plot(w[:, 0], w[:, 1], "-o", color=color, ms=markersize, lw=1.0, label=label, zorder=3)
    ax.plot(w[0, 0], w[0, 1], "o", color=color, ms=markersize + 4, zorder=3)
    return ax
