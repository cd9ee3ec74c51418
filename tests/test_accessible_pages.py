"""tools/accessible_pages.py: each repair of the built HTML, on the snippets the theme and extensions write."""

from accessible_pages import repair


def test_repairs_what_axe_finds_and_leaves_the_rest():
    page = (
        '<summary aria-label="Toggle hidden content"><p>Show code cell source</p></summary>'
        '<span class="search-button__kbd-shortcut"><kbd>Ctrl</kbd>+<kbd>K</kbd></span>'
        '<i class="theme-switch fa-solid fa-sun fa-lg" data-mode="light" title="Light"></i>'
        '<div role="list" class="citation-list"><a href="#x">x</a></div>'
        '<section id="exercise-content">a</section><section id="solution-content">b</section>'
        '<section id="exercise-content">c</section><p id="other">d</p>'
    )
    fixed = repair(page)
    assert "<summary><p>Show code cell source</p></summary>" in fixed
    assert '<span class="search-button__kbd-shortcut" aria-hidden="true">' in fixed
    assert '<i class="theme-switch fa-solid fa-sun fa-lg" data-mode="light" aria-hidden="true"></i>' in fixed
    assert '<div class="citation-list">' in fixed
    assert [fixed.count(f'id="exercise-content-{k}"') for k in (1, 2)] == [1, 1]
    assert 'id="solution-content-1"' in fixed and 'id="other"' in fixed
    assert repair(fixed) == fixed, "repairing twice changes nothing"
