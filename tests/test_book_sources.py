"""tools/book_sources.py: the digest that tells a fresh build from a stale one covers everything the build uses."""

import re

from book_sources import CODE, EXTENSIONS, SOURCES, digest
from conftest import ROOT


def test_every_local_extension_of_the_book_is_in_the_digest():
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    block = re.search(r"local_extensions:\n((?:    \S.*\n)+)", config).group(1)
    listed = {line.split(":")[0].strip() for line in block.splitlines()}
    assert listed == set(EXTENSIONS)
    assert all(f"tools/{name}.py" in CODE for name in EXTENSIONS)


def test_a_change_to_a_stylesheet_or_an_extension_changes_the_digest(tmp_path):
    for name in ("_static/course.css", "tools/light_pages.py", "chapters/a.ipynb"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("one")
    before = digest(tmp_path, SOURCES)
    for name in ("_static/course.css", "tools/light_pages.py"):
        (tmp_path / name).write_text("two")
        after = digest(tmp_path, SOURCES)
        assert after != before, name
        before = after
