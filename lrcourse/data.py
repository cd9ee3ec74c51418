"""The real task of the course: handwritten digits, shipped with the package.

The data are the UCI *Optical Recognition of Handwritten Digits* set
(E. Alpaydin and C. Kaynak, UCI Machine Learning Repository, 1998,
doi:10.24432/C50P49), licensed CC BY 4.0: 1,797 images of 8x8 pixels with
integer values 0..16, labels 0..9. The file ``lrcourse/datasets/digits.csv.gz``
is byte for byte the copy scikit-learn ships (``sklearn.datasets.load_digits``,
the repository's test file ``optdigits.tes``); ``lrcourse/datasets/README.md``
gives its checksum. Loading reads that file only and never touches the network.

``load_digits`` scales the pixels to ``[0, 1]`` (divides by 16) and splits the
samples into train, validation and test sets, stratified by class and seeded,
so every reader gets the same split for the same ``seed``.

>>> digits = load_digits()
>>> digits.X_train.shape, digits.X_val.shape, digits.X_test.shape
((1078, 64), (359, 64), (360, 64))
>>> one_hot([2, 0], 3)
array([[0., 0., 1.],
       [1., 0., 0.]])
"""

import dataclasses
import functools
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import _validate

__all__ = ["Digits", "load_digits", "training_subset", "one_hot", "check_labels", "minibatches"]

DIGITS_FILE = Path(__file__).parent / "datasets" / "digits.csv.gz"

SOURCE = (
    "UCI Optical Recognition of Handwritten Digits (Alpaydin & Kaynak, 1998, "
    "doi:10.24432/C50P49), CC BY 4.0; the copy shipped with scikit-learn"
)


@functools.lru_cache(maxsize=1)
def _raw_digits():
    """Read the shipped file once: an int array of shape (1797, 65), read-only."""
    table = np.loadtxt(DIGITS_FILE, delimiter=",", dtype=np.int64)
    table.flags.writeable = False
    return table


@dataclass(frozen=True, repr=False)
class Digits:
    """A seeded, stratified train/validation/test split of the digits.

    Attributes
    ----------
    X_train, X_val, X_test : ndarray of shape (n, 64)
        Pixel values scaled to ``[0, 1]``; each row is an 8x8 image in
        row-major order.
    y_train, y_val, y_test : ndarray of shape (n,)
        Integer labels 0..9.
    class_names : tuple of str
        ``("0", "1", ..., "9")``: the name of class ``k`` is ``class_names[k]``.
    seed : int
        The seed of the split.
    fractions : tuple of float
        Target fractions of (train, validation, test).
    source : str
        Where the data come from and their license.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple
    seed: int
    fractions: tuple
    source: str = field(default=SOURCE)

    @property
    def n_features(self):
        """Number of input features (64 pixels)."""
        return self.X_train.shape[1]

    @property
    def n_classes(self):
        """Number of classes (10 digits)."""
        return len(self.class_names)

    @property
    def image_shape(self):
        """Shape of one image, ``(8, 8)``."""
        return (8, 8)

    def split(self, name):
        """Return ``(X, y)`` of the split ``"train"``, ``"val"`` or ``"test"``."""
        _validate.choice(name, "name", ("train", "val", "test"))
        return getattr(self, f"X_{name}"), getattr(self, f"y_{name}")

    def images(self, name="train"):
        """The split's images as an array of shape ``(n, 8, 8)``, values in ``[0, 1]``."""
        X, _ = self.split(name)
        return X.reshape(-1, *self.image_shape)

    def describe(self, width=None):
        """A few lines stating the sizes, the scaling and where the data come from.

        ``width``: wrap the lines to this many characters (default: no wrapping).
        """
        sizes = {name: len(self.split(name)[1]) for name in ("train", "val", "test")}
        total = sum(sizes.values())
        counts = np.bincount(self.y_train, minlength=self.n_classes)
        text = "\n".join(
            [
                f"Handwritten digits: {total} images of 8x8 pixels, {self.n_classes} classes, "
                "pixels scaled from 0..16 to [0, 1].",
                f"Split (stratified, seed={self.seed}): train {sizes['train']}, "
                f"validation {sizes['val']}, test {sizes['test']}.",
                f"Train images per class: {', '.join(str(int(c)) for c in counts)}.",
                f"Source: {self.source}.",
            ]
        )
        if width is None:
            return text
        return "\n".join(textwrap.fill(line, width=width, subsequent_indent="  ") for line in text.splitlines())

    def __repr__(self):
        return (
            f"Digits(train={len(self.y_train)}, val={len(self.y_val)}, test={len(self.y_test)}, "
            f"n_features={self.n_features}, n_classes={self.n_classes}, seed={self.seed})"
        )


def load_digits(seed=0, fractions=(0.6, 0.2, 0.2)):
    """Load the handwritten digits with a seeded, stratified split.

    Every class ``k`` with ``n_k`` images is shuffled with
    ``np.random.default_rng(seed)`` and cut into
    ``round(fractions[0] * n_k)`` training images,
    ``round(fractions[1] * n_k)`` validation images and the rest for test, so
    each split has (to within one image) the class proportions of the whole
    set. Within each split the samples are in a seeded random order.

    Parameters
    ----------
    seed : int, default 0
        Seed of the split (a non-negative integer).
    fractions : tuple of three floats, default (0.6, 0.2, 0.2)
        Fractions for train, validation and test; each in ``(0, 1)``, summing
        to 1.

    Returns
    -------
    Digits
        Features ``X_*`` of shape ``(n, 64)`` in ``[0, 1]`` (pixels / 16),
        labels ``y_*`` of shape ``(n,)``, integers 0..9.

    Examples
    --------
    >>> digits = load_digits(seed=0)
    >>> print(digits.describe(width=79))
    Handwritten digits: 1797 images of 8x8 pixels, 10 classes, pixels scaled from
      0..16 to [0, 1].
    Split (stratified, seed=0): train 1078, validation 359, test 360.
    Train images per class: 107, 109, 106, 110, 109, 109, 109, 107, 104, 108.
    Source: UCI Optical Recognition of Handwritten Digits (Alpaydin & Kaynak, 1998,
      doi:10.24432/C50P49), CC BY 4.0; the copy shipped with scikit-learn.
    """
    seed = _validate.integer(seed, "seed", low=0)
    fractions = _check_fractions(fractions)
    table = _raw_digits()
    X_all = table[:, :-1] / 16.0
    y_all = table[:, -1].copy()
    rng = np.random.default_rng(seed)
    parts = ([], [], [])
    for label in range(10):
        members = rng.permutation(np.flatnonzero(y_all == label))
        n_train = round(fractions[0] * len(members))
        n_val = round(fractions[1] * len(members))
        for part, chunk in zip(parts, np.split(members, [n_train, n_train + n_val])):
            part.append(chunk)
    arrays = []
    for part in parts:
        index = rng.permutation(np.concatenate(part))
        arrays += [X_all[index], y_all[index]]
    return Digits(*arrays, class_names=tuple(str(k) for k in range(10)), seed=seed, fractions=fractions)


def training_subset(digits, fraction, seed=0):
    """The same split with a stratified share of its training images, for a learning curve.

    The ``n_k`` training images of class ``k`` are ordered by
    ``np.random.default_rng(seed)`` (one permutation per class, drawn in the
    order of the classes), and the first ``max(1, round(fraction * n_k))``
    are kept, in the order they have in the training split. So the subsets
    of one ``seed`` are nested (a smaller ``fraction`` keeps a part of a
    larger one's images), each has the class proportions of the training
    split (to within one image per class), and ``fraction=1`` gives the
    training split unchanged. The validation and test sets are not touched.

    Parameters
    ----------
    digits : Digits
        A split from :func:`load_digits`.
    fraction : float
        The share of each class's training images to keep, in ``(0, 1]``.
    seed : int, default 0
        Which images are kept (a non-negative integer).

    Returns
    -------
    Digits

    >>> digits = load_digits()
    >>> [len(training_subset(digits, f).y_train) for f in (0.1, 0.25, 0.5, 1.0)]
    [109, 269, 538, 1078]
    """
    if not isinstance(digits, Digits):
        raise TypeError(f"digits must be a Digits split (from load_digits), got {type(digits).__name__}")
    fraction = _validate.number(fraction, "fraction", low=0, high=1, low_open=True)
    seed = _validate.integer(seed, "seed", low=0)
    rng = np.random.default_rng(seed)
    kept = []
    for label in range(digits.n_classes):
        members = rng.permutation(np.flatnonzero(digits.y_train == label))
        kept.append(members[: max(1, round(fraction * len(members)))])
    index = np.sort(np.concatenate(kept))
    return dataclasses.replace(digits, X_train=digits.X_train[index], y_train=digits.y_train[index])


def _check_fractions(fractions):
    values = tuple(fractions) if isinstance(fractions, (tuple, list)) else None
    if values is None or len(values) != 3:
        raise ValueError(f"fractions must be three numbers (train, val, test), got {fractions!r}")
    values = tuple(
        _validate.number(v, f"fractions[{i}]", low=0, high=1, low_open=True, high_open=True)
        for i, v in enumerate(values)
    )
    if abs(sum(values) - 1.0) > 1e-9:
        raise ValueError(f"fractions must sum to 1, got {fractions!r} (sum {sum(values):g})")
    return values


def one_hot(labels, n_classes):
    """Encode integer labels as rows of an identity matrix.

    ``Y[i, k] = 1`` if ``labels[i] == k`` else ``0``; works for labels of any
    shape (the class axis is added last).

    >>> one_hot([1, 2], 4)
    array([[0., 1., 0., 0.],
           [0., 0., 1., 0.]])
    """
    n_classes = _validate.integer(n_classes, "n_classes", low=1)
    labels = check_labels(labels, n_classes)
    return (labels[..., None] == np.arange(n_classes)).astype(float)


def check_labels(labels, n_classes, name="y"):
    """Return ``labels`` as an int ndarray after checking every entry is in ``0..n_classes-1``."""
    arr = np.asarray(labels)
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must hold integer class labels in 0..{n_classes - 1}, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    bad = (arr < 0) | (arr >= n_classes)
    if bad.any():
        raise ValueError(f"{name} must hold class labels in 0..{n_classes - 1}, got {int(arr[bad][0])}")
    return arr


def minibatches(n_samples, batch_size, rng):
    """Split ``range(n_samples)`` into shuffled minibatches of indices: one epoch.

    A permutation from ``rng`` cut into ``ceil(n_samples / batch_size)``
    batches of ``batch_size`` indices, the last one smaller when
    ``batch_size`` does not divide ``n_samples`` (as PyTorch's ``DataLoader``
    with ``shuffle=True, drop_last=False``). With a list of generators (one
    per seed of a batch of runs), each draws its own permutation and every
    batch has one row per generator. This is the minibatch order of all
    training in the package.

    >>> [b.tolist() for b in minibatches(5, 2, np.random.default_rng(0))]
    [[2, 4], [3, 0], [1]]
    >>> minibatches(5, 2, [np.random.default_rng(0), np.random.default_rng(1)])[0].shape
    (2, 2)
    """
    n_samples = _validate.integer(n_samples, "n_samples", low=1)
    batch_size = _validate.integer(batch_size, "batch_size", low=1)
    if isinstance(rng, np.random.Generator):
        order = rng.permutation(n_samples)
    elif isinstance(rng, (list, tuple)) and rng and all(isinstance(r, np.random.Generator) for r in rng):
        order = np.stack([r.permutation(n_samples) for r in rng])
    else:
        raise TypeError(f"rng must be a numpy Generator or a non-empty list of them, got {rng!r}")
    return [order[..., start : start + batch_size] for start in range(0, n_samples, batch_size)]
