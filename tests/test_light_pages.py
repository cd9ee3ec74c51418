"""tools/light_pages.py: each substitution on the snippets the theme and extensions write, without a build."""

import base64

from light_pages import GITHUB_SVG, lighten, strip_solution_markers

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
