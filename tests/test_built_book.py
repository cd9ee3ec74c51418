"""The built book (``jupyter-book build .``): clean pages, alt text, no JavaScript errors, sliders that work without a kernel.

These tests read ``_build/html`` only when it was built from the sources on
disk now (``tools/book_sources.py`` compares the digest the build recorded);
otherwise they are skipped with the reason, and under CI they fail.
``.ci/run`` builds the book before running ``pytest``.
"""

import re

import pytest

from book_sources import build_problem
from conftest import ROOT, need
from test_widgets import move_slider_in_browser

HTML = ROOT / "_build" / "html"
CHAPTERS = sorted(path.stem for path in (ROOT / "chapters").glob("*.ipynb"))


@pytest.fixture(scope="module")
def built():
    """The built book's HTML folder, if it shows the current sources (else skip, or fail under CI)."""
    need(build_problem(ROOT))
    return HTML


def chapter_page(built, chapter):
    page = built / "chapters" / f"{chapter}.html"
    assert page.exists(), f"chapter {chapter} is not in the built book"
    return page


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_page_has_no_tracebacks_warnings_or_errors(built, chapter):
    html = chapter_page(built, chapter).read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" not in html
    assert not re.search(r"\w+Warning:", html), "a Python warning reached the page"
    assert 'class="output stderr"' not in html and "output traceback" not in html
    assert "html-manager" not in html and "embed-amd" not in html, "no widget scripts from a CDN"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_computed_prose_shows_the_values_of_the_run(built, chapter):
    """Every {eval}`name` of the source became the value that name had in the build's run."""
    source = (ROOT / "chapters" / f"{chapter}.ipynb").read_text(encoding="utf-8")
    html = chapter_page(built, chapter).read_text(encoding="utf-8")
    assert "{eval}" not in html, "a role was left unrendered"
    rendered = re.findall(r'<span class="output text_plain">([^<]*)</span>', html)
    assert len(rendered) >= source.count("{eval}`"), "each {eval} must render as the run's value"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_image_has_alt_text(built, chapter):
    for tag in re.findall(r"<img\b[^>]*>", chapter_page(built, chapter).read_text(encoding="utf-8")):
        alt = re.search(r'alt="([^"]*)"', tag)
        assert alt and alt.group(1).strip(), f"image without alt text: {tag[:120]}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_page_runs_without_javascript_errors_offline(built, chapter, page):
    page.goto(chapter_page(built, chapter).as_uri())
    assert page.locator("article h1").first.is_visible(), "the chapter must render"
    assert page.js_errors == []


def test_static_slider_on_the_built_page_changes_the_figure(built, page):
    changed, shown, alt = move_slider_in_browser(page, chapter_page(built, "01_update_rule").as_uri())
    assert changed, "moving the slider must swap the figure"
    assert shown and alt
    assert page.js_errors == []


def test_on_a_phone_the_menu_opens_and_leads_to_the_next_chapter(built, phone):
    """The header's navigation button opens the table of contents on a phone; its link to the next chapter works."""
    first, second = CHAPTERS[0], CHAPTERS[1]
    phone.goto(chapter_page(built, first).as_uri())
    menu = phone.locator("button.primary-toggle:visible")
    assert menu.count() == 1, "one visible navigation button in the header"
    menu.tap()
    sidebar = phone.locator("dialog[open]")
    sidebar.first.wait_for(state="visible", timeout=3000)
    link = sidebar.locator(f'a[href$="{second}.html"]').first
    assert link.is_visible(), "the open menu lists the next chapter"
    link.tap()
    phone.wait_for_url(f"**/{second}.html")
    assert phone.locator("article h1").first.is_visible()
    contents = phone.locator("button.secondary-toggle:visible")
    contents.first.tap()
    phone.locator("dialog[open]").first.wait_for(state="visible", timeout=3000)
    assert phone.js_errors == []


# index.html only redirects to intro.html, which is tested itself.
PAGES = sorted(path.name for path in HTML.glob("*.html") if path.name not in ("index.html", "genindex.html", "search.html"))
# axe-core's default rules, plus one it ships disabled: a visible label must be part of the accessible name.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"label-content-name-mismatch": {"enabled": True}}}


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("name", [f"chapters/{chapter}.html" for chapter in CHAPTERS] + PAGES)
def test_no_serious_accessibility_violation_on_a_phone(built, browser, name, mode):
    """axe-core finds no serious or critical violation on the page, at 390 px, in light and dark mode."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=mode)
    try:
        tab = context.new_page()
        tab.goto((built / name).as_uri())
        violations = Axe().run(tab, options=AXE_OPTIONS).response["violations"]
    finally:
        context.close()
    serious = [
        f"{v['id']} ({v['impact']}): {len(v['nodes'])} elements, e.g. {v['nodes'][0]['html'][:120]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
