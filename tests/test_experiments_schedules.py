"""Tests for lrcourse.experiments.schedules: summaries of the schedule chapter's grids."""

import numpy as np
import pytest

from lrcourse import data, nets, optim
from lrcourse.experiments import schedules as experiments


def test_epochs_to_target_averages_over_the_runs_that_reach_it_and_counts_them():
    curves = [[0.1, 0.97, 0.98], [0.1, np.nan, np.nan], [0.1, 0.5, 0.96]]
    assert experiments.epochs_to_target(curves, 0.96) == "1.5 (2/3 runs)"
    assert experiments.epochs_to_target(curves, 0.99) == "never (0/3)"
    with pytest.raises(ValueError, match="curves must have shape"):
        experiments.epochs_to_target([0.1, 0.9], 0.5)


def test_dead_units_of_a_grid_are_those_of_each_run():
    digits = data.load_digits()
    model = nets.MLP(n_hidden=8)
    grid = nets.train_grid(model, digits, optim.SGD, [0.1, 30.0], seeds=[0, 1], epochs=1)
    dead = experiments.dead_units(grid, digits.X_train)
    assert dead.shape == (2, 2)
    for i in range(2):
        for j in range(2):
            assert dead[i, j] == model.dead_units(grid.history(i, j).params, digits.X_train)
    with pytest.raises(TypeError, match="grid must be a GridResult"):
        experiments.dead_units({}, digits.X_train)


def test_tune_peaks_scores_each_peak_by_the_closed_form_and_picks_the_best():
    from lrcourse import schedules

    # 1-D, constant rate: E[f_T] = (1 - eta L)^(2T) f_0 + floor (1 - (1 - eta L)^(2T)),
    # floor = eta sigma^2 / (2 (2 - eta L)), f_0 = L w0^2 / 2.
    L, sigma, w0, T = 1.0, 0.3, 2.0, 50
    peaks = [0.01, 0.05, 0.1, 0.3, 1.5]
    tuned, losses = experiments.tune_peaks({"constant": schedules.constant}, peaks, T, L, sigma, w0)
    decay = (1 - np.array(peaks) * L) ** (2 * T)
    floor = np.array(peaks) * sigma**2 / (2 * (2 - np.array(peaks) * L))
    expected = decay * L * w0**2 / 2 + floor * (1 - decay)
    np.testing.assert_allclose(losses["constant"], expected, rtol=1e-10)
    best = int(np.argmin(expected))
    assert tuned["constant"] == (peaks[best], best, pytest.approx(expected[best]), True)


def test_tune_peaks_tunes_every_shape_on_its_own_and_flags_a_best_at_the_edge():
    from lrcourse import schedules, theory

    makers = {"constant": schedules.constant, "cosine": lambda p: schedules.cosine(p, total_steps=100)}
    peaks = [0.02, 0.05, 0.1, 0.2]
    tuned, losses = experiments.tune_peaks(makers, peaks, 100, 1.0, 0.5, (4.0, 4.0), mu=0.05)
    for name, make in makers.items():
        one = [theory.sgd_expected_loss(make(p)(np.arange(100)), 1.0, 0.5, (4.0, 4.0), mu=0.05)[-1] for p in peaks]
        np.testing.assert_allclose(losses[name], one, rtol=1e-12)
        assert tuned[name].index == int(np.argmin(one))
    # a grid that stops short of the best: its best is the last point, not inside
    short, _ = experiments.tune_peaks(makers, [0.001, 0.002, 0.004], 100, 1.0, 0.5, (4.0, 4.0), mu=0.05)
    assert short["cosine"].index == 2 and not short["cosine"].inside
    assert "at the grid's edge" in str(short["cosine"])


def test_tune_peaks_refuses_bad_grids_and_makers():
    from lrcourse import schedules

    with pytest.raises(ValueError, match="peaks must be a strictly increasing"):
        experiments.tune_peaks({"c": schedules.constant}, [0.1, 0.05, 0.2], 10, 1.0, 0.1, 1.0)
    with pytest.raises(ValueError, match="peaks must be a strictly increasing"):
        experiments.tune_peaks({"c": schedules.constant}, [0.1, 0.2], 10, 1.0, 0.1, 1.0)
    with pytest.raises(TypeError, match="makers must be"):
        experiments.tune_peaks([schedules.constant], [0.1, 0.2, 0.3], 10, 1.0, 0.1, 1.0)


def test_shared_noise_runs_give_every_schedule_the_noise_of_its_seed():
    from lrcourse import descent, landscapes, schedules

    bowl = landscapes.Noisy(landscapes.Quadratic2D(mu=0.05, L=1.0), noise_std=0.5)
    arms = [schedules.constant(0.1), schedules.cosine(0.3, total_steps=30), schedules.constant(0.1)]
    losses = experiments.shared_noise_runs(bowl, (4.0, 4.0), arms, 30, n_seeds=5, seed=3)
    assert losses.shape == (3, 5, 31)
    for i, arm in enumerate(arms):
        alone = descent.run(bowl, np.tile((4.0, 4.0), (5, 1)), arm, steps=30, rng=np.random.default_rng(3))
        np.testing.assert_array_equal(losses[i], alone.losses.T)
    np.testing.assert_array_equal(losses[0], losses[2])  # same schedule, same noise: the same runs
    assert not np.array_equal(losses[0, 0], losses[0, 1])  # seeds differ from each other


def test_shared_noise_runs_refuse_a_noiseless_landscape_and_one_seed():
    from lrcourse import landscapes, schedules

    with pytest.raises(TypeError, match="landscape must be a landscapes.Noisy"):
        experiments.shared_noise_runs(landscapes.Quadratic1D(), 1.0, [schedules.constant(0.1)], 5, n_seeds=3)
    noisy = landscapes.Noisy(landscapes.Quadratic1D(), noise_std=0.1)
    with pytest.raises(ValueError, match="n_seeds"):
        experiments.shared_noise_runs(noisy, 1.0, [schedules.constant(0.1)], 5, n_seeds=1)
    with pytest.raises(TypeError, match="schedules must be"):
        experiments.shared_noise_runs(noisy, 1.0, schedules.constant(0.1), 5, n_seeds=3)


def test_best_peaks_counts_a_diverged_run_as_a_failure_and_flags_the_edge():
    peaks = [0.1, 0.2, 0.4]
    final_acc = {
        # 0.4 has the best finished run but one diverged seed: (0.99 + 0) / 2 < 0.965
        "cosine": [[0.95, 0.96], [0.97, 0.96], [0.99, np.nan]],
        "constant": [[0.97, 0.97], [0.95, 0.96], [0.90, 0.91]],
    }
    tuned = experiments.best_peaks(peaks, final_acc)
    assert tuned["cosine"] == (0.2, 1, pytest.approx(0.965), True)
    assert tuned["constant"] == (0.1, 0, pytest.approx(0.97), False)
    with pytest.raises(TypeError, match="final_acc must be"):
        experiments.best_peaks(peaks, [[0.9, 0.9]])


def test_widen_until_bracketed_trains_only_the_peaks_it_needs_on_either_side():
    calls = []

    def train(peaks, best=0.05):
        calls.append(list(peaks))
        score = [[1 - np.log2(p / best) ** 2 / 100, 1 - np.log2(p / best) ** 2 / 100 - 0.001] for p in peaks]
        return {"val_acc": np.array(score), "peak": np.array(peaks)}

    grid = [0.025, 0.05, 0.1, 0.2, 0.4, 0.8]
    peaks, results, tuned = experiments.widen_until_bracketed(train, grid, 2, 5)
    assert calls == [[0.1, 0.2, 0.4], [0.05], [0.025]]
    assert peaks.tolist() == [0.025, 0.05, 0.1, 0.2, 0.4]
    np.testing.assert_array_equal(results["peak"], peaks)  # results follow the peaks' order
    assert tuned == (0.05, 1, pytest.approx(0.9995), True)
    # a best already inside: no widening
    calls.clear()
    _, _, inside = experiments.widen_until_bracketed(lambda p: train(p, best=0.2), grid, 2, 5)
    assert calls == [[0.1, 0.2, 0.4]] and inside.peak == 0.2
    # the best at the grid's own end cannot be bracketed: inside is False
    _, _, edge = experiments.widen_until_bracketed(lambda p: train(p, best=3.0), grid, 2, 5)
    assert edge.peak == 0.8 and not edge.inside


def test_widen_until_bracketed_refuses_a_window_too_small_and_a_missing_score():
    def train(peaks):
        return {"acc": np.ones((len(peaks), 2))}

    with pytest.raises(ValueError, match="stop"):
        experiments.widen_until_bracketed(train, [0.1, 0.2, 0.4, 0.8], 0, 2)
    with pytest.raises(ValueError, match="score='val_acc'"):
        experiments.widen_until_bracketed(train, [0.1, 0.2, 0.4, 0.8], 0, 3)
    with pytest.raises(TypeError, match="train must be"):
        experiments.widen_until_bracketed(None, [0.1, 0.2, 0.4], 0, 3)
