"""Tests for the plot helpers of the training chapters: epoch curves, confusion matrix, digits."""

import numpy as np
import pytest

from lrcourse import plots


def test_epoch_curves_draw_the_mean_over_seeds_and_skip_diverged_runs():
    curves = np.array(
        [
            [[0.1, 0.5, 0.9], [0.3, 0.7, 0.7]],
            [[0.1, np.nan, np.nan], [0.1, 0.2, np.nan]],
        ]
    )
    ax = plots.plot_epoch_curves(curves, [0.1, 10.0], ylabel="validation accuracy")
    first, second = ax.lines
    np.testing.assert_allclose(first.get_ydata(), [0.2, 0.6, 0.8])
    np.testing.assert_allclose(second.get_ydata(), [0.1, 0.2, np.nan])
    np.testing.assert_array_equal(first.get_xdata(), [0, 1, 2])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["η = 0.1", "η = 10"]
    assert len(ax.collections) == 2
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "validation accuracy"


def test_epoch_curves_accept_one_curve_per_rate_and_check_lengths():
    ax = plots.plot_epoch_curves(np.array([[1.0, 0.1], [1.0, 0.01]]), [0.1, 1.0], logy=True)
    assert ax.get_yscale() == "log" and len(ax.collections) == 0
    assert [line.get_linestyle() for line in ax.lines] == ["-", "--"]
    with pytest.raises(ValueError, match="lrs must have one rate per curve"):
        plots.plot_epoch_curves(np.zeros((2, 3)), [0.1])


def test_epoch_curves_without_band_or_legend():
    ax = plots.plot_epoch_curves(np.ones((2, 3, 4)), [0.1, 1.0], band=False, legend=False)
    assert len(ax.collections) == 0 and ax.get_legend() is None and len(ax.lines) == 2


def test_confusion_matrix_writes_every_nonzero_count():
    counts = np.array([[5, 0], [2, 7]])
    fig, ax = plots.figure()
    image = plots.plot_confusion_matrix(counts, ["a", "b"], ax=ax)
    np.testing.assert_array_equal(image.get_array(), counts)
    assert sorted(t.get_text() for t in ax.texts) == ["2", "5", "7"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    with pytest.raises(ValueError, match="counts must be a square matrix"):
        plots.plot_confusion_matrix(np.zeros((2, 3)))


def test_digits_mosaic_places_each_image_and_label():
    images = np.stack([np.full((2, 2), k / 4) for k in range(5)])
    ax = plots.plot_digits(images, labels=list("abcde"), ncols=3)
    mosaic = ax.images[0].get_array()
    assert mosaic.shape == (2 * 2 + 2, 3 * 2 + 2 * 2)
    np.testing.assert_array_equal(mosaic[0:2, 4:6], images[1])
    np.testing.assert_array_equal(mosaic[0:2, 8:10], images[2])
    np.testing.assert_array_equal(mosaic[4:6, 0:2], images[3])
    assert mosaic.mask[4:6, 8:10].all()  # no sixth image: blank
    assert [t.get_text() for t in ax.texts] == list("abcde")
    with pytest.raises(ValueError, match=r"images must have shape \(n, h, w\)"):
        plots.plot_digits(np.zeros((4, 4)))
