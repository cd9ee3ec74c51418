"""lrcourse.quiz: validation, deterministic and escaped HTML, and the answer rule the page's JavaScript mirrors."""

import re

import pytest

from lrcourse import quiz


def sample():
    return quiz.Quiz([
        quiz.Choice("What does gradient descent do on f(w) = h w²/2 with η just above 2/h?",
                    ["It converges, slowly", "It oscillates with growing amplitude", "It stops"],
                    answer=1, explain="The factor 1 − ηh is below −1, so each step flips the sign and grows."),
        quiz.Number("For h = 4, what is the largest stable constant rate?", answer=0.5, tolerance=0.005,
                    explain="2/h = 0.5."),
    ])


def test_the_html_is_the_same_on_every_run_and_has_one_id_from_the_content():
    page = sample().to_html()
    assert page == sample().to_html() == sample()._repr_html_()
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == 1 and re.fullmatch(r"lrq-[0-9a-f]{12}", ids[0])
    assert "Math.random" not in page and "Date" not in page


def test_different_quizzes_get_different_ids():
    other = quiz.Quiz([quiz.Number("For h = 4, what is the largest stable constant rate?", answer=0.5,
                                   tolerance=0.004, explain="2/h = 0.5.")])
    first = re.search(r'id="([^"]+)"', sample().to_html()).group(1)
    second = re.search(r'id="([^"]+)"', other.to_html()).group(1)
    assert first != second


def test_the_right_answers_are_encoded_for_the_page():
    page = sample().to_html()
    forms = re.findall(r"<form [^>]*>", page)
    assert len(forms) == 2
    assert 'data-kind="choice"' in forms[0] and 'data-answer="1"' in forms[0]
    assert 'data-kind="number"' in forms[1] and 'data-answer="0.5"' in forms[1] and 'data-tolerance="0.005"' in forms[1]
    assert page.count('type="radio"') == 3
    assert page.count('inputmode="decimal"') == 1
    assert page.count('aria-live="polite"') == 2
    assert page.count("<fieldset>") == 2 and page.count("<legend>") == 2
    assert "(within ± 0.005)" in page


def test_text_is_escaped_and_backticks_become_code():
    q = quiz.Quiz([quiz.Choice('Is <b>x</b> & "y" \'z\' `lr < 2/L`?', ["<i>yes</i>", "no & more"], answer=0,
                               explain="Because </script> & <p>.")])
    page = q.to_html()
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert "&amp; &quot;y&quot; &#x27;z&#x27;" in page
    assert "<code>lr &lt; 2/L</code>" in page
    assert "<i>yes</i>" not in page and "&lt;i&gt;yes&lt;/i&gt;" in page
    assert page.count("</script>") == 1, "only the quiz's own script closes a script element"
    assert 'data-answer-text="“&lt;i&gt;yes&lt;/i&gt;”"' in page


@pytest.mark.parametrize(
    "text, value",
    [("0.5", 0.5), (" .5 ", 0.5), ("5.", 5.0), ("5e-1", 0.5), ("5E-1", 0.5), ("+2", 2.0), ("-2", -2.0),
     ("−0.25", -0.25), ("1/2", 0.5), ("-1/4", -0.25), ("0.0025", 0.0025),
     ("0,5", None), ("1/0", None), ("1.5/2", None), ("half", None), ("", None), ("inf", None), ("nan", None),
     ("1e999", None), ("0x10", None), ("1 2", None), ("--1", None), ("e5", None), (".", None)],
)
def test_parse_number_accepts_decimals_scientific_notation_and_fractions(text, value):
    assert quiz.parse_number(text) == value


def test_a_number_is_right_within_the_tolerance_only():
    q = quiz.Number("η?", answer=0.5, tolerance=0.005, explain="2/h.")
    assert q.is_right("0.5") and q.is_right("0.505") and q.is_right("0.495") and q.is_right("1/2")
    assert q.is_right("0.5051") is False and q.is_right("0.49") is False
    assert q.is_right("half") is None
    exact = quiz.Number("η?", answer=0.1, explain="1/10.")
    assert exact.is_right("0.1") and exact.is_right("1/10") and exact.is_right("1e-1")
    assert exact.is_right("0.1000001") is False


def test_a_choice_is_right_at_its_answer_only():
    q = sample().questions[0]
    assert [q.is_right(k) for k in range(3)] == [False, True, False]


def test_the_text_repr_lists_questions_and_answers():
    text = repr(sample())
    assert text.splitlines()[0] == "Quiz of 2 questions:"
    assert "(b) It oscillates with growing amplitude   <- answer" in text
    assert "answer: 0.5 ± 0.005" in text


def choice(**changes):
    args = {"question": "Q?", "options": ["a", "b"], "answer": 0, "explain": "E."} | changes
    return quiz.Choice(args.pop("question"), args.pop("options"), **args)


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: choice(answer=2), ValueError, r"answer must be an integer in \[0, 1\].*got 2"),
        (lambda: choice(answer=-1), ValueError, r"answer must be an integer in \[0, 1\].*got -1"),
        (lambda: choice(answer=True), TypeError, r"answer must be an integer in \[0, 1\].*got True"),
        (lambda: choice(answer="a"), TypeError, r"answer must be .*got 'a'"),
        (lambda: choice(options=["a"]), ValueError, r"options must hold 2 to 8 options, got 1"),
        (lambda: choice(options=list("abcdefghi")), ValueError, r"options must hold 2 to 8 options, got 9"),
        (lambda: choice(options="ab"), TypeError, r"options must be a list of strings, got 'ab'"),
        (lambda: choice(options=["a", " a "]), ValueError,
         r"options must be distinct, got 'a' twice \(options\[0\] and options\[1\]\)"),
        (lambda: choice(options=["a", ""]), ValueError, r"options\[1\] must be a non-empty string, got ''"),
        (lambda: choice(options=["a", 2]), TypeError, r"options\[1\] must be a string, got 2"),
        (lambda: choice(question="  "), ValueError, r"question must be a non-empty string, got '  '"),
        (lambda: choice(question="Is $\\eta < 2/L$?"), ValueError, r"question must not contain \$\.\.\.\$ math"),
        (lambda: choice(explain=""), ValueError, r"explain must be a non-empty string, got ''"),
        (lambda: quiz.Number("Q?", answer=1, tolerance=-0.1, explain="E."), ValueError,
         r"tolerance must be a finite number >= 0, got -0.1"),
        (lambda: quiz.Number("Q?", answer=1, tolerance=float("nan"), explain="E."), ValueError,
         r"tolerance must be a finite number >= 0, got nan"),
        (lambda: quiz.Number("Q?", answer=float("inf"), explain="E."), ValueError,
         r"answer must be a finite number, got inf"),
        (lambda: quiz.Number("Q?", answer="0.5", explain="E."), TypeError, r"answer must be a real number, got '0.5'"),
        (lambda: quiz.Quiz([]), ValueError, r"questions must hold 1 to 10 questions, got 0"),
        (lambda: quiz.Quiz([choice()] * 11), ValueError, r"questions must hold 1 to 10 questions, got 11"),
        (lambda: quiz.Quiz(choice()), TypeError, r"questions must be a list of quiz.Choice or quiz.Number"),
        (lambda: quiz.Quiz([choice(), "Q?"]), TypeError,
         r"questions\[1\] must be a quiz.Choice or quiz.Number, got 'Q\?'"),
    ],
)
def test_bad_input_is_refused_naming_the_argument_the_value_and_the_range(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_import_lrcourse_does_not_import_the_quiz():
    import subprocess
    import sys

    code = "import sys, lrcourse; assert 'lrcourse.quiz' not in sys.modules; lrcourse.quiz.Quiz"
    subprocess.run([sys.executable, "-c", code], check=True)
