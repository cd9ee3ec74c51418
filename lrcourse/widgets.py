"""Slider explorers that work live in Jupyter and on the static book page.

An explorer draws one figure for every combination of slider values, once,
when the cell runs. It then shows itself in two ways at the same time:

* in Jupyter or Binder, as an ipywidgets UI (one slider per parameter and the
  figure below them): moving a slider swaps in the frame for that value, so
  the redraw is instant;
* in the static HTML of the book, as plain HTML: an ``<input type="range">``
  per parameter, the frames embedded as PNG data, and a few lines of inline
  JavaScript that switch the image. No kernel, no CDN, no network.

The book's configuration tells the page to prefer the HTML; a live frontend
prefers the widget. In the notebook the frames stay inline (``data:`` URIs);
the book's build (``tools/light_pages.py``) writes them out as files and puts
their URLs in their place, so a page loads a frame only when a slider reaches
it. The script accepts either.

Frames are at most :data:`lrcourse.plots.MAX_WIDTH` (6.4 in) wide, rendered
at twice their display resolution (sharp on high-density screens) and shown
at their nominal size, like the static figures of
:func:`lrcourse.plots.sharp_figures`; each PNG records its resolution. They
are quantized to a 64-color palette so they stay light; keep grids small (a
slider of 10-20 values, two sliders of ~8 each).

Example
-------
>>> import numpy as np
>>> def draw(fig, lr):
...     ax = fig.subplots()
...     ax.plot(np.arange(5) * lr)
>>> ex = explorer(draw, lr=Slider([0.1, 0.5, 1.0], label="η"), alt="A line of slope {lr}")
>>> ex
Explorer(lr: 3 values [0.1 ... 1], 3 frames)
"""

import base64
import hashlib
import html
import io
import itertools
import json
import numbers
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from . import plots

__all__ = ["Slider", "Explorer", "explorer", "log_grid"]

#: Default frame size in inches: as wide as a phone shows readably (:data:`lrcourse.plots.MAX_WIDTH`).
FIGSIZE = (plots.MAX_WIDTH, 3.2)
#: CSS pixels per inch a frame is shown at, as the static figures (``figure.dpi`` of the book's style).
DPI = 100
#: Device pixels per CSS pixel the frames are rendered for (2: sharp on most phones and high-density screens).
SCALE = 2
#: How a frame stored in the page starts; the book's build replaces such frames by file URLs.
DATA_URI = "data:image/png;base64,"


def log_grid(low, high, num):
    """``num`` values from ``low`` to ``high``, evenly spaced on a log scale and rounded to 3 significant digits.

    >>> log_grid(0.01, 1, 5)
    [0.01, 0.0316, 0.1, 0.316, 1.0]
    """
    values = np.geomspace(low, high, num)
    return [float(f"{v:.3g}") for v in values]


@dataclass
class Slider:
    """One slider of an explorer: the grid of values it steps through.

    Parameters
    ----------
    values : sequence of float
        The values, in the order the slider visits them (at least 2).
    label : str, optional
        What the slider shows as its name (default: the parameter's name).
    fmt : str
        Format for the value shown next to the slider (default ``".3g"``).
    start : float, optional
        Initial value (default: the middle of the grid); must be in ``values``.
    unit : str, optional
        The values' unit in words (e.g. ``"steps"``), read out by screen
        readers after the value: ``aria-valuetext`` is ``"η = 0.4"`` or
        ``"warm-up = 20 steps"``.
    """

    values: list
    label: str = None
    fmt: str = ".3g"
    start: float = None
    unit: str = ""

    def __post_init__(self):
        self.values = list(self.values)
        if len(self.values) < 2:
            raise ValueError(f"values must hold at least 2 values for a slider, got {len(self.values)}")
        if self.start is None:
            self.start = self.values[len(self.values) // 2]
        elif self.start not in self.values:
            raise ValueError(f"start must be one of the slider's values, got {self.start!r}")

    def text(self, value):
        """The value as the slider shows it."""
        if isinstance(value, numbers.Number):
            return format(value, self.fmt)
        return str(value)

    def spoken(self, value, name):
        """The value as a screen reader announces it: ``"η = 0.4"``, with the unit if there is one."""
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.label or name} = {self.text(value)}{unit}"


class Explorer:
    """Frames of a figure over a grid of slider values; see :func:`explorer`."""

    def __init__(self, draw, sliders, *, figsize=FIGSIZE, dpi=DPI, scale=SCALE, alt=None, colors=64):
        figsize, dpi, scale = _check_size(figsize, dpi, scale)
        self.sliders = sliders
        self.alt = alt
        names = list(sliders)
        shape = tuple(len(s.values) for s in sliders.values())
        self.frames = []
        #: Display size of a frame in CSS pixels (width, height); the PNGs hold ``scale`` times as many.
        self.size = None
        fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        with plots.style():
            for combo in itertools.product(*(s.values for s in sliders.values())):
                fig.clear()
                draw(fig, **dict(zip(names, combo)))
                frame, pixels = _png(fig, dpi * scale, colors)
                self.frames.append(frame)
                self.size = self.size or tuple(round(n / scale) for n in pixels)
        self.shape = shape
        self._widget = None

    def index(self, **values):
        """Position of the frame for the given slider values in :attr:`frames`."""
        flat = 0
        for name, slider in self.sliders.items():
            flat = flat * len(slider.values) + slider.values.index(values[name])
        return flat

    def alt_text(self, **values):
        """Alt text of the frame for the given values (``alt`` formatted with them)."""
        if self.alt is None:
            return "Figure: " + ", ".join(f"{s.label or n} = {s.text(values[n])}" for n, s in self.sliders.items())
        return self.alt.format(**values)

    def __repr__(self):
        parts = [
            f"{name}: {len(s.values)} values [{s.text(s.values[0])} ... {s.text(s.values[-1])}]"
            for name, s in self.sliders.items()
        ]
        return f"Explorer({', '.join(parts)}, {len(self.frames)} frames)"

    def _start(self):
        return {name: s.start for name, s in self.sliders.items()}

    def to_html(self):
        """Self-contained HTML: range inputs, the embedded frames and inline JavaScript.

        The element id comes from a hash of the frames, so the same figures
        give the same HTML on every run. Each frame is a ``data:`` URI (the
        book's build swaps in file URLs); the first frame is stored once, as
        the image's ``src`` (its place in the data is empty). The image shows
        at the frame's nominal size (``width``/``height``) and shrinks with
        its column. Colours come from the page's theme where it has one
        (``_static/course.css``); the figure sits on its own white card. Each
        slider carries ``aria-valuetext`` in words (:meth:`Slider.spoken`),
        updated as it moves.
        """
        digest = hashlib.sha1(b"".join(self.frames)).hexdigest()[:12]
        uid = f"lrx-{digest}"
        start = self._start()
        frames = [DATA_URI + base64.b64encode(f).decode("ascii") for f in self.frames]
        alts = [
            self.alt_text(**dict(zip(self.sliders, combo)))
            for combo in itertools.product(*(s.values for s in self.sliders.values()))
        ]
        controls = []
        for name, s in self.sliders.items():
            i = s.values.index(start[name])
            labels = json.dumps([s.text(v) for v in s.values])
            spoken = json.dumps([s.spoken(v, name) for v in s.values])
            controls.append(
                f'<label class="lr-explorer-slider" style="display:flex;align-items:center;gap:0.6em;margin:0.2em 0">'
                f'<span class="lr-explorer-name" style="min-width:7em">{html.escape(s.label or name)}</span>'
                f'<input type="range" min="0" max="{len(s.values) - 1}" step="1" value="{i}" '
                f"data-labels='{html.escape(labels)}' data-spoken='{html.escape(spoken)}' "
                f'style="flex:1;min-width:0;max-width:22em" aria-label="{html.escape(s.label or name)}" '
                f'aria-valuetext="{html.escape(s.spoken(start[name], name))}">'
                f'<output style="min-width:4em;font-family:monospace">{html.escape(s.text(start[name]))}</output>'
                f"</label>"
            )
        first = self.index(**start)
        stored = [frame if k != first else "" for k, frame in enumerate(frames)]
        data = json.dumps({"shape": list(self.shape), "frames": stored, "first": first, "alts": alts})
        data = data.replace("</", "<\\/")  # no "</script>" inside the script element
        width, height = self.size
        return (
            f'<div class="lr-explorer" id="{uid}">'
            f'<div class="lr-explorer-controls">{"".join(controls)}</div>'
            f'<img class="lr-explorer-frame" src="{frames[first]}" alt="{html.escape(alts[first])}" '
            f'width="{width}" height="{height}" style="max-width:100%;height:auto;background:#fff">'
            f'<script type="application/json" class="lr-explorer-data">{data}</script>'
            f"<script>{_SCRIPT % json.dumps(uid)}</script>"
            f"</div>"
        )

    def widget(self):
        """The live ipywidgets UI: a slider per parameter above the figure."""
        if self._widget is None:
            import ipywidgets

            start = self._start()
            sliders = {
                name: ipywidgets.SelectionSlider(
                    options=[(s.text(v), v) for v in s.values],
                    value=start[name],
                    description=s.label or name,
                    continuous_update=True,
                    layout=ipywidgets.Layout(width="32em"),
                    style={"description_width": "8em"},
                )
                for name, s in self.sliders.items()
            }
            image = ipywidgets.Image(
                value=self.frames[self.index(**start)],
                format="png",
                width=str(self.size[0]),
                layout=ipywidgets.Layout(max_width="100%", height="auto"),
            )

            def redraw(_change):
                image.value = self.frames[self.index(**{n: w.value for n, w in sliders.items()})]

            for w in sliders.values():
                w.observe(redraw, names="value")
            self._widget = ipywidgets.VBox([*sliders.values(), image])
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        widget = self.widget()
        return {
            "text/plain": repr(self),
            "text/html": self.to_html(),
            "application/vnd.jupyter.widget-view+json": {
                "version_major": 2,
                "version_minor": 0,
                "model_id": widget.model_id,
            },
        }


def explorer(draw, *, figsize=FIGSIZE, dpi=DPI, alt=None, **sliders):
    """Make a slider explorer of the figure that ``draw`` makes.

    Parameters
    ----------
    draw : callable ``draw(fig, **values)``
        Draws on the (empty) matplotlib ``Figure`` for one combination of the
        slider values, e.g. ``ax = fig.subplots(); ax.plot(...)``.
    figsize : (float, float)
        Size of every frame in inches, (width, height); the width is at most
        :data:`lrcourse.plots.MAX_WIDTH` (6.4 in), the widest a phone shows
        readably. Default (6.4, 3.2).
    dpi : float
        CSS pixels per inch the frame is shown at (default 100, as the static
        figures); the PNG is rendered at twice that, for high-density screens.
    alt : str, optional
        Alt text template, formatted with the slider values, e.g.
        ``"Gradient descent on a quadratic with η = {lr}"``.
    **sliders : Slider or sequence
        One slider per keyword argument of ``draw``; a plain sequence becomes
        ``Slider(values)``.

    Returns
    -------
    Explorer
        Displays as a live widget in Jupyter and as a static slider in the book.
    """
    if not sliders:
        raise ValueError("sliders must name at least one slider, e.g. lr=Slider([...]), got none")
    sliders = {name: s if isinstance(s, Slider) else Slider(s) for name, s in sliders.items()}
    return Explorer(draw, sliders, figsize=figsize, dpi=dpi, alt=alt)


def _check_size(figsize, dpi, scale):
    """``figsize``, ``dpi`` and ``scale`` as floats and an int, or a ValueError naming the bad one."""
    try:
        width, height = (float(v) for v in figsize)
    except (TypeError, ValueError):
        raise ValueError(f"figsize must be (width, height) in inches, got {figsize!r}") from None
    if not 0 < width <= plots.MAX_WIDTH:
        raise ValueError(
            f"figsize width must be in (0, {plots.MAX_WIDTH}] inches, the widest a phone shows readably "
            f"(stack the panels instead), got {width!r}"
        )
    if not 0 < height <= 3 * plots.MAX_WIDTH:
        raise ValueError(f"figsize height must be in (0, {3 * plots.MAX_WIDTH}] inches, got {height!r}")
    if isinstance(dpi, bool) or not isinstance(dpi, numbers.Real) or not 10 <= dpi <= 300:
        raise ValueError(f"dpi must be a number in [10, 300], got {dpi!r}")
    if isinstance(scale, bool) or not isinstance(scale, int) or not 1 <= scale <= 4:
        raise ValueError(f"scale must be an integer in [1, 4], got {scale!r}")
    return (width, height), float(dpi), scale


def _png(fig, dpi, colors):
    """The figure as PNG bytes at ``dpi``, quantized to ``colors`` palette entries, and its size in pixels.

    The PNG records its resolution (pHYs) and nothing else (no time stamp, no
    software name), so the same figure gives the same bytes on every run.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    quantized = image.quantize(colors=colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    quantized.save(out, format="png", optimize=True, dpi=(dpi, dpi))
    return out.getvalue(), image.size


_SCRIPT = """(function () {
  var root = document.getElementById(%s);
  if (!root) { return; }
  var data = JSON.parse(root.querySelector(".lr-explorer-data").textContent);
  var inputs = root.querySelectorAll("input[type=range]");
  var img = root.querySelector("img");
  data.frames[data.first] = img.getAttribute("src");
  function update() {
    var flat = 0;
    inputs.forEach(function (input, k) {
      flat = flat * data.shape[k] + Number(input.value);
      var labels = JSON.parse(input.dataset.labels);
      input.nextElementSibling.textContent = labels[Number(input.value)];
      input.setAttribute("aria-valuetext", JSON.parse(input.dataset.spoken)[Number(input.value)]);
    });
    img.src = data.frames[flat];
    img.alt = data.alts[flat];
  }
  inputs.forEach(function (input) { input.addEventListener("input", update); });
})();"""
