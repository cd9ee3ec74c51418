"""Sphinx extension: formulas written as MathML at build time, no MathJax.

Browsers draw MathML themselves (Chromium and Edge since 109, Firefox and
Safari for longer), so a formula appears with the text around it: the page
no longer fetches and runs MathJax (1.2 MB, the heaviest file of every page
and its longest task on a phone), and nothing moves when the formulas have
been typeset (issue 17, item 5). Screen readers read MathML as they find it.

`latex2mathml <https://pypi.org/project/latex2mathml/>`_ turns each
formula's TeX into MathML once, while the page is written; the TeX stays in
the ``alttext`` attribute, as MathML suggests. The HTML around a formula is
the one Sphinx writes for MathJax (``span.math`` inline, ``div.math`` on its
own line, equation numbers in ``span.eqno``), so the theme's and the book's
CSS apply as before.

A formula latex2mathml cannot convert, or one with a command it does not
know (it would pass ``\\foo`` through as text), stops the build with the
page and the TeX, rather than showing the reader raw TeX.
"""

import html
import re

from docutils import nodes
from latex2mathml.converter import convert
from sphinx.errors import ExtensionError
from sphinx.locale import _
from sphinx.util.math import get_node_equation_number

NAME = "mathml"
# A backslash command left in the MathML's text: latex2mathml did not know it.
UNKNOWN_COMMAND = re.compile(r">[^<]*(\\[A-Za-z]+)")


def to_mathml(tex, display):
    """The MathML of one TeX formula, with the TeX as its ``alttext``.

    Parameters
    ----------
    tex : str
        The formula, without its delimiters (``\\eta_t``, not ``$\\eta_t$``).
    display : bool
        True for a formula on its own line (``$$...$$``), False for one in
        the text.

    Raises
    ------
    ValueError
        If latex2mathml cannot convert ``tex``, or leaves a command of it as
        text; the message quotes the formula.
    """
    try:
        mathml = convert(tex, display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises many types of its own
        raise ValueError(f"latex2mathml cannot convert the formula {tex!r}: {type(error).__name__} {error}") from error
    unknown = UNKNOWN_COMMAND.search(mathml)
    if unknown:
        raise ValueError(f"latex2mathml does not know the command {unknown.group(1)} in the formula {tex!r}")
    alttext = html.escape(" ".join(tex.split()), quote=True)
    return mathml.replace("<math ", f'<math alttext="{alttext}" ', 1)


def _converted(translator, node, display):
    try:
        return to_mathml(node.astext(), display)
    except ValueError as error:
        raise ExtensionError(f"{node.source or translator.builder.current_docname}: {error}") from error


def visit_inline(translator, node):
    """Write an inline formula as ``<span class="math">`` around its MathML."""
    translator.body.append(translator.starttag(node, "span", "", CLASS="math notranslate nohighlight"))
    translator.body.append(_converted(translator, node, display=False) + "</span>")
    raise nodes.SkipNode


def visit_block(translator, node):
    """Write a displayed formula as ``<div class="math">``, with its equation number if it has one."""
    translator.body.append(translator.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if node.get("number"):
        number = get_node_equation_number(translator, node)
        translator.body.append(f'<span class="eqno">({number})')
        translator.add_permalink_ref(node, _("Link to this equation"))
        translator.body.append("</span>")
    translator.body.append(_converted(translator, node, display=True) + "</div>\n")
    raise nodes.SkipNode


def setup(app):
    """Register the renderer; ``html_math_renderer: mathml`` in the book's config selects it."""
    app.add_html_math_renderer(NAME, (visit_inline, None), (visit_block, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
