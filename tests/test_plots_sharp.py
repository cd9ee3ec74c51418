"""Figures in a kernel: rendered for high-density screens, quantized, shown at their nominal size."""

import base64
import io

import nbformat
import pytest
from nbclient import NotebookClient
from PIL import Image

from lrcourse import plots

CELLS = [
    "from lrcourse import plots\nplots.sharp_figures()",
    "fig, ax = plots.figure(height=2.0)\nax.plot([0, 1, 2], [2, 0, 1])\nax.set_title('a title')",
]


def figure_output():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in CELLS])
    NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    [output] = [o for o in notebook.cells[1].outputs if "image/png" in o.get("data", {})]
    return output


def test_a_figure_is_stored_at_twice_its_resolution_and_shown_at_its_size():
    output = figure_output()
    image = Image.open(io.BytesIO(base64.b64decode(output["data"]["image/png"])))
    assert image.mode == "P" and len(image.getcolors()) <= 256
    dpi = image.info["dpi"][0]
    assert dpi == pytest.approx(200, abs=0.01)
    assert output["metadata"]["image/png"] == {"width": image.width // 2, "height": image.height // 2}
    assert image.width / dpi == pytest.approx(plots.MAX_WIDTH, abs=0.01)


@pytest.mark.parametrize("kwargs", [{"scale": 0}, {"scale": 2.0}, {"colors": 1}, {"colors": 300}, {"scale": True}])
def test_bad_settings_are_named(kwargs):
    [(name, value)] = kwargs.items()
    with pytest.raises(ValueError, match=f"{name} must be an integer.*got {value!r}"):
        plots.sharp_figures(**kwargs)


@pytest.mark.parametrize("width", [0, -1.0, 6.5, 10.0])
def test_figures_wider_than_a_phone_shows_are_refused(width):
    with pytest.raises(ValueError, match=rf"width must be in \(0, 6.4\] inches.*got {width!r}"):
        plots.figure(width=width)


def test_plain_ticks_label_a_log_axis_with_plain_numbers():
    import matplotlib.pyplot as plt

    from lrcourse import plots

    fig, ax = plots.figure()
    ax.set(xscale="log", yscale="log", xlim=(8, 600), ylim=(0.15, 5))
    plots.plain_ticks(ax, [0.2, 0.5, 1, 2, 5])
    plots.plain_ticks(ax, [8, 32, 128, 512], axis="x")
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0.2", "0.5", "1", "2", "5"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["8", "32", "128", "512"]
    assert list(ax.yaxis.get_minorticklocs()) == [] and list(ax.xaxis.get_minorticklocs()) == []
    with pytest.raises(ValueError, match="axis='z'"):
        plots.plain_ticks(ax, [1], axis="z")
    plt.close(fig)
