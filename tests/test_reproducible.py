"""lrcourse.reproducible: accurate, and the same bits whatever the CPU's arithmetic path."""

import math
import os
import subprocess
import sys

import numpy as np
import pytest

from lrcourse import reproducible as rp


def ulps(got, want):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return np.max(np.abs(got - want) / np.spacing(np.abs(want)))


@pytest.fixture(scope="module")
def points():
    rng = np.random.default_rng(0)
    return np.concatenate([rng.uniform(-700, 700, 20_000), rng.normal(size=20_000), rng.uniform(-1e-9, 1e-9, 500)])


def test_exp_is_within_one_ulp_of_the_c_library(points):
    assert ulps(rp.exp(points), [math.exp(x) for x in points]) <= 1


def test_log_is_within_two_ulps(points):
    x = np.abs(points) + 1e-300
    assert ulps(rp.log(x), [math.log(v) for v in x]) <= 2


@pytest.mark.parametrize("name", ["expm1", "tanh"])
def test_expm1_and_tanh_are_within_a_few_ulps_also_near_zero(points, name):
    x = points[20_000:]
    assert ulps(getattr(rp, name)(x), [getattr(math, name)(v) for v in x]) <= 4


def test_special_values():
    np.testing.assert_array_equal(rp.exp(np.array([-np.inf, np.inf, -800.0, 800.0, 0.0])), [0.0, np.inf, 0.0, np.inf, 1.0])
    assert np.isnan(rp.exp(np.nan))
    np.testing.assert_array_equal(rp.log(np.array([0.0, np.inf, 1.0])), [-np.inf, np.inf, 0.0])
    with np.errstate(invalid="ignore"):
        assert np.isnan(rp.log(-1.0)) and np.isnan(rp.log(np.nan))
    np.testing.assert_array_equal(rp.tanh(np.array([-1e3, 0.0, 1e3])), [-1.0, 0.0, 1.0])
    assert math.copysign(1.0, rp.tanh(-0.0)) == -1.0
    assert rp.exp(0.5) == pytest.approx(math.exp(0.5)) and isinstance(rp.exp(0.5), float)


def test_subnormal_results_of_exp():
    x = np.array([-740.0, -745.0])
    assert ulps(rp.exp(x)[:1], [math.exp(-740.0)]) <= 1
    assert rp.exp(x)[1] == math.exp(-745.0)


def test_power_with_integer_exponents_is_exact_where_the_result_is():
    np.testing.assert_array_equal(rp.power(0.5, np.arange(6)), 0.5 ** np.arange(6))
    np.testing.assert_array_equal(rp.power(-2.0, np.array([3, -2])), [-8.0, 0.25])
    assert rp.power(3.0, 4.0) == 81.0
    assert ulps(rp.power(0.9, np.arange(300)), [0.9**k for k in range(300)]) < 300


def test_power_with_fractional_exponents():
    rng = np.random.default_rng(1)
    base, exponent = rng.uniform(1e-3, 10, 2000), rng.uniform(-5, 5, 2000)
    assert ulps(rp.power(base, exponent), base**exponent) <= 16
    assert rp.power(0.0, 2.5) == 0.0


@pytest.mark.parametrize(
    "shape_a, shape_b",
    [((5, 3), (3, 4)), ((3,), (3, 4)), ((5, 3), (3,)), ((3,), (3,)), ((2, 5, 3), (3, 4)), ((5, 3), (2, 3, 4)),
     ((2, 5, 3), (2, 3, 20)), ((4, 1, 5, 3), (2, 3, 6))],
)
def test_matmul_matches_numpy(shape_a, shape_b):
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=shape_a), rng.normal(size=shape_b)
    got, want = rp.matmul(a, b), a @ b
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n_cols", [3, 40])
def test_matmul_order_does_not_depend_on_memory_layout(n_cols):
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(6, 50)), rng.normal(size=(50, n_cols))
    reference = rp.matmul(a, b)
    np.testing.assert_array_equal(rp.matmul(np.asfortranarray(a), np.asfortranarray(b)), reference)
    np.testing.assert_array_equal(rp.matmul(a[None], b[None])[0], reference)


def test_matmul_refuses_shapes_that_do_not_fit():
    with pytest.raises(ValueError, match="shapes"):
        rp.matmul(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="dimensions"):
        rp.matmul(np.float64(2.0), np.ones(2))


def test_geomspace_hits_its_ends_and_the_decades():
    grid = rp.geomspace(1e-4, 10, 16)
    assert grid[0] == 1e-4 and grid[-1] == 10
    assert {1e-3, 1e-2, 0.1, 1.0} <= set(grid.tolist())
    np.testing.assert_allclose(grid, np.geomspace(1e-4, 10, 16), rtol=1e-14)


@pytest.mark.parametrize("args, name", [((0.0, 1.0, 5), "start"), ((1.0, -1.0, 5), "stop"), ((1.0, 2.0, 1), "num")])
def test_geomspace_names_a_bad_argument(args, name):
    with pytest.raises(ValueError, match=name):
        rp.geomspace(*args)


RUN = """
import hashlib, numpy as np
from lrcourse import data, nets, optim, reproducible, schedules
digits = data.load_digits()
grid = nets.train_grid(nets.MLP(n_hidden=16, activation="tanh"), digits, optim.Adam, [1e-3, 3e-2], seeds=[0, 1],
                       epochs=1, make_schedule=lambda lr: schedules.exponential(lr, gamma=0.999))
x = reproducible.geomspace(1e-3, 10, 50)
parts = [grid.step_loss, grid.params["W1"], reproducible.exp(-x), reproducible.log(x), reproducible.power(x, 0.3)]
print(hashlib.sha256(b"".join(np.ascontiguousarray(p).tobytes() for p in parts)).hexdigest())
"""


def test_training_gives_the_same_bits_under_another_arithmetic_path():
    """Other BLAS kernels and numpy without AVX (an older CPU) must not change a bit of a training run."""
    fingerprints = []
    for extra in ({}, {"OPENBLAS_CORETYPE": "Prescott", "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR"}):
        env = {**os.environ, **extra}
        done = subprocess.run([sys.executable, "-c", RUN], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        fingerprints.append(done.stdout.strip())
    assert fingerprints[0] == fingerprints[1]


def test_decided_by_rounding_is_one_rule_for_chaotic_outcomes():
    stable, chaotic = 0.3, 0.3 * (1 + 1e-3)
    got = rp.decided_by_rounding(
        [0.3, 0.3, 1e-15, 0.3, np.nan, np.inf],
        [0.3 * (1 + 1e-13), chaotic, 5e-15, np.nan, np.nan, np.inf],
    )
    np.testing.assert_array_equal(got, [False, True, False, True, False, False])
    assert rp.decided_by_rounding([stable], [chaotic], rtol=1e-2).tolist() == [False]
