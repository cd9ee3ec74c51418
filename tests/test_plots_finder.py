"""The range-test and grid-search plot helpers draw what the data say."""

import numpy as np

from lrcourse import finder, plots


def replay(losses):
    values = iter(losses)
    return lambda lr: next(values)


def test_plot_range_test_marks_each_suggestion_at_its_rate():
    lrs = np.geomspace(1e-4, 1.0, 40)
    losses = 2 - np.tanh(3 * (np.log10(lrs) + 2)) + np.exp(4 * (np.log10(lrs) + 0.5))
    test = finder.range_test(replay(list(losses)), 1e-4, 1.0, num_steps=40, beta=0.5, diverge_factor=1e9)
    ax = plots.plot_range_test(test)
    markers = {line.get_label().split(":")[0]: line for line in ax.get_lines() if ":" in line.get_label()}
    assert set(markers) == set(finder.RULES)
    assert markers["steepest"].get_xdata()[0] == test.suggestion("steepest")
    assert markers["valley"].get_xdata()[0] == test.suggestion("valley")
    # min/10 is drawn at the suggested rate; an open marker at the minimum, ten times higher, points to it.
    assert markers["min/10"].get_xdata()[0] == test.suggestion("min/10")
    lowest = [line for line in ax.get_lines() if line.get_label().startswith("lowest smoothed loss")]
    assert len(lowest) == 1 and np.isclose(lowest[0].get_xdata()[0], 10 * test.suggestion("min/10"))
    assert ax.get_xscale() == "log"
    assert not any(line.get_label() == "stopped" for line in ax.get_lines())


def test_plot_range_test_labels_each_marker_with_its_own_position():
    # The legend says "rule: η = x"; the marker must sit at that x (once, min/10's sat a decade higher).
    lrs = np.geomspace(1e-5, 10.0, 100)
    losses = 2.3 - 2 * np.exp(-(np.log10(lrs) - 0.3) ** 2) + np.exp(3 * (np.log10(lrs) - 0.8))
    test = finder.range_test(replay(list(losses)), 1e-5, 10.0, num_steps=100, diverge_factor=1e9)
    ax = plots.plot_range_test(test)
    labelled = [line for line in ax.get_lines() if "η = " in line.get_label()]
    for line in labelled:
        stated = float(line.get_label().split("η = ")[1])
        assert stated == float(f"{line.get_xdata()[0]:.3g}"), f"{line.get_label()!r} drawn at η = {line.get_xdata()[0]:.3g}"
    assert len(labelled) == len(finder.RULES) + 1


def test_plot_range_test_marks_the_stop():
    test = finder.range_test(replay([3.0, 2.0, 1.0, 0.5, 0.4, 5.0]), 1e-3, 1.0, num_steps=6, beta=0.0)
    ax = plots.plot_range_test(test, rules=())
    stop = [line for line in ax.get_lines() if line.get_label() == "stopped"]
    assert len(stop) == 1 and stop[0].get_xdata()[0] == test.lrs[5]


def test_plot_sweep_draws_the_mean_over_finite_seeds_and_the_range():
    lrs = [0.01, 0.1, 1.0]
    values = np.array([[1.0, 3.0], [0.5, np.nan], [np.nan, np.nan]])
    ax = plots.plot_sweep(lrs, values, label="SGD")
    mean = ax.get_lines()[0].get_ydata()
    assert mean[0] == 2.0 and mean[1] == 0.5 and np.isnan(mean[2])
    band = ax.collections[0].get_paths()[0].vertices
    assert band[:, 1].max() == 3.0 and band[:, 1].min() == 0.5
