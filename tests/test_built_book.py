"""The built book (``jupyter-book build .``): clean pages, alt text, and sliders that work without a kernel.

These tests read ``_build/html``; they are skipped, with the reason, when the
book has not been built. ``.ci/run`` builds it before running ``pytest``.
"""

import re

import pytest

from conftest import ROOT
from test_widgets import CHROMIUM, move_slider_in_browser

HTML = ROOT / "_build" / "html"
built = pytest.mark.skipif(not (HTML / "index.html").exists(), reason="the book is not built (run: jupyter-book build .)")
PAGES = sorted((HTML / "chapters").glob("*.html")) if HTML.exists() else []


@built
def test_every_chapter_is_built():
    chapters = {p.stem for p in (ROOT / "chapters").glob("*.ipynb")}
    assert chapters <= {p.stem for p in PAGES}


@built
@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_page_has_no_tracebacks_warnings_or_errors(page):
    html = page.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" not in html
    assert not re.search(r"\w+Warning:", html), "a Python warning reached the page"
    assert 'class="output stderr"' not in html and "output traceback" not in html
    assert "html-manager" not in html and "embed-amd" not in html, "no widget scripts from a CDN"


@built
@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_every_image_has_alt_text(page):
    for tag in re.findall(r"<img\b[^>]*>", page.read_text(encoding="utf-8")):
        alt = re.search(r'alt="([^"]*)"', tag)
        assert alt and alt.group(1).strip(), f"image without alt text: {tag[:120]}"


@built
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium); browser test skipped")
def test_static_slider_on_the_built_page_changes_the_figure():
    page = HTML / "chapters" / "01_update_rule.html"
    assert ".lr-explorer" in page.read_text(encoding="utf-8") or "lr-explorer" in page.read_text(encoding="utf-8")
    changed, shown, alt = move_slider_in_browser(page)
    assert changed == "true", "moving the slider must swap the figure"
    assert shown and alt
