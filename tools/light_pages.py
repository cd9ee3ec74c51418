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
* content images other than the first are marked ``loading="lazy"
  decoding="async"``, so images below the fold wait until they are scrolled to;
* code keeps its colours with fewer tags: Pygments wraps every name,
  punctuation mark and space in a ``<span>`` (``n``, ``p``, ``w``) whose
  colour is the code block's own in both themes; those spans go (a third
  of a chapter's HTML);
* the scripts in the page's head that only act once the page is parsed
  (copy buttons, toggles, tabs, highlighting, the theme's small script) are
  ``defer``-red, so they no longer hold back the first paint;
  ``documentation_options.js`` stays as it is (inline scripts use it);
* a page with tables gets a few lines of script that mark each table wider
  than its column (``lr-scrolls``): ``_static/course.css`` then fades its
  right edge and shows "scroll sideways" under it, and the box becomes a
  named, keyboard-focusable region (axe ``scrollable-region-focusable``).

While the pages are written, code shown on a page loses the nbgrader lines
``### BEGIN SOLUTION`` and ``### END SOLUTION`` (the notebooks keep them:
``tools/student_edition.py`` needs them).
"""

import base64
import hashlib
import json
import pathlib
import re

from docutils import nodes

FRAME_FOLDER = "_images/explorer"
DATA_URI = "data:image/png;base64,"
SOLUTION_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)
WIDGET_STATE = re.compile(r'<script type="application/vnd\.jupyter\.widget-state\+json">.*?</script>\s*', re.DOTALL)
FONTAWESOME_JS = re.compile(r'<script[^>]*\bsrc="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*></script>\s*')
EXPLORER_DATA = re.compile(r'(<script type="application/json" class="lr-explorer-data">)(.*?)(</script>)', re.DOTALL)
EXPLORER_IMAGE = re.compile(r'(<img class="lr-explorer-frame" src=")data:image/png;base64,([A-Za-z0-9+/=]+)(")')
IMAGE = re.compile(r"<img\b(?![^>]*\bloading=)[^>]*>")
ARTICLE = re.compile(r"<article\b")
PRE = re.compile(r"<pre>.*?</pre>", re.DOTALL)
PLAIN_TOKEN = re.compile(r'<span class="[npw]">([^<]*)</span>')
DEFERRABLE = re.compile(
    r'<script (?![^>]*\b(?:defer|async)\b)([^>]*\bsrc="[^"]*_static/'
    r'(?:doctools|sphinx_highlight|clipboard\.min|copybutton|scripts/sphinx-book-theme|togglebutton|design-tabs)'
    r'\.js[^"]*"[^>]*)>'
)
TABLE_BOX = 'class="pst-scrollable-table-container"'
TABLE_SCRIPT = """<script class="lr-scroll-tables">(function () {
  function mark(box) {
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    var hint = box.nextElementSibling;
    var hinted = hint && hint.classList.contains("lr-scroll-hint");
    box.classList.toggle("lr-scrolls", scrolls);
    box.classList.toggle("lr-at-end", box.scrollLeft + box.clientWidth >= box.scrollWidth - 1);
    if (scrolls) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", "Table, scrolls sideways");
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
  var boxes = document.querySelectorAll(".pst-scrollable-table-container");
  function markAll() { boxes.forEach(mark); }
  boxes.forEach(function (box) { box.addEventListener("scroll", function () { mark(box); }, {passive: true}); });
  window.addEventListener("resize", markAll);
  markAll();
})();</script>
"""


def strip_solution_markers(code):
    """``code`` without its nbgrader ``### BEGIN/END SOLUTION`` lines.

    >>> strip_solution_markers("def f():\\n    ### BEGIN SOLUTION\\n    return 1\\n    ### END SOLUTION\\n")
    'def f():\\n    return 1\\n'
    """
    return SOLUTION_MARKER.sub("", code)


def lighten(page, write_frame):
    """The page's HTML with the substitutions above made.

    Parameters
    ----------
    page : str
        A written page.
    write_frame : callable ``write_frame(png_bytes) -> url``
        Stores one explorer frame and returns the URL the page uses for it.
    """
    page = WIDGET_STATE.sub("", page)
    page = FONTAWESOME_JS.sub("", page)

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
    page = PRE.sub(lambda m: PLAIN_TOKEN.sub(r"\1", m.group(0)), page)
    article = ARTICLE.search(page)
    start = article.start() if article else 0
    images = list(IMAGE.finditer(page, start))
    for match in reversed(images[1:]):
        tag = match.group(0)
        lazy = tag[:4] + ' loading="lazy" decoding="async"' + tag[4:]
        page = page[: match.start()] + lazy + page[match.end():]
    if TABLE_BOX in page and "lr-scroll-tables" not in page:
        page = page.replace("</body>", TABLE_SCRIPT + "</body>", 1)
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
        light = lighten(text, write_frame)
        if light != text:
            path.write_text(light, encoding="utf-8")
