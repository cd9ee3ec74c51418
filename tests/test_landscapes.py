import numpy as np
import pytest

from lrcourse.landscapes import (
    DoubleWell,
    FlatDeepWell,
    LeastSquares,
    Noisy,
    PseudoHuber,
    Quadratic1D,
    Quadratic2D,
    Rosenbrock,
)

LANDSCAPES = [
    Quadratic1D(L=3.0, center=0.5),
    Quadratic2D(mu=0.2, L=5.0),
    Quadratic2D(mu=0.3, L=2.0, angle=0.7),
    Rosenbrock(),
    Rosenbrock(a=-0.5, b=3.0),
    DoubleWell(),
    DoubleWell(barrier_at=-0.6, scale=2.0),
    FlatDeepWell(),
    FlatDeepWell(barrier_at=-0.6, bend_at=1.5, bend_width=1.0, deep_curvature=2.0),
    PseudoHuber(),
    PseudoHuber(L=3.0, width=0.4, center=0.5),
    LeastSquares([[1.0, 0.5], [-0.3, 2.0], [2.0, -1.0], [0.1, 0.2]], [1.0, -2.0, 0.5, 3.0]),
]


def random_points(landscape, n=20, seed=0):
    shape = (n,) if landscape.dim == 1 else (n, 2)
    return np.random.default_rng(seed).uniform(-2, 2, size=shape)


def central_difference(function, x, h=1e-6):
    """d function / d x_i for every coordinate i, by central differences."""
    if x.ndim == 1:
        return (function(x + h) - function(x - h)) / (2 * h)
    columns = []
    for i in range(x.shape[-1]):
        step = np.zeros(x.shape[-1])
        step[i] = h
        columns.append((function(x + step) - function(x - step)) / (2 * h))
    return np.stack(columns, axis=-1)


@pytest.mark.parametrize("landscape", LANDSCAPES, ids=repr)
def test_gradient_matches_finite_differences(landscape):
    x = random_points(landscape)
    expected = central_difference(landscape.value, x)
    np.testing.assert_allclose(landscape.grad(x), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("landscape", LANDSCAPES, ids=repr)
def test_hessian_matches_finite_differences_of_gradient(landscape):
    x = random_points(landscape)
    expected = central_difference(landscape.grad, x)  # [..., j, i] = d g_j / d x_i
    np.testing.assert_allclose(landscape.hessian(x), expected, rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("landscape", [ls for ls in LANDSCAPES if ls.dim == 2], ids=repr)
def test_max_curvature_is_largest_hessian_eigenvalue(landscape):
    x = random_points(landscape)
    expected = np.linalg.eigvalsh(landscape.hessian(x))[..., -1]
    np.testing.assert_allclose(landscape.max_curvature(x), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("landscape", LANDSCAPES, ids=repr)
def test_minimum_has_min_value_and_zero_gradient(landscape):
    assert landscape.value(landscape.minimum) == pytest.approx(landscape.min_value, abs=1e-15)
    np.testing.assert_allclose(landscape.grad(landscape.minimum), 0.0, atol=1e-13)
    assert np.all(landscape.value(random_points(landscape)) >= landscape.min_value - 1e-15)


@pytest.mark.parametrize("landscape", LANDSCAPES, ids=repr)
def test_batches_of_any_shape(landscape):
    points = random_points(landscape, n=12).reshape((3, 4) + (() if landscape.dim == 1 else (2,)))
    assert landscape.value(points).shape == (3, 4)
    assert landscape.grad(points).shape == points.shape
    assert landscape.max_curvature(points).shape == (3, 4)
    single = points[1, 2]
    assert isinstance(landscape.value(single), float)
    assert landscape.value(single) == landscape.value(points)[1, 2]


def test_quadratic1d_by_hand():
    q = Quadratic1D(L=3.0, center=0.5)
    assert q.value(2.5) == 1.5 * 2.0**2
    assert q.grad(2.5) == 3.0 * 2.0
    assert q.max_curvature(-7.0) == 3.0
    assert q.minimum == 0.5 and q.default_start == 1.5


def test_quadratic2d_axes_and_curvatures():
    mu, L, angle = 0.25, 4.0, 0.3
    q = Quadratic2D(mu=mu, L=L, angle=angle)
    u1 = np.array([np.cos(angle), np.sin(angle)])
    u2 = np.array([-np.sin(angle), np.cos(angle)])
    assert q.value(u1) == pytest.approx(mu / 2, rel=1e-14)
    assert q.value(u2) == pytest.approx(L / 2, rel=1e-14)
    np.testing.assert_allclose(q.grad(3 * u1), 3 * mu * u1, rtol=1e-14)
    np.testing.assert_allclose(q.grad(3 * u2), 3 * L * u2, rtol=1e-14)
    np.testing.assert_allclose(np.linalg.eigvalsh(q.hessian([0.0, 0.0])), [mu, L], rtol=1e-14)
    assert q.condition_number == 16.0
    assert q.max_curvature([[1.0, 2.0], [3.0, 4.0]]).tolist() == [L, L]


def test_quadratic2d_unrotated_formula():
    q = Quadratic2D(mu=0.1, L=1.0)
    w = np.array([3.0, -2.0])
    assert q.value(w) == pytest.approx((0.1 * 9 + 1.0 * 4) / 2, rel=1e-15)
    np.testing.assert_allclose(q.grad(w), [0.1 * 3, 1.0 * -2], rtol=1e-15)


def test_rosenbrock_by_hand():
    r = Rosenbrock(a=1.0, b=100.0)
    assert r.value([-1.2, 1.0]) == pytest.approx(2.2**2 + 100 * (1 - 1.44) ** 2, rel=1e-14)
    np.testing.assert_allclose(r.grad([0.0, 0.0]), [-2.0, 0.0])
    np.testing.assert_allclose(r.hessian([1.0, 1.0]), [[802.0, -400.0], [-400.0, 200.0]])
    np.testing.assert_allclose(r.minimum, [1.0, 1.0])
    assert Rosenbrock(a=2.0).minimum.tolist() == [2.0, 4.0]


@pytest.mark.parametrize("m, k", [(-0.25, 1.0), (-0.6, 2.0), (-0.9, 0.5)])
def test_double_well_stationary_points_and_depths(m, k):
    well = DoubleWell(barrier_at=m, scale=k)
    (deep, deep_value), (shallow, shallow_value) = well.minima
    top, top_value = well.barrier
    assert (deep, shallow, top) == (1.0, -1.0, m)
    np.testing.assert_allclose(well.grad([deep, shallow, top]), 0.0, atol=1e-15)
    np.testing.assert_allclose(well.value([deep, shallow, top]), [deep_value, shallow_value, top_value], atol=1e-15)
    assert 0.0 == deep_value < shallow_value < top_value
    assert shallow_value == pytest.approx(-4 * k * m / 3, rel=1e-14)
    np.testing.assert_allclose(well.max_curvature([1.0, -1.0]), [2 * k * (1 - m), 2 * k * (1 + m)], rtol=1e-14)
    assert well.max_curvature(top) < 0
    assert well.default_start < top  # starts in the shallow basin


@pytest.mark.parametrize("m, c, d, kappa", [(-0.35, 2.0, 1.5, 1.5), (-0.6, 1.5, 1.0, 2.0), (-0.2, 3.0, 0.5, 0.7)])
def test_flat_deep_well_closed_forms(m, c, d, kappa):
    well = FlatDeepWell(barrier_at=m, bend_at=c, bend_width=d, deep_curvature=kappa)
    (deep, deep_value), (shallow, shallow_value) = well.minima
    top, top_value = well.barrier
    assert (deep, shallow, top) == (1.0, -1.0, m)
    np.testing.assert_allclose(well.grad([deep, shallow, top]), 0.0, atol=1e-13)
    q = lambda x: (x - c) ** 2 + d**2  # noqa: E731
    k = kappa / (2 * (1 - m) * q(1.0))
    assert well.scale == pytest.approx(k, rel=1e-14)
    x = np.linspace(-2.5, 2.5, 41)
    np.testing.assert_allclose(well.grad(x), k * (x**2 - 1) * (x - m) * q(x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(well.max_curvature([1.0, -1.0]), [kappa, 2 * k * (1 + m) * q(-1.0)], rtol=1e-12)
    # f(x) is the integral of g from +1: Simpson's rule on a fine grid, from +1 to -1 and to the barrier
    for end, value in ((shallow, shallow_value), (top, top_value)):
        u = np.linspace(1.0, end, 2001)
        g = well.grad(u)
        h = u[1] - u[0]
        assert value == pytest.approx(h / 3 * (g[0] + 4 * g[1:-1:2].sum() + 2 * g[2:-1:2].sum() + g[-1]), rel=1e-9)
    assert 0.0 == deep_value < shallow_value < top_value
    assert well.max_curvature(top) < 0
    assert np.all(well.value(x) >= -1e-15)  # +1 is the global minimum


def test_flat_deep_well_swaps_the_double_well_curvatures_and_keeps_its_interface():
    flat, sharp = FlatDeepWell(), DoubleWell()
    np.testing.assert_allclose(flat.max_curvature([1.0, -1.0]), sharp.max_curvature([-1.0, 1.0]), rtol=1e-12)
    assert flat.max_curvature(1.0) < flat.max_curvature(-1.0)  # the deep minimum is the flatter one
    assert sharp.max_curvature(1.0) > sharp.max_curvature(-1.0)  # in DoubleWell it is the sharper one
    barrier_above_shallow = flat.barrier[1] - flat.minima[1][1]
    assert barrier_above_shallow == pytest.approx(0.1244, abs=1e-4)
    assert flat.which_minimum([1.001, -0.999, 0.3]).tolist() == ["deep", "shallow", "neither"]
    assert flat.default_start < flat.barrier[0]


def test_flat_deep_well_refuses_parameters_that_make_minus_one_deeper():
    with pytest.raises(ValueError, match="must make [+]1 the deeper minimum, got f[(]-1[)] = -8.048"):
        FlatDeepWell(barrier_at=-0.05, bend_at=1.0, bend_width=0.2)


def test_double_well_default_curvatures_are_moderate():
    well = DoubleWell()
    assert well.max_curvature([1.0, -1.0]).tolist() == [2.5, 1.5]


def test_noisy_keeps_value_and_draws_its_noise_from_the_given_generator():
    base = Quadratic2D(mu=0.5, L=2.0)
    x = np.array([[1.0, -1.0], [0.5, 2.0]])
    noisy = Noisy(base, 0.3)
    np.testing.assert_array_equal(noisy.value(x), base.value(x))
    first = noisy.grad(x, np.random.default_rng(4))
    np.testing.assert_array_equal(first, noisy.grad(x, np.random.default_rng(4)))
    assert not np.array_equal(first, noisy.grad(x, np.random.default_rng(5)))
    np.testing.assert_array_equal(first, base.grad(x) + 0.3 * np.random.default_rng(4).standard_normal((2, 2)))
    assert not hasattr(noisy, "reset") and not hasattr(noisy, "seed")  # no hidden generator


def test_noisy_gradient_is_unbiased_with_the_given_spread_and_independent_per_point():
    base = Rosenbrock()
    sigma, n = 0.7, 20000
    noisy = Noisy(base, sigma)
    x = np.broadcast_to([0.3, -0.2], (n, 2))
    noise = noisy.grad(x, np.random.default_rng(1)) - base.grad(x)
    standard_error = sigma / np.sqrt(n)
    assert np.all(np.abs(noise.mean(axis=0)) < 5 * standard_error)
    np.testing.assert_allclose(noise.std(axis=0), sigma, rtol=0.03)
    correlation = np.corrcoef(noise[:-1, 0], noise[1:, 0])[0, 1]  # neighbouring runs
    assert abs(correlation) < 5 / np.sqrt(n)


def test_noisy_with_zero_noise_is_exact_and_delegates_curvature():
    base = DoubleWell()
    noisy = Noisy(base, 0.0)
    x = np.linspace(-2, 2, 7)
    np.testing.assert_array_equal(noisy.grad(x, np.random.default_rng(0)), base.grad(x))
    np.testing.assert_array_equal(noisy.max_curvature(x), base.max_curvature(x))
    assert (noisy.dim, noisy.minimum, noisy.min_value) == (1, 1.0, 0.0)


def test_reprs():
    assert repr(Quadratic2D(mu=0.1, L=1.0)) == "Quadratic2D(mu=0.1, L=1.0, angle=0.0)"
    assert repr(Quadratic1D()) == "Quadratic1D(L=1.0, center=0.0)"
    assert repr(Rosenbrock()) == "Rosenbrock(a=1.0, b=100.0)"
    assert repr(DoubleWell()) == "DoubleWell(barrier_at=-0.25, scale=1.0)"
    assert repr(FlatDeepWell()) == "FlatDeepWell(barrier_at=-0.35, bend_at=2.0, bend_width=1.5, deep_curvature=1.5)"
    assert repr(Noisy(Quadratic1D(), 0.5)) == "Noisy(Quadratic1D(L=1.0, center=0.0), noise_std=0.5)"


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Quadratic1D(L=0.0), "L must be a finite number > 0, got 0.0"),
        (lambda: Quadratic1D(L=-1.0), "L must be a finite number > 0, got -1.0"),
        (lambda: Quadratic2D(mu=0.0), "mu must be a finite number > 0, got 0.0"),
        (lambda: Quadratic2D(mu=2.0, L=1.0), "L must be a finite number >= 2, got 1.0"),
        (lambda: Rosenbrock(b=0.0), "b must be a finite number > 0, got 0.0"),
        (lambda: DoubleWell(barrier_at=0.0), "barrier_at must be a finite number > -1 and < 0, got 0.0"),
        (lambda: DoubleWell(barrier_at=-1.0), "barrier_at must be a finite number > -1 and < 0, got -1.0"),
        (lambda: DoubleWell(scale=float("inf")), "scale must be a finite number > 0, got inf"),
        (lambda: FlatDeepWell(barrier_at=0.1), "barrier_at must be a finite number > -1 and < 0, got 0.1"),
        (lambda: FlatDeepWell(bend_width=0.0), "bend_width must be a finite number > 0, got 0.0"),
        (lambda: FlatDeepWell(deep_curvature=-1.0), "deep_curvature must be a finite number > 0, got -1.0"),
        (lambda: Noisy(Quadratic1D(), -0.1), "noise_std must be a finite number >= 0, got -0.1"),
    ],
)
def test_bad_parameters_raise_value_error_naming_them(make, message):
    with pytest.raises(ValueError, match=f"^{message.replace('.', '[.]')}$"):
        make()


def test_bad_types_raise_type_error():
    with pytest.raises(TypeError, match="rng must be a numpy Generator .* got None"):
        Noisy(Quadratic1D(), 0.1).grad(1.0)
    with pytest.raises(TypeError, match="L must be a real number"):
        Quadratic1D(L="1")
    with pytest.raises(TypeError, match="landscape must be a noiseless landscape"):
        Noisy(Noisy(Quadratic1D(), 0.1), 0.1)
    with pytest.raises(TypeError, match="landscape must be a noiseless landscape"):
        Noisy(lambda x: x, 0.1)
    with pytest.raises(TypeError, match="x must be an array of real numbers"):
        Quadratic1D().value("one")
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        Noisy(Quadratic1D(), 0.1).grad(1.0, rng=3)


@pytest.mark.parametrize("landscape", [Quadratic2D(), Rosenbrock()], ids=repr)
@pytest.mark.parametrize("x, shape", [(np.zeros(3), "(3,)"), (np.zeros((4, 1)), "(4, 1)"), (1.0, "()")])
def test_2d_landscape_rejects_wrong_last_axis(landscape, x, shape):
    message = f"x must have shape (..., 2) for a 2-D landscape, got shape {shape}"
    for method in (landscape.value, landscape.grad, landscape.hessian, landscape.max_curvature):
        with pytest.raises(ValueError) as error:
            method(x)
        assert str(error.value) == message


def test_double_well_which_minimum():
    well = DoubleWell()
    x = np.array([[1.0, 1.02, -1.005, -0.5], [np.nan, 0.995, -1.0, 3.0]])
    np.testing.assert_array_equal(
        well.which_minimum(x, tol=0.01),
        [["deep", "neither", "shallow", "neither"], ["diverged", "deep", "shallow", "neither"]],
    )
    assert well.which_minimum(1.02, tol=0.05).tolist() == "deep"
    with pytest.raises(ValueError, match="tol must be a finite number >= 0, got -1.0"):
        well.which_minimum(1.0, tol=-1.0)


def test_noisy_gradient_at_a_single_point_is_a_float():
    noisy = Noisy(Quadratic1D(L=2.0), noise_std=0.0)
    g = noisy.grad(1.5, np.random.default_rng(0))
    assert isinstance(g, float) and g == 3.0


@pytest.mark.parametrize("x", ["1.0", ["0.5", "1.0"], [True, False]])
def test_points_that_are_not_numbers_are_refused_not_converted(x):
    with pytest.raises(TypeError, match="x must be an array of real numbers"):
        Quadratic1D().value(x)


def test_pseudo_huber_by_hand():
    h = PseudoHuber(L=2.0, width=0.5, center=1.0)
    # at x - c = 0.5 = s: u = 1, sqrt(1 + u^2) = sqrt(2)
    assert h.value(1.5) == pytest.approx(2.0 * 0.25 * (np.sqrt(2) - 1), rel=1e-15)
    assert h.grad(1.5) == pytest.approx(2.0 * 0.5 / np.sqrt(2), rel=1e-15)
    assert h.hessian(1.5) == pytest.approx(2.0 / 2 ** 1.5, rel=1e-15)
    assert (h.value(1.0), h.grad(1.0), h.hessian(1.0)) == (0.0, 0.0, 2.0)


def test_pseudo_huber_is_L_smooth_quadratic_near_its_minimum_and_linear_far_away():
    h = PseudoHuber(L=3.0, width=2.0)
    x = np.linspace(-50, 50, 2001)
    assert h.hessian(x).max() == 3.0 and np.all(h.hessian(x) > 0)
    assert h.value(1e-4) == pytest.approx(3.0 / 2 * 1e-8, rel=1e-8)  # L/2 x^2, without cancellation
    assert h.grad(1e6) == pytest.approx(3.0 * 2.0, rel=1e-11)  # slope L s


def test_least_squares_closed_forms():
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 1.0]])
    y = np.array([1.0, 2.0, -1.0])
    ls = LeastSquares(X, y)
    np.testing.assert_allclose(ls.hessian([0.3, 0.3]), X.T @ X / 3, rtol=1e-15)
    w_star = np.linalg.solve(X.T @ X, X.T @ y)
    np.testing.assert_allclose(ls.minimum, w_star, rtol=1e-13)
    w = np.array([[0.3, -2.0], [5.0, 1.0]])
    np.testing.assert_allclose(ls.value(w), ((w @ X.T - y) ** 2).sum(axis=1) / 6, rtol=1e-13)
    np.testing.assert_allclose(ls.grad(w), (w @ X.T - y) @ X / 3, rtol=1e-13, atol=1e-14)
    mu, L = np.linalg.eigvalsh(X.T @ X / 3)
    np.testing.assert_allclose(ls.curvatures, (mu, L), rtol=1e-13)
    assert ls.condition_number == pytest.approx(L / mu, rel=1e-13)


def test_least_squares_scaling_a_feature_by_s_multiplies_its_curvature_by_s_squared():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(50, 2)), rng.normal(size=50)
    raw, scaled = LeastSquares(X, y), LeastSquares(X * [1.0, 10.0], y)
    H, Hs = raw.hessian([0.0, 0.0]), scaled.hessian([0.0, 0.0])
    np.testing.assert_allclose(Hs, H * np.outer([1.0, 10.0], [1.0, 10.0]), rtol=1e-14)
    assert scaled.min_value == pytest.approx(raw.min_value, rel=1e-12)  # the same fit, in other units
    np.testing.assert_allclose(scaled.minimum * [1.0, 10.0], raw.minimum, rtol=1e-12)


@pytest.mark.parametrize(
    "features, targets, message",
    [
        ([1.0, 2.0], [1.0, 2.0], r"features must have shape \(n, 2\) with n >= 2, got shape \(2,\)"),
        ([[1.0, 2.0], [2.0, 4.0]], [1.0, 2.0], "not proportional"),
        ([[1.0, 2.0], [2.0, 1.0]], [1.0, 2.0, 3.0], r"targets must have shape \(2,\), one per row"),
        ([[1.0, float("nan")], [2.0, 1.0]], [1.0, 2.0], "features must contain only finite numbers"),
    ],
)
def test_least_squares_bad_data_names_the_argument(features, targets, message):
    with pytest.raises(ValueError, match=message):
        LeastSquares(features, targets)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: PseudoHuber(L=0.0), "L must be a finite number > 0, got 0.0"),
        (lambda: PseudoHuber(width=-1.0), "width must be a finite number > 0, got -1.0"),
    ],
)
def test_pseudo_huber_bad_parameters_name_them(make, message):
    with pytest.raises(ValueError, match=message):
        make()
