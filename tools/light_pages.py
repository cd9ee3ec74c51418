"""Sphinx extension: lighter pages, and no nbgrader markers on them.

Every page of a jupyter-book 1 build carries more than it shows (issue 17,
item 5). Once the build has finished, each written page is rewritten (plain
text substitutions, like ``accessible_pages``; running it twice changes
nothing):

* explorer frames (``lrcourse.widgets``) are ``data:`` URIs in the notebook;
  here each is written once to ``_images/explorer/<hash>.png`` and the page
  refers to it by URL, so a frame is loaded only when a slider reaches it
  (the first frame is a normal, lazily loaded ``<img>``);
* the ``application/vnd.jupyter.widget-state+json`` block is dropped: the
  book loads no widget manager (``nb_ipywidgets_js: {}``), so nothing reads it;
* FontAwesome's JavaScript (1.5 MB, which swaps icons for SVG) is not
  loaded: the theme's CSS draws the same icons from its web fonts;
* the header's GitHub icons, the only ones from FontAwesome's brands font,
  become the same glyph as a small inline SVG, so no page fetches that font
  (118 kB) for them;
* FontAwesome's solid font (156 kB, 1,400 glyphs, fetched by every page at
  the highest priority, before its first paint) keeps only the glyphs the
  book uses (``icon_codepoints``): a few kB;
* content images other than the first are marked ``loading="lazy"
  decoding="async"``, so images below the fold wait until they are scrolled to;
* code keeps its colours with fewer tags: Pygments wraps every name,
  punctuation mark and space in a ``<span>`` (``n``, ``p``, ``w``) whose
  colour is the code block's own in both themes; those spans go (a third
  of a chapter's HTML);
* the scripts in the page's head that only act once the page is parsed
  (copy buttons, toggles, tabs, highlighting, the theme's small script, the book's
  ``_static/course.js``, which Jupyter Book adds to every page) are
  ``defer``-red, so they no longer hold back the first paint; the theme's
  ``<link rel="preload" as="script">`` for its two deferred scripts goes
  (it fetched them at high priority, ahead of what the first paint needs);
  ``documentation_options.js`` (a few hundred bytes that the inline scripts
  need before the page is parsed) is written into the page instead of
  being one more request that holds back the first paint;
* a displayed formula or table that may be wider than a small phone's column
  (estimated from its MathML or its longest words, ``mark_wide_boxes``) is
  written as a named, keyboard-focusable scroll region (axe
  ``scrollable-region-focusable``) with a "scroll sideways" hint, and a code
  block with long lines gets a tab stop; ``_static/course.js`` measures each
  box as it comes near the screen and corrects these marks for that screen;
* no script lays out the whole chapter while it loads, so the browser can
  skip what is far from the screen (``_static/course.css``): the theme's
  sweep that measures every code block for a tab stop is not started (the
  marks above replace it), Bootstrap's ScrollSpy is not set on ``<body>``
  (``course.js`` marks the section in "On this page"), and the head script
  decides the colour theme from the mode at once, so the page is not styled
  twice;
* the stylesheets a page links to become one file, ``_static/styles/book-*.css``
  (imports inlined, ``url()`` rebased), without the rules of the FontAwesome
  icons the book does not use (85 kB): one request before the first paint
  instead of a dozen.

While the pages are written, code shown on a page loses the nbgrader lines
``### BEGIN SOLUTION`` and ``### END SOLUTION`` (the notebooks keep them:
``tools/student_edition.py`` needs them).
"""

import base64
import hashlib
import html
import io
import json
import pathlib
import posixpath
import re
import xml.etree.ElementTree as ElementTree

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

FRAME_FOLDER = "_images/explorer"
DATA_URI = "data:image/png;base64,"
SOLUTION_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)
WIDGET_STATE = re.compile(r'<script type="application/vnd\.jupyter\.widget-state\+json">.*?</script>\s*', re.DOTALL)
FONTAWESOME_JS = re.compile(r'<script[^>]*\bsrc="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*></script>\s*')
# FontAwesome 6's "github" glyph (fa-brands-400, CC BY 4.0, shipped with the theme), drawn as a path.
GITHUB_ICON = '<i class="fab fa-github"></i>'
GITHUB_SVG = (
    '<svg class="lr-icon" viewBox="0 0 496 512" width="1em" height="1em" fill="currentColor" '
    'aria-hidden="true" focusable="false"><path d="M166 397Q165 401 161 401Q155 401 155 397Q156 394 160 394Q165 394 166 397ZM135 393Q134 396 139 398Q144 399 145 396Q146 392 141 391Q136 390 135 393ZM179 391Q174 392 174 396Q175 399 180 399Q185 397 185 394Q184 391 179 391ZM245 8Q138 10 70 78Q2 146 0 252Q1 337 47 401Q93 465 170 491Q188 492 187 479Q187 475 187 464Q187 441 187 418Q185 418 168 420Q150 421 130 416Q110 410 102 388Q102 386 94 372Q86 359 74 351Q72 350 66 343Q59 337 76 336Q77 335 90 340Q103 344 114 362Q132 389 153 389Q175 389 187 383Q191 359 203 349Q159 347 126 327Q93 308 91 238Q91 218 97 205Q102 192 114 180Q112 174 110 156Q108 138 117 112Q135 109 159 123Q184 136 186 139Q186 139 186 139Q216 130 249 130Q281 130 312 139Q312 138 325 130Q337 122 353 116Q369 109 381 112Q390 138 388 156Q386 174 383 180Q395 192 402 205Q409 218 409 238Q408 286 392 309Q375 331 349 339Q323 347 294 349Q310 360 311 395Q311 432 311 461Q311 474 311 479Q310 492 328 491Q404 465 450 401Q495 337 496 252Q495 182 462 127Q428 72 372 40Q315 9 245 8ZM97 353Q95 355 98 358Q101 361 103 359Q105 357 102 354Q100 351 97 353ZM86 345Q86 347 89 349Q92 350 93 348Q94 346 91 344Q88 343 86 345ZM119 380Q117 383 120 387Q124 390 127 388Q128 385 125 381Q121 378 119 380ZM107 366Q105 368 107 372Q110 375 113 374Q115 372 113 368Q110 364 107 366Z"/></svg>'
)
EXPLORER_DATA = re.compile(r'(<script type="application/json" class="lr-explorer-data">)(.*?)(</script>)', re.DOTALL)
EXPLORER_IMAGE = re.compile(r'(<img class="lr-explorer-frame" src=")data:image/png;base64,([A-Za-z0-9+/=]+)(")')
SCRIPT_PRELOAD = re.compile(r'<link rel="preload" as="script"[^>]*>\s*')
DOCUMENTATION_OPTIONS = re.compile(r'<script src="(?:\.\./)*_static/documentation_options\.js(?:\?[^"]*)?"></script>')
IMAGE = re.compile(r"<img\b(?![^>]*\bloading=)[^>]*>")
ARTICLE = re.compile(r"<article\b")
PRE = re.compile(r"<pre>.*?</pre>", re.DOTALL)
PLAIN_TOKEN = re.compile(r'<span class="[npw]">([^<]*)</span>')
DEFERRABLE = re.compile(
    r'<script (?![^>]*\b(?:defer|async)\b)([^>]*\bsrc="[^"]*_static/'
    r'(?:doctools|sphinx_highlight|clipboard\.min|copybutton|scripts/sphinx-book-theme|togglebutton|design-tabs|course)'
    r'\.js[^"]*"[^>]*)>'
)
# Boxes that scroll sideways when wider than a phone's column: tables, and displayed formulas (MathML does not wrap).
FORMULA_BOX = re.compile(r'<div class="math notranslate nohighlight">(\s*<math\b.*?</math>)</div>', re.DOTALL)
TABLE_BOX = re.compile(r'<div class="pst-scrollable-table-container">(<table\b.*?</table>\s*)</div>', re.DOTALL)
CODE_BOX = re.compile(r"<pre>(.*?)</pre>", re.DOTALL)
# A small phone's column (320 px screen) is 18 em of 16 px, 16 em inside a note or a list; a line of code
# there holds about 30 characters. A box estimated wider is marked (course.js unmarks it where it fits).
PHONE_COLUMN_EM = 16.0
PHONE_CODE_CHARACTERS = 30
SCROLL_HINT = '<p class="lr-scroll-hint" aria-hidden="true">scroll sideways \u2192</p>'
MATHML = "{http://www.w3.org/1998/Math/MathML}"
SCRIPT_SCALE = 0.71  # MathML's scriptsizemultiplier
FENCES = set("()[]{}|\u2016\u2308\u2309\u230a\u230b\u27e8\u27e9")
TAG = re.compile(r"<[^>]+>")
MATH = re.compile(r"<math\b.*?</math>", re.DOTALL)
NAMED_ENTITY = re.compile(r"&(?!lt;|gt;|amp;|quot;|apos;|#)\w+;")


# Bootstrap's ScrollSpy, set on <body>, measures every section when the page loads; _static/course.js marks
# the section on screen in "On this page" instead, as sections come and go.
BODY = re.compile(r"<body\b[^>]*>")
SCROLLSPY = re.compile(r' data-(?:bs-spy|bs-target|offset|bs-root-margin|bs-smooth-scroll)="[^"]*"')
# The theme's head script sets the colour theme to "auto" until its own script runs after the page is parsed and
# styles the whole page a second time; deciding it from the mode at once (as that script will) styles it once.
THEME_FROM_STORAGE = 'document.documentElement.dataset.theme = localStorage.getItem("theme") || "auto";'
THEME_FROM_MODE = (
    "document.documentElement.dataset.theme = /^(light|dark)$/.test(document.documentElement.dataset.mode)"
    ' ? document.documentElement.dataset.mode : matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";'
)
# The theme's script measures every code block, output and table of the page once it has loaded, to give the
# ones that scroll a tab stop (laying out the whole chapter at once); mark_wide_boxes and course.js do it instead.
THEME_SCRIPT = "_static/scripts/pydata-sphinx-theme.js"
THEME_TAB_STOPS = '"complete"===document.readyState?O():window.addEventListener("load",O)'
THEME_TAB_STOPS_OFF = "void 0/* tab stops: tools/light_pages.py and _static/course.js */"
SOURCE_MAP = re.compile(r"\n//# sourceMappingURL=\S+\s*$")

# The stylesheets a page links to, in order, become one file: a phone on a slow network then waits for one
# request before its first paint instead of a dozen.
STYLESHEET_LINK = re.compile(r'<link (?=[^>]*\brel="stylesheet")[^>]*>\s*')
HREF = re.compile(r'\bhref="([^"]+)"')
CSS_IMPORT = re.compile(r'@import\s+(?:url\(\s*)?"([^"]+)"\s*\)?\s*;')
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
CSS_CHARSET = re.compile(r'@charset\s+"[^"]*"\s*;\s*')
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|/|#)", re.IGNORECASE)
BUNDLE_FOLDER = "_static/styles"

ICON_FONT = "_static/vendor/fontawesome/webfonts/fa-solid-900.woff2"
ICON_CLASS = re.compile(r"\bfa-([a-z0-9-]+)")
# One rule of FontAwesome's table, for an icon and its aliases: .fa-bars:before,.fa-navicon:before{content:"\f0c9"}
ICON_TABLE_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:before,?)+)\{content:"\\([0-9a-f]+)"\}')
ICON_NAME = re.compile(r"\.fa-([a-z0-9-]+):before")
CSS_ESCAPE = re.compile(r"\\(f[0-9a-f]{3})\b")


def icon_codepoints(stylesheets, documents):
    """The FontAwesome code points a book uses.

    Parameters
    ----------
    stylesheets : iterable of str
        Every CSS file of the build. FontAwesome's table of rules
        ``.fa-NAME:before{content:"\\fXXX"}`` names each icon's code point;
        every other icon a stylesheet draws (the theme's admonition and
        navigation icons) is a private-use character or a ``\\fXXX`` escape
        outside that table.
    documents : iterable of str
        The pages and the scripts that write icons into them: each
        ``fa-NAME`` class names an icon of the table.

    Returns
    -------
    set of int
    """
    table, drawn = {}, set()
    for css in stylesheets:
        for selectors, code in ICON_TABLE_RULE.findall(css):
            table.update((name, int(code, 16)) for name in ICON_NAME.findall(selectors))
        rest = ICON_TABLE_RULE.sub("", css)
        drawn.update(ord(ch) for ch in rest if 0xE000 <= ord(ch) <= 0xF8FF)
        drawn.update(int(code, 16) for code in CSS_ESCAPE.findall(rest))
    for text in documents:
        drawn.update(table[name] for name in ICON_CLASS.findall(text) if name in table)
    return drawn


def subset_font(woff2, codepoints):
    """The WOFF2 font ``woff2`` (bytes) with only the glyphs of ``codepoints``."""
    from fontTools import subset  # only the build needs it
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(woff2))
    options = subset.Options()
    options.flavor = "woff2"
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def formula_width_em(mathml):
    """An estimate of a displayed formula's width, in em, from its MathML.

    The width of a row is the sum of its parts'; a fraction is as wide as its
    wider part, a script adds ``SCRIPT_SCALE`` times its own width, a root
    adds its radical sign:

    .. math:: w(\\mathrm{mrow}) = \\sum_i w(c_i), \\quad
              w(\\mathrm{mfrac}) = \\max(w(a), w(b)) + 0.3, \\quad
              w(\\mathrm{msup}) = w(a) + 0.71\\, w(b),

    with 0.6 em a character of a name or number and an operator's character
    plus 0.5 em of space (fences and commas 0.45 em). On the book's 21
    displayed formulas it is within -8 % and +23 % of the width Chromium
    draws, so it errs towards "wider".

    Parameters
    ----------
    mathml : str
        One ``<math>`` element, as ``tools/mathml_pages.py`` writes it.

    Returns
    -------
    float
    """
    text = NAMED_ENTITY.sub(lambda m: html.unescape(m.group(0)), mathml.strip())
    return _width_em(ElementTree.fromstring(text))


def _width_em(node):
    tag = node.tag.removeprefix(MATHML)
    parts = list(node)
    text = (node.text or "").strip(" \t\n\r")  # a no-break space is drawn
    if tag in ("mi", "mn", "mtext", "ms"):
        return 0.6 * len(text)
    if tag == "mo":
        return 0.45 * len(text) if text in FENCES or text in (",", ";") else 0.6 * len(text) + 0.5
    if tag == "mspace":
        size = re.fullmatch(r"([\d.]+)em", node.get("width", ""))
        return float(size.group(1)) if size else 0.3
    if tag in ("annotation", "annotation-xml"):
        return 0.0
    widths = [_width_em(part) for part in parts]
    if tag == "semantics":
        return widths[0] if widths else 0.0
    if tag == "mfrac":
        return max(widths) + 0.3
    if tag in ("msub", "msup", "msubsup", "mmultiscripts"):
        return widths[0] + SCRIPT_SCALE * max(widths[1:], default=0.0)
    if tag in ("munder", "mover", "munderover"):
        return max([widths[0], *(SCRIPT_SCALE * w for w in widths[1:])])
    if tag == "msqrt":
        return sum(widths) + 1.0
    if tag == "mroot":
        return widths[0] + 1.0 + SCRIPT_SCALE * widths[1]
    return sum(widths)


def table_width_em(table):
    """An estimate of the narrowest a table can be drawn, in em.

    A browser wraps a cell's text at its spaces, so a column is at least as
    wide as its longest word: the table is at least
    :math:`\\sum_j (0.55\\,\\max_i \\ell_{ij} + 1)` em wide, with
    :math:`\\ell_{ij}` the longest word of row i, column j (0.55 em a
    character, 1 em of cell padding).

    Parameters
    ----------
    table : str
        One ``<table>`` element's HTML.

    Returns
    -------
    float
    """
    longest = {}
    for row in re.findall(r"<tr\b.*?</tr>", table, re.DOTALL):
        for column, cell in enumerate(re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, re.DOTALL)):
            # A formula in a cell does not wrap: its text counts as one word.
            cell = MATH.sub(lambda m: " " + TAG.sub("", m.group(0)) + " ", cell)
            words = html.unescape(TAG.sub(" ", cell)).split()
            longest[column] = max(longest.get(column, 0), *(len(word) for word in words), 0)
    return sum(0.55 * length + 1.0 for length in longest.values())


def longest_code_line(code):
    """The number of characters of the longest line of a ``<pre>`` block's HTML."""
    return max(len(line) for line in html.unescape(TAG.sub("", code)).split("\n"))


def mark_wide_boxes(page):
    """``page`` with every box that may be wider than a small phone's column marked as a scroll region.

    A displayed formula or table estimated wider than ``PHONE_COLUMN_EM``
    becomes a named, keyboard-focusable region (axe
    ``scrollable-region-focusable``) with the class ``lr-scrolls`` and a
    "scroll sideways" hint under it; a code block with a line longer than
    ``PHONE_CODE_CHARACTERS`` becomes focusable. Deciding this in the HTML
    means no script measures every box while the page loads (which would lay
    out the whole chapter at once); ``_static/course.js`` measures a box
    when it comes near the screen and corrects the marks for that screen.
    """

    def region(kind, opening, content, closing):
        return (
            f'{opening[:-2]} lr-scrolls" tabindex="0" role="region" aria-label="{kind}, scrolls sideways">'
            f"{content}{closing}{SCROLL_HINT}"
        )

    def formula(match):
        if formula_width_em(match.group(1)) <= PHONE_COLUMN_EM:
            return match.group(0)
        return region("Formula", '<div class="math notranslate nohighlight">', match.group(1), "</div>")

    def table(match):
        if table_width_em(match.group(1)) <= PHONE_COLUMN_EM:
            return match.group(0)
        return region("Table", '<div class="pst-scrollable-table-container">', match.group(1), "</div>")

    def code(match):
        if longest_code_line(match.group(1)) <= PHONE_CODE_CHARACTERS:
            return match.group(0)
        return f'<pre tabindex="0">{match.group(1)}</pre>'

    page = FORMULA_BOX.sub(formula, page)
    page = TABLE_BOX.sub(table, page)
    return CODE_BOX.sub(code, page)


def used_icon_names(documents):
    """The names ``NAME`` of the ``fa-NAME`` classes that ``documents`` (pages and scripts) use."""
    return {name for text in documents for name in ICON_CLASS.findall(text)}


def drop_unused_icon_rules(css, used):
    """``css`` without the FontAwesome rules ``.fa-NAME:before{content:...}`` of icons no name of ``used`` draws.

    >>> drop_unused_icon_rules('.fa-bars:before,.fa-navicon:before{content:"\\\\f0c9"}.fa-x:before{content:"\\\\f00d"}', {"bars"})
    '.fa-bars:before,.fa-navicon:before{content:"\\\\f0c9"}'
    """
    return ICON_TABLE_RULE.sub(lambda m: m.group(0) if used & set(ICON_NAME.findall(m.group(1))) else "", css)


def stylesheet_text(outdir, name, folder=BUNDLE_FOLDER):
    """The stylesheet ``name`` (relative to ``outdir``) as one text that can sit in ``folder``.

    Its ``@import`` rules are replaced by the text they import, and each
    relative ``url()`` is rewritten relative to ``folder``; ``@charset``
    rules go (a bundle starts with its own).

    Raises
    ------
    ValueError
        If the stylesheet imports one that is not a file of the build, or
        has an ``@import`` in a form that cannot be inlined.
    """
    here = posixpath.dirname(name)
    text = CSS_CHARSET.sub("", (pathlib.Path(outdir) / name).read_text(encoding="utf-8"))

    def inline(match):
        target = match.group(1)
        if EXTERNAL.match(target):
            raise ValueError(f"{name} imports {target!r}, which is not a file of the build")
        return stylesheet_text(outdir, posixpath.normpath(posixpath.join(here, target)), folder)

    def rebase(match):
        url = match.group(2)
        if EXTERNAL.match(url):
            return match.group(0)
        path, rest = re.fullmatch(r"([^?#]*)(.*)", url).groups()
        moved = posixpath.relpath(posixpath.normpath(posixpath.join(here, path)), folder)
        return f'url("{moved}{rest}")'

    text = CSS_IMPORT.sub(inline, text)
    if "@import" in text:
        raise ValueError(f"{name} has an @import that cannot be inlined")
    return CSS_URL.sub(rebase, text)


def bundle_stylesheets(page, page_name, outdir, used_icons):
    """``page`` linking one stylesheet, written to ``outdir``, in place of the local ones it linked to.

    Parameters
    ----------
    page : str
        A written page.
    page_name : str
        Its path relative to ``outdir`` (``chapters/01_update_rule.html``).
    outdir : path
        The build's HTML folder.
    used_icons : set of str
        The FontAwesome icon names the book uses (``used_icon_names``):
        the bundle keeps only their rules.

    Returns
    -------
    str
        The page; unchanged if it links no local stylesheet, or links one
        with a ``media`` condition or from another site (their order
        could not be kept).
    """
    links = list(STYLESHEET_LINK.finditer(page, 0, page.find("</head>")))
    hrefs = [HREF.search(link.group(0)) for link in links]
    if not links or any(h is None or EXTERNAL.match(h.group(1)) or "media=" in l.group(0) for h, l in zip(hrefs, links)):
        return page
    here = posixpath.dirname(page_name)
    names = [posixpath.normpath(posixpath.join(here, h.group(1).split("?")[0])) for h in hrefs]
    css = '@charset "UTF-8";\n' + "\n".join(drop_unused_icon_rules(stylesheet_text(outdir, n), used_icons) for n in names)
    bundle = f"{BUNDLE_FOLDER}/book-{hashlib.sha256(css.encode()).hexdigest()[:16]}.css"
    target = pathlib.Path(outdir) / bundle
    if not target.exists():
        target.write_text(css, encoding="utf-8")
    link = f'<link rel="stylesheet" href="{posixpath.relpath(bundle, here or ".")}" />\n'
    first, rest = links[0], links[1:]
    for match in reversed(rest):
        page = page[: match.start()] + page[match.end():]
    return page[: first.start()] + link + page[first.end():]


def strip_solution_markers(code):
    """``code`` without its nbgrader ``### BEGIN/END SOLUTION`` lines.

    >>> strip_solution_markers("def f():\\n    ### BEGIN SOLUTION\\n    return 1\\n    ### END SOLUTION\\n")
    'def f():\\n    return 1\\n'
    """
    return SOLUTION_MARKER.sub("", code)


def lighten(page, write_frame, documentation_options=None):
    """The page's HTML with the substitutions above made.

    Parameters
    ----------
    page : str
        A written page.
    write_frame : callable ``write_frame(png_bytes) -> url``
        Stores one explorer frame and returns the URL the page uses for it.
    documentation_options : str, optional
        The text of the build's ``_static/documentation_options.js``, to
        write into the page in place of the script that loads it.
    """
    page = WIDGET_STATE.sub("", page)
    page = FONTAWESOME_JS.sub("", page)
    page = page.replace(GITHUB_ICON, GITHUB_SVG)

    def frame_url(src):
        if src.startswith(DATA_URI):
            return write_frame(base64.b64decode(src[len(DATA_URI):]))
        return src

    def external_data(match):
        data = json.loads(match.group(2))
        data["frames"] = [frame_url(src) for src in data["frames"]]
        return match.group(1) + json.dumps(data).replace("</", "<\\/") + match.group(3)

    page = EXPLORER_DATA.sub(external_data, page)
    page = EXPLORER_IMAGE.sub(lambda m: m.group(1) + frame_url(DATA_URI + m.group(2)) + m.group(3), page)
    page = DEFERRABLE.sub(r"<script defer \1>", page)
    page = SCRIPT_PRELOAD.sub("", page)
    if documentation_options is not None:
        inline = "<script>" + documentation_options.replace("</", "<\\/") + "</script>"
        page = DOCUMENTATION_OPTIONS.sub(lambda m: inline, page)
    page = PRE.sub(lambda m: PLAIN_TOKEN.sub(r"\1", m.group(0)), page)
    article = ARTICLE.search(page)
    start = article.start() if article else 0
    images = list(IMAGE.finditer(page, start))
    for match in reversed(images[1:]):
        tag = match.group(0)
        lazy = tag[:4] + ' loading="lazy" decoding="async"' + tag[4:]
        page = page[: match.start()] + lazy + page[match.end():]
    page = mark_wide_boxes(page)
    page = BODY.sub(lambda m: SCROLLSPY.sub("", m.group(0)), page, count=1)
    return page.replace(THEME_FROM_STORAGE, THEME_FROM_MODE)


def setup(app):
    """Register the extension."""
    app.connect("doctree-resolved", _strip_markers)
    # After the theme's own build-finished handler, which writes its pygments.css (part of the bundle).
    app.connect("build-finished", _lighten_pages, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def _strip_markers(app, doctree, docname):
    for block in doctree.findall(nodes.literal_block):
        text = block.astext()
        stripped = strip_solution_markers(text)
        if stripped != text:
            # Sphinx highlights a block only when its rawsource equals its text.
            block.rawsource = stripped
            block[:] = [nodes.Text(stripped)]


def _lighten_pages(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    outdir = pathlib.Path(app.outdir)
    folder = outdir / FRAME_FOLDER
    options_file = outdir / "_static" / "documentation_options.js"
    options = options_file.read_text(encoding="utf-8") if options_file.exists() else None
    for path in outdir.rglob("*.html"):
        depth = len(path.relative_to(outdir).parts) - 1

        def write_frame(png, depth=depth):
            name = hashlib.sha256(png).hexdigest()[:20] + ".png"
            target = folder / name
            if not target.exists():
                folder.mkdir(parents=True, exist_ok=True)
                target.write_bytes(png)
            return "../" * depth + f"{FRAME_FOLDER}/{name}"

        text = path.read_text(encoding="utf-8")
        light = lighten(text, write_frame, options)
        if light != text:
            path.write_text(light, encoding="utf-8")
    _quiet_theme_tab_stops(outdir)
    pages = list(outdir.rglob("*.html"))
    scripts = [p for p in (outdir / "_static").rglob("*.js") if p.name != "fontawesome.js"]
    used = used_icon_names(p.read_text(encoding="utf-8") for p in [*pages, *scripts])
    for path in pages:
        text = path.read_text(encoding="utf-8")
        try:
            bundled = bundle_stylesheets(text, path.relative_to(outdir).as_posix(), outdir, used)
        except ValueError as error:
            logger.warning(f"light_pages: the stylesheets of {path.name} stay apart: {error}")
            continue
        if bundled != text:
            path.write_text(bundled, encoding="utf-8")
    _subset_icon_font(outdir)


def _quiet_theme_tab_stops(outdir):
    script = outdir / THEME_SCRIPT
    if not script.exists():
        return
    text = script.read_text(encoding="utf-8")
    if THEME_TAB_STOPS_OFF in text:
        return
    if THEME_TAB_STOPS not in text:
        logger.warning(f"light_pages: {THEME_SCRIPT} no longer starts its tab-stop sweep as expected; see THEME_TAB_STOPS")
        return
    # The source map no longer matches the changed script.
    script.write_text(SOURCE_MAP.sub("\n", text.replace(THEME_TAB_STOPS, THEME_TAB_STOPS_OFF)), encoding="utf-8")


def _subset_icon_font(outdir):
    font = outdir / ICON_FONT
    if not font.exists():
        return
    stylesheets = [p.read_text(encoding="utf-8") for p in (outdir / "_static").rglob("*.css")]
    scripts = [p for p in (outdir / "_static").rglob("*.js") if p.name != "fontawesome.js"]
    documents = [p.read_text(encoding="utf-8") for p in [*outdir.rglob("*.html"), *scripts]]
    font.write_bytes(subset_font(font.read_bytes(), icon_codepoints(stylesheets, documents)))
