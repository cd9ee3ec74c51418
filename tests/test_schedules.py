"""Tests for lrcourse.schedules.

Expected values are computed here from the published formulas (PyTorch's
``lr_scheduler`` closed forms), step by step on small inputs.
"""

import math

import numpy as np
import pytest

from lrcourse import schedules as S

EXAMPLES = [
    S.constant(0.3),
    S.step_decay(0.1, step_size=3, gamma=0.5),
    S.multistep(0.1, milestones=[2, 5, 9], gamma=0.3),
    S.exponential(0.2, gamma=0.9),
    S.linear(0.1, start_factor=0.2, end_factor=0.8, total_steps=6),
    S.polynomial(0.1, total_steps=7, power=2.0),
    S.cosine(0.1, total_steps=8, min_lr=0.01),
    S.cosine_restarts(0.1, first_period=3, period_mult=2, min_lr=0.001),
    S.cosine_restarts(0.1, first_period=4),
    S.cyclic(0.01, 0.1, step_size_up=3, step_size_down=5, mode="triangular2"),
    S.cyclic(0.01, 0.1, step_size_up=2, mode="exp_range", gamma=0.9),
    S.one_cycle(0.5, total_steps=20),
    S.one_cycle(0.5, total_steps=17, pct_start=0.25, anneal_strategy="linear", three_phase=True),
    S.warmup(S.cosine(0.1, total_steps=10), warmup_steps=4),
    S.join([S.constant(0.1), S.exponential(0.05, gamma=0.5)], boundaries=[3]),
]


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)


# --- the calling contract ------------------------------------------------------


@pytest.mark.parametrize("schedule", EXAMPLES, ids=repr)
def test_int_gives_float_and_array_gives_same_shape(schedule):
    assert type(schedule(0)) is float
    assert type(schedule(np.int64(5))) is float
    steps = np.arange(24).reshape(4, 6)
    lrs = schedule(steps)
    assert isinstance(lrs, np.ndarray) and lrs.shape == (4, 6) and lrs.dtype == float
    for t in range(24):
        assert lrs.flat[t] == schedule(t)


@pytest.mark.parametrize("schedule", EXAMPLES, ids=repr)
def test_rates_are_finite_and_nonnegative_far_past_the_horizon(schedule):
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        lrs = schedule(np.array([0, 1, 10**3, 10**6, 10**9]))
    assert np.all(np.isfinite(lrs)) and np.all(lrs >= 0)


@pytest.mark.parametrize("schedule", EXAMPLES, ids=repr)
def test_repr_rebuilds_the_same_schedule(schedule):
    namespace = {name: getattr(S, name) for name in S.__all__}
    rebuilt = eval(repr(schedule), namespace)
    steps = np.arange(40)
    assert np.array_equal(rebuilt(steps), schedule(steps))
    assert repr(schedule).startswith(schedule.name + "(")


def test_list_of_ints_and_zero_d_array_are_accepted():
    sched = S.exponential(1.0, gamma=0.5)
    assert np.array_equal(sched([0, 1, 2]), np.array([1.0, 0.5, 0.25]))
    out = sched(np.array(2))
    assert isinstance(out, np.ndarray) and out.shape == () and out == 0.25


@pytest.mark.parametrize("step", [-1, np.int32(-3)])
def test_negative_step_is_a_value_error_naming_step(step):
    with pytest.raises(ValueError, match=r"step must be an integer >= 0, got -"):
        S.constant(0.1)(step)


def test_negative_step_in_array_names_the_index():
    with pytest.raises(ValueError, match=r"step must contain only integers >= 0, got -2 at index 3"):
        S.constant(0.1)(np.array([0, 1, 2, -2]))


@pytest.mark.parametrize(
    "step", [1.0, 2.5, True, np.float64(3.0), np.array([0.0, 1.0]), np.array([True]), "3", [0.5, 1.5], None]
)
def test_non_integer_step_is_a_type_error(step):
    with pytest.raises(TypeError, match="step must be an integer"):
        S.constant(0.1)(step)


# --- one formula each ----------------------------------------------------------------


def test_constant():
    assert S.constant(0.25)(np.arange(5)).tolist() == [0.25] * 5
    assert S.constant(0.0)(10) == 0.0


def test_step_decay_drops_by_gamma_every_step_size_steps():
    sched = S.step_decay(0.2, step_size=4, gamma=0.3)
    expected = {0: 0.2, 3: 0.2, 4: 0.2 * 0.3, 7: 0.2 * 0.3, 8: 0.2 * 0.3 * 0.3, 13: 0.2 * 0.3**3}
    for t, lr in expected.items():
        assert close(sched(t), lr)


def test_multistep_drops_at_each_milestone():
    sched = S.multistep(1.0, milestones=(3, 4, 10), gamma=0.5)
    lrs = sched(np.arange(12))
    expected = [1.0, 1.0, 1.0, 0.5, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.125, 0.125]
    assert lrs.tolist() == expected


def test_exponential_multiplies_by_gamma_each_step():
    sched = S.exponential(0.3, gamma=0.9)
    lr = 0.3
    for t in range(30):
        assert close(sched(t), lr)
        lr *= 0.9


def test_linear_ramps_then_holds():
    lr, s, e, T = 0.1, 0.2, 0.8, 6
    sched = S.linear(lr, start_factor=s, end_factor=e, total_steps=T)
    assert close(sched(0), lr * s)
    assert close(sched(3), lr * (s + (e - s) * 3 / T))
    assert close(sched(T), lr * e)
    assert sched(T + 1) == sched(T) == sched(10 * T)


def test_linear_defaults_are_pytorchs():
    sched = S.linear(0.3)
    assert close(sched(0), 0.3 / 3)
    assert close(sched(5), 0.3)
    assert sched.params["total_steps"] == 5


def test_polynomial_reaches_zero_and_holds():
    lr, T, p = 0.1, 5, 2.0
    sched = S.polynomial(lr, total_steps=T, power=p)
    for t in range(T):
        assert close(sched(t), lr * (1 - t / T) ** p)
    assert sched(T) == 0.0 and sched(T + 20) == 0.0
    # power 1 is a straight line: equal steps down
    line = S.polynomial(1.0, total_steps=4)(np.arange(5))
    assert np.allclose(np.diff(line), -0.25)


def test_cosine_endpoints_middle_and_symmetry():
    lr, T, low = 0.1, 10, 0.01
    sched = S.cosine(lr, total_steps=T, min_lr=low)
    assert sched(0) == lr
    assert close(sched(T // 2), (lr + low) / 2)
    assert close(sched(T), low)
    assert close(sched(3), low + (lr - low) * (1 + math.cos(math.pi * 3 / T)) / 2)
    # half a cosine is point-symmetric about its middle
    t = np.arange(T + 1)
    assert np.allclose(sched(t) + sched(T - t), lr + low)
    assert np.all(np.diff(sched(t)) < 0)


def test_cosine_holds_min_lr_past_total_steps():
    # PyTorch's recursive CosineAnnealingLR would climb back to lr at 2 T; we hold.
    sched = S.cosine(0.1, total_steps=10, min_lr=0.02)
    assert sched(np.array([10, 11, 15, 20, 1000])).tolist() == [0.02] * 5


def test_cosine_restarts_with_fixed_period_is_periodic():
    lr, T0, low = 0.1, 5, 0.01
    sched = S.cosine_restarts(lr, first_period=T0, min_lr=low)
    t = np.arange(40)
    assert np.array_equal(sched(t), sched(t + T0))
    assert sched(np.array([0, 5, 10, 35])).tolist() == [lr] * 4
    assert close(sched(4), low + (lr - low) * (1 + math.cos(math.pi * 4 / 5)) / 2)


def test_cosine_restarts_with_growing_periods():
    lr, T0, m = 1.0, 2, 3
    sched = S.cosine_restarts(lr, first_period=T0, period_mult=m)
    # periods of 2, 6, 18 steps start at 0, 2, 8, 26
    assert sched(np.array([0, 2, 8, 26])).tolist() == [lr] * 4
    for start, period in [(0, 2), (2, 6), (8, 18), (26, 54)]:
        for k in range(period):
            assert close(sched(start + k), lr * (1 + math.cos(math.pi * k / period)) / 2)


def test_cosine_restarts_finds_restarts_exactly():
    # T_0 = 1, T_mult = 3: restarts at 0, 1, 4, 13, 40, 121, 364. At 121 a
    # floating-point log gives log3(243) = 4.999..., one period too early.
    sched = S.cosine_restarts(1.0, first_period=1, period_mult=3)
    assert sched(np.array([0, 1, 4, 13, 40, 121, 364])).tolist() == [1.0] * 7
    assert sched(120) < 1e-3 and sched(363) < 1e-4


def test_cyclic_triangular_peaks_troughs_and_period():
    base, peak, up, down = 0.01, 0.1, 3, 5
    sched = S.cyclic(base, peak, step_size_up=up, step_size_down=down)
    C = up + down
    assert sched(0) == base
    assert close(sched(up), peak)
    assert close(sched(C), base)
    assert close(sched(1), base + (peak - base) * 1 / up)
    assert close(sched(up + 2), peak - (peak - base) * 2 / down)
    t = np.arange(50)
    assert np.allclose(sched(t), sched(t + C), rtol=1e-12)


def test_cyclic_step_size_down_defaults_to_up():
    sched = S.cyclic(0.0, 1.0, step_size_up=4)
    assert np.allclose(sched(np.arange(9)), [0, 0.25, 0.5, 0.75, 1, 0.75, 0.5, 0.25, 0])


def test_cyclic_triangular2_halves_the_amplitude_each_cycle():
    base, peak, up = 0.1, 0.5, 2
    sched = S.cyclic(base, peak, step_size_up=up, mode="triangular2")
    peaks = sched(np.array([up, up + 2 * up, up + 4 * up, up + 6 * up]))
    expected = [base + (peak - base) / 2**k for k in range(4)]
    assert np.allclose(peaks, expected, rtol=1e-12)
    assert np.allclose(sched(np.array([0, 4, 8, 12])), base)


def test_cyclic_exp_range_scales_by_gamma_to_the_step():
    base, peak, up, g = 0.1, 0.5, 2, 0.8
    sched = S.cyclic(base, peak, step_size_up=up, mode="exp_range", gamma=g)
    for t, height in [(1, 0.5), (2, 1.0), (3, 0.5), (6, 1.0), (7, 0.5)]:
        assert close(sched(t), base + (peak - base) * height * g**t)


def test_cyclic_gamma_is_ignored_outside_exp_range():
    a = S.cyclic(0.0, 1.0, step_size_up=3, gamma=0.5)(np.arange(20))
    b = S.cyclic(0.0, 1.0, step_size_up=3)(np.arange(20))
    assert np.array_equal(a, b)


def test_one_cycle_two_phases_cos():
    max_lr, N, p = 1.0, 20, 0.25
    sched = S.one_cycle(max_lr, total_steps=N, pct_start=p)
    initial = max_lr / 25.0
    final = initial / 1e4
    a = p * N - 1  # 4.0, the warm-up's last step
    assert close(sched(0), initial)
    assert close(sched(4), max_lr)
    assert close(sched(2), max_lr + (initial - max_lr) / 2 * (math.cos(math.pi * 2 / a) + 1))
    k = 10
    pct = (k - a) / (N - 1 - a)
    assert close(sched(k), final + (max_lr - final) / 2 * (math.cos(math.pi * pct) + 1))
    assert close(sched(N - 1), final)
    assert sched(N) == sched(N - 1) == sched(5 * N)


def test_one_cycle_phase_end_at_a_fractional_step():
    # N = 7, p = 0.3: PyTorch ends the warm-up at step float(0.3 * 7) - 1 = 1.1.
    max_lr, N = 0.5, 7
    sched = S.one_cycle(max_lr, total_steps=N, anneal_strategy="linear", div_factor=5.0, final_div_factor=10.0)
    initial, final = max_lr / 5.0, max_lr / 5.0 / 10.0
    a = float(0.3 * N) - 1
    assert close(sched(1), (max_lr - initial) * (1 / a) + initial)
    assert close(sched(2), (final - max_lr) * ((2 - a) / (N - 1 - a)) + max_lr)
    assert close(sched(N - 1), final)


def test_one_cycle_three_phases_linear():
    max_lr, N, p = 1.0, 21, 0.25
    sched = S.one_cycle(max_lr, total_steps=N, pct_start=p, anneal_strategy="linear", three_phase=True)
    initial, final = max_lr / 25.0, max_lr / 25.0 / 1e4
    a = float(p * N) - 1  # 4.25
    b = float(2 * p * N) - 2  # 8.5
    assert close(sched(0), initial)
    assert close(sched(4), (max_lr - initial) * (4 / a) + initial)
    assert close(sched(5), (initial - max_lr) * ((5 - a) / (b - a)) + max_lr)
    assert close(sched(8), (initial - max_lr) * ((8 - a) / (b - a)) + max_lr)
    assert close(sched(9), (final - initial) * ((9 - b) / (N - 1 - b)) + initial)
    assert close(sched(N - 1), final)
    assert sched(N + 3) == sched(N - 1)


def test_one_cycle_takes_a_numpy_bool_for_three_phase():
    steps = np.arange(25)
    with_numpy = S.one_cycle(1.0, total_steps=21, three_phase=np.True_)
    assert with_numpy.params["three_phase"] is True
    assert np.array_equal(with_numpy(steps), S.one_cycle(1.0, total_steps=21, three_phase=True)(steps))


def test_one_cycle_peak_is_the_largest_rate():
    sched = S.one_cycle(0.4, total_steps=100)
    lrs = sched(np.arange(100))
    assert int(np.argmax(lrs)) == 29 and close(lrs.max(), 0.4)


def test_warmup_ramps_linearly_then_restarts_the_clock():
    inner = S.cosine(0.1, total_steps=10, min_lr=0.01)
    W, s = 4, 0.25
    sched = S.warmup(inner, warmup_steps=W, start_factor=s)
    for t in range(W):
        assert close(sched(t), 0.1 * (s + (1 - s) * t / W))
    for k in range(15):
        assert sched(W + k) == inner(k)
    assert close(sched(W + 10), 0.01)


def _warmup_by_its_own_formula(schedule, W, s, t):
    """The rates of the warm-up as computed before it was built from linear and join."""
    peak = float(schedule(0))
    lrs = np.empty(t.shape)
    warming = t < W
    lrs[warming] = peak * (s + (1 - s) * t[warming] / W)
    if not warming.all():
        lrs[~warming] = schedule(t[~warming] - W)
    return lrs


@pytest.mark.parametrize(
    "inner",
    [
        S.cosine(0.1, total_steps=10, min_lr=0.01),
        S.constant(0.3),
        S.step_decay(0.7, step_size=3, gamma=0.5),
        S.one_cycle(0.5, total_steps=40),
        lambda t: 1.0 / (1.0 + t),
    ],
)
@pytest.mark.parametrize("W, s", [(1, 0.1), (3, 0.0), (4, 0.25), (7, 1 / 3), (10, 0.9), (13, 1.0)])
def test_warmup_gives_the_same_bits_as_its_formula(inner, W, s):
    t = np.arange(200)
    expected = _warmup_by_its_own_formula(inner, W, s, t)
    sched = S.warmup(inner, warmup_steps=W, start_factor=s)
    assert np.array_equal(sched(t), expected)
    assert [sched(int(k)) for k in t[:30]] == expected[:30].tolist()


def test_warmup_refuses_a_schedule_that_starts_below_zero():
    with pytest.raises(ValueError, match=r"^schedule\(0\) must be a finite number >= 0, got -0.1$"):
        S.warmup(lambda t: -0.1 + 0 * t, warmup_steps=3)


def test_warmup_from_zero_and_of_a_number():
    sched = S.warmup(0.2, warmup_steps=5, start_factor=0.0)
    assert np.allclose(sched(np.arange(8)), [0.0, 0.04, 0.08, 0.12, 0.16, 0.2, 0.2, 0.2])
    assert repr(sched) == "warmup(schedule=constant(lr=0.2), warmup_steps=5, start_factor=0.0)"


def test_warmup_takes_a_plain_function():
    sched = S.warmup(lambda t: 1.0 / (1.0 + t), warmup_steps=2, start_factor=0.5)
    assert np.allclose(sched(np.arange(5)), [0.5, 0.75, 1.0, 0.5, 1 / 3])


def test_join_runs_each_schedule_on_its_own_clock():
    first = S.linear(0.1, start_factor=0.5, end_factor=1.0, total_steps=3)
    second = S.constant(0.1)
    third = S.step_decay(0.1, step_size=2, gamma=0.5)
    sched = S.join([first, second, third], boundaries=[3, 5])
    t = np.arange(12)
    expected = np.concatenate([first(t[:3]), second(t[3:5] - 3), third(t[5:] - 5)])
    assert np.array_equal(sched(t), expected)
    assert sched(5) == 0.1 and sched(7) == 0.05


def test_join_of_one_schedule_is_that_schedule():
    inner = S.exponential(0.1, gamma=0.9)
    assert np.array_equal(S.join([inner], boundaries=[])(np.arange(10)), inner(np.arange(10)))


# --- ReduceOnPlateau --------------------------------------------------------------


def test_plateau_waits_patience_bad_epochs_then_cuts():
    plateau = S.ReduceOnPlateau(1.0, factor=0.5, patience=2)
    # epoch:   best 5 | bad 1 | bad 2 | bad 3 > 2: cut | bad 1 | better | bad 1
    losses = [5.0, 5.0, 6.0, 5.0, 5.0, 4.0, 4.0]
    expected = [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5]
    assert [plateau.step(x) for x in losses] == expected
    assert plateau.best == 4.0 and plateau.num_bad_epochs == 1


def test_plateau_with_zero_patience_cuts_at_the_first_bad_epoch():
    plateau = S.ReduceOnPlateau(1.0, factor=0.1, patience=0)
    assert plateau.step(1.0) == 1.0
    assert close(plateau.step(1.0), 0.1)
    assert close(plateau.step(0.5), 0.1)
    assert close(plateau.step(0.6), 0.01)


def test_plateau_cooldown_ignores_bad_epochs():
    plateau = S.ReduceOnPlateau(1.0, factor=0.5, patience=0, cooldown=2)
    lrs = [plateau.step(x) for x in [1.0, 2.0, 2.0, 2.0, 2.0, 2.0]]
    # cut at epoch 2; epochs 3 and 4 are the cooldown; bad again at 5 -> cut; cooldown at 6
    assert lrs == [1.0, 0.5, 0.5, 0.5, 0.25, 0.25]
    assert plateau.cooldown_counter == 1


def test_plateau_relative_and_absolute_thresholds():
    rel = S.ReduceOnPlateau(1.0, patience=0, threshold=0.1, threshold_mode="rel")
    rel.step(10.0)
    assert rel.step(9.5) == 0.1 * 1.0  # 9.5 is not below 10 * (1 - 0.1) = 9
    assert rel.best == 10.0
    rel.step(8.9)
    assert rel.best == 8.9
    absolute = S.ReduceOnPlateau(1.0, patience=0, threshold=0.1, threshold_mode="abs")
    absolute.step(10.0)
    assert absolute.step(9.95) == 0.1  # not below 10 - 0.1
    absolute.step(9.85)
    assert absolute.best == 9.85


def test_plateau_max_mode():
    plateau = S.ReduceOnPlateau(1.0, mode="max", factor=0.5, patience=1, threshold=0.0)
    lrs = [plateau.step(a) for a in [0.5, 0.6, 0.6, 0.6, 0.7]]
    assert lrs == [1.0, 1.0, 1.0, 0.5, 0.5]
    assert plateau.best == 0.7


def test_plateau_respects_min_lr_and_eps():
    floor = S.ReduceOnPlateau(1.0, factor=0.1, patience=0, min_lr=0.05)
    lrs = [floor.step(1.0) for _ in range(5)]
    assert lrs == [1.0, 0.1, 0.05, 0.05, 0.05]
    tiny = S.ReduceOnPlateau(1e-8, factor=0.5, patience=0, eps=1e-8)
    tiny.step(1.0)
    assert tiny.step(1.0) == 1e-8  # the cut of 5e-9 is below eps: skipped


def test_plateau_counts_nan_as_a_bad_epoch():
    plateau = S.ReduceOnPlateau(1.0, factor=0.5, patience=1)
    assert [plateau.step(x) for x in [1.0, float("nan"), float("nan")]] == [1.0, 1.0, 0.5]
    assert plateau.best == 1.0


def test_plateau_repr_shows_the_state():
    plateau = S.ReduceOnPlateau(0.1, patience=3)
    plateau.step(2.0)
    plateau.step(2.0)
    text = repr(plateau)
    assert "lr=0.1" in text and "best=2.0" in text and "num_bad_epochs=1 of patience=3" in text


# --- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: S.constant(-0.1), r"lr must be a finite number >= 0, got -0.1"),
        (lambda: S.constant(float("nan")), r"lr must be a finite number"),
        (lambda: S.step_decay(0.1, step_size=0), r"step_size must be an integer >= 1, got 0"),
        (lambda: S.step_decay(0.1, step_size=2, gamma=1.5), r"gamma must be a finite number > 0 and <= 1, got 1.5"),
        (lambda: S.step_decay(0.1, step_size=2, gamma=0.0), r"gamma must be a finite number > 0"),
        (lambda: S.multistep(0.1, milestones=[3, 3]), r"milestones must be .*strictly increasing.*got \(3, 3\)"),
        (lambda: S.multistep(0.1, milestones=[5, 2]), r"milestones must be"),
        (lambda: S.multistep(0.1, milestones=[0, 2]), r"milestones must be .*>= 1"),
        (lambda: S.multistep(0.1, milestones=[]), r"milestones must be a non-empty"),
        (lambda: S.exponential(0.1, gamma=-0.5), r"gamma must be"),
        (lambda: S.linear(0.1, start_factor=1.5), r"start_factor must be a finite number >= 0 and <= 1, got 1.5"),
        (lambda: S.linear(0.1, end_factor=-0.1), r"end_factor must be"),
        (lambda: S.linear(0.1, total_steps=0), r"total_steps must be an integer >= 1, got 0"),
        (lambda: S.polynomial(0.1, power=0.0), r"power must be a finite number > 0, got 0.0"),
        (lambda: S.cosine(0.1, total_steps=0), r"total_steps must be an integer >= 1, got 0"),
        (lambda: S.cosine(0.1, total_steps=10, min_lr=0.2), r"min_lr must be a finite number >= 0 and <= 0.1, got 0.2"),
        (lambda: S.cosine_restarts(0.1, first_period=0), r"first_period must be an integer >= 1, got 0"),
        (lambda: S.cosine_restarts(0.1, first_period=5, period_mult=0), r"period_mult must be an integer >= 1"),
        (lambda: S.cyclic(0.1, 0.05), r"max_lr must be a finite number >= 0.1, got 0.05"),
        (lambda: S.cyclic(0.01, 0.1, step_size_up=0), r"step_size_up must be an integer >= 1, got 0"),
        (lambda: S.cyclic(0.01, 0.1, step_size_down=0), r"step_size_down must be an integer >= 1, got 0"),
        (lambda: S.cyclic(0.01, 0.1, mode="sine"), r"mode must be one of 'triangular', 'triangular2', 'exp_range'"),
        (lambda: S.cyclic(0.01, 0.1, mode="exp_range", gamma=1.01), r"gamma must be"),
        (lambda: S.one_cycle(0.1, total_steps=0), r"total_steps must be an integer >= 1, got 0"),
        (lambda: S.one_cycle(0.1, total_steps=10, pct_start=1.2), r"pct_start must be a finite number >= 0 and <= 1"),
        (lambda: S.one_cycle(0.1, total_steps=10, pct_start=0.1), r"pct_start \* total_steps must not be 1"),
        (lambda: S.one_cycle(0.1, total_steps=10, anneal_strategy="cosine"), r"anneal_strategy must be one of"),
        (lambda: S.one_cycle(0.1, total_steps=10, div_factor=0), r"div_factor must be a finite number > 0"),
        (lambda: S.one_cycle(0.1, total_steps=10, final_div_factor=-1), r"final_div_factor must be"),
        (lambda: S.warmup(S.constant(0.1), warmup_steps=0), r"warmup_steps must be an integer >= 1, got 0"),
        (lambda: S.warmup(S.constant(0.1), warmup_steps=5, start_factor=2), r"start_factor must be"),
        (lambda: S.join([S.constant(0.1), S.constant(0.2)], boundaries=[]), r"boundaries must be a non-empty"),
        (lambda: S.join([S.constant(0.1), S.constant(0.2)], boundaries=[3, 6]), r"boundaries must hold one step fewer"),
        (lambda: S.join([S.constant(0.1)] * 3, boundaries=[4, 4]), r"boundaries must be .*strictly increasing"),
        (lambda: S.join([], boundaries=[]), r"schedules must hold at least one schedule"),
        (lambda: S.ReduceOnPlateau(0.1, mode="lowest"), r"mode must be one of 'min', 'max', got 'lowest'"),
        (lambda: S.ReduceOnPlateau(0.1, factor=1.0), r"factor must be a finite number > 0 and < 1, got 1.0"),
        (lambda: S.ReduceOnPlateau(0.1, patience=-1), r"patience must be an integer >= 0, got -1"),
        (lambda: S.ReduceOnPlateau(0.1, threshold_mode="relative"), r"threshold_mode must be one of"),
        (lambda: S.ReduceOnPlateau(0.1, threshold=1.0), r"threshold must be a finite number >= 0 and < 1"),
        (lambda: S.ReduceOnPlateau(0.1, cooldown=-2), r"cooldown must be an integer >= 0, got -2"),
        (lambda: S.ReduceOnPlateau(0.1, min_lr=-1e-3), r"min_lr must be"),
        (lambda: S.ReduceOnPlateau(0.1, eps=-1.0), r"eps must be"),
    ],
)
def test_bad_arguments_are_value_errors_naming_them(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: S.step_decay(0.1, step_size=2.0), r"step_size must be an integer"),
        (lambda: S.multistep(0.1, milestones=[2.0, 4.0]), r"milestones must be a sequence"),
        (lambda: S.multistep(0.1, milestones=5), r"milestones must be a sequence"),
        (lambda: S.cosine(0.1, total_steps=10.5), r"total_steps must be an integer"),
        (lambda: S.one_cycle(0.1, total_steps=10, three_phase="yes"), r"three_phase must be True or False"),
        (lambda: S.one_cycle(0.1, total_steps=10, three_phase=1), r"three_phase must be True or False, got 1"),
        (lambda: S.warmup("cosine", warmup_steps=5), r"schedule must be a schedule"),
        (lambda: S.join([S.constant(0.1), None], boundaries=[2]), r"schedules\[1\] must be a schedule"),
        (lambda: S.ReduceOnPlateau("0.1"), r"lr must be a real number"),
        (lambda: S.ReduceOnPlateau(0.1).step("0.5"), r"metric must be a real number"),
        (lambda: S.ReduceOnPlateau(0.1).step(np.array([0.5, 0.4])), r"metric must be a real number"),
    ],
)
def test_wrong_types_are_type_errors_naming_them(make, message):
    with pytest.raises(TypeError, match=message):
        make()


# --- warmup-stable-decay and inverse square root --------------------------------


@pytest.mark.parametrize("decay, shape", [
    ("linear", lambda p: 1 - p),
    ("cosine", lambda p: (1 + math.cos(math.pi * p)) / 2),
    ("1-sqrt", lambda p: 1 - math.sqrt(p)),
])
def test_wsd_follows_its_three_phases_step_by_step(decay, shape):
    lr, low, T, W, D, s = 0.4, 0.04, 30, 5, 10, 0.2
    sched = S.wsd(lr, total_steps=T, warmup_steps=W, decay_steps=D, decay=decay, min_lr=low, start_factor=s)
    for t in range(T + 5):
        if t < W:
            expected = lr * (s + (1 - s) * t / W)
        elif t < T - D:
            expected = lr
        elif t < T:
            expected = low + (lr - low) * shape((t - (T - D)) / D)
        else:
            expected = low
        assert close(sched(t), expected), (t, sched(t), expected)
    assert np.allclose(sched(np.arange(T + 5)), [sched(t) for t in range(T + 5)], rtol=0, atol=0)


def test_wsd_stable_phase_does_not_depend_on_the_horizon():
    short, long = S.wsd(0.1, total_steps=100, warmup_steps=10), S.wsd(0.1, total_steps=400, warmup_steps=10)
    t = np.arange(80)  # before the short schedule's decay (the last 20 steps)
    assert np.array_equal(short(t), long(t))
    assert short.params["decay_steps"] == 20 and long.params["decay_steps"] == 80


def test_wsd_without_warmup_starts_at_lr():
    assert S.wsd(0.3, total_steps=10)(0) == 0.3


@pytest.mark.parametrize("kwargs, name", [
    ({"total_steps": 0}, "total_steps"),
    ({"total_steps": 10, "warmup_steps": 10}, "warmup_steps"),
    ({"total_steps": 10, "warmup_steps": 4, "decay_steps": 7}, "decay_steps"),
    ({"total_steps": 10, "decay_steps": 0}, "decay_steps"),
    ({"total_steps": 10, "decay": "exp"}, "decay"),
    ({"total_steps": 10, "min_lr": 0.5}, "min_lr"),
    ({"total_steps": 10, "start_factor": 1.5}, "start_factor"),
])
def test_wsd_refuses_bad_arguments_by_name(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        S.wsd(0.1, **kwargs)


def test_inverse_sqrt_is_vaswanis_formula():
    d_model, W = 512, 40
    sched = S.inverse_sqrt((d_model * W) ** -0.5, warmup_steps=W)
    for t in range(200):
        s = t + 1
        assert close(sched(t), d_model**-0.5 * min(s**-0.5, s * W**-1.5))


def test_inverse_sqrt_peaks_at_the_end_of_warmup_and_halves_at_four_times_it():
    sched = S.inverse_sqrt(0.2, warmup_steps=25)
    rates = sched(np.arange(400))
    assert int(np.argmax(rates)) == 24 and close(rates[24], 0.2)
    assert close(sched(99), 0.1) and close(sched(399), 0.05)


def test_inverse_sqrt_refuses_zero_warmup():
    with pytest.raises(ValueError, match="warmup_steps"):
        S.inverse_sqrt(0.1, warmup_steps=0)
