"""Sphinx extension: write each script into a page once.

Sphinx 7.4 (the version jupyter-book 1 pins) writes the inline scripts that
extensions add after the builder exists twice into every page (fixed in
Sphinx 8.2). sphinx-thebe's ``const THEBE_JS_URL = ...`` then throws "has
already been declared" on every page. This extension keeps the first copy of
each script; drop it once the book builds with Sphinx 8.2 or newer.
"""


def setup(app):
    """Register the extension."""
    app.connect("html-page-context", _drop_repeated_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def _drop_repeated_scripts(app, pagename, templatename, context, doctree):
    seen, kept = set(), []
    for script in sorted(context.get("script_files", []), key=lambda js: js.priority):
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    context["script_files"] = kept
