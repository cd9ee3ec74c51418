"""Tests for lrcourse._validate: every check accepts what it should and names the argument when it refuses.

The rule under test: a value of the wrong type is a ``TypeError``, a value of
the right type out of range a ``ValueError``; both messages name the
argument and the value.
"""

import numpy as np
import pytest

from lrcourse import _validate as V

# --- flag -----------------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [(True, True), (False, False), (np.True_, True), (np.False_, False)])
def test_flag_accepts_python_and_numpy_bools(value, expected):
    result = V.flag(value, "nesterov")
    assert result is expected


@pytest.mark.parametrize("value", [1, 0, 1.0, "True", None, np.array([True]), np.int64(1)])
def test_flag_refuses_anything_else_naming_the_argument_and_value(value):
    with pytest.raises(TypeError, match=r"^nesterov must be True or False, got "):
        V.flag(value, "nesterov")


# --- pair -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [(0.9, 0.999), [0.9, 0.999], np.array([0.9, 0.999])])
def test_pair_accepts_two_numbers_and_returns_floats(value):
    result = V.pair(value, "betas", low=0, high=1, high_open=True)
    assert result == (0.9, 0.999)
    assert all(type(item) is float for item in result)


@pytest.mark.parametrize("value", [0.9, (0.9,), (0.9, 0.99, 0.999), "ab", b"ab", None])
def test_pair_refuses_anything_but_two_entries_with_a_type_error(value):
    with pytest.raises(TypeError, match=r"^betas must be a pair of finite numbers >= 0 and < 1, got "):
        V.pair(value, "betas", low=0, high=1, high_open=True)


@pytest.mark.parametrize(
    "value, error, message",
    [
        ((0.9, 1.0), ValueError, r"^betas\[1\] must be a finite number >= 0 and < 1, got 1.0$"),
        ((-0.1, 0.5), ValueError, r"^betas\[0\] must be a finite number >= 0 and < 1, got -0.1$"),
        ((float("nan"), 0.5), ValueError, r"^betas\[0\] must be a finite number"),
        (("0.9", 0.5), TypeError, r"^betas\[0\] must be a real number, got '0.9'$"),
        ((0.9, True), TypeError, r"^betas\[1\] must be a real number, got True$"),
    ],
)
def test_pair_names_the_bad_entry(value, error, message):
    with pytest.raises(error, match=message):
        V.pair(value, "betas", low=0, high=1, high_open=True)


def test_pair_without_bounds_says_only_finite():
    with pytest.raises(TypeError, match=r"^w0 must be a pair of finite numbers, got 1.0$"):
        V.pair(1.0, "w0")


# --- steps ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [(3, [3]), (np.int32(3), [3]), ([0, 1, 2], [0, 1, 2]), (np.arange(3, dtype=np.uint8), [0, 1, 2])],
)
def test_steps_accepts_integers_and_integer_arrays(value, expected):
    result = V.steps(value, "step")
    assert result.dtype == np.int64
    assert result.ravel().tolist() == expected


def test_steps_keeps_the_shape():
    assert V.steps(np.zeros((2, 3), dtype=np.int32), "step").shape == (2, 3)
    assert V.steps(5, "step").shape == ()


@pytest.mark.parametrize(
    "value, got",
    [
        (1.0, "1.0"),
        (2.5, "2.5"),
        (True, "True"),
        (np.True_, "np.True_"),
        (np.float64(3.0), r"np.float64\(3.0\)"),
        ("3", "'3'"),
        (None, "None"),
        ([0.0, 1.0], r"\[0.0, 1.0\]"),
        (np.array([0.0, 1.0]), "an array of dtype float64"),
        (np.array([True]), "an array of dtype bool"),
    ],
)
def test_steps_of_the_wrong_type_are_type_errors(value, got):
    with pytest.raises(TypeError, match=rf"^t must be an integer >= 0 or an array of them, got {got}$"):
        V.steps(value, "t")


@pytest.mark.parametrize(
    "value, message",
    [
        (-1, r"^t must be an integer >= 0, got -1$"),
        (np.int8(-3), r"^t must be an integer >= 0, got -3$"),
        ([0, 1, -2], r"^t must contain only integers >= 0, got -2 at index 2$"),
        (np.array([[0, 1], [-4, 2]]), r"^t must contain only integers >= 0, got -4 at index \(1, 0\)$"),
        (np.array(-5), r"^t must contain only integers >= 0, got -5$"),
    ],
)
def test_negative_steps_are_value_errors_naming_the_step(value, message):
    with pytest.raises(ValueError, match=message):
        V.steps(value, "t")


def test_steps_from_one():
    assert V.steps([1, 2], "t", low=1).tolist() == [1, 2]
    with pytest.raises(ValueError, match=r"^t must be an integer >= 1, got 0$"):
        V.steps(0, "t", low=1)
    with pytest.raises(TypeError, match=r"^t must be an integer >= 1 or an array of them, got 1.5$"):
        V.steps(1.5, "t", low=1)


# --- array ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (0.5, 0.5),
        (3, 3.0),
        (np.float32(0.5), 0.5),
        ([0.1, 0.2], [0.1, 0.2]),
        ((1, 2.5), [1.0, 2.5]),
        ([[1, 2], [3, 4]], [[1.0, 2.0], [3.0, 4.0]]),
        ([np.float64(0.1), np.int8(3)], [0.1, 3.0]),
        (np.array([1, 2], dtype=object), [1.0, 2.0]),
        ([np.array([1.0, 2.0]), np.array([3.0, 4.0])], [[1.0, 2.0], [3.0, 4.0]]),
        (np.array([1, 2], dtype=np.int32), [1.0, 2.0]),
    ],
)
def test_array_accepts_numbers_and_numeric_sequences(value, expected):
    result = V.array(value, "lr")
    assert result.dtype == np.float64
    assert result.tolist() == expected


def test_array_passes_a_float_ndarray_through_without_a_copy():
    values = np.linspace(0.0, 1.0, 5)
    assert V.array(values, "lr", low=0) is values


@pytest.mark.parametrize(
    "value, got",
    [
        ("0.1", "'0.1'"),
        (["0.1", "0.2"], "'0.1' at index 0"),
        (["a", "b"], "'a' at index 0"),
        ([0.1, "0.2"], "'0.2' at index 1"),
        ([b"1"], "b'1' at index 0"),
        (None, "None"),
        ([0.1, None], "None at index 1"),
        (True, "True"),
        ([0.1, True], "True at index 1"),
        ([[0.1, 0.2], [0.3, np.False_]], r"np.False_ at index \(1, 1\)"),
        ([[1.0], [1.0, 2.0]], r"\[1.0\] at index 0"),
        ({0.1, 0.2}, r"\{0.1, 0.2\}"),
        (1 + 2j, r"\(1\+2j\)"),
        (np.array(["0.1"]), "an array of dtype <U3"),
        (np.array([True, False]), "an array of dtype bool"),
        (np.array([1 + 2j]), "an array of dtype complex128"),
        (np.array([0.5, "x"], dtype=object), "'x' at index 1"),
    ],
)
def test_array_refuses_non_numeric_entries_naming_the_argument(value, got):
    with pytest.raises(TypeError, match=rf"^lr must be a real number or an array of them, got {got}$"):
        V.array(value, "lr", low=0)


@pytest.mark.parametrize(
    "value, kwargs, message",
    [
        ([0.1, -0.1], {"low": 0}, r"^lr must contain only finite numbers >= 0, got -0.1 at index 1$"),
        ([0.0, 1.0], {"low": 0, "low_open": True}, r"^lr must contain only finite numbers > 0, got 0.0 at index 0$"),
        ([[0.5, 1.5]], {"high": 1, "high_open": True}, r"^lr must contain only finite numbers < 1, got 1.5 at index"),
        (float("inf"), {}, r"^lr must contain only finite numbers, got inf$"),
    ],
)
def test_array_out_of_range_is_a_value_error(value, kwargs, message):
    with pytest.raises(ValueError, match=message):
        V.array(value, "lr", **kwargs)


# --- scalar_or_array ------------------------------------------------------------------


@pytest.mark.parametrize("value", [np.float64(0.25), np.array(0.25), 0.25, np.int64(3)])
def test_scalar_or_array_gives_a_python_float_for_a_scalar(value):
    result = V.scalar_or_array(value)
    assert type(result) is float and result == float(value)


@pytest.mark.parametrize("value", [np.array([0.25]), np.zeros((2, 3)), [0.1, 0.2]])
def test_scalar_or_array_gives_an_array_otherwise(value):
    result = V.scalar_or_array(value)
    assert isinstance(result, np.ndarray) and result.shape == np.shape(value)


def test_scalar_or_array_returns_the_same_array():
    values = np.arange(3.0)
    assert V.scalar_or_array(values) is values
