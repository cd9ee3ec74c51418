"""Tests for lrcourse.curvature: the top Hessian eigenvalue against exact Hessians."""

import numpy as np
import pytest

from lrcourse import curvature, data
from lrcourse.models import MLP, SoftmaxRegression


def test_quadratic_top_eigenvalue_matches_the_exact_hessian():
    rng = np.random.default_rng(3)
    Q, _ = np.linalg.qr(rng.standard_normal((6, 6)))
    eigenvalues = np.array([5.0, 2.0, 1.0, 0.5, -0.3, 0.1])
    A = Q @ np.diag(eigenvalues) @ Q.T
    found = curvature.top_eigenvalue(lambda w: A @ w - 1.0, rng.standard_normal(6), iterations=60)
    assert found.value == pytest.approx(5.0, rel=1e-9)
    assert abs(abs(float(found.vector @ Q[:, 0])) - 1.0) < 1e-8
    assert found.change < 1e-9


def test_largest_magnitude_wins_even_when_negative():
    A = np.diag([1.0, -3.0])
    assert curvature.top_eigenvalue(lambda w: A @ w, np.zeros(2), iterations=60).value == pytest.approx(-3.0)


def test_hessian_vector_product_is_exact_on_a_quadratic():
    A = np.array([[2.0, 0.5], [0.5, 1.0]])
    v = np.array([0.3, -0.7])
    hv = curvature.hessian_vector_product(lambda w: A @ w, np.array([1.0, 2.0]), v)
    np.testing.assert_allclose(hv, A @ v, rtol=1e-10)


def _exact_network_hessian(model, params, X, y, h=1e-5):
    """The full Hessian by central differences of the exact gradient, one coordinate at a time."""
    grad = curvature.model_gradient(model, X, y)
    names = list(params)
    flat = np.concatenate([params[n].ravel() for n in names])

    def unflatten(vec):
        out, start = {}, 0
        for n in names:
            size = params[n].size
            out[n] = vec[start:start + size].reshape(params[n].shape)
            start += size
        return out

    def flat_grad(vec):
        g = grad(unflatten(vec))
        return np.concatenate([g[n].ravel() for n in names])

    H = np.empty((flat.size, flat.size))
    for i in range(flat.size):
        e = np.zeros(flat.size)
        e[i] = h
        H[:, i] = (flat_grad(flat + e) - flat_grad(flat - e)) / (2 * h)
    return (H + H.T) / 2


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_small_network_top_eigenvalue_matches_its_full_hessian(activation):
    digits = data.load_digits()
    X, y = digits.X_train[:40, :6], digits.y_train[:40] % 3
    model = MLP(n_features=6, n_hidden=5, n_classes=3, activation=activation)
    params = model.init_params(seed=1)
    H = _exact_network_hessian(model, params, X, y)
    eigenvalues = np.linalg.eigvalsh(H)
    expected = eigenvalues[np.argmax(np.abs(eigenvalues))]
    found = curvature.top_eigenvalue(curvature.model_gradient(model, X, y), params, iterations=200)
    assert found.value == pytest.approx(expected, rel=1e-4)


def _softmax_regression_hessian(W, b, X):
    """The exact Hessian of the mean cross-entropy of ``softmax(X W + b)``, in the order ``(W.ravel(), b)``.

    With ``x~ = [x; 1]`` and ``p = softmax(z)``, ``H = (1/N) sum_i (x~_i x~_i^T) kron (diag(p_i) - p_i p_i^T)``:
    ``W.ravel()`` followed by ``b`` is the row-major order of the stacked ``[W; b]``, rows
    indexing features (the bias last) and columns classes, which is this Kronecker order.
    """
    z = X @ W + b
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    augmented = np.hstack([X, np.ones((len(X), 1))])
    return sum(np.kron(np.outer(x, x), np.diag(q) - np.outer(q, q)) for x, q in zip(augmented, p)) / len(X)


@pytest.mark.parametrize("point", [0, 1, 2])
def test_softmax_regression_top_eigenvalue_matches_its_exact_hessian(point):
    rng = np.random.default_rng(point)
    digits = data.load_digits()
    X, y = digits.X_train[:50, :5], digits.y_train[:50] % 3
    model = SoftmaxRegression(n_features=5, n_classes=3)
    params = {"W": rng.standard_normal((5, 3)), "b": rng.standard_normal(3)}
    H = _softmax_regression_hessian(params["W"], params["b"], X)
    np.testing.assert_allclose(H, _exact_network_hessian(model, params, X, y), atol=1e-7)
    expected = np.linalg.eigvalsh(H)[-1]
    found = curvature.top_eigenvalue(curvature.model_gradient(model, X, y), params, iterations=400, largest=True)
    assert found.value == pytest.approx(expected, rel=1e-6)


def test_stacked_runs_get_the_estimates_of_single_runs():
    digits = data.load_digits()
    X, y = digits.X_train[:100], digits.y_train[:100]
    model = MLP(n_hidden=8, activation="tanh")
    grad = curvature.model_gradient(model, X, y)
    stacked = curvature.top_eigenvalue(grad, model.init_params([0, 1]), iterations=40, stacked=True)
    for r, seed in enumerate([0, 1]):
        single = curvature.top_eigenvalue(grad, model.init_params(seed), iterations=40)
        assert stacked.value[r] == pytest.approx(single.value, rel=1e-3)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="iterations"):
        curvature.top_eigenvalue(lambda w: w, np.zeros(2), iterations=0)
    with pytest.raises(ValueError, match="step"):
        curvature.hessian_vector_product(lambda w: w, np.zeros(2), np.ones(2), step=0.0)


def test_largest_finds_the_most_positive_eigenvalue_past_a_larger_negative_one():
    A = np.diag([1.5, -3.0, 0.2])
    found = curvature.top_eigenvalue(lambda w: A @ w, np.zeros(3), iterations=200, largest=True)
    assert found.value == pytest.approx(1.5, rel=1e-6)
    grad = lambda w: w * np.array([[1.5, -3.0], [2.0, 0.5]])  # noqa: E731
    stacked = curvature.top_eigenvalue(grad, np.zeros((2, 2)), iterations=200, stacked=True, largest=True)
    np.testing.assert_allclose(stacked.value, [1.5, 2.0], rtol=1e-6)
