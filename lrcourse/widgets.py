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
prefers the widget. Frames are quantized to a 64-color palette so a page stays
light; keep grids small (a slider of 10-20 values, two sliders of ~8 each).

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

    def __init__(self, draw, sliders, *, figsize=(7.5, 3.2), dpi=80, alt=None, colors=64):
        self.sliders = sliders
        self.alt = alt
        names = list(sliders)
        shape = tuple(len(s.values) for s in sliders.values())
        self.frames = []
        fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        with plots.style():
            for combo in itertools.product(*(s.values for s in sliders.values())):
                fig.clear()
                draw(fig, **dict(zip(names, combo)))
                self.frames.append(_png(fig, dpi, colors))
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
        give the same HTML on every run. The first frame is stored once, as
        the image's ``src`` (its place in the data is empty). Each slider
        carries ``aria-valuetext`` in words (:meth:`Slider.spoken`), updated as
        it moves.
        """
        digest = hashlib.sha1(b"".join(self.frames)).hexdigest()[:12]
        uid = f"lrx-{digest}"
        start = self._start()
        frames = [base64.b64encode(f).decode("ascii") for f in self.frames]
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
                f'<label style="display:flex;align-items:center;gap:0.6em;margin:0.2em 0">'
                f'<span style="min-width:7em">{html.escape(s.label or name)}</span>'
                f'<input type="range" min="0" max="{len(s.values) - 1}" step="1" value="{i}" '
                f"data-labels='{html.escape(labels)}' data-spoken='{html.escape(spoken)}' "
                f'style="flex:1;max-width:22em" aria-label="{html.escape(s.label or name)}" '
                f'aria-valuetext="{html.escape(s.spoken(start[name], name))}">'
                f'<output style="min-width:5em;font-family:monospace">{html.escape(s.text(start[name]))}</output>'
                f"</label>"
            )
        first = self.index(**start)
        stored = [frame if k != first else "" for k, frame in enumerate(frames)]
        data = json.dumps({"shape": list(self.shape), "frames": stored, "first": first, "alts": alts})
        return (
            f'<div class="lr-explorer" id="{uid}">'
            f'<div class="lr-explorer-controls">{"".join(controls)}</div>'
            f'<img src="data:image/png;base64,{frames[first]}" alt="{html.escape(alts[first])}" '
            f'style="max-width:100%;height:auto">'
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
            image = ipywidgets.Image(value=self.frames[self.index(**start)], format="png")

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


def explorer(draw, *, figsize=(7.5, 3.2), dpi=80, alt=None, **sliders):
    """Make a slider explorer of the figure that ``draw`` makes.

    Parameters
    ----------
    draw : callable ``draw(fig, **values)``
        Draws on the (empty) matplotlib ``Figure`` for one combination of the
        slider values, e.g. ``ax = fig.subplots(); ax.plot(...)``.
    figsize, dpi
        Size of every frame, in inches and dots per inch.
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


def _png(fig, dpi, colors):
    """The figure as PNG bytes, quantized to ``colors`` palette entries (no metadata: reproducible)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    quantized = image.quantize(colors=colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    quantized.save(out, format="png", optimize=True)
    return out.getvalue()


_SCRIPT = """(function () {
  var root = document.getElementById(%s);
  if (!root) { return; }
  var data = JSON.parse(root.querySelector(".lr-explorer-data").textContent);
  var inputs = root.querySelectorAll("input[type=range]");
  var img = root.querySelector("img");
  data.frames[data.first] = img.getAttribute("src").slice("data:image/png;base64,".length);
  function update() {
    var flat = 0;
    inputs.forEach(function (input, k) {
      flat = flat * data.shape[k] + Number(input.value);
      var labels = JSON.parse(input.dataset.labels);
      input.nextElementSibling.textContent = labels[Number(input.value)];
      input.setAttribute("aria-valuetext", JSON.parse(input.dataset.spoken)[Number(input.value)]);
    });
    img.src = "data:image/png;base64," + data.frames[flat];
    img.alt = data.alts[flat];
  }
  inputs.forEach(function (input) { input.addEventListener("input", update); });
})();"""

