"""Tests for lrcourse.data: the shipped digits, the seeded stratified split, helpers."""

import hashlib
import socket

import numpy as np
import pytest

from lrcourse import data

# Facts of the shipped file, recorded when it was copied from scikit-learn
# (see lrcourse/datasets/README.md).
SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
CLASS_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def sorted_rows(X, y):
    """Rows of [X | y] in lexicographic order: a multiset we can compare."""
    table = np.column_stack([X, y])
    return table[np.lexsort(table.T[::-1])]


def test_shipped_file_is_the_documented_copy():
    digest = hashlib.sha256(data.DIGITS_FILE.read_bytes()).hexdigest()
    assert digest == SHA256
    readme = (data.DIGITS_FILE.parent / "README.md").read_text()
    assert SHA256 in readme
    assert "CC BY 4.0" in readme and "Alpaydin" in readme


def test_raw_table_has_the_documented_shape_range_and_class_counts():
    table = data._raw_digits()
    assert table.shape == (1797, 65)
    assert table[:, :-1].min() == 0 and table[:, :-1].max() == 16
    assert np.bincount(table[:, -1]).tolist() == CLASS_COUNTS


def test_loading_never_touches_the_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("load_digits opened a socket")

    monkeypatch.setattr(socket, "socket", no_network)
    data._raw_digits.cache_clear()
    digits = data.load_digits()
    assert len(digits.y_train) > 0


def test_split_is_a_partition_of_the_scaled_data():
    digits = data.load_digits(seed=3)
    X = np.concatenate([digits.X_train, digits.X_val, digits.X_test])
    y = np.concatenate([digits.y_train, digits.y_val, digits.y_test])
    raw = data._raw_digits()
    np.testing.assert_array_equal(sorted_rows(X, y), sorted_rows(raw[:, :-1] / 16.0, raw[:, -1]))
    assert X.min() == 0.0 and X.max() == 1.0
    for labels in (digits.y_train, digits.y_val, digits.y_test):
        assert np.issubdtype(labels.dtype, np.integer)


@pytest.mark.parametrize("fractions", [(0.6, 0.2, 0.2), (0.5, 0.25, 0.25)])
def test_split_is_stratified_with_the_documented_rounding(fractions):
    digits = data.load_digits(seed=1, fractions=fractions)
    for label, n_k in enumerate(CLASS_COUNTS):
        n_train = round(fractions[0] * n_k)
        n_val = round(fractions[1] * n_k)
        assert np.sum(digits.y_train == label) == n_train
        assert np.sum(digits.y_val == label) == n_val
        assert np.sum(digits.y_test == label) == n_k - n_train - n_val
    sizes = np.array([len(digits.y_train), len(digits.y_val), len(digits.y_test)])
    assert sizes.sum() == 1797
    assert np.all(np.abs(sizes - np.array(fractions) * 1797) <= 10)


def test_split_is_deterministic_given_the_seed_and_changes_with_it():
    a, b, c = data.load_digits(seed=0), data.load_digits(seed=0), data.load_digits(seed=1)
    for name in ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.X_train, c.X_train)


def test_digits_helpers_and_description():
    digits = data.load_digits()
    assert digits.n_features == 64 and digits.n_classes == 10
    assert digits.class_names == tuple("0123456789")
    assert digits.images("val").shape == (len(digits.y_val), 8, 8)
    np.testing.assert_array_equal(digits.images("train")[5].ravel(), digits.X_train[5])
    X, y = digits.split("test")
    assert X is digits.X_test and y is digits.y_test
    text = digits.describe()
    for words in ("1797", f"train {len(digits.y_train)}", "seed=0", "Alpaydin", "CC BY 4.0"):
        assert words in text
    assert repr(digits) == (
        f"Digits(train={len(digits.y_train)}, val={len(digits.y_val)}, test={len(digits.y_test)}, "
        "n_features=64, n_classes=10, seed=0)"
    )


def test_loaded_arrays_do_not_share_memory_with_the_cache():
    digits = data.load_digits()
    digits.y_train[:] = 0
    assert np.bincount(data._raw_digits()[:, -1]).tolist() == CLASS_COUNTS


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"seed": -1}, ValueError, "seed must be an integer >= 0, got -1"),
        ({"seed": 1.5}, TypeError, "seed"),
        ({"fractions": (0.5, 0.5, 0.5)}, ValueError, "fractions must sum to 1"),
        ({"fractions": (1.0, 0.0, 0.0)}, ValueError, "fractions[0] must be a finite number > 0 and < 1, got 1.0"),
        ({"fractions": (0.5, 0.5)}, ValueError, "fractions must be three numbers"),
        ({"fractions": "abc"}, ValueError, "fractions must be three numbers"),
    ],
)
def test_load_digits_rejects_bad_input(kwargs, error, words):
    with pytest.raises(error) as info:
        data.load_digits(**kwargs)
    assert words in str(info.value)


def test_training_subset_is_stratified_nested_and_leaves_the_other_splits_alone():
    digits = data.load_digits()
    counts = np.bincount(digits.y_train, minlength=10)
    small, large = data.training_subset(digits, 0.1), data.training_subset(digits, 0.5)
    for fraction, subset in ((0.1, small), (0.5, large)):
        np.testing.assert_array_equal(np.bincount(subset.y_train, minlength=10), np.round(fraction * counts))
        assert subset.X_val is digits.X_val and subset.X_test is digits.X_test and subset.seed == digits.seed
    rows = {tuple(x) + (y,) for x, y in zip(digits.X_train, digits.y_train)}
    small_rows = {tuple(x) + (y,) for x, y in zip(small.X_train, small.y_train)}
    large_rows = {tuple(x) + (y,) for x, y in zip(large.X_train, large.y_train)}
    assert small_rows < large_rows < rows  # nested: the smaller set is a part of the larger
    whole = data.training_subset(digits, 1.0)
    np.testing.assert_array_equal(whole.X_train, digits.X_train)  # same images, same order
    np.testing.assert_array_equal(whole.y_train, digits.y_train)
    other = data.training_subset(digits, 0.1, seed=1)
    assert {tuple(x) for x in other.X_train} != {tuple(x) for x in small.X_train}
    assert np.bincount(data.training_subset(digits, 1e-6).y_train).tolist() == [1] * 10  # at least one per class


@pytest.mark.parametrize(
    "args, error, words",
    [
        ((0.0,), ValueError, "fraction must be a finite number > 0 and <= 1, got 0.0"),
        ((1.5,), ValueError, "fraction must be a finite number > 0 and <= 1, got 1.5"),
        ((0.5, -1), ValueError, "seed must be an integer >= 0, got -1"),
    ],
)
def test_training_subset_rejects_bad_input(args, error, words):
    with pytest.raises(error) as info:
        data.training_subset(data.load_digits(), *args)
    assert words in str(info.value)
    with pytest.raises(TypeError, match="digits must be a Digits split"):
        data.training_subset({"X_train": []}, 0.5)


def test_split_name_must_be_known():
    with pytest.raises(ValueError, match="name must be one of 'train', 'val', 'test', got 'dev'"):
        data.load_digits().split("dev")


def test_one_hot_by_hand():
    np.testing.assert_array_equal(data.one_hot([2, 0, 1], 3), [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert data.one_hot(np.array([[1], [0]]), 2).shape == (2, 1, 2)


@pytest.mark.parametrize(
    "labels, error, words",
    [
        ([0, 3], ValueError, "y must hold class labels in 0..2, got 3"),
        ([-1, 0], ValueError, "y must hold class labels in 0..2, got -1"),
        ([0.0, 1.0], TypeError, "integer class labels"),
    ],
)
def test_one_hot_rejects_bad_labels(labels, error, words):
    with pytest.raises(error, match=words):
        data.one_hot(labels, 3)


def test_minibatches_cover_every_index_once_in_a_seeded_order():
    batches = data.minibatches(10, 4, np.random.default_rng(7))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))
    again = data.minibatches(10, 4, np.random.default_rng(7))
    assert all(np.array_equal(a, b) for a, b in zip(batches, again))
    np.testing.assert_array_equal(np.concatenate(batches), np.random.default_rng(7).permutation(10))


def test_minibatches_reject_a_zero_batch_size():
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):
        data.minibatches(10, 0, np.random.default_rng(0))


def test_describe_wraps_to_a_width_without_losing_words():
    digits = data.load_digits()
    wrapped = digits.describe(width=60)
    assert max(len(line) for line in wrapped.splitlines()) <= 60
    assert wrapped.split() == digits.describe().split()
