"""Shared test set-up: draw off-screen, give tests the repository's paths, and let them import ``tools/``."""

import pathlib
import sys

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test made, so figures never pile up across tests."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
