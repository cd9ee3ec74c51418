"""Self-quizzes that are answered on the static book page: no kernel, no network.

A quiz is a list of questions, each a multiple-choice :class:`Choice` or a
numeric :class:`Number`. It displays itself (``_repr_html_``) as plain HTML
form controls with a few lines of inline JavaScript stored in the cell's
output, the same way :mod:`lrcourse.widgets` builds its explorers: it works in
the built book, offline, in Jupyter and in Colab.

Example
-------
The last cell of a chapter (tagged ``remove-input``)::

    from lrcourse import quiz
    quiz.Quiz([
        quiz.Choice("What does gradient descent do on f(w) = h w²/2 with η just above 2/h?",
                    ["It converges, slowly", "It oscillates with growing amplitude", "It stops"],
                    answer=1, explain="The factor 1 − ηh is below −1, so each step flips the sign and grows."),
        quiz.Number("For h = 4, what is the largest stable constant rate?", answer=0.5, tolerance=0.005,
                    explain="2/h = 0.5."),
    ])

>>> q = Quiz([
...     Choice("What does gradient descent do on f(w) = h w²/2 with η just above 2/h?",
...            ["It converges, slowly", "It oscillates with growing amplitude", "It stops"],
...            answer=1, explain="The factor 1 − ηh is below −1, so each step flips the sign and grows."),
...     Number("For h = 4, what is the largest stable constant rate?", answer=0.5, tolerance=0.005,
...            explain="2/h = 0.5."),
... ])
>>> q
Quiz of 2 questions:
  1. What does gradient descent do on f(w) = h w²/2 with η just above 2/h?
     (a) It converges, slowly
     (b) It oscillates with growing amplitude   <- answer
     (c) It stops
  2. For h = 4, what is the largest stable constant rate?
     answer: 0.5 ± 0.005

What the reader gets
--------------------
* Each question is a card with a **Check** button and a **Show answer**
  button. A multiple-choice question is a group of radio buttons (arrow keys
  move between them); a numeric one a text box (Enter checks it).
* Feedback appears below the question in a live region that screen readers
  announce: "Right." with the explanation, or "Not yet." with a nudge to try
  again. The explanation is revealed by a right answer or by *Show answer*,
  never by a wrong one, so a reader can keep trying.
* A numeric answer is right when it lies within ``tolerance`` of ``answer``.
  The reader may type a decimal (``0.5``, ``.5``, ``-2``), scientific notation
  (``5e-1``, ``2.5E-3``) or a fraction of two integers (``1/2``); the minus
  may be ``-`` or ``−``. Anything else (``0,5``, ``half``) gets feedback that
  says it is not a number and shows the accepted forms. :func:`parse_number`
  is the rule, the page's JavaScript mirrors it, and the tests check both.
* The colours follow the book's light and dark themes (pydata-sphinx-theme's
  CSS variables) and fall back to JupyterLab's or neutral ones elsewhere.

Writing questions
-----------------
* Text is plain text, escaped: ``<``, ``&`` and quotes show as typed.
  A span in backticks, ``like this``, is shown as code.
* Math is **not** typeset inside outputs (MathJax does not run there): write
  it in Unicode, ``η ≤ 2/L``, ``h w²/2``, ``1 − ηh``. Text with ``$...$`` is
  refused.
* The answers are in the page's HTML (this is a self-check, not an exam).
* The HTML is deterministic: its element id is a hash of the questions, so
  the stored output is the same on every run and machine, and two different
  quizzes on one page never collide.
"""

import hashlib
import html
import json
import math
import numbers
import re

__all__ = ["Quiz", "Choice", "Number", "parse_number"]

MAX_QUESTIONS = 10
MAX_OPTIONS = 8

_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_FRACTION = re.compile(r"([+-]?\d+)/(\d+)")
_MATH = re.compile(r"\$[^$]+\$")
_CODE = re.compile(r"`([^`]+)`")


def parse_number(text):
    """The number a reader typed, or None when ``text`` is not one of the accepted forms.

    Accepted: a decimal (``0.5``, ``.5``, ``5.``, ``-2``), scientific notation
    (``5e-1``), or a fraction of two integers (``1/2``), with optional
    surrounding spaces; ``−`` (U+2212) counts as a minus sign. The page's
    JavaScript applies the same rule.

    >>> [parse_number(t) for t in ["0.5", " .5 ", "5e-1", "1/2", "−0.25", "0,5", "1/0", "abc", ""]]
    [0.5, 0.5, 0.5, 0.5, -0.25, None, None, None, None]
    """
    text = text.strip().replace("\u2212", "-")
    if _DECIMAL.fullmatch(text):
        value = float(text)
        return value if math.isfinite(value) else None
    fraction = _FRACTION.fullmatch(text)
    if fraction and int(fraction.group(2)) != 0:
        return int(fraction.group(1)) / int(fraction.group(2))
    return None


def _text(value, name):
    """``value`` after checking it is a non-empty string without ``$...$`` math."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {value!r}")
    if not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    if _MATH.search(value):
        raise ValueError(
            f"{name} must not contain $...$ math (it is not typeset inside outputs); "
            f"write it in Unicode, e.g. η ≤ 2/L, got {value!r}"
        )
    return value.strip()


def _number(value, name, *, low=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or (low is not None and value < low):
        bound = "" if low is None else f" >= {low:g}"
        raise ValueError(f"{name} must be a finite number{bound}, got {value!r}")
    return value


def _rich(text):
    """Escaped HTML of ``text``, with spans in backticks as code."""
    return _CODE.sub(r"<code>\1</code>", html.escape(text, quote=True))


def _format(value):
    """A float as the reader would type it: ``0.5``, ``3``, ``0.0025``."""
    return f"{value:.12g}"


class Choice:
    """A multiple-choice question: pick one of ``options``.

    Parameters
    ----------
    question : str
        The question, plain text (Unicode math, no ``$...$``).
    options : sequence of str
        2 to 8 distinct options, shown in this order.
    answer : int
        Index of the right option in ``options`` (from 0).
    explain : str
        Why the answer is right, shown after a right answer or *Show answer*.
    """

    kind = "choice"

    def __init__(self, question, options, *, answer, explain):
        self.question = _text(question, "question")
        if isinstance(options, str) or not hasattr(options, "__len__"):
            raise TypeError(f"options must be a list of strings, got {options!r}")
        options = [_text(o, f"options[{k}]") for k, o in enumerate(options)]
        if not 2 <= len(options) <= MAX_OPTIONS:
            raise ValueError(f"options must hold 2 to {MAX_OPTIONS} options, got {len(options)}: {options!r}")
        for k, option in enumerate(options):
            if option in options[:k]:
                first = options.index(option)
                raise ValueError(f"options must be distinct, got {option!r} twice (options[{first}] and options[{k}])")
        self.options = options
        allowed = f"an integer in [0, {len(options) - 1}] (the index of the right option)"
        if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
            raise TypeError(f"answer must be {allowed}, got {answer!r}")
        if not 0 <= answer < len(options):
            raise ValueError(f"answer must be {allowed}, got {answer!r}")
        self.answer = int(answer)
        self.explain = _text(explain, "explain")

    def is_right(self, index):
        """Whether choosing option ``index`` is right."""
        return index == self.answer

    def _content(self):
        return [self.kind, self.question, self.options, self.answer, self.explain]

    def __repr__(self):
        return f"Choice({self.question!r}, {self.options!r}, answer={self.answer}, explain={self.explain!r})"

    def _lines(self):
        return [
            f"({chr(ord('a') + k)}) {option}" + ("   <- answer" if k == self.answer else "")
            for k, option in enumerate(self.options)
        ]

    def _controls(self):
        options = "".join(
            f'<label class="lr-quiz-option"><input type="radio" name="answer" value="{k}">'
            f"<span>{_rich(option)}</span></label>"
            for k, option in enumerate(self.options)
        )
        shown = html.escape(f"\u201c{self.options[self.answer]}\u201d")
        return f'<div class="lr-quiz-options">{options}</div>', shown, f'data-answer="{self.answer}"'


class Number:
    """A numeric question: type a number; right when within ``tolerance`` of ``answer``.

    Parameters
    ----------
    question : str
        The question, plain text (Unicode math, no ``$...$``).
    answer : float
        The right value (compute it in the notebook from the chapter's own variables where you can).
    tolerance : float, default 0
        Accepted absolute error, finite and >= 0; shown to the reader next to the box when > 0.
    explain : str
        Why the answer is right, shown after a right answer or *Show answer*.
    """

    kind = "number"

    def __init__(self, question, *, answer, tolerance=0.0, explain):
        self.question = _text(question, "question")
        self.answer = _number(answer, "answer")
        self.tolerance = _number(tolerance, "tolerance", low=0)
        self.explain = _text(explain, "explain")

    def is_right(self, text):
        """Whether the typed ``text`` is a number within ``tolerance`` of the answer (None when it is not a number).

        >>> Number("2/4?", answer=0.5, explain="Half.").is_right("1/2")
        True
        """
        value = parse_number(text)
        if value is None:
            return None
        return abs(value - self.answer) <= self.tolerance * (1 + 1e-9) + 1e-12 * abs(self.answer)

    def _content(self):
        return [self.kind, self.question, self.answer, self.tolerance, self.explain]

    def __repr__(self):
        return (
            f"Number({self.question!r}, answer={self.answer!r}, tolerance={self.tolerance!r}, "
            f"explain={self.explain!r})"
        )

    def _lines(self):
        within = f" ± {_format(self.tolerance)}" if self.tolerance else ""
        return [f"answer: {_format(self.answer)}{within}"]

    def _controls(self):
        within = f" (within ± {_format(self.tolerance)})" if self.tolerance else ""
        box = (
            f'<label class="lr-quiz-number"><span>Your answer{within}</span>'
            f'<input type="text" name="answer" inputmode="decimal" autocomplete="off" spellcheck="false"></label>'
        )
        shown = _format(self.answer) + (f" ± {_format(self.tolerance)}" if self.tolerance else "")
        data = f'data-answer="{self.answer!r}" data-tolerance="{self.tolerance!r}"'
        return box, html.escape(shown), data


class Quiz:
    """A self-quiz of 1 to 10 questions (:class:`Choice` or :class:`Number`), answered on the page.

    Displays itself in Jupyter and in the book through ``_repr_html_``; ``to_html()`` gives the same HTML.
    """

    def __init__(self, questions):
        if isinstance(questions, (str, Choice, Number)) or not hasattr(questions, "__len__"):
            raise TypeError(f"questions must be a list of quiz.Choice or quiz.Number, got {questions!r}")
        questions = list(questions)
        if not 1 <= len(questions) <= MAX_QUESTIONS:
            raise ValueError(f"questions must hold 1 to {MAX_QUESTIONS} questions, got {len(questions)}")
        for k, q in enumerate(questions):
            if not isinstance(q, (Choice, Number)):
                raise TypeError(f"questions[{k}] must be a quiz.Choice or quiz.Number, got {q!r}")
        self.questions = questions

    def __repr__(self):
        lines = [f"Quiz of {len(self.questions)} question{'s' if len(self.questions) > 1 else ''}:"]
        for k, q in enumerate(self.questions, 1):
            lines.append(f"  {k}. {q.question}")
            lines.extend(f"     {line}" for line in q._lines())
        return "\n".join(lines)

    def _id(self):
        content = json.dumps([q._content() for q in self.questions], ensure_ascii=False, sort_keys=True)
        return "lrq-" + hashlib.sha1(content.encode("utf-8")).hexdigest()[:12]

    def to_html(self):
        """Self-contained HTML: a ``<style>`` scoped to ``.lr-quiz``, one form per question, inline JavaScript.

        No ids but the root's, which is a hash of the questions, so the output
        is the same on every run and two different quizzes on a page never
        collide (radio groups are scoped by their own form).
        """
        uid = self._id()
        total = len(self.questions)
        cards = []
        for k, q in enumerate(self.questions, 1):
            controls, shown, data = q._controls()
            cards.append(
                f'<form class="lr-quiz-question" data-kind="{q.kind}" {data} '
                f'data-answer-text="{shown}" novalidate>'
                f'<fieldset><legend><span class="lr-quiz-count">Question {k} of {total}</span>'
                f'<span class="lr-quiz-text">{_rich(q.question)}</span></legend>'
                f"{controls}"
                f'<div class="lr-quiz-buttons"><button type="submit" class="lr-quiz-check">Check</button>'
                f'<button type="button" class="lr-quiz-show">Show answer</button></div>'
                f"</fieldset>"
                f'<div class="lr-quiz-feedback" aria-live="polite">'
                f'<p class="lr-quiz-verdict"></p>'
                f'<p class="lr-quiz-explain" hidden>{_rich(q.explain)}</p></div>'
                f"</form>"
            )
        return (
            f'<div class="lr-quiz" id="{uid}">'
            f"<style>{_STYLE}</style>"
            f'{"".join(cards)}'
            f"<script>{_SCRIPT % json.dumps(uid)}</script>"
            f"</div>"
        )

    def _repr_html_(self):
        return self.to_html()


# The book's theme variables first, then JupyterLab's, then neutral values that read on light and dark pages.
_STYLE = """
.lr-quiz{--lrq-text:var(--pst-color-text-base,var(--jp-content-font-color1,inherit));
--lrq-muted:var(--pst-color-text-muted,var(--jp-content-font-color2,inherit));
--lrq-bg:var(--pst-color-background,var(--jp-layout-color0,transparent));
--lrq-surface:var(--pst-color-surface,var(--jp-layout-color2,rgba(128,128,128,.12)));
--lrq-border:var(--pst-color-border,var(--jp-border-color1,rgba(128,128,128,.5)));
--lrq-field:var(--pst-color-text-muted,var(--jp-border-color1,rgba(128,128,128,.8)));
--lrq-primary:var(--pst-color-primary,#0a7d91);--lrq-on-primary:var(--pst-color-primary-text,#fff);
--lrq-success:var(--pst-color-success,#00843f);--lrq-success-bg:var(--pst-color-success-bg,rgba(0,132,63,.12));
--lrq-danger:var(--pst-color-danger,#d72d47);--lrq-danger-bg:var(--pst-color-danger-bg,rgba(215,45,71,.12));
--lrq-info:var(--pst-color-primary,#0a7d91);--lrq-info-bg:var(--pst-color-primary-bg,rgba(10,125,145,.12));
color:var(--lrq-text);margin:1rem 0;max-width:42rem;line-height:1.5}
.lr-quiz .lr-quiz-question{border:1px solid var(--lrq-border);border-radius:.5rem;padding:.9rem 1rem;margin:0 0 1rem;
background:var(--lrq-bg)}
.lr-quiz fieldset{border:0;margin:0;padding:0;min-width:0}
.lr-quiz legend{padding:0;margin:0 0 .6rem;font-size:1.05rem;font-weight:600;float:left;width:100%}
.lr-quiz legend+*{clear:both}
.lr-quiz .lr-quiz-count{display:block;font-size:.8rem;font-weight:600;letter-spacing:.04em;text-transform:uppercase;
color:var(--lrq-muted);margin-bottom:.15rem}
.lr-quiz .lr-quiz-options{display:flex;flex-direction:column;gap:.3rem}
.lr-quiz .lr-quiz-option{display:flex;align-items:flex-start;gap:.6rem;padding:.45rem .65rem;
border:1px solid var(--lrq-border);border-radius:.4rem;cursor:pointer;margin:0}
.lr-quiz .lr-quiz-option:hover{background:var(--lrq-surface)}
.lr-quiz .lr-quiz-option:has(input:checked){border-color:var(--lrq-primary);background:var(--lrq-surface)}
.lr-quiz .lr-quiz-option input{accent-color:var(--lrq-primary);margin:.3rem 0 0;flex:none;width:1rem;height:1rem}
.lr-quiz .lr-quiz-number{display:flex;flex-wrap:wrap;align-items:center;gap:.4rem .7rem;margin:0}
.lr-quiz .lr-quiz-number input{font:inherit;font-size:1rem;width:9rem;max-width:100%;padding:.35rem .55rem;
color:var(--lrq-text);background:var(--lrq-bg);border:1px solid var(--lrq-field);border-radius:.35rem}
.lr-quiz .lr-quiz-buttons{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.8rem}
.lr-quiz button{font:inherit;font-size:.95rem;font-weight:600;padding:.4rem 1rem;border-radius:.35rem;cursor:pointer;
border:1px solid var(--lrq-primary);min-height:2.25rem}
.lr-quiz .lr-quiz-check{background:var(--lrq-primary);color:var(--lrq-on-primary)}
.lr-quiz .lr-quiz-show{background:transparent;color:var(--lrq-text);border-color:var(--lrq-border)}
.lr-quiz button:hover{filter:brightness(1.1)}
.lr-quiz .lr-quiz-show:hover{background:var(--lrq-surface)}
.lr-quiz input:focus-visible,.lr-quiz button:focus-visible{outline:3px solid var(--lrq-primary);outline-offset:2px}
.lr-quiz .lr-quiz-feedback[data-state]{margin-top:.8rem;padding:.55rem .8rem;border-left:4px solid var(--lrq-info);
border-radius:0 .35rem .35rem 0;background:var(--lrq-info-bg)}
.lr-quiz .lr-quiz-feedback[data-state=right]{border-left-color:var(--lrq-success);background:var(--lrq-success-bg)}
.lr-quiz .lr-quiz-feedback[data-state=wrong]{border-left-color:var(--lrq-danger);background:var(--lrq-danger-bg)}
.lr-quiz .lr-quiz-feedback p{margin:0;color:var(--lrq-text)}
.lr-quiz .lr-quiz-feedback p+p{margin-top:.3rem}
.lr-quiz .lr-quiz-verdict{font-weight:600}
.lr-quiz .lr-quiz-feedback:not([data-state]) .lr-quiz-verdict{display:none}
.lr-quiz code{font-size:.9em}
"""

# Only touches its own root. Mirrors parse_number and Number.is_right.
_SCRIPT = """(function () {
  var here = document.currentScript;
  var root = (here && here.closest(".lr-quiz")) || document.getElementById(%s);
  if (!root || root.dataset.ready) { return; }
  root.dataset.ready = "1";
  var DECIMAL = /^[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?$/;
  var FRACTION = /^([+-]?\\d+)\\/(\\d+)$/;
  function parse(text) {
    text = text.trim().replace(/\\u2212/g, "-");
    if (DECIMAL.test(text)) { var v = Number(text); return isFinite(v) ? v : null; }
    var f = FRACTION.exec(text);
    if (f && Number(f[2]) !== 0) { return Number(f[1]) / Number(f[2]); }
    return null;
  }
  function say(form, state, verdict, explain) {
    var box = form.querySelector(".lr-quiz-feedback");
    box.setAttribute("data-state", state);
    form.querySelector(".lr-quiz-verdict").textContent = verdict;
    form.querySelector(".lr-quiz-explain").hidden = !explain;
  }
  function check(form) {
    var answer = Number(form.dataset.answer);
    if (form.dataset.kind === "choice") {
      var picked = form.querySelector("input[type=radio]:checked");
      if (!picked) { say(form, "info", "Choose one of the options first.", false); return; }
      if (Number(picked.value) === answer) { say(form, "right", "\\u2714 Right.", true); }
      else { say(form, "wrong", "\\u2718 Not yet. Think again and pick another option, or show the answer.", false); }
      return;
    }
    var typed = form.querySelector("input[type=text]").value;
    if (!typed.trim()) { say(form, "info", "Type a number first.", false); return; }
    var value = parse(typed);
    if (value === null) {
      say(form, "info", "\\u201c" + typed.trim() + "\\u201d is not a number. " +
          "Type it like 0.25, .25, 2.5e-1 or 1/4.", false);
      return;
    }
    var tolerance = Number(form.dataset.tolerance);
    if (Math.abs(value - answer) <= tolerance * (1 + 1e-9) + 1e-12 * Math.abs(answer)) {
      say(form, "right", "\\u2714 Right.", true);
    } else {
      say(form, "wrong", "\\u2718 Not yet: " + typed.trim() + " is not it. Try again, or show the answer.", false);
    }
  }
  root.querySelectorAll("form.lr-quiz-question").forEach(function (form) {
    form.addEventListener("submit", function (event) { event.preventDefault(); check(form); });
    form.querySelector(".lr-quiz-show").addEventListener("click", function () {
      say(form, "info", "The answer: " + form.dataset.answerText + ".", true);
    });
  });
})();"""
