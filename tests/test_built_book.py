"""The built book (``jupyter-book build .``): clean pages, alt text, no JavaScript errors, sliders that work without a kernel.

These tests read ``_build/html`` only when it was built from the sources on
disk now (``tools/book_sources.py`` compares the digest the build recorded);
otherwise they are skipped with the reason, and under CI they fail.
``.ci/run`` builds the book before running ``pytest``.
"""

import gzip
import html as html_lib
import json
import pathlib
import re
import urllib.parse

import pytest

from book_sources import build_problem
from conftest import ROOT, need, recording_page
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
    image = page.locator(".lr-explorer img").first
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert not image.get_attribute("src").startswith("data:"), "the book loads frames as files"
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
# The browser skips drawing the blocks of a chapter far from the screen (content-visibility: auto in course.css).
# Measured while skipped, a block keeps its reserved height but its contents report their true size, so the
# geometry of the page is not one a reader ever sees (a button deep in a skipped block "covers" the text after
# it). Checks of what is drawn are made on the page as it is drawn once each block is on screen.
ALL_DRAWN = "* { content-visibility: visible !important; }"


def draw_all(tab):
    """Have ``tab`` draw every block of its page, near the screen or not (works with scripts off, too)."""
    tab.evaluate("css => document.head.appendChild(document.createElement('style')).textContent = css", ALL_DRAWN)


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("name", [f"chapters/{chapter}.html" for chapter in CHAPTERS] + PAGES)
def test_no_serious_accessibility_violation_on_a_phone(built, browser, name, mode):
    """axe-core finds no serious or critical violation on the page, at 390 px, in light and dark mode."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=mode)
    try:
        tab = context.new_page()
        tab.goto((built / name).as_uri())
        draw_all(tab)
        violations = Axe().run(tab, options=AXE_OPTIONS).response["violations"]
    finally:
        context.close()
    serious = [
        f"{v['id']} ({v['impact']}): {len(v['nodes'])} elements, e.g. {v['nodes'][0]['html'][:120]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


# Page weight (issue 17, item 5): what a reader's browser fetches to show a page, before any scrolling.
MAX_RAW = 2.5e6
MAX_GZIP = 1.5e6
# Text is sent gzipped by the server; images and fonts are compressed already and sent as they are.
TEXT_SUFFIXES = {".html", ".css", ".js", ".json", ".svg", ".txt"}
ALL_PAGES = sorted(path.relative_to(HTML).as_posix() for path in HTML.rglob("*.html") if "_static" not in path.parts)


def local_file(base, url):
    """The built file a page's reference points to, or None for a data: URI, another site or a missing file."""
    if url.startswith(("data:", "http:", "https:", "//", "#", "mailto:")):
        return None
    path = (base.parent / urllib.parse.unquote(url.split("?")[0].split("#")[0])).resolve()
    return path if path.is_file() else None


def loaded_files(browser, page):
    """Every built file a phone's browser fetches to show ``page`` before it is scrolled.

    The page is opened at the size Lighthouse's mobile test uses (412 x 823)
    and left until the network is idle (MathJax fetches its fonts after it
    has typeset), so the page's stylesheets, the fonts they use, its scripts
    and its images above the fold count; images marked ``loading="lazy"``
    below the fold and explorer frames not yet shown do not.
    """
    context = browser.new_context(viewport={"width": 412, "height": 823}, is_mobile=True, has_touch=True)
    requested = []
    try:
        tab = context.new_page()
        tab.on("request", lambda request: requested.append(request.url))
        tab.goto(page.as_uri(), wait_until="load")
        tab.wait_for_load_state("networkidle")
    finally:
        context.close()
    files = set()
    for url in requested:
        if url.startswith("file://"):
            path = pathlib.Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path))
            files.update([path] if path.is_file() else [])
    return files


def transferred(path):
    """Bytes sent for ``path``: gzipped (level 6, as servers do) if it is text, as it is otherwise."""
    data = path.read_bytes()
    return len(gzip.compress(data, 6, mtime=0)) if path.suffix in TEXT_SUFFIXES else len(data)


def test_page_weight_counts_what_the_page_loads(built, browser):
    """The weighing itself: a page counts its CSS, the fonts it uses, its scripts, and no frame it does not show."""
    page = chapter_page(built, CHAPTERS[0])
    names = {path.name for path in loaded_files(browser, page)}
    assert {page.name, "bootstrap.js", "course.js"} <= names
    stylesheets = [name for name in names if name.endswith(".css")]
    assert len(stylesheets) == 1 and stylesheets[0].startswith("book-"), f"one stylesheet before the first paint: {stylesheets}"
    assert any(name.endswith(".woff2") for name in names), "the icon font counts"
    frames = {p.name for p in (built / "_images" / "explorer").glob("*.png")}
    assert len(names & frames) <= 1, "an explorer loads its first frame only"


@pytest.mark.parametrize("name", ALL_PAGES)
def test_page_is_light(built, browser, name):
    """HTML plus everything it loads at first paint: at most 2.5 MB raw and 1.5 MB sent gzipped."""
    files = loaded_files(browser, built / name)
    raw = sum(path.stat().st_size for path in files)
    sent = sum(transferred(path) for path in files)
    heaviest = [f"{p.name}: {p.stat().st_size / 1e3:.0f} kB" for p in sorted(files, key=lambda p: -p.stat().st_size)[:5]]
    assert raw <= MAX_RAW, f"{raw / 1e6:.2f} MB raw; heaviest: {heaviest}"
    assert sent <= MAX_GZIP, f"{sent / 1e6:.2f} MB sent with gzip; heaviest: {heaviest}"


def test_code_keeps_its_colours_without_the_plain_spans(built):
    """light_pages drops Pygments' name, punctuation and space spans: their colour must be the code block's own."""
    css = (built / "_static" / "pygments.css").read_text(encoding="utf-8")
    for theme in ("light", "dark"):
        block = re.search(rf'html\[data-theme="{theme}"\] \.highlight {{[^}}]*color: (#\w+)', css).group(1)
        for token in "npw":
            rule = re.search(rf'html\[data-theme="{theme}"\] \.highlight \.{token} {{ color: (#\w+)', css)
            assert rule is None or rule.group(1).lower() == block.lower(), (theme, token)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_explorer_frames_are_files_loaded_on_demand(built, chapter):
    """No PNG is inlined as base64; every explorer frame is a file of the build."""
    page = chapter_page(built, chapter)
    text = page.read_text(encoding="utf-8")
    assert "data:image/png;base64," not in text, "frames must be files, not base64 in the page"
    for data in re.findall(r'<script type="application/json" class="lr-explorer-data">(.*?)</script>', text, re.S):
        frames = json.loads(data)["frames"]
        assert frames.count("") == 1, "the first frame is stored once, as the image's src"
        missing = [url for url in frames if url and local_file(page, url) is None]
        assert not missing, f"frames not in the build: {missing[:3]}"


@pytest.mark.parametrize("name", ALL_PAGES)
def test_page_loads_no_dead_weight(built, name):
    """No widget state (no widget manager reads it), no FontAwesome JavaScript (the theme's CSS draws the icons),
    no brands font (the GitHub icons are inline SVG) and no MathJax (the formulas are MathML)."""
    text = (built / name).read_text(encoding="utf-8")
    assert "application/vnd.jupyter.widget-state+json" not in text
    assert not re.search(r"<script[^>]*fontawesome[^>]*\.js", text)
    assert not re.search(r'class="[^"]*\b(fab|fa-brands)\b', text), "an icon needs FontAwesome's brands font"
    assert not re.search(r"<script[^>]*mathjax", text, re.I)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_formulas_are_mathml_on_the_page(built, chapter):
    """Every formula the sources write is on the page as MathML (no TeX left for a script to typeset)."""
    text = chapter_page(built, chapter).read_text(encoding="utf-8")
    source = (ROOT / "chapters" / f"{chapter}.ipynb").read_text(encoding="utf-8")
    formulas = re.findall(r'<(span|div) class="math notranslate nohighlight"[^>]*>(.*?)</\1>', text, re.S)
    assert formulas or "$" not in source, "the chapter writes formulas, the page shows none"
    bare = [body[:60] for _, body in formulas if "<math " not in body]
    assert not bare, f"formulas not written as MathML: {bare[:3]}"
    assert "\\(" not in re.sub(r'alttext="[^"]*"', "", text), "TeX delimiters left on the page"


def test_formulas_are_drawn_by_the_browser(built, page):
    """Chromium lays the MathML out: fractions stack, formulas have a size, and no script is needed for it."""
    page.goto(chapter_page(built, CHAPTERS[1]).as_uri())
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('div.math math')].map(m => {
                 const r = m.getBoundingClientRect(); return [r.width, r.height]; })"""
    )
    assert sizes and all(w > 20 and h > 10 for w, h in sizes), sizes
    stacked = page.evaluate(
        """() => { const f = document.querySelector('div.math mfrac');
                   const [top, bottom] = [...f.children].map(c => c.getBoundingClientRect());
                   return top.bottom <= bottom.top + 1; }"""
    )
    assert stacked, "a fraction's numerator sits above its denominator"
    assert page.js_errors == []


def test_the_chapters_carry_solution_markers():
    """nbgrader's markers stay in the notebooks: the student edition needs them (so the next test means something)."""
    sources = "".join((ROOT / "chapters" / f"{c}.ipynb").read_text(encoding="utf-8") for c in CHAPTERS)
    assert "### BEGIN SOLUTION" in sources and "### END SOLUTION" in sources


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_code_on_the_page_shows_no_solution_markers(built, chapter):
    """The solutions' code on the page has no ``### BEGIN/END SOLUTION`` lines."""
    code = " ".join(re.findall(r"<pre>(.*?)</pre>", chapter_page(built, chapter).read_text(encoding="utf-8"), re.S))
    code = html_lib.unescape(re.sub(r"<[^>]+>", "", code))
    assert "BEGIN SOLUTION" not in code and "END SOLUTION" not in code


def test_icons_show_without_fontawesome_javascript(built, page):
    """The header's icons (menu, search, theme switch, download, repository) are drawn by the theme's icon font."""
    page.goto(chapter_page(built, CHAPTERS[0]).as_uri())
    page.evaluate("document.fonts.ready")
    icons = page.evaluate(
        """() => [...document.querySelectorAll('.bd-header-article i[class*="fa-"], .theme-switch-button i')]
        .map(i => { const s = getComputedStyle(i, '::before');
                    return [i.className, s.content, s.fontFamily]; })"""
    )
    assert len(icons) >= 4
    blank = [name for name, content, font in icons if content in ("none", "normal", '""') or "Font Awesome" not in font]
    assert not blank, f"icons without a glyph: {blank}"
    assert page.evaluate("document.fonts.check('900 16px \"Font Awesome 6 Free\"')")
    github = page.evaluate(
        """() => [...document.querySelectorAll('.bd-header-article svg.lr-icon')]
        .map(s => s.getBoundingClientRect().width)"""
    )
    assert github and all(width > 0 for width in github[:1]), "the repository button shows the GitHub mark"
    assert page.js_errors == []


ICON_GLYPHS = """() => [...document.querySelectorAll('*')].flatMap(el => ['::before', '::after'].map(part => {
    const style = getComputedStyle(el, part);
    return style.fontFamily.includes('Font Awesome') ? style.content : 'none';
})).filter(content => content !== 'none' && content !== 'normal')"""


@pytest.mark.parametrize("name", ["intro.html", *(f"chapters/{c}.html" for c in CHAPTERS)])
def test_every_icon_a_page_draws_is_in_the_smaller_icon_font(built, page, name):
    """light_pages keeps only the glyphs the book uses of FontAwesome's solid font: none that a page draws is missing."""
    from fontTools.ttLib import TTFont

    kept = set(TTFont(built / "_static" / "vendor" / "fontawesome" / "webfonts" / "fa-solid-900.woff2").getBestCmap())
    assert 10 <= len(kept) <= 100, f"{len(kept)} glyphs kept"
    page.goto((built / name).as_uri())
    drawn = {ord(ch) for content in page.evaluate(ICON_GLYPHS) for ch in json.loads(content) if ord(ch) >= 0xE000}
    assert drawn, "the header's icons are drawn from the font"
    missing = sorted(hex(code) for code in drawn - kept)
    assert not missing, f"icons drawn on {name} but not in the font: {missing}"


@pytest.mark.parametrize("kind, boxes, example", [
    ("Table", ".pst-scrollable-table-container", "chapter 4's schedule table"),
    ("Formula", ".bd-content div.math", "chapter 2's first displayed formula"),
])
def test_wide_boxes_say_they_scroll_on_a_phone(built, phone, kind, boxes, example):
    """A table or displayed formula wider than a phone's column is, once on screen, a named, focusable scroll
    region with a visible hint, and its start is on screen (a centred formula must not overflow on the left)."""
    scrolling = 0
    for chapter in CHAPTERS:
        phone.goto(chapter_page(built, chapter).as_uri())
        for box in phone.locator(boxes).all():
            box.scroll_into_view_if_needed()
            phone.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
            if not box.evaluate("b => b.scrollWidth > b.clientWidth + 1"):
                continue
            scrolling += 1
            phone.wait_for_function(
                "b => b.classList.contains('lr-scrolls') && b.nextElementSibling.classList.contains('lr-scroll-hint')",
                arg=box.element_handle(),
                timeout=3000,
            )
            assert box.get_attribute("tabindex") == "0", chapter
            assert box.get_attribute("aria-label") == f"{kind}, scrolls sideways", chapter
            assert box.evaluate("b => b.nextElementSibling.classList.contains('lr-scroll-hint')"), chapter
            assert box.locator("xpath=following-sibling::p[1]").is_visible()
            assert box.evaluate(
                "b => b.firstElementChild.getBoundingClientRect().left >= b.getBoundingClientRect().left - 1"
            ), f"{chapter}: the start of a wide {kind.lower()} cannot be scrolled to"
    assert scrolling, f"{example} is wider than a phone's column"
    assert phone.js_errors == []


@pytest.mark.parametrize("width", [320, 390])
def test_every_box_that_scrolls_on_a_phone_is_marked_in_the_html(built, browser, width):
    """Without any script, each table, displayed formula and code block wider than a phone's column is already a
    focusable scroll region (tools/light_pages.py decides it from the HTML, so no script measures the page at load)."""
    context = browser.new_context(viewport={"width": width, "height": 844}, java_script_enabled=False)
    try:
        tab = context.new_page()
        unmarked, marked = [], 0
        for chapter in CHAPTERS:
            tab.goto(chapter_page(built, chapter).as_uri())
            draw_all(tab)
            boxes = tab.evaluate(
                """() => [...document.querySelectorAll('.bd-content .pst-scrollable-table-container,'
                        + ' .bd-content div.math, .bd-content pre')]
                    .filter(b => b.scrollWidth > b.clientWidth + 1)
                    .map(b => [b.tagName === 'PRE' || (b.classList.contains('lr-scrolls')
                                 && b.getAttribute('role') === 'region'
                                 && b.nextElementSibling.classList.contains('lr-scroll-hint')),
                               b.getAttribute('tabindex'), b.textContent.trim().slice(0, 60)])"""
            )
            marked += len(boxes)
            unmarked += [f"{chapter}: {text}" for region, tabindex, text in boxes if not (region and tabindex == "0")]
    finally:
        context.close()
    assert marked, "some boxes are wider than a phone's column"
    assert not unmarked, f"wider than a {width} px phone but not marked: {unmarked[:5]}"


def test_on_this_page_marks_the_section_on_screen(built, browser):
    """On a wide screen a link in the contents beside the chapter lands on its section (though the blocks above it
    were not drawn), and the contents mark the section being read, to the last one at the end of the page."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        tab = recording_page(context)
        tab.goto(chapter_page(built, "02_too_high_too_low").as_uri())
        links = tab.locator(".page-toc a.nav-link[href^='#']")
        assert links.count() >= 3, "the chapter's sections are listed"
        for index in (links.count() - 1, 1):
            target = links.nth(index).get_attribute("href")
            links.nth(index).click()
            tab.wait_for_function(
                "href => document.querySelector(`.page-toc a[href='${href}']`).classList.contains('active')",
                arg=target,
                timeout=3000,
            )
            active = tab.eval_on_selector_all(".page-toc a.active", "links => links.map(a => a.getAttribute('href'))")
            assert active[-1] == target, active
            assert tab.locator(f".page-toc a[href='{target}']").get_attribute("aria-current") == "true"
            if index == 1:
                tab.wait_for_timeout(500)
                top = tab.evaluate("id => document.getElementById(id).getBoundingClientRect().top", target[1:])
                assert 0 <= top <= 100, f"the link lands on its section, below the header ({top:.0f} px)"
        assert tab.js_errors == []
    finally:
        context.close()


def test_explorers_sit_on_the_page_in_dark_mode(built, browser):
    """In dark mode the explorer's controls are on the page's background, its figure on one white card."""
    context = browser.new_context(color_scheme="dark")
    try:
        tab = context.new_page()
        tab.goto(chapter_page(built, "01_update_rule").as_uri())
        assert tab.evaluate("document.documentElement.dataset.theme") == "dark"
        explorer = tab.locator(".lr-explorer").first
        output = explorer.evaluate("e => getComputedStyle(e.parentElement).backgroundColor")
        card = explorer.locator("img").evaluate(
            "i => [getComputedStyle(i).backgroundColor, getComputedStyle(i).padding]"
        )
    finally:
        context.close()
    assert output in ("rgba(0, 0, 0, 0)", "transparent"), f"a mat behind the controls: {output}"
    assert card == ["rgb(255, 255, 255)", "0px"], f"the figure's card: {card}"
