import numpy as np

from lrcourse import descent, landscapes, plots


def test_plot_contours_marks_the_minimum_and_sets_the_window():
    fig, ax = plots.figure()
    plots.plot_contours(landscapes.Quadratic2D(), (-2, 2), (-1, 3), ax=ax, levels=5)
    assert ax.get_xlim() == (-2, 2) and ax.get_ylim() == (-1, 3)
    (star,) = ax.lines
    assert star.get_xdata().tolist() == [0.0] and star.get_ydata().tolist() == [0.0]
    assert len(ax.collections) >= 1


def test_plot_contours_log_levels_on_rosenbrock():
    ax = plots.plot_contours(landscapes.Rosenbrock(), (-2, 2), (-1, 3), log=True, n=50)
    assert ax.lines[0].get_xdata().tolist() == [1.0]


def test_plot_path_2d_stops_where_the_run_diverged():
    trajectory = descent.run(landscapes.Quadratic2D(), [1.0, 1.0], 2.5, 30)
    ax = plots.plot_path_2d(trajectory.positions)
    path, start = ax.lines
    last = trajectory.diverged_at  # its position is still recorded; the NaN rows after it are dropped
    np.testing.assert_array_equal(path.get_xdata(), trajectory.positions[: last + 1, 0])
    assert start.get_xdata().tolist() == [1.0]
