"""Sphinx extension: small accessibility repairs of the pages the theme and extensions write.

axe-core (run by the browser tests) finds these in every page of a
jupyter-book 1 build; each repair is a plain text substitution in the
written HTML, made once the build has finished:

* ``<summary aria-label="Toggle hidden content">`` (sphinx-togglebutton):
  the label hides the visible "Show code cell source", which a speech-input
  user would say (axe ``label-content-name-mismatch``). The summary's own
  text names it.
* the search field's "Ctrl+K" hint and the theme switch's icon titles are
  visible text that is not in the buttons' labels: they are marked
  ``aria-hidden``.
* Sphinx's bibliography ``<div role="list" class="citation-list">`` holds
  no list items (axe ``aria-required-children``): the role is dropped.
* sphinx-exercise gives every exercise and solution body the same ``id``
  (``exercise-content``, ``solution-content``): they are numbered.
"""

import pathlib
import re

SUBSTITUTIONS = [
    ('<summary aria-label="Toggle hidden content">', "<summary>"),
    ('<span class="search-button__kbd-shortcut">', '<span class="search-button__kbd-shortcut" aria-hidden="true">'),
    ('<div role="list" class="citation-list">', '<div class="citation-list">'),
]
THEME_ICON = re.compile(r'(<i class="theme-switch [^"]*" data-mode="\w+") +title="[^"]*"></i>')
REPEATED_IDS = re.compile(r'id="(exercise-content|solution-content)"')


def repair(html):
    """The page's HTML with the repairs above made."""
    for old, new in SUBSTITUTIONS:
        html = html.replace(old, new)
    html = THEME_ICON.sub(r'\1 aria-hidden="true"></i>', html)
    counts = {}

    def numbered(match):
        counts[match.group(1)] = counts.get(match.group(1), 0) + 1
        return f'id="{match.group(1)}-{counts[match.group(1)]}"'

    return REPEATED_IDS.sub(numbered, html)


def setup(app):
    """Register the extension."""
    app.connect("build-finished", _repair_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def _repair_pages(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for page in pathlib.Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        repaired = repair(text)
        if repaired != text:
            page.write_text(repaired, encoding="utf-8")
