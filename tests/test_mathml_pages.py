"""tools/mathml_pages.py: formulas become MathML at build time, and a formula it cannot write stops the build."""

import pytest

from mathml_pages import to_mathml


def test_a_formula_becomes_mathml_with_its_tex_as_alttext():
    inline = to_mathml(r"w_{t+1} = w_t - \eta \, \nabla f(w_t)", display=False)
    assert inline.startswith('<math alttext="w_{t+1} = w_t - \\eta \\, \\nabla f(w_t)" ')
    assert 'display="inline"' in inline and "<msub><mi>w</mi>" in inline
    assert "&#x003B7;" in inline, "eta is the Greek letter, not the word"
    block = to_mathml("\\frac{2}{L}\n  + 1", display=True)
    assert 'display="block"' in block and "<mfrac>" in block
    assert 'alttext="\\frac{2}{L} + 1"' in block, "the alttext is on one line"


def test_alttext_is_escaped():
    assert 'alttext="a &lt; b &amp; c"' in to_mathml("a < b & c", display=False)


@pytest.mark.parametrize(
    "tex, reason",
    [(r"\frac{1}{", "cannot convert"), (r"x^", "cannot convert"), (r"\left( x", "cannot convert"),
     (r"\eta \notacommand", r"does not know the command \notacommand")],
)
def test_a_formula_it_cannot_write_is_an_error_naming_it(tex, reason):
    with pytest.raises(ValueError) as error:
        to_mathml(tex, display=False)
    assert reason in str(error.value) and repr(tex) in str(error.value)
