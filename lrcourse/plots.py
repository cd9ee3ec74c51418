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

    Leaving the context restores every rcParam except ``interactive``: the
    first figure of a session loads the backend inside the context, and
    Jupyter's inline backend switches interactive mode on as it loads. Were
    that undone, no later figure would be shown.
    """
    with mpl.rc_context(_RC):
        yield
        interactive = mpl.is_interactive()
    mpl.interactive(interactive)


#: The widest figure the book shows, in inches. At this width a figure fills a
#: 390 px phone's text column (about 342 CSS px), so 9 pt text renders at
#: about 7 CSS px; wider figures shrink their text below readability.
MAX_WIDTH = 6.4


def figure(ncols=1, nrows=1, *, width=None, height=None, **kwargs):
    """Make a figure and axes in the book's style, with constrained layout.

    The size defaults to :data:`MAX_WIDTH` (6.4 inches) wide, whatever the
    number of columns (more than two panels side by side are better stacked,
    ``nrows``), and 3.4 inches high per row.

    Returns
    -------
    fig, ax
        ``ax`` is one Axes, or an array of them as from :func:`matplotlib.pyplot.subplots`.
    """
    width = width if width is not None else MAX_WIDTH
    if not 0 < width <= MAX_WIDTH:
        raise ValueError(f"width must be in (0, {MAX_WIDTH}] inches, the widest a phone shows readably, got {width!r}")
    height = height if height is not None else 3.4 * nrows + (0.2 if nrows == 1 else 0.0)
    with style():
        return plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained", **kwargs)


def sharp_figures(scale=2, colors=256):
    """Show this session's figures sharp on high-density screens, and light to store.

    Registers a PNG formatter for matplotlib figures in the running IPython
    kernel: each figure is rendered at ``scale`` times its ``dpi``, quantized
    to at most ``colors`` palette entries (line charts have few; the file
    shrinks about fourfold) and shown at its nominal size, the PNG's width and
    height divided by ``scale`` (the display metadata Jupyter and the book
    use as the image's CSS size). The PNG records its resolution,
    ``scale * dpi`` dots per inch, so its width in inches can be read back.

    Outside IPython it does nothing. Call it once, after the imports.

    Parameters
    ----------
    scale : int in [1, 4]
        Device pixels per CSS pixel to render for; 2 covers most phones.
    colors : int in [2, 256]
        Palette size of the stored PNG.
    """
    if isinstance(scale, bool) or not isinstance(scale, int) or not 1 <= scale <= 4:
        raise ValueError(f"scale must be an integer in [1, 4], got {scale!r}")
    if isinstance(colors, bool) or not isinstance(colors, int) or not 2 <= colors <= 256:
        raise ValueError(f"colors must be an integer in [2, 256], got {colors!r}")
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    # Load the backend now: the inline backend registers its own formatter as
    # it loads, which would replace this one if it loaded at the first figure.
    plt.switch_backend(mpl.get_backend())
    shell.display_formatter.formatters["image/png"].for_type(
        mpl.figure.Figure, lambda fig: _sharp_png(fig, scale, colors)
    )


def _sharp_png(fig, scale, colors):
    """``fig`` as a base64 PNG at ``scale`` times its dpi, and its display size; None if empty."""
    import base64
    import io

    from PIL import Image

    if not fig.axes and not fig.lines and not fig.images and not fig.texts:
        return None
    dpi = fig.dpi * scale
    buffer = io.BytesIO()
    # The whole figure, not a tight box: constrained layout already fits the
    # text inside it, and the stored width is then exactly the figure's.
    fig.canvas.print_figure(buffer, format="png", dpi=dpi, facecolor="white")
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    quantized = image.quantize(colors=colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    quantized.save(out, format="png", optimize=True, dpi=(dpi, dpi))
    width, height = image.size
    return base64.b64encode(out.getvalue()).decode("ascii"), {"width": width // scale, "height": height // scale}


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


def plain_ticks(ax, values, axis="y"):
    """Ticks at ``values`` labelled as plain numbers (``0.5``, not ``5 × 10⁻¹``), and no minor ticks.

    For a log axis whose range spans only a decade or two, where matplotlib
    would label a few powers of ten or write every minor tick in scientific
    notation.

    Parameters
    ----------
    ax : matplotlib Axes
    values : sequence of float
        Where the ticks go; each is labelled with ``format(value, "g")``.
    axis : {"x", "y"}

    Returns
    -------
    ax
    """
    if axis not in ("x", "y"):
        raise ValueError(f"axis={axis!r} is not an axis; use 'x' or 'y'")
    values = [float(v) for v in values]
    set_ticks = ax.set_xticks if axis == "x" else ax.set_yticks
    set_ticks(values, [f"{v:g}" for v in values])
    getattr(ax, f"{axis}axis").set_minor_locator(mpl.ticker.NullLocator())
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


def plot_sweep(lrs, scores, *, ax=None, label=None, color=None, marker="o", logy=False, ylabel=None):
    """A score against the learning rate: the mean over seeds, with a band from the lowest to the highest seed.

    This is the picture of a grid search: one point per rate on a log axis.

    Parameters
    ----------
    lrs : sequence of float
        The learning rates ``eta`` (drawn on a log axis).
    scores : ndarray, shape (n_lrs,) or (n_lrs, n_seeds)
        One score per run; NaN for a run that diverged, left out of the mean.
        A rate where every seed diverged gets no point; the line breaks there.
        With one seed there is no band.
    label, color, marker
        Line label (a legend is drawn when given), color (default blue) and
        marker of the mean.
    logy : bool
        Log scale for the score.
    ylabel : str, optional
        Label of the score axis.
    """
    ax = _axes(ax)
    lrs = np.asarray(lrs, dtype=float)
    scores = np.asarray(scores, dtype=float).reshape(len(lrs), -1)
    finite = np.isfinite(scores)
    some = finite.any(axis=1)
    filled = np.where(finite, scores, 0.0)
    count = np.maximum(finite.sum(axis=1), 1)
    mean = np.where(some, filled.sum(axis=1) / count, np.nan)
    color = color or PALETTE["blue"]
    ax.plot(lrs, mean, marker=marker, ms=4, color=color, label=label)
    if scores.shape[1] > 1:
        low = np.where(some, np.where(finite, scores, np.inf).min(axis=1), np.nan)
        high = np.where(some, np.where(finite, scores, -np.inf).max(axis=1), np.nan)
        ax.fill_between(lrs, low, high, color=color, alpha=0.2, lw=0)
    log_lr_axis(ax)
    if logy:
        ax.set_yscale("log")
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if label is not None:
        ax.legend(loc="best")
    return ax


def shade_stability_regimes(ax, L, *, labels=True):
    """Shade the learning-rate axis (x) by what gradient descent does on curvature ``L``.

    ``eta < 1/L``: monotone convergence (``REGIME_COLORS["too low"]``);
    ``1/L < eta < 2/L``: oscillating convergence (``"oscillating"``);
    ``eta > 2/L``: divergence (``"diverging"``). Dashed lines mark ``1/L``
    and ``2/L``. Call it after the data are drawn, so the x-limits are known.
    """
    low, high = ax.get_xlim()
    bands = [
        (low, 1 / L, REGIME_COLORS["too low"], "monotone"),
        (1 / L, 2 / L, REGIME_COLORS["oscillating"], "oscillating"),
        (2 / L, high, REGIME_COLORS["diverging"], "diverging"),
    ]
    for start, end, color, name in bands:
        if end > start:
            ax.axvspan(start, end, color=color, alpha=0.12, lw=0, zorder=0, label=f"{name}" if labels else None)
    for x, text in ((1 / L, "1/L"), (2 / L, "2/L")):
        ax.axvline(x, color=PALETTE["black"], ls="--", lw=0.8, zorder=1)
        ax.annotate(text, (x, 0.0), xycoords=("data", "axes fraction"), xytext=(3, 4),
                    textcoords="offset points", fontsize=8, va="bottom")
    ax.set_xlim(low, high)
    return ax


def plot_outcome_map(xs, ys, outcomes, colors, *, ax=None, xlabel=None, ylabel=None, logy=True):
    """A map of categorical outcomes over a grid, e.g. where each run ended.

    Parameters
    ----------
    xs, ys : sequence of float
        The grid's coordinates (cell centers), increasing.
    outcomes : array of str, shape (len(ys), len(xs))
        The outcome in every cell.
    colors : dict
        Outcome name -> color, in the legend's order; every outcome must have one.
    logy : bool
        Log scale for ``ys`` (e.g. learning rates).
    """
    ax = _axes(ax)
    outcomes = np.asarray(outcomes)
    names = list(colors)
    unknown = sorted(set(np.unique(outcomes).tolist()) - set(names))
    if unknown:
        raise ValueError(f"colors must name every outcome, missing {unknown}")
    codes = np.vectorize(names.index)(outcomes)
    cmap = mpl.colors.ListedColormap([colors[name] for name in names])
    ax.pcolormesh(_edges(xs, log=False), _edges(ys, log=logy), codes, cmap=cmap, vmin=-0.5,
                  vmax=len(names) - 0.5, shading="flat")
    if logy:
        ax.set_yscale("log")
    handles = [mpl.patches.Patch(color=colors[name], label=name) for name in names if (outcomes == name).any()]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.grid(False)
    ax.set_xlabel(xlabel or "")
    ax.set_ylabel(ylabel or "")
    return ax


def _edges(centers, log):
    """Cell edges around increasing cell centers (midpoints; geometric on a log axis)."""
    c = np.log(np.asarray(centers, dtype=float)) if log else np.asarray(centers, dtype=float)
    mid = (c[1:] + c[:-1]) / 2
    edges = np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])
    return np.exp(edges) if log else edges


#: Marker and color for each suggestion rule of the range test (``lrcourse.finder.RULES``).
SUGGESTION_STYLES = {
    "steepest": {"marker": "v", "color": PALETTE["green"]},
    "min/10": {"marker": "s", "color": PALETTE["orange"]},
    "valley": {"marker": "D", "color": PALETTE["purple"]},
}


def plot_range_test(test, *, ax=None, rules=("steepest", "min/10", "valley"), show_raw=True, skip_start=None, skip_end=5):
    """The learning-rate range test: loss against the rate, with the suggested rates marked.

    Draws the raw losses ``f_t`` (thin, light) and the smoothed losses
    ``s_t`` against ``eta_t`` on a log axis, a marker on the smoothed curve
    at each rule's suggested rate, labelled with that rate (for ``"min/10"``
    also an open marker at the minimum it divides by ten, with a dotted
    arrow from it to the suggestion), and a vertical line where the test
    stopped, if it did.

    Parameters
    ----------
    test : lrcourse.finder.RangeTest
    rules : sequence of str
        Rules to mark (see :func:`lrcourse.finder.suggest`); ``()`` for none.
    show_raw : bool
        Also draw the raw losses.
    skip_start, skip_end : int
        Passed to :meth:`RangeTest.suggestion`.
    """
    ax = _axes(ax)
    if show_raw:
        ax.plot(test.lrs, test.losses, color=PALETTE["sky"], lw=0.8, alpha=0.8, label="raw loss f_t")
    ax.plot(test.lrs, test.smoothed, color=PALETTE["blue"], label=f"smoothed s_t (β = {test.beta:g})")
    top = np.nanmax(np.where(np.isfinite(test.smoothed), test.smoothed, np.nan))
    for rule in rules:
        lr = test.suggestion(rule, skip_start, skip_end)
        loss = np.interp(np.log(lr), np.log(test.lrs), test.smoothed)
        style = SUGGESTION_STYLES[rule]
        ax.plot([lr], [loss], ls="none", ms=8, zorder=4, label=f"{rule}: η = {lr:.3g}", **style)
        if rule == "min/10":
            lowest = lr * 10
            lowest_loss = np.interp(np.log(lowest), np.log(test.lrs), test.smoothed)
            ax.plot([lowest], [lowest_loss], ls="none", ms=8, zorder=4, marker=style["marker"], mfc="none",
                    mec=style["color"], label=f"lowest smoothed loss, η = {lowest:.3g}")
            ax.annotate("", xy=(lr, loss), xytext=(lowest, lowest_loss),
                        arrowprops={"arrowstyle": "->", "color": style["color"], "ls": ":", "shrinkA": 5, "shrinkB": 5})
    if test.stopped_at is not None:
        ax.axvline(test.lrs[test.stopped_at], color=PALETTE["vermillion"], ls="--", lw=1.2, label="stopped")
    ax.set_ylim(top=min(ax.get_ylim()[1], 1.5 * top))
    log_lr_axis(ax)
    ax.set_ylabel("loss")
    ax.legend(loc="lower left")
    return ax


def plot_epoch_curves(curves, lrs, *, ax=None, ylabel=None, logy=False, band=True, legend=True):
    """One curve per learning rate against the epoch: the mean over seeds, and their range as a band.

    Curves differ in color (lighter for a larger rate, see :func:`lr_colors`)
    and also in line style, so that neighbouring rates stay apart in gray.

    Parameters
    ----------
    curves : ndarray, shape (n_lrs, n_seeds, epochs + 1) or (n_lrs, epochs + 1)
        A per-epoch metric (e.g. ``GridResult.val_acc``), epoch 0 first; NaN
        entries (diverged runs) are left out of the mean, and a line ends
        where every seed has diverged.
    lrs : sequence of float
        The rate of each curve: colors it on a log scale and labels it.
    ylabel : str, optional
    logy : bool
        Log scale for the metric (e.g. a loss or a gradient norm).
    band : bool
        Shade the range of the seeds (when there are several).
    legend : bool
        Draw a legend to the right of the axes.
    """
    ax = _axes(ax)
    curves = np.asarray(curves, dtype=float)
    curves = curves[:, None, :] if curves.ndim == 2 else curves
    if len(lrs) != curves.shape[0]:
        raise ValueError(f"lrs must have one rate per curve ({curves.shape[0]}), got {len(lrs)}")
    epochs = np.arange(curves.shape[-1])
    finite = np.isfinite(curves)
    counts = finite.sum(axis=1)
    mean = np.where(counts > 0, np.where(finite, curves, 0.0).sum(axis=1) / np.maximum(counts, 1), np.nan)
    low = np.where(counts > 0, np.where(finite, curves, np.inf).min(axis=1), np.nan)
    high = np.where(counts > 0, np.where(finite, curves, -np.inf).max(axis=1), np.nan)
    styles = ["-", "--", "-.", ":"]
    with style():
        for k, (lr, color) in enumerate(zip(lrs, lr_colors(lrs))):
            ax.plot(epochs, mean[k], color=color, ls=styles[k % len(styles)], label=lr_label(lr))
            if band and curves.shape[1] > 1:
                ax.fill_between(epochs, low[k], high[k], color=color, alpha=0.18, lw=0)
    if logy:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(integer=True))
    ax.set_xlim(0, epochs[-1])
    ax.set_xlabel("epoch")
    if ylabel:
        ax.set_ylabel(ylabel)
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def plot_confusion_matrix(counts, class_names=None, *, ax=None):
    """A confusion matrix as a heat map with the count in every cell.

    Rows are the true classes, columns the predicted ones (as
    :func:`lrcourse.nets.confusion_matrix`); the diagonal holds the correct
    predictions. Cells are shaded by count on a square-root scale, so that
    the few errors off the diagonal stay visible next to the large diagonal.
    """
    ax = _axes(ax)
    counts = np.asarray(counts)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError(f"counts must be a square matrix, got shape {counts.shape}")
    n = counts.shape[0]
    names = [str(k) for k in range(n)] if class_names is None else [str(c) for c in class_names]
    norm = mpl.colors.PowerNorm(0.5, vmin=0, vmax=max(int(counts.max()), 1))
    image = ax.imshow(counts, cmap="cividis", norm=norm)
    for (i, j), value in np.ndenumerate(counts):
        if value:
            dark = norm(value) > 0.6
            ax.text(j, i, str(int(value)), ha="center", va="center", fontsize=7,
                    color=PALETTE["black"] if dark else "white")
    ax.set_xticks(range(n), names)
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.grid(False)
    return image


def plot_digits(images, labels=None, *, ax=None, ncols=10):
    """Small grayscale images side by side in one mosaic (dark = ink), each with its label below.

    Parameters
    ----------
    images : ndarray, shape (n, h, w)
        Pixel values in ``[0, 1]``.
    labels : sequence, optional
        One label per image, written under it.
    ncols : int
        Images per row.
    """
    ax = _axes(ax)
    images = np.asarray(images, dtype=float)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n, h, w), got shape {images.shape}")
    n, h, w = images.shape
    nrows = -(-n // ncols)
    gap = 2
    mosaic = np.full((nrows * (h + gap) - gap, ncols * (w + gap) - gap), np.nan)
    for k, image in enumerate(images):
        row, col = divmod(k, ncols)
        mosaic[row * (h + gap) : row * (h + gap) + h, col * (w + gap) : col * (w + gap) + w] = image
    cmap = mpl.colormaps["gray_r"].with_extremes(bad="white")
    ax.imshow(mosaic, cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
    if labels is not None:
        for k, label in enumerate(labels):
            row, col = divmod(k, ncols)
            ax.text(col * (w + gap) + (w - 1) / 2, row * (h + gap) + h + 0.1, str(label),
                    ha="center", va="top", fontsize=8)
    ax.set_axis_off()
    return ax
