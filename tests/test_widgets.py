"""The explorer: frames over a slider grid, a live widget, and a static page that works in a real browser."""

import base64
import re

import numpy as np
import pytest

from lrcourse import widgets

def draw_line(fig, slope, offset=0.0):
    ax = fig.subplots()
    ax.plot(np.arange(5), slope * np.arange(5) + offset)
    ax.set_ylim(-1, 10)


def small_explorer(**kwargs):
    return widgets.explorer(
        draw_line, slope=widgets.Slider([0.5, 1.0, 2.0], label="slope"), alt="A line of slope {slope}", **kwargs
    )


def test_one_frame_per_combination_in_row_major_order():
    ex = widgets.explorer(draw_line, slope=[0.5, 1.0, 2.0], offset=widgets.Slider([0.0, 3.0], start=3.0))
    assert len(ex.frames) == 6
    assert ex.index(slope=0.5, offset=0.0) == 0
    assert ex.index(slope=0.5, offset=3.0) == 1
    assert ex.index(slope=2.0, offset=3.0) == 5
    assert len(set(ex.frames)) == 6, "different values must give different pictures"
    assert all(frame.startswith(b"\x89PNG") for frame in ex.frames)


def test_static_html_is_deterministic_and_self_contained():
    first, second = small_explorer().to_html(), small_explorer().to_html()
    assert first == second
    assert not re.search(r"(src|href)=\"https?://", first), "the static slider must not load anything from the network"
    assert first.count("<input type=\"range\"") == 1
    assert 'alt="A line of slope 1.0"' in first  # the middle value is the start
    middle = base64.b64encode(small_explorer().frames[1]).decode()
    assert first.count(middle) == 1, "the first frame is stored once, as the image's src"
    assert 'aria-valuetext="slope = 1"' in first


def test_slider_speaks_its_value_with_the_unit():
    slider = widgets.Slider([10, 20], label="warm-up", fmt="d", unit="steps")
    assert slider.spoken(20, "warmup") == "warm-up = 20 steps"
    assert widgets.Slider([0.1, 0.4]).spoken(0.4, "lr") == "lr = 0.4"


def test_bundle_offers_widget_and_static_html():
    bundle = small_explorer()._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html", "application/vnd.jupyter.widget-view+json"}
    assert bundle["text/plain"] == "Explorer(slope: 3 values [0.5 ... 2], 3 frames)"


def test_live_widget_swaps_frames():
    ex = small_explorer()
    box = ex.widget()
    slider, image = box.children
    assert image.value == ex.frames[1]
    slider.value = 2.0
    assert image.value == ex.frames[2]


def test_log_grid_spans_the_range():
    grid = widgets.log_grid(1e-3, 1.0, 4)
    assert grid == [0.001, 0.01, 0.1, 1.0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"values": [1.0]}, "values must hold at least 2 values"),
        ({"values": [1.0, 2.0], "start": 3.0}, "start must be one of"),
    ],
)
def test_slider_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        widgets.Slider(**kwargs)


def test_explorer_needs_a_slider():
    with pytest.raises(ValueError, match="sliders must name at least one slider"):
        widgets.explorer(draw_line)


def move_slider_in_browser(page, url):
    """Open ``url`` in ``page``, move the first explorer's first slider to its lowest value as a user would, and report.

    Returns
    -------
    tuple of (bool, str, str)
        Whether the image changed, what the slider's output shows, and the image's alt text.
    """
    page.goto(url)
    explorer = page.locator(".lr-explorer").first
    image = explorer.locator("img").first
    before = image.get_attribute("src")
    explorer.locator("input[type=range]").first.press("Home")
    return image.get_attribute("src") != before, explorer.locator("output").first.text_content(), image.get_attribute("alt")


def test_static_slider_changes_the_figure_in_a_browser(tmp_path, page):
    html = tmp_path / "explorer.html"
    html.write_text(f"<!DOCTYPE html><html><body>{small_explorer().to_html()}</body></html>", encoding="utf-8")
    changed, shown, alt = move_slider_in_browser(page, html.as_uri())
    assert changed, "moving the slider must swap the figure"
    assert shown == "0.5"
    assert alt == "A line of slope 0.5"
    slider = page.locator("input[type=range]").first
    assert slider.get_attribute("aria-valuetext") == "slope = 0.5", "a screen reader hears the value in words"
    image = page.locator(".lr-explorer img").first
    slider.press("End")
    slider.press("ArrowLeft")  # back to the start: the frame that is stored only as the image's src
    assert image.get_attribute("src") == "data:image/png;base64," + base64.b64encode(small_explorer().frames[1]).decode()
    assert slider.get_attribute("aria-valuetext") == "slope = 1"
    assert page.js_errors == []
