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
  (copy buttons, toggles, tabs, highlighting, the theme's small script) are
  ``defer``-red, so they no longer hold back the first paint; the theme's
  ``<link rel="preload" as="script">`` for its two deferred scripts goes
  (it fetched them at high priority, ahead of what the first paint needs);
  ``documentation_options.js`` (a few hundred bytes that the inline scripts
  need before the page is parsed) is written into the page instead of
  being one more request that holds back the first paint;
* a page with tables or displayed formulas gets a few lines of script that
  mark each one wider than its column (``lr-scrolls``): ``_static/course.css``
  then fades its right edge and shows "scroll sideways" under it, and the
  box becomes a named, keyboard-focusable region (axe
  ``scrollable-region-focusable``).

While the pages are written, code shown on a page loses the nbgrader lines
``### BEGIN SOLUTION`` and ``### END SOLUTION`` (the notebooks keep them:
``tools/student_edition.py`` needs them).
"""

import base64
import hashlib
import io
import json
import pathlib
import re

from docutils import nodes

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
    r'(?:doctools|sphinx_highlight|clipboard\.min|copybutton|scripts/sphinx-book-theme|togglebutton|design-tabs)'
    r'\.js[^"]*"[^>]*)>'
)
# Boxes that scroll sideways when wider than the column: tables, and displayed formulas (MathML does not wrap).
WIDE_BOXES = ('class="pst-scrollable-table-container"', '<div class="math notranslate nohighlight"')
WIDE_SCRIPT = """<script class="lr-scroll-boxes">(function () {
  function mark(box) {
    var overflow = box.scrollWidth - box.clientWidth;
    var scrolls = overflow > 1;
    // A pixel of overflow is rounding, not content: the box does not scroll for it.
    box.classList.toggle("lr-fits", overflow > 0 && !scrolls);
    var hint = box.nextElementSibling;
    var hinted = hint && hint.classList.contains("lr-scroll-hint");
    box.classList.toggle("lr-scrolls", scrolls);
    box.classList.toggle("lr-at-end", box.scrollLeft + box.clientWidth >= box.scrollWidth - 1);
    if (scrolls) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", (box.classList.contains("math") ? "Formula" : "Table") + ", scrolls sideways");
      if (!hinted) {
        hint = document.createElement("p");
        hint.className = "lr-scroll-hint";
        hint.setAttribute("aria-hidden", "true");
        hint.textContent = "scroll sideways \u2192";
        box.after(hint);
      }
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
      if (hinted) { hint.remove(); }
    }
  }
  var boxes = document.querySelectorAll(".pst-scrollable-table-container, .bd-content div.math");
  function markAll() { boxes.forEach(mark); }
  boxes.forEach(function (box) { box.addEventListener("scroll", function () { mark(box); }, {passive: true}); });
  window.addEventListener("resize", markAll);
  markAll();
})();</script>
"""


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
    if any(box in page for box in WIDE_BOXES) and "lr-scroll-boxes" not in page:
        page = page.replace("</body>", WIDE_SCRIPT + "</body>", 1)
    return page


def setup(app):
    """Register the extension."""
    app.connect("doctree-resolved", _strip_markers)
    app.connect("build-finished", _lighten_pages)
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
    _subset_icon_font(outdir)


def _subset_icon_font(outdir):
    font = outdir / ICON_FONT
    if not font.exists():
        return
    stylesheets = [p.read_text(encoding="utf-8") for p in (outdir / "_static").rglob("*.css")]
    scripts = [p for p in (outdir / "_static").rglob("*.js") if p.name != "fontawesome.js"]
    documents = [p.read_text(encoding="utf-8") for p in [*outdir.rglob("*.html"), *scripts]]
    font.write_bytes(subset_font(font.read_bytes(), icon_codepoints(stylesheets, documents)))
