"""lrcourse.quiz in a real browser: a 390 px phone, the keyboard only, light and dark theme, axe-core, no errors.

The quiz's HTML goes into a small page with the book theme's CSS (so
``html[data-theme=dark]`` switches its colours as on the built book). Runs when
Chromium is present, skips otherwise (fails under CI, see ``conftest.need``).
"""

import pathlib

import pytest

from lrcourse import quiz

# As in test_built_book: axe-core's default rules plus "a visible label is part of the accessible name".
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"label-content-name-mismatch": {"enabled": True}}}


def sample():
    return quiz.Quiz([
        quiz.Choice("What does gradient descent do on f(w) = h w²/2 with η just above 2/h?",
                    ["It converges, slowly", "It oscillates with growing amplitude", "It stops"],
                    answer=1, explain="The factor 1 − ηh is below −1, so each step flips the sign and grows."),
        quiz.Number("For h = 4, what is the largest stable constant rate?", answer=0.5, tolerance=0.005,
                    explain="2/h = 0.5."),
        quiz.Choice("Which rate is safe for every curvature up to L?", ["η < 2/L", "η < L/2", "η < 2L"],
                    answer=0, explain="The stiffest direction sets the limit: `1 − ηL > −1`."),
    ])


def theme_css():
    """The installed pydata-sphinx-theme stylesheet (the book's theme and its CSS variables).

    Inlined: axe-core fetches linked stylesheets, which a file:// page may not do.
    """
    theme = pytest.importorskip("pydata_sphinx_theme")
    path = pathlib.Path(theme.__file__).parent / "theme/pydata_sphinx_theme/static/styles/pydata-sphinx-theme.css"
    return path.read_text(encoding="utf-8")


def write_page(tmp_path, body, mode="light"):
    page = tmp_path / f"quiz-{mode}.html"
    page.write_text(
        f'<!doctype html><html lang="en" data-theme="{mode}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>Self-quiz</title>'
        f"<style>{theme_css()}</style></head>"
        f'<body><main class="bd-article"><h1>Self-quiz</h1>{body}</main></body></html>',
        encoding="utf-8",
    )
    return page.as_uri()


def feedback(tab, k):
    box = tab.locator(".lr-quiz-feedback").nth(k)
    return box.get_attribute("data-state"), box.inner_text().strip()


def test_a_choice_answered_with_the_keyboard_only(phone, tmp_path):
    phone.goto(write_page(tmp_path, sample().to_html()))
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.type") == "radio"
    phone.keyboard.press("Space")  # picks the first option: wrong
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent") == "Check"
    phone.keyboard.press("Enter")
    state, text = feedback(phone, 0)
    assert state == "wrong" and text.startswith("✘ Not yet.")
    assert "flips the sign" not in text, "a wrong answer does not give the explanation away"
    phone.keyboard.press("Shift+Tab")
    phone.keyboard.press("ArrowDown")  # the second option: right
    assert phone.evaluate("document.activeElement.value") == "1"
    phone.keyboard.press("Tab")
    phone.keyboard.press("Space")
    state, text = feedback(phone, 0)
    assert state == "right" and text.startswith("✔ Right.") and "each step flips the sign and grows" in text
    assert phone.js_errors == []


def test_a_number_typed_wrong_not_a_number_then_right(phone, tmp_path):
    phone.goto(write_page(tmp_path, sample().to_html()))
    box = phone.locator("input[type=text]")
    box.focus()
    for typed, state, start in [
        ("", "info", "Type a number first."),
        ("0,5", "info", "“0,5” is not a number. Type it like 0.25"),
        ("0.6", "wrong", "✘ Not yet: 0.6 is not it."),
        ("1/2", "right", "✔ Right."),
    ]:
        box.fill(typed)
        phone.keyboard.press("Enter")
        assert feedback(phone, 1)[0] == state and feedback(phone, 1)[1].startswith(start), typed
    assert "2/h = 0.5." in feedback(phone, 1)[1]
    phone.keyboard.press("Tab")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent") == "Show answer"
    phone.keyboard.press("Enter")
    assert feedback(phone, 1) == ("info", "The answer: 0.5 ± 0.005.\n\n2/h = 0.5.")
    assert phone.js_errors == []


@pytest.mark.parametrize("typed", ["0.5", ".5", "5e-1", "5E-1", "−0.495", "0.495", "0.5051", "1/2", "+1/2", "2/4",
                                   "0.50", "5.", "1e999", "inf", "0x1", "1/0", " 0.504 ", "half"])
def test_the_page_checks_numbers_as_python_does(phone, tmp_path, typed):
    question = sample().questions[1]
    phone.goto(write_page(tmp_path, sample().to_html()))
    phone.locator("input[type=text]").fill(typed)
    phone.locator("input[type=text]").press("Enter")
    expected = {True: "right", False: "wrong", None: "info"}[question.is_right(typed)]
    assert feedback(phone, 1)[0] == expected
    assert phone.js_errors == []


def test_quizzes_on_one_page_answer_independently(phone, tmp_path):
    """Two different quizzes, and even the same quiz twice (same id), each work on their own."""
    other = quiz.Quiz([quiz.Number("How many steps?", answer=3, explain="Three.")])
    phone.goto(write_page(tmp_path, sample().to_html() + other.to_html() + sample().to_html()))
    assert phone.locator(".lr-quiz").count() == 3
    radios = phone.locator("input[type=radio]")
    radios.nth(7).check()  # the last quiz's second option
    radios.nth(1).check()  # the first quiz's, in a separate radio group
    assert radios.nth(7).is_checked() and radios.nth(1).is_checked()
    phone.locator(".lr-quiz").nth(2).locator("button.lr-quiz-check").first.click()
    assert feedback(phone, 4)[0] == "right"
    assert feedback(phone, 0) == (None, "")
    phone.locator(".lr-quiz").nth(1).locator("input[type=text]").fill("3")
    phone.locator(".lr-quiz").nth(1).locator("button.lr-quiz-check").click()
    assert feedback(phone, 3)[0] == "right"
    assert phone.js_errors == []


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_no_serious_accessibility_violation_in_light_and_dark_mode(browser, tmp_path, mode):
    """axe-core, with every feedback colour on screen (right, not yet, the answer shown), at 390 px."""
    from axe_playwright_python.sync_playwright import Axe

    from conftest import recording_page

    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=mode)
    try:
        tab = recording_page(context)
        tab.goto(write_page(tmp_path, sample().to_html(), mode))
        tab.locator("input[type=radio]").nth(1).check()
        tab.locator("button.lr-quiz-check").nth(0).click()
        tab.locator("input[type=text]").fill("0.7")
        tab.locator("button.lr-quiz-check").nth(1).click()
        tab.locator("button.lr-quiz-show").nth(2).click()
        assert [feedback(tab, k)[0] for k in range(3)] == ["right", "wrong", "info"]
        background = tab.evaluate("getComputedStyle(document.querySelector('.lr-quiz-question')).backgroundColor")
        assert background == {"light": "rgb(255, 255, 255)", "dark": "rgb(20, 24, 30)"}[mode], "theme colours"
        violations = Axe().run(tab, options=AXE_OPTIONS).response["violations"]
        errors = tab.js_errors
    finally:
        context.close()
    serious = [
        f"{v['id']} ({v['impact']}): {len(v['nodes'])} elements, e.g. {v['nodes'][0]['html'][:120]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    assert errors == []
