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


def test_style_keeps_interactive_mode_switched_on_inside():
    """The inline backend switches interactive mode on as it loads; leaving the style must not undo that."""
    import matplotlib as mpl

    before = mpl.is_interactive()
    try:
        mpl.interactive(False)
        with plots.style():
            mpl.interactive(True)
        assert mpl.is_interactive()
    finally:
        mpl.interactive(before)


def test_shade_stability_regimes_marks_one_and_two_over_L():
    fig, ax = plots.figure()
    ax.plot([0.01, 2.0], [1, 1])
    ax.set_xscale("log")
    xlim = ax.get_xlim()
    plots.shade_stability_regimes(ax, L=4.0)
    assert ax.get_xlim() == xlim
    lines = [line.get_xdata()[0] for line in ax.lines[1:]]
    assert lines == [0.25, 0.5]
    assert [patch.get_label() for patch in ax.patches] == ["monotone", "oscillating", "diverging"]


def test_plot_outcome_map_colors_each_cell_by_its_outcome():
    outcomes = np.array([["deep", "shallow", "deep"], ["diverged", "deep", "shallow"]])
    colors = {"deep": "#009E73", "shallow": "#56B4E9", "neither": "#F0E442", "diverged": "#D55E00"}
    ax = plots.plot_outcome_map([-1.0, 0.0, 1.0], [0.1, 1.0], outcomes, colors)
    (mesh,) = ax.collections
    np.testing.assert_array_equal(np.asarray(mesh.get_array()).reshape(2, 3), [[0, 1, 0], [3, 0, 1]])
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["deep", "shallow", "diverged"]
    assert ax.get_yscale() == "log"


def test_plot_outcome_map_needs_a_color_for_every_outcome():
    import pytest

    with pytest.raises(ValueError, match=r"colors must name every outcome, missing \['lost'\]"):
        plots.plot_outcome_map([0.0, 1.0], [0.1, 1.0], [["a", "lost"], ["a", "a"]], {"a": "red"})
