"""What a build of the book was made from: a digest of its sources, written by the build, read by the tests.

The tests of the built book and the comparison of the stored outputs with
the build's run must know whether ``_build`` shows the sources on disk now.
Modification times cannot tell (a git clone gives every file a new one), so
the build records a digest instead: this module is a Sphinx extension (see
``_config.yml``) that writes ``_build/sources.sha256``, the SHA-256 of the
path and content of every source file, when a build finishes. A build is
fresh when that digest equals the digest of the files on disk now.

The sources are the book's files (``_config.yml``, ``_toc.yml``, the
top-level pages, ``references.bib``, ``chapters/``, ``_static/``) and the code the build
runs (``lrcourse/``, which the pages import, with the locked requirements and
``pyproject.toml``, and the build's local extensions in ``tools/``). Sphinx
re-reads a page when the page changes, but not when that code changes; so the
digest of the code is also a Sphinx configuration value, and a change to it
makes Sphinx re-read, and so re-execute and re-write, every page.
"""

import hashlib
import pathlib

EXTENSIONS = ("book_sources", "scripts_once", "accessible_pages", "light_pages", "mathml_pages")
CODE = ("lrcourse", "requirements.txt", "pyproject.toml", *(f"tools/{name}.py" for name in EXTENSIONS))
SOURCES = ("_config.yml", "_toc.yml", "*.md", "references.bib", "chapters", "_static", *CODE)
IGNORED = ("__pycache__", ".ipynb_checkpoints")
DIGEST_FILE = "sources.sha256"


def source_files(root, patterns=SOURCES):
    """The files under ``root`` that ``patterns`` name, sorted.

    Parameters
    ----------
    root : path-like
        The book's folder.
    patterns : sequence of str
        Glob patterns relative to ``root``; a folder stands for every file
        under it, except Python caches and notebook checkpoints.

    Returns
    -------
    list of pathlib.Path
    """
    root = pathlib.Path(root)
    files = set()
    for pattern in patterns:
        for path in root.glob(pattern):
            candidates = path.rglob("*") if path.is_dir() else [path]
            files.update(p for p in candidates if p.is_file() and not _ignored(p.relative_to(root)))
    return sorted(files)


def digest(root, patterns=SOURCES):
    """SHA-256 of the relative path and content of every file in :func:`source_files`.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     page = pathlib.Path(folder, "intro.md")
    ...     _ = page.write_text("one")
    ...     before = digest(folder)
    ...     _ = page.write_text("two")
    ...     before != digest(folder)
    True
    """
    root = pathlib.Path(root)
    total = hashlib.sha256()
    for path in source_files(root, patterns):
        total.update(path.relative_to(root).as_posix().encode() + b"\0")
        total.update(hashlib.sha256(path.read_bytes()).digest())
    return total.hexdigest()


def build_problem(root):
    """Why ``root/_build`` does not show the sources on disk now, or None if it does.

    Returns
    -------
    str or None
        A sentence naming the problem and the command that fixes it.
    """
    recorded = pathlib.Path(root) / "_build" / DIGEST_FILE
    if not recorded.exists():
        return f"the book is not built, or not by this version of the build ({recorded.name} is missing; run: jupyter-book build .)"
    if recorded.read_text(encoding="utf-8").strip() != digest(root):
        return "the book in _build was built from other sources than those on disk now (run: jupyter-book build .)"
    return None


def setup(app):
    """Register the extension: record the code's digest in the configuration and write the digest after a build."""
    app.add_config_value("book_code_digest", "", "env")
    app.connect("config-inited", _start_build)
    app.connect("build-finished", _finish_build)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def _ignored(relative):
    return any(part in IGNORED for part in relative.parts) or relative.suffix == ".pyc"


def _digest_path(app):
    return pathlib.Path(app.outdir).parent / DIGEST_FILE


def _start_build(app, config):
    config.book_code_digest = digest(app.srcdir, CODE)
    app.book_sources_digest = digest(app.srcdir)
    _digest_path(app).unlink(missing_ok=True)


def _finish_build(app, exception):
    if exception is None:
        _digest_path(app).write_text(app.book_sources_digest + "\n", encoding="utf-8")
