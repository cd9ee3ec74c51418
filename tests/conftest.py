"""Shared test set-up: draw off-screen, and give tests the repository's paths."""

import pathlib

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test made, so figures never pile up across tests."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
