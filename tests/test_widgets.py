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
    shown = explorer.locator("output").first.text_content()
    return image.get_attribute("src") != before, shown, image.get_attribute("alt")


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
    start = "data:image/png;base64," + base64.b64encode(small_explorer().frames[1]).decode()
    assert image.get_attribute("src") == start
    assert slider.get_attribute("aria-valuetext") == "slope = 1"
    assert page.js_errors == []


def test_frames_are_sharp_and_shown_at_their_nominal_size():
    """Frames are rendered at twice the display resolution, record it, and show at their size in inches x 100 px."""
    import io

    from PIL import Image

    from lrcourse import plots

    ex = small_explorer()
    image = Image.open(io.BytesIO(ex.frames[0]))
    assert image.info["dpi"][0] == pytest.approx(2 * widgets.DPI, abs=0.01)
    assert image.width / image.info["dpi"][0] == pytest.approx(plots.MAX_WIDTH, abs=0.01)
    assert ex.size == (round(image.width / 2), round(image.height / 2))
    html = ex.to_html()
    assert f'width="{ex.size[0]}" height="{ex.size[1]}"' in html
    assert "max-width:100%;height:auto" in html


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"figsize": (7.5, 3.2)}, r"figsize width must be in \(0, 6.4\] inches.*got 7.5"),
        ({"figsize": (6.4, 0)}, "figsize height must be in"),
        ({"figsize": 6.4}, r"figsize must be \(width, height\)"),
        ({"dpi": 0}, r"dpi must be a number in \[10, 300\], got 0"),
    ],
)
def test_explorer_refuses_frames_a_phone_cannot_show(kwargs, message):
    with pytest.raises(ValueError, match=message):
        small_explorer(**kwargs)


def test_static_slider_accepts_frame_urls(tmp_path, page):
    """The book's build swaps the data URIs for file URLs; the page's script loads a frame by URL when it is shown."""
    import json

    ex = small_explorer()
    page_html = ex.to_html()
    data = json.loads(re.search(r'class="lr-explorer-data">(.*?)</script>', page_html).group(1))
    for k, src in enumerate(data["frames"]):
        if src:
            (tmp_path / f"frame{k}.png").write_bytes(ex.frames[k])
            page_html = page_html.replace(json.dumps(src), json.dumps(f"frame{k}.png"))
    (tmp_path / "explorer.html").write_text(f"<!DOCTYPE html><html><body>{page_html}</body></html>", encoding="utf-8")
    changed, shown, _ = move_slider_in_browser(page, (tmp_path / "explorer.html").as_uri())
    image = page.locator(".lr-explorer img").first
    assert changed and shown == "0.5"
    assert image.get_attribute("src") == "frame0.png"
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert page.js_errors == []
