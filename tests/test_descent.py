import warnings

import numpy as np
import pytest

from lrcourse import descent, landscapes, optim, schedules, theory
from lrcourse.descent import FAR_AWAY, Trajectory, run
from lrcourse.landscapes import DoubleWell, Noisy, Quadratic1D, Quadratic2D, Rosenbrock


def expected_divergence_step(L, x0, lr, blowup=1e6):
    """First t with f(x_t) > blowup * max(f(x_0), 1) on f = L/2 x^2, from x_t = (1 - lr L)^t x0."""
    gap0 = L / 2 * x0**2
    t = 0
    while gap0 * (1 - lr * L) ** (2 * t) <= blowup * max(gap0, 1.0):
        t += 1
    return t


@pytest.mark.parametrize("L", [0.5, 1.0, 4.0])
def test_gradient_descent_on_a_quadratic_converges_exactly_below_two_over_L(L):
    stable = np.linspace(0.02, 1.98, 50) / L
    trajectory = run(Quadratic1D(L=L), x0=1.0, lr=stable, steps=3000)
    assert np.all(trajectory.diverged_at == -1)
    assert np.all(trajectory.final_loss < 1e-20)
    unstable = np.array([2.01, 2.5, 4.0, 40.0]) / L
    trajectory = run(Quadratic1D(L=L), x0=1.0, lr=unstable, steps=3000)
    assert np.all(trajectory.diverged_at > 0)


@pytest.mark.parametrize("L, x0, lr", [(1.0, 1.0, 2.5), (1.0, 3.0, 2.01), (4.0, -0.2, 0.6), (0.5, 10.0, 100.0)])
def test_divergence_step_follows_the_geometric_growth(L, x0, lr):
    trajectory = run(Quadratic1D(L=L), x0=x0, lr=lr, steps=2000)
    d = expected_divergence_step(L, x0, lr)
    assert trajectory.diverged_at == d
    threshold = 1e6 * max(L / 2 * x0**2, 1.0)
    assert trajectory.losses[d] > threshold >= trajectory.losses[d - 1]
    assert np.all(np.isfinite(trajectory.positions[: d + 1]))
    assert np.all(np.isnan(trajectory.positions[d + 1 :]))
    assert np.all(np.isnan(trajectory.losses[d + 1 :]))


def test_exactly_two_over_L_oscillates_with_constant_size():
    trajectory = run(Quadratic1D(L=2.0), x0=1.5, lr=1.0, steps=101)
    assert trajectory.diverged_at == -1 and not trajectory.diverged
    np.testing.assert_array_equal(trajectory.positions, 1.5 * (-1.0) ** np.arange(102))


@pytest.mark.parametrize("lr", [0.05, 0.3, 0.9, 1.2, 1.7, 1.99])
def test_error_shrinks_by_one_minus_lr_L_every_step(lr):
    L = 1.0
    errors = run(Quadratic1D(L=L), x0=2.0, lr=lr, steps=30).positions
    np.testing.assert_allclose(errors[1:] / errors[:-1], 1 - lr * L, rtol=1e-14)
    # Off-centre, rounding near the centre limits the precision to about eps * center / error.
    center = 0.25
    errors = run(Quadratic1D(L=L, center=center), x0=2.0, lr=lr, steps=4).positions - center
    np.testing.assert_allclose(errors[1:] / errors[:-1], 1 - lr * L, rtol=1e-10)


def test_sign_oscillates_between_one_and_two_over_L_and_not_below():
    L = 4.0
    oscillating = run(Quadratic1D(L=L), x0=1.0, lr=np.array([1.1, 1.5, 1.9]) / L, steps=20)
    signs = np.sign(oscillating.positions)
    np.testing.assert_array_equal(signs, np.broadcast_to((-1.0) ** np.arange(21)[:, None], signs.shape))
    monotone = run(Quadratic1D(L=L), x0=1.0, lr=np.array([0.1, 0.5, 0.9]) / L, steps=20)
    assert np.all(monotone.positions > 0)
    assert np.all(np.diff(monotone.positions, axis=0) < 0)


@pytest.mark.parametrize("L", [0.5, 1.0, 2.0, 4.0])
def test_lr_one_over_L_reaches_the_minimum_in_one_step(L):
    trajectory = run(Quadratic1D(L=L), x0=-3.0, lr=1 / L, steps=3)
    assert trajectory.positions[1] == 0.0
    assert trajectory.steps_to(0.0) == 1


def test_lr_one_over_L_for_an_inexact_rate_lands_within_rounding():
    trajectory = run(Quadratic1D(L=3.0), x0=1.0, lr=1 / 3.0, steps=1)
    assert abs(trajectory.positions[1]) <= 1e-15


def test_2d_quadratic_follows_the_slowest_factor():
    mu, L, angle, tol = 0.1, 1.0, 0.4, 1e-8
    q = Quadratic2D(mu=mu, L=L, angle=angle)
    x0 = np.array([1.0, -2.0])
    rates = np.array([0.2, 1.0, 1.5, 1.9])
    steps = 600
    trajectory = run(q, x0, rates, steps)
    # By hand: principal coordinates z_i shrink by (1 - eta lambda_i) per step.
    u1 = np.array([np.cos(angle), np.sin(angle)])
    u2 = np.array([-np.sin(angle), np.cos(angle)])
    z1, z2 = x0 @ u1, x0 @ u2
    t = np.arange(steps + 1)[:, None]
    gap = mu / 2 * z1**2 * (1 - rates * mu) ** (2 * t) + L / 2 * z2**2 * (1 - rates * L) ** (2 * t)
    np.testing.assert_allclose(trajectory.losses, gap, rtol=1e-9, atol=1e-300)
    expected_steps = np.argmax(gap <= tol, axis=0)
    np.testing.assert_array_equal(trajectory.steps_to(tol), expected_steps)
    slowest = np.maximum(np.abs(1 - rates * mu), np.abs(1 - rates * L))
    bound = theory.steps_to_tolerance_quadratic(rates, L=L, mu=mu, gap0=q.value(x0), tol=tol)
    assert np.all(expected_steps <= bound)
    late = trajectory.losses[steps - 1 : steps + 1]
    np.testing.assert_allclose(late[1] / late[0], slowest**2, rtol=1e-6)


def assert_same_runs(batch, singles):
    """Equal up to rounding: numpy may round a batched matmul or power differently in the last bit."""
    for i, single in enumerate(singles):
        np.testing.assert_allclose(batch.positions[:, i], single.positions, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(batch.losses[:, i], single.losses, rtol=1e-12, atol=1e-14)
        np.testing.assert_array_equal(batch.lrs[:, i], single.lrs)
        assert batch.diverged_at[i] == single.diverged_at


@pytest.mark.parametrize(
    "landscape, rates, make_optimizer",
    [
        (Rosenbrock(), [1e-4, 1e-3, 2e-3, 3e-3], lambda: None),
        (Quadratic2D(mu=0.2, L=2.0, angle=1.0), [0.1, 0.9, 1.2], lambda: optim.SGD(momentum=0.9)),
        (Quadratic2D(mu=0.2, L=2.0), [0.01, 0.3, 3.0], lambda: optim.Adam()),
        (DoubleWell(), [0.05, 0.5, 1.0, 3.0], lambda: optim.RMSprop()),
    ],
    ids=["gd-rosenbrock", "momentum", "adam", "rmsprop"],
)
def test_vectorized_run_equals_separate_runs(landscape, rates, make_optimizer):
    batch = run(landscape, None, np.array(rates), 300, optimizer=make_optimizer())
    singles = [run(landscape, None, rate, 300, optimizer=make_optimizer()) for rate in rates]
    assert_same_runs(batch, singles)
    np.testing.assert_allclose(batch[1].positions, singles[1].positions, rtol=1e-12, atol=1e-14)


def test_batch_of_starts_with_one_rate_equals_separate_runs():
    starts = np.array([-2.0, -0.5, 0.0, 0.7, 2.5])
    batch = run(DoubleWell(), starts, 0.3, 200)
    assert_same_runs(batch, [run(DoubleWell(), x0, 0.3, 200) for x0 in starts])


def test_paired_starts_and_rates():
    starts = np.array([[1.0, 1.0], [-1.0, 2.0]])
    batch = run(Quadratic2D(), starts, np.array([0.5, 1.5]), 10)
    assert_same_runs(batch, [run(Quadratic2D(), starts[0], 0.5, 10), run(Quadratic2D(), starts[1], 1.5, 10)])


@pytest.mark.parametrize(
    "landscape", [Quadratic1D(), Quadratic2D(), Rosenbrock(), DoubleWell(), Noisy(Rosenbrock(), 1.0)], ids=repr
)
@pytest.mark.parametrize("make_optimizer", [lambda: None, lambda: optim.Adam(), lambda: optim.SGD(momentum=0.99)])
def test_huge_rates_never_warn(landscape, make_optimizer):
    rates = np.array([1e-3, 1.0, 1e6, 1e100, 1e300])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        rng = np.random.default_rng(0) if isinstance(landscape, Noisy) else None
        trajectory = run(landscape, None, rates, 1000, optimizer=make_optimizer(), rng=rng)
    d = trajectory.diverged_at
    assert np.all(d[2:] > 0)
    for i in np.flatnonzero(d > 0):
        assert np.all(np.isnan(trajectory.positions[d[i] + 1 :, i]))
        assert np.all(np.isnan(trajectory.losses[d[i] + 1 :, i]))


def test_huge_rate_on_quadratic_diverges_at_the_first_step():
    trajectory = run(Quadratic1D(), x0=1.0, lr=np.array([1e6, 1e300]), steps=1000)
    np.testing.assert_array_equal(trajectory.diverged_at, [1, 1])
    assert trajectory.losses[1, 0] == 0.5 * (1 - 1e6) ** 2  # finite, recorded
    assert np.isnan(trajectory.positions[1, 1])  # beyond FAR_AWAY: not evaluated...
    assert trajectory.losses[1, 1] == np.inf  # ...and recorded as infinite loss
    assert FAR_AWAY < 1e300


def test_schedule_sets_the_rate_of_each_step():
    L, x0 = 1.0, 2.0

    def schedule(t):
        return 1.5 / (1 + t)

    trajectory = run(Quadratic1D(L=L), x0, schedule, steps=6)
    rates = [schedule(t) for t in range(6)]
    np.testing.assert_array_equal(trajectory.lrs, rates)
    expected = [x0]
    for rate in rates:
        expected.append(expected[-1] * (1 - rate * L))
    np.testing.assert_allclose(trajectory.positions, expected, rtol=1e-15)


def test_schedule_from_lrcourse_schedules_applies_to_every_run():
    schedule = schedules.step_decay(0.8, step_size=3, gamma=0.5)
    trajectory = run(Quadratic2D(mu=0.5, L=1.0), np.array([[1.0, 1.0], [2.0, -1.0]]), schedule, steps=7)
    np.testing.assert_array_equal(trajectory.lrs[:, 0], [0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2])
    np.testing.assert_array_equal(trajectory.lrs[:, 1], trajectory.lrs[:, 0])
    factors = np.prod(1 - np.outer(trajectory.lrs[:, 0], [0.5, 1.0]), axis=0)
    np.testing.assert_allclose(trajectory.positions[-1], [[1.0, 1.0], [2.0, -1.0]] * factors, rtol=1e-14)


def test_given_optimizer_is_copied_reset_and_run_with_the_given_rate():
    opt = optim.SGD(lr=0.01, momentum=0.5)
    opt.step(np.array(5.0), np.array(1.0))
    L, lr, beta, w = 2.0, 0.2, 0.5, 1.0
    trajectory = run(Quadratic1D(L=L), w, lr, steps=4, optimizer=opt)
    assert opt.t == 1 and opt.lr == 0.01
    # Heavy ball by hand, PyTorch's form: b_1 = g_1, b_t = beta b_{t-1} + g_t, w -= lr b_t.
    expected, buffer = [w], None
    for _ in range(4):
        g = L * w
        buffer = g if buffer is None else beta * buffer + g
        w = w - lr * buffer
        expected.append(w)
    np.testing.assert_allclose(trajectory.positions, expected, rtol=1e-15)


def test_noisy_runs_are_seeded_and_independent_per_run():
    noisy = Noisy(Quadratic2D(), noise_std=0.5)
    a = run(noisy, None, np.array([0.1, 0.1]), 20, rng=np.random.default_rng(7))
    b = run(noisy, None, np.array([0.1, 0.1]), 20, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a.positions, b.positions)
    assert not np.array_equal(a.positions[:, 0], a.positions[:, 1])
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        run(noisy, None, 0.1, 20)
    quiet = run(Noisy(Quadratic2D(), noise_std=0.0), None, 0.1, 20, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(quiet.positions, run(Quadratic2D(), None, 0.1, 20).positions)


def test_default_start_is_used_when_x0_is_none():
    trajectory = run(Rosenbrock(), None, 1e-3, 2)
    np.testing.assert_array_equal(trajectory.positions[0], Rosenbrock().default_start)


def test_steps_to_matches_the_closed_form():
    L, x0, tol = 1.0, 1.0, 1e-6
    rates = np.array([0.1, 0.5, 1.0, 1.9, 2.5])
    trajectory = run(Quadratic1D(L=L), x0, rates, 200)
    by_hand = []
    for rate in rates:
        gaps = L / 2 * x0**2 * (1 - rate * L) ** (2 * np.arange(201))
        by_hand.append(int(np.argmax(gaps <= tol)) if (gaps <= tol).any() else -1)
    np.testing.assert_array_equal(trajectory.steps_to(tol), by_hand)
    predicted = theory.steps_to_tolerance_quadratic(rates[:4], L=L, gap0=0.5, tol=tol)
    np.testing.assert_array_equal(trajectory.steps_to(tol)[:4], predicted)
    assert trajectory[4].steps_to(tol) is None
    assert trajectory[0].steps_to(tol) == by_hand[0]


def test_final_loss_and_describe():
    trajectory = run(Quadratic1D(L=1.0), 1.0, np.array([2.5, 0.5, 0.001]), 100)
    final = trajectory.final_loss
    assert final[1] == pytest.approx(0.5 * 0.25**100, rel=1e-12)
    assert np.isnan(final[0])
    lines = trajectory.describe().splitlines()
    assert lines[0] == f"lr=2.5: diverged at step {expected_divergence_step(1.0, 1.0, 2.5)}"
    assert lines[1] == (
        f"lr=0.5: converged to loss {final[1]:.2g} in 100 steps (within 1e-06 of the minimum from step 10)"
    )
    assert lines[2] == f"lr=0.001: still decreasing after 100 steps, loss 0.5 -> {final[2]:.2g}"
    assert trajectory[2].describe(tol=1.0).startswith("lr=0.001: converged to loss")


def test_describe_names_a_varying_rate_by_its_ends():
    trajectory = run(Quadratic1D(), 1.0, lambda t: 0.5 * 0.5**t, 4)
    assert trajectory.describe().startswith("lr=0.5..0.0625: still decreasing after 4 steps, loss 0.5 -> ")


def test_outcomes_tell_a_growing_run_from_a_slow_one_and_a_standstill():
    # On f = w^2/2 (L = 1) each step multiplies w by 1 - eta: the loss gap by (1 - eta)^2.
    rates = np.array([0.05, 1.0, 1.9, 2.0, 2.1, 2.3, 3.0])
    trajectory = run(Quadratic1D(L=1.0), 2.0, rates, 25)
    expected = ["decreasing", "converged", "decreasing", "stalled", "growing", "growing", "diverged"]
    assert trajectory.outcomes().tolist() == expected
    assert trajectory[5].outcomes() == "growing"
    assert trajectory.final_loss[5] == pytest.approx(2.0 * 1.3**50, rel=1e-12)  # 1e6, below the threshold 2e6
    lines = trajectory.describe().splitlines()
    assert lines[0] == f"lr=0.05: still decreasing after 25 steps, loss 2 -> {2.0 * 0.95**50:.2g}"
    assert lines[3] == "lr=2: stalled after 25 steps, loss 2 -> 2"
    assert lines[5] == f"lr=2.3: growing after 25 steps, loss 2 -> {2.0 * 1.3**50:.2g}"
    # A tolerance that the slow run meets turns it into converged.
    assert trajectory.outcomes(tol=1.0)[0] == "converged"


def test_outcomes_compare_the_last_stretch_not_the_start():
    # Up for 10 steps, then down: the last stretch decides, so it is decreasing although above its start.
    trajectory = run(Quadratic1D(L=1.0), 1.0, lambda t: 2.2 if t < 10 else 0.05, 40)
    assert trajectory.final_loss == pytest.approx(0.5 * 1.2**20 * 0.95**60, rel=1e-12)  # 0.88, above the start's 0.5
    assert trajectory.outcomes() == "decreasing"
    # Bouncing: the peaks fall but the troughs rise, so the run is not getting lower.
    bounce = Trajectory(positions=None, losses=np.array([0.0, 4, 1, 4, 1, 4, 1, 3, 2]), lrs=np.ones(8),
                        diverged_at=-1, min_value=0.0)
    assert bounce.outcomes() == "stalled"
    assert "stalled after 8 steps, loss 0 -> 2" in bounce.describe()
    without_minimum = run(Bowl(), 1.0, np.array([0.25, 1.0, 1.1]), 20)
    assert without_minimum.outcomes().tolist() == ["decreasing", "stalled", "growing"]


def test_reprs():
    assert repr(run(Quadratic1D(), 1.0, 1.5, 3)) == "Trajectory(lr=1.5, steps=3, final_loss=0.00781)"
    assert repr(run(Quadratic1D(), 1.0, 3.0, 30)) == "Trajectory(lr=3, steps=30, diverged_at=11)"
    assert repr(run(Quadratic1D(), 1.0, np.array([0.5, 3.0]), 30)) == "Trajectory(runs=2, steps=30, diverged=1)"


def test_shapes():
    single_1d = run(Quadratic1D(), 1.0, 0.1, 5)
    assert single_1d.positions.shape == (6,) and single_1d.losses.shape == (6,) and single_1d.lrs.shape == (5,)
    assert single_1d.n_runs is None and single_1d.steps == 5 and isinstance(single_1d.final_loss, float)
    batch_2d = run(Quadratic2D(), [1.0, 1.0], np.array([0.1, 0.2, 0.3]), 5)
    assert batch_2d.positions.shape == (6, 3, 2) and batch_2d.losses.shape == (6, 3) and batch_2d.lrs.shape == (5, 3)
    assert batch_2d.n_runs == 3 and batch_2d.diverged_at.dtype.kind == "i"
    assert isinstance(batch_2d, Trajectory)


class Bowl:
    """A landscape written by a learner, with no min_value."""

    dim = 1

    def value(self, x):
        return np.asarray(x, dtype=float) ** 2 + 3.0

    def grad(self, x):
        return 2 * np.asarray(x, dtype=float)


def test_landscape_without_min_value():
    trajectory = run(Bowl(), 1.0, np.array([0.25, 1.5]), 40)
    # Threshold: f(x0) + 1e6 * max(0, 1); |1 - 2 * 1.5| = 2, so f - 4 > 1e6 once 4^t > 1e6 + 1.
    np.testing.assert_array_equal(trajectory.diverged_at, [-1, 10])
    assert trajectory[0].describe() == f"lr=0.25: loss {trajectory.final_loss[0]:.2g} after 40 steps"
    with pytest.raises(ValueError, match="steps_to needs the landscape's min_value"):
        trajectory.steps_to(1e-3)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"steps": 0}, ValueError, "steps must be an integer >= 1, got 0"),
        ({"steps": 2.5}, TypeError, "steps must be an integer >= 1, got 2.5"),
        ({"lr": -0.1}, ValueError, "lr must be a finite number >= 0, got -0.1"),
        ({"lr": float("nan")}, ValueError, "lr must be a finite number >= 0, got nan"),
        ({"lr": [0.1, -1.0]}, ValueError, "lr must contain only finite numbers >= 0, got -1.0 at index 1"),
        (
            {"lr": np.ones((2, 2))},
            ValueError,
            "lr must be a number, a non-empty 1-D array of rates or a schedule, got shape (2, 2)",
        ),
        ({"lr": lambda t: 0.1 - 0.1 * t}, ValueError, "lr(2) must be a finite number >= 0, got -0.1"),
        (
            {"x0": [1.0, 2.0, 3.0]},
            ValueError,
            "x0 must have shape (2,) or (n_runs, 2) on a 2-D landscape, got shape (3,)",
        ),
        ({"x0": [1.0, float("inf")]}, ValueError, "x0 must contain only finite numbers, got inf at index 1"),
        (
            {"x0": np.ones((3, 2)), "lr": [0.1, 0.2]},
            ValueError,
            "x0 and lr must give the same number of runs, got 3 starts and 2 rates",
        ),
        ({"blowup": 0.5}, ValueError, "blowup must be a finite number >= 1, got 0.5"),
        ({"optimizer": "adam"}, TypeError, "optimizer must be an lrcourse.optim optimizer or None, got 'adam'"),
        ({"rng": 3}, TypeError, "rng must be a numpy Generator (np.random.default_rng(seed)) or None, got 3"),
    ],
)
def test_bad_input_names_the_argument(kwargs, error, message):
    arguments = {"landscape": Quadratic2D(), "x0": [1.0, 1.0], "lr": 0.1, "steps": 5, **kwargs}
    with pytest.raises(error) as raised:
        run(**arguments)
    assert str(raised.value) == message


def test_bad_landscape():
    with pytest.raises(TypeError, match="landscape must have value"):
        run(object(), 1.0, 0.1, 5)
    with pytest.raises(ValueError, match="x0 must be a number or a 1-D array of starts"):
        run(Quadratic1D(), np.ones((2, 2)), 0.1, 5)
    with pytest.raises(TypeError, match="run must be an integer"):
        run(Quadratic1D(), 1.0, np.array([0.1, 0.2]), 5)[0.5]
    with pytest.raises(TypeError, match="single run"):
        run(Quadratic1D(), 1.0, 0.1, 5)[0]


@pytest.mark.parametrize("lr", [0.3, 1.0, 1.2, 1.7, 2.0])
def test_oscillation_amplitude_is_the_first_overshoot_on_a_quadratic(lr):
    L, x0, center = 1.0, 2.0, 0.5
    trajectory = run(Quadratic1D(L=L, center=center), x0, lr, 40)
    expected = abs(1 - lr * L) * abs(x0 - center) if lr * L > 1 else 0.0
    assert trajectory.oscillation_amplitude() == pytest.approx(expected, rel=1e-14)


def test_oscillation_amplitude_of_a_diverging_run_and_of_a_2d_batch():
    diverging = run(Quadratic1D(), 1.0, 3.0, 40)  # w_t = (-2)^t, diverged at step 11
    assert diverging.oscillation_amplitude() == 2.0**diverging.diverged_at
    batch = run(Quadratic2D(mu=0.5, L=1.0), [1.0, -1.0], np.array([0.5, 1.5, 3.0]), 30)
    # Coordinate 2 (curvature 1) crosses for lr = 1.5 and 3; coordinate 1 (curvature 0.5) only for lr = 3.
    np.testing.assert_allclose(batch.oscillation_amplitude()[:2], [0.0, 0.5], rtol=1e-14)
    assert batch.oscillation_amplitude()[2] == np.nanmax(np.abs(batch.positions[: batch.diverged_at[2] + 1, 2]))


def test_table_rows_report_each_measurement():
    trajectory = run(Quadratic1D(L=1.0), 1.0, np.array([0.001, 0.5, 1.5, 2.0, 2.5]), 100)
    header, *rows = trajectory.table(tol=1e-6).splitlines()
    assert header.split() == ["lr", "outcome", "steps", "to", "1e-06", "final", "loss", "overshoot"]
    assert rows[0].split() == ["0.001", "still", "decreasing", "never", f"{trajectory.final_loss[0]:.2e}", "0"]
    assert rows[1].split() == ["0.5", "converged", "10", f"{trajectory.final_loss[1]:.2e}", "0"]
    assert rows[2].split() == ["1.5", "converged", "10", f"{trajectory.final_loss[2]:.2e}", "0.5"]
    assert rows[3].split() == ["2", "stalled", "never", "5.00e-01", "1"]
    assert rows[4].split()[:5] == ["2.5", "diverged", "at", "step", "18"]
    assert rows[4].split()[5:7] == ["never", "-"]


def test_trajectory_knows_the_minimum():
    assert run(Rosenbrock(a=2.0), None, 1e-4, 1).minimum.tolist() == [2.0, 4.0]
    with pytest.raises(ValueError, match="oscillation_amplitude needs the landscape's minimum"):
        run(Bowl(), 1.0, 0.1, 3).oscillation_amplitude()


def test_each_run_can_have_its_own_schedule_and_any_function_of_the_step_is_one():
    steps = 6
    per_run = run(Quadratic1D(), 1.0, [lambda t: 0.1 if t < 3 else 0.01, schedules.cosine(0.5, steps)], steps)
    alone = [run(Quadratic1D(), 1.0, lambda t: 0.1 if t < 3 else 0.01, steps), run(Quadratic1D(), 1.0, schedules.cosine(0.5, steps), steps)]
    for i, single in enumerate(alone):
        np.testing.assert_array_equal(per_run.positions[:, i], single.positions)
        np.testing.assert_array_equal(per_run.lrs[:, i], single.lrs)
    np.testing.assert_array_equal(per_run.lrs[:, 0], [0.1, 0.1, 0.1, 0.01, 0.01, 0.01])


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"lr": ["a", "b"]}, TypeError, "lr must be a real number or an array of them, got 'a' at index 0"),
        ({"lr": ["0.1", "0.2"]}, TypeError, "lr must be a real number or an array of them, got '0.1'"),
        ({"x0": "1.0"}, TypeError, "x0 must be a real number or an array of them, got '1.0'"),
        ({"x0": 1e200}, ValueError, "x0 must have every coordinate at most 1e+12 in size (FAR_AWAY), got 1e+200"),
    ],
)
def test_bad_starts_and_rates_are_refused_naming_them_without_numpy_warnings(kwargs, error, words):
    arguments = {"landscape": Quadratic1D(), "x0": 1.0, "lr": 0.1, "steps": 5, **kwargs}
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        with pytest.raises(error) as info:
            run(**arguments)
    assert words in str(info.value)


def test_preconditioned_run_with_the_identity_is_gradient_descent():
    bowl = landscapes.Quadratic2D(mu=0.2, L=1.0, angle=0.4)
    plain = descent.run(bowl, [1.0, -2.0], lr=[0.3, 1.5], steps=25)
    same = descent.preconditioned_run(bowl, [1.0, -2.0], lr=[0.3, 1.5], steps=25, preconditioner=np.eye(2))
    np.testing.assert_array_equal(same.positions, plain.positions)
    one_d = landscapes.Quadratic1D(L=2.0)
    np.testing.assert_array_equal(
        descent.preconditioned_run(one_d, 1.0, lr=0.3, steps=5, preconditioner=1.0).positions,
        descent.run(one_d, 1.0, lr=0.3, steps=5).positions,
    )


def test_preconditioning_with_the_inverse_hessian_removes_the_condition_number():
    bowl = landscapes.Quadratic2D(mu=0.001, L=1.0, angle=0.3)
    H = bowl.hessian([0.0, 0.0])
    inverse = np.linalg.inv(H)
    inverse = (inverse + inverse.T) / 2
    # P = H^-1: every direction has factor 1 - eta, so eta = 0.5 halves the error per step in both
    run = descent.preconditioned_run(bowl, [1.0, 1.0], lr=0.5, steps=10, preconditioner=inverse)
    np.testing.assert_allclose(run.positions[10], 0.5**10 * np.array([1.0, 1.0]), rtol=1e-9)
    newton = descent.preconditioned_run(bowl, [1.0, 1.0], lr=1.0, steps=1, preconditioner="newton")
    np.testing.assert_allclose(newton.positions[1], [0.0, 0.0], atol=1e-12)


def test_a_diagonal_preconditioner_is_gradient_descent_on_rescaled_coordinates():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(40, 2)) * [1.0, 8.0], rng.normal(size=40)
    raw = landscapes.LeastSquares(X, y)
    scale = np.sqrt(np.diag(raw.hessian([0.0, 0.0])))
    rescaled = landscapes.LeastSquares(X / scale, y)  # unit curvature along both weights
    jacobi = descent.preconditioned_run(raw, [0.0, 0.0], lr=0.9, steps=30, preconditioner=np.diag(1 / scale**2))
    plain = descent.run(rescaled, [0.0, 0.0], lr=0.9, steps=30)
    np.testing.assert_allclose(jacobi.losses, plain.losses, rtol=1e-10)
    np.testing.assert_allclose(jacobi.positions * scale, plain.positions, rtol=1e-9, atol=1e-12)


def test_newton_in_one_dimension_is_gradient_descent_at_rate_one_over_the_curvature():
    loss = landscapes.PseudoHuber(L=1.0)
    newton = descent.preconditioned_run(loss, 0.5, lr=1.0, steps=1, preconditioner="newton")
    w0 = 0.5
    assert newton.positions[1] == pytest.approx(w0 - loss.grad(w0) / loss.hessian(w0), rel=1e-15)
    # on sqrt(1 + w^2) - 1 Newton's step is w - w (1 + w^2) = -w^3: the error is cubed
    assert newton.positions[1] == pytest.approx(-(w0**3), rel=1e-14)


@pytest.mark.parametrize(
    "landscape, preconditioner, error, message",
    [
        (landscapes.Quadratic2D(), [[1.0, 0.5], [0.0, 1.0]], ValueError, "symmetric and positive definite"),
        (landscapes.Quadratic2D(), [[1.0, 0.0], [0.0, -1.0]], ValueError, "symmetric and positive definite"),
        (landscapes.Quadratic2D(), [1.0, 1.0], ValueError, r"2 x 2 matrix .* got shape \(2,\)"),
        (landscapes.Quadratic1D(), -1.0, ValueError, "preconditioner must be a finite number > 0, got -1.0"),
        (landscapes.Quadratic1D(), "newtons", ValueError, "preconditioner must be one of 'newton', got 'newtons'"),
    ],
)
def test_preconditioned_run_refuses_a_bad_preconditioner(landscape, preconditioner, error, message):
    with pytest.raises(error, match=message):
        descent.preconditioned_run(landscape, None, lr=0.1, steps=3, preconditioner=preconditioner)
