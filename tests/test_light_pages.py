"""tools/light_pages.py: each substitution on the snippets the theme and extensions write, without a build."""

import base64

import pytest

from light_pages import (
    GITHUB_SVG,
    PHONE_COLUMN_EM,
    bundle_stylesheets,
    formula_width_em,
    icon_codepoints,
    lighten,
    mark_wide_boxes,
    strip_solution_markers,
    subset_font,
    table_width_em,
    used_icon_names,
)

PNG = base64.b64encode(b"\x89PNG frame").decode()


def page(body, head=""):
    return f"<html><head>{head}</head><body><article>{body}</article></body></html>"


def math(*tokens):
    """A displayed formula's MathML, a row of ``<mi>`` tokens."""
    row = "".join(f"<mi>{t}</mi>" for t in tokens)
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML" display="block"><mrow>{row}</mrow></math>'


def formula_box(mathml):
    return f'<div class="math notranslate nohighlight">\n{mathml}</div>'


def test_lightens_a_page_and_a_second_pass_changes_nothing():
    written = []

    def write_frame(png):
        written.append(png)
        return f"_images/explorer/{len(written)}.png"

    before = page(
        '<script type="application/vnd.jupyter.widget-state+json">{"state": {}}</script>'
        '<script src="../_static/scripts/fontawesome.js?digest=1"></script>'
        '<button><i class="fab fa-github"></i></button>'
        '<img src="a.png" alt="first"><img src="b.png" alt="second">'
        f'<img class="lr-explorer-frame" src="data:image/png;base64,{PNG}">'
        + formula_box(math(*"abcdefghijklmnopqrstuvwxyz12345"))
        + '<pre>short</pre>',
        head='<script>\n    document.documentElement.dataset.theme = localStorage.getItem("theme") || "auto";\n</script>',
    ).replace("<body>", '<body data-bs-spy="scroll" data-bs-target=".bd-toc-nav" data-offset="180" data-default-mode="auto">')
    after = lighten(before, write_frame)
    assert "widget-state" not in after and "fontawesome.js" not in after
    assert GITHUB_SVG in after and "fa-github" not in after
    assert written == [b"\x89PNG frame"] and 'frame" src="_images/explorer/1.png"' in after
    assert '<img src="a.png"' in after and '<img loading="lazy" decoding="async" src="b.png"' in after
    assert 'aria-label="Formula, scrolls sideways"' in after, "a formula of 31 letters is wider than a phone"
    assert '<body data-default-mode="auto">' in after, "no ScrollSpy: it measures every section at load"
    assert 'localStorage.getItem("theme")' not in after and "prefers-color-scheme: dark" in after
    assert lighten(after, write_frame) == after


def test_a_formula_is_as_wide_as_its_parts():
    """Rows add up, a fraction is as wide as its wider part, a script is drawn smaller than its base."""
    a, b = math("x"), math("x", "y", "z")
    assert formula_width_em(b) == pytest.approx(3 * formula_width_em(a))
    fraction = '<math><mfrac><mrow><mi>x</mi><mi>y</mi><mi>z</mi></mrow><mi>x</mi></mfrac></math>'
    assert formula_width_em(fraction) == pytest.approx(formula_width_em(b) + 0.3)
    power = "<math><msup><mi>x</mi><mi>x</mi></msup></math>"
    assert formula_width_em(a) < formula_width_em(power) < 2 * formula_width_em(a)
    named = '<math><mrow><mi>x</mi><mspace width="1em"></mspace><mtext>&nbsp;if</mtext></mrow></math>'
    assert formula_width_em(named) == pytest.approx(formula_width_em(a) + 1.0 + 0.6 * 3)


def test_only_boxes_wider_than_a_phone_are_marked_as_scroll_regions():
    letters = int(PHONE_COLUMN_EM / 0.6)
    narrow, wide = formula_box(math(*"x" * (letters - 2))), formula_box(math(*"x" * (letters + 2)))
    assert mark_wide_boxes(narrow) == narrow
    marked = mark_wide_boxes(wide)
    assert marked.startswith('<div class="math notranslate nohighlight lr-scrolls" tabindex="0" role="region"')
    assert marked.endswith('</div><p class="lr-scroll-hint" aria-hidden="true">scroll sideways \u2192</p>')
    assert mark_wide_boxes(marked) == marked
    table = '<div class="pst-scrollable-table-container"><table><tr><td>{}</td><td>{}</td></tr></table></div>'
    assert "lr-scrolls" not in mark_wide_boxes(table.format("a few short words", "and more"))
    assert 'aria-label="Table, scrolls sideways"' in mark_wide_boxes(table.format("x" * 20, "y" * 15))
    assert mark_wide_boxes("<pre>x = 1</pre>") == "<pre>x = 1</pre>"
    assert mark_wide_boxes(f"<pre>x = 1\n{'y' * 31}</pre>") == f'<pre tabindex="0">x = 1\n{"y" * 31}</pre>'


def test_a_table_is_at_least_as_wide_as_its_longest_words():
    two_columns = "<table><tr><th>step</th><th>rate</th></tr><tr><td>10</td><td>0.001 &amp; 0.1</td></tr></table>"
    assert table_width_em(two_columns) == pytest.approx((0.55 * 4 + 1) + (0.55 * 5 + 1))
    formula = "<table><tr><td>if <math><mi>η</mi><mo>&lt;</mo><mn>1</mn></math></td></tr></table>"
    assert table_width_em(formula) == pytest.approx(0.55 * 3 + 1), "a formula does not wrap: one word"


def test_a_page_gets_one_stylesheet_in_the_order_of_its_links(tmp_path):
    static = tmp_path / "_static"
    (static / "styles").mkdir(parents=True)
    (static / "basic.css").write_text("p { color: red; }\n")
    (static / "styles" / "theme.css").write_text('@charset "UTF-8";\n@import "../basic.css";\n')
    (static / "styles" / "icons.css").write_text(
        '@font-face { src: url(../fonts/icons.woff2?v=1); }\n.fa-bars:before{content:"\\f0c9"}.fa-x:before{content:"\\f00d"}'
    )
    (static / "course.css").write_text('p { color: blue; background: url("img/dot.svg"); }\n')
    head = "".join(
        f'<link rel="stylesheet" type="text/css" href="../_static/{name}?v=1" />\n'
        for name in ("styles/theme.css", "styles/icons.css", "course.css")
    )
    after = bundle_stylesheets(page("<p>x</p>", head), "chapters/one.html", tmp_path, {"bars"})
    links = [line for line in after.split("<")[1:] if line.startswith("link")]
    assert len(links) == 1 and 'href="../_static/styles/book-' in links[0]
    css = (tmp_path / "_static" / "styles" / links[0].split("styles/")[1].split('"')[0]).read_text()
    assert css.startswith('@charset "UTF-8";') and css.count("@charset") == 1 and "@import" not in css
    assert css.index("color: red") < css.index("f0c9") < css.index("color: blue"), "the cascade keeps its order"
    assert 'url("../fonts/icons.woff2?v=1")' in css and 'url("../img/dot.svg")' in css
    assert "f00d" not in css, "an icon the book does not use"
    external = page("", '<link rel="stylesheet" href="https://example.org/x.css" />' + head)
    assert bundle_stylesheets(external, "chapters/one.html", tmp_path, set()) == external


def test_used_icon_names_are_the_fa_classes_of_pages_and_scripts():
    assert used_icon_names(['<i class="fa-solid fa-bars">', 'i.className = "fa-sun"']) == {"solid", "bars", "sun"}


def test_solution_markers_go_and_the_code_stays():
    code = "x = 1\n    ### BEGIN SOLUTION\ny = 2\n### END SOLUTION\n"
    assert strip_solution_markers(code) == "x = 1\ny = 2\n"


def test_the_first_paint_waits_for_no_script_request():
    head = (
        '<link rel="preload" as="script" href="../_static/scripts/bootstrap.js?digest=1" />\n'
        '<script src="../_static/documentation_options.js?v=2"></script>'
        '<script defer src="../_static/scripts/bootstrap.js?digest=1"></script>'
    )
    after = lighten(page(head), lambda png: "", documentation_options="const DOCUMENTATION_OPTIONS = {};\n")
    assert 'rel="preload"' not in after and "documentation_options.js" not in after
    assert "<script>const DOCUMENTATION_OPTIONS = {};\n</script>" in after
    assert '<script defer src="../_static/scripts/bootstrap.js?digest=1"></script>' in after
    assert "documentation_options.js" in lighten(page(head), lambda png: ""), "kept when its text is not given"


def test_icon_codepoints_are_the_icons_the_pages_and_stylesheets_draw():
    css = (
        '.fa-bars:before,.fa-navicon:before{content:"\\f0c9"}.fa-sun:before{content:"\\f185"}'
        '.fa-unused:before{content:"\\f000"}'
        ':root{--pst-icon-bell:"\uf0f3"}.dropdown:after{content:"\\f107"}'
    )
    pages = ['<i class="fa-solid fa-navicon"></i>', 'el.className = "fa-solid fa-sun fa-lg"']
    assert icon_codepoints([css], pages) == {0xF0C9, 0xF185, 0xF0F3, 0xF107}
    assert icon_codepoints([css], ['<i class="fa-solid fa-bars"></i>']) == {0xF0C9, 0xF0F3, 0xF107}


def test_subset_font_keeps_exactly_the_glyphs_asked_for(tmp_path):
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont

    def square():
        pen = TTGlyphPen(None)
        pen.moveTo((0, 0)), pen.lineTo((0, 500)), pen.lineTo((500, 500)), pen.lineTo((500, 0)), pen.closePath()
        return pen.glyph()

    names = [".notdef", "a", "b", "c"]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({0xF001: "a", 0xF002: "b", 0xF003: "c"})
    builder.setupGlyf({name: square() for name in names})
    builder.setupHorizontalMetrics({name: (500, 0) for name in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Icons", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    builder.font.flavor = "woff2"
    path = tmp_path / "icons.woff2"
    builder.save(path)
    smaller = subset_font(path.read_bytes(), {0xF001, 0xF003})
    (tmp_path / "subset.woff2").write_bytes(smaller)
    assert set(TTFont(tmp_path / "subset.woff2").getBestCmap()) == {0xF001, 0xF003}
