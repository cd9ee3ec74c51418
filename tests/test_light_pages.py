"""tools/light_pages.py: each substitution on the snippets the theme and extensions write, without a build."""

import base64

from light_pages import GITHUB_SVG, icon_codepoints, lighten, strip_solution_markers, subset_font

PNG = base64.b64encode(b"\x89PNG frame").decode()


def page(body):
    return f"<html><head></head><body><article>{body}</article></body></html>"


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
        '<div class="math notranslate nohighlight"><math></math></div>'
    )
    after = lighten(before, write_frame)
    assert "widget-state" not in after and "fontawesome.js" not in after
    assert GITHUB_SVG in after and "fa-github" not in after
    assert written == [b"\x89PNG frame"] and 'frame" src="_images/explorer/1.png"' in after
    assert '<img src="a.png"' in after and '<img loading="lazy" decoding="async" src="b.png"' in after
    assert after.count('class="lr-scroll-boxes"') == 1, "a displayed formula can be wider than a phone"
    assert lighten(after, write_frame) == after


def test_a_page_without_wide_boxes_gets_no_script():
    assert "lr-scroll-boxes" not in lighten(page("<p>text</p>"), lambda png: "")
    assert "lr-scroll-boxes" in lighten(page('<div class="pst-scrollable-table-container"></div>'), lambda png: "")


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
