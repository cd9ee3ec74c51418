"""The one loop: divergence rule, freezing, rates per run, state, memory limit, progress."""

import os
import warnings

import numpy as np
import pytest

from lrcourse import descent, engine, landscapes, optim, schedules


def half_square(w, t, with_grad=True):
    """f(w) = w^2 / 2 per run (w of shape (R,))."""
    return w * w / 2, (w if with_grad else None)


def test_each_run_gets_its_own_rates_and_the_loss_of_every_step():
    rates = np.array([[0.5, 1.5]] * 3)
    runs = engine.run_steps(half_square, np.array([1.0, 1.0]), optim.SGD(), rates, 3, evaluate_last=True)
    # w_t = (1 - eta)^t: 0.5^t and (-0.5)^t, so both losses are 0.25^t / 2
    np.testing.assert_array_equal(runs.losses[:, 0], 0.5 * 0.25 ** np.arange(4))
    np.testing.assert_array_equal(runs.losses[:, 1], runs.losses[:, 0])
    np.testing.assert_array_equal(runs.params, [0.125, -0.125])
    assert runs.diverged_at.tolist() == [-1, -1] and runs.steps.tolist() == [3, 3] and runs.state.t == 3


def test_a_loss_above_the_limit_freezes_the_run_at_its_previous_parameters():
    rates = np.full((10, 2), [0.5, 3.0])  # the second run doubles |w| every step
    runs = engine.run_steps(half_square, np.ones(2), optim.SGD(), rates, 10, loss_limit=np.array([1.0, 8.0]))
    # |w_t| = 2^t, f = 4^t / 2 > 8 first at t = 3; the run keeps w_2 = 4
    assert runs.diverged_at.tolist() == [-1, 3] and not runs.far.any()
    assert runs.params[1] == 4.0 and runs.steps.tolist() == [10, 3]
    assert runs.losses[3, 1] == 32.0 and np.isnan(runs.losses[4:, 1]).all()


def test_a_parameter_past_far_away_diverges_before_anything_is_evaluated_there():
    seen = []

    def objective(w, t, with_grad):
        seen.append(np.abs(w).max())
        return half_square(w, t, with_grad)

    rates = np.full((5, 2), [0.1, 1e13])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        runs = engine.run_steps(objective, np.ones(2), optim.SGD(), rates, 5)
    assert runs.diverged_at.tolist() == [-1, 1] and runs.far.tolist() == [False, True]
    assert max(seen) <= engine.FAR_AWAY  # the objective never saw the far-away point
    assert runs.params[1] == 1.0 and np.isnan(runs.losses[1:, 1]).all()


def test_the_loop_stops_once_every_run_has_diverged():
    calls = []

    def objective(w, t, with_grad):
        calls.append(t)
        return half_square(w, t, with_grad)

    engine.run_steps(objective, np.ones(1), optim.SGD(), np.full((100, 1), 1e20), 100)
    assert calls == [0]


def test_state_continues_and_the_optimizer_instance_is_not_changed():
    opt = optim.SGD(momentum=0.9)
    rates = np.full((4, 1), 0.1)
    whole = engine.run_steps(half_square, np.ones(1), opt, rates, 4)
    first = engine.run_steps(half_square, np.ones(1), opt, rates[:2], 2)
    second = engine.run_steps(half_square, first.params, opt, rates[2:], 2, state=first.state)
    np.testing.assert_array_equal(second.params, whole.params)
    assert opt.t == 0 and opt.state == {}


def test_loss_limit_is_the_documented_formula():
    np.testing.assert_array_equal(engine.loss_limit([3.0, 0.5], 1.0, 10.0), [21.0, 11.0])


def test_schedule_rates_accepts_any_function_of_the_step_and_names_a_bad_rate():
    np.testing.assert_array_equal(engine.schedule_rates(lambda t: 1.0 / (t + 1), 3), [1.0, 0.5, 1 / 3])
    cosine = schedules.cosine(1.0, 10)
    np.testing.assert_array_equal(engine.schedule_rates(cosine, 10), [cosine(t) for t in range(10)])
    with pytest.raises(ValueError, match=r"^lr\(2\) must be a finite number >= 0, got -1.0$"):
        engine.schedule_rates(lambda t: 1.0 if t < 2 else -1.0, 4, "lr")
    with pytest.raises(TypeError, match="schedule must be a callable of the step t, got 0.1"):
        engine.schedule_rates(0.1, 4)


def test_a_run_that_would_need_more_than_a_gibibyte_is_refused_naming_steps_and_runs():
    with pytest.raises(ValueError, match=r"^steps=10000000 with 10 runs would record 2\.2 GiB .* limit is 1 GiB"):
        descent.run(landscapes.Quadratic1D(), 1.0, np.full(10, 0.1), 10**7)
    engine.check_memory(10**6, 10, 3)  # 0.2 GiB: allowed


def test_progress_is_shown_only_to_a_person_watching(monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert not engine._watched()  # no kernel here, and none started by a Jupyter server
    monkeypatch.setitem(__import__("sys").modules, "ipykernel", object())
    assert not engine._watched()  # a kernel that stores outputs (nbclient, the book build)
    monkeypatch.setenv("JPY_SESSION_NAME", os.path.join("chapters", "04_schedules.ipynb"))
    assert engine._watched()


def test_progress_updates_one_transient_display_after_a_few_seconds(monkeypatch):
    shown = []
    monkeypatch.setattr(engine, "_watched", lambda: True)
    monkeypatch.setattr(engine._Progress, "_show", lambda self, text: shown.append(text))
    clock = iter([0.0, 1.0, 5.0, 6.0, 9.0])
    monkeypatch.setattr(engine.time, "perf_counter", lambda: next(clock))
    progress = engine._Progress(steps=1000)
    progress.update(1)  # 1 s: too early
    progress.update(500)  # 5 s: shown
    progress.update(505)  # checked again only after another 1 % of the steps
    progress.update(990)
    progress.close()
    assert shown == ["step 500 of 1000 (50 %), about 5 s left", "step 990 of 1000 (99 %), about 1 s left", "1000 steps in 9 s"]
