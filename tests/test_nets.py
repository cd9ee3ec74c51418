"""Tests for lrcourse.nets: losses and gradients by hand and by finite differences,
seeded training, divergence, vectorized grids and the metrics."""

import math
import warnings

import numpy as np
import pytest

from lrcourse import data, engine, nets, optim, schedules
from lrcourse.models import _rngs


@pytest.fixture(scope="module")
def digits():
    return data.load_digits(seed=0)


@pytest.fixture(autouse=True)
def numpy_warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            yield


def tiny_problem(seed=0, n=6, n_features=5, n_classes=3):
    rng = np.random.default_rng(seed)
    return rng.random((n, n_features)), rng.integers(0, n_classes, size=n)


def random_params(model, rng, scale=0.5):
    return {k: rng.normal(0, scale, size=shape) for k, shape in model.param_shapes.items()}


def numerical_gradient(model, params, X, y, eps=1e-6):
    grads = {}
    for name, value in params.items():
        g = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[name][index] += eps
            minus[name][index] -= eps
            g[index] = (np.sum(model.loss(plus, X, y)) - np.sum(model.loss(minus, X, y))) / (2 * eps)
        grads[name] = g
    return grads


SMALL_MODELS = [
    nets.SoftmaxRegression(n_features=5, n_classes=3),
    nets.SoftmaxRegression(n_features=5, n_classes=3, l2=0.3),
    nets.MLP(n_features=5, n_hidden=4, n_classes=3, activation="relu"),
    nets.MLP(n_features=5, n_hidden=4, n_classes=3, activation="tanh"),
    nets.MLP(n_features=5, n_hidden=4, n_classes=3, activation="relu", l2=0.3),
    nets.MLP(n_features=5, n_hidden=4, n_classes=3, activation="tanh", l2=0.3),
]


# -- softmax and cross-entropy ---------------------------------------------------


def test_log_softmax_is_stable_for_huge_logits():
    np.testing.assert_allclose(nets.log_softmax(np.array([1000.0, 1000.0])), [-math.log(2)] * 2)
    out = nets.log_softmax(np.array([1e300, 0.0, -1e300]))
    np.testing.assert_array_equal(out, [0.0, -1e300, -2e300])
    np.testing.assert_array_equal(nets.softmax(np.array([1e300, 0.0, -1e300])), [1.0, 0.0, 0.0])
    assert np.all(np.isfinite(nets.softmax(np.array([[-800.0, -801.0]]))))


def test_softmax_rows_sum_to_one_and_shift_invariance():
    z = np.random.default_rng(1).normal(size=(4, 7)) * 30
    p = nets.softmax(z)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    np.testing.assert_allclose(nets.softmax(z + 123.0), p)


def test_cross_entropy_by_hand():
    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    y = [2, 0]
    first = -(3.0 - math.log(math.e + math.e**2 + math.e**3))
    second = math.log(3.0)
    assert nets.cross_entropy(logits, y) == pytest.approx((first + second) / 2, rel=1e-14)
    stacked = nets.cross_entropy(np.stack([logits, 2 * logits]), y)
    third = -(6.0 - math.log(math.exp(2) + math.exp(4) + math.exp(6)))
    np.testing.assert_allclose(stacked, [(first + second) / 2, (third + second) / 2], rtol=1e-14)


# -- losses and gradients ------------------------------------------------------------


def test_softmax_regression_loss_and_gradient_by_hand():
    model = nets.SoftmaxRegression(n_features=2, n_classes=3, l2=0.5)
    W = np.array([[0.1, -0.2, 0.3], [0.0, 0.4, -0.1]])
    b = np.array([0.05, 0.0, -0.05])
    x = np.array([1.0, 2.0])
    z = [x[0] * W[0, k] + x[1] * W[1, k] + b[k] for k in range(3)]
    total = sum(math.exp(v) for v in z)
    p = [math.exp(v) / total for v in z]
    penalty = 0.5 * 0.5 * sum(w**2 for w in W.ravel())
    loss, grads = model.loss_and_grads({"W": W, "b": b}, x[None, :], np.array([1]))
    assert loss == pytest.approx(-math.log(p[1]) + penalty, rel=1e-14)
    residual = np.array(p) - np.array([0.0, 1.0, 0.0])
    np.testing.assert_allclose(grads["b"], residual, rtol=1e-13)
    np.testing.assert_allclose(grads["W"], np.outer(x, residual) + 0.5 * W, rtol=1e-13)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_mlp_loss_by_hand(activation):
    model = nets.MLP(n_features=2, n_hidden=3, n_classes=2, activation=activation, l2=0.1)
    rng = np.random.default_rng(5)
    params = random_params(model, rng)
    X = rng.random((2, 2))
    y = np.array([1, 0])
    act = (lambda a: max(a, 0.0)) if activation == "relu" else math.tanh
    losses = []
    for x, label in zip(X, y):
        h = [act(sum(x[i] * params["W1"][i, j] for i in range(2)) + params["b1"][j]) for j in range(3)]
        z = [sum(h[j] * params["W2"][j, k] for j in range(3)) + params["b2"][k] for k in range(2)]
        losses.append(-(z[label] - math.log(math.exp(z[0]) + math.exp(z[1]))))
    penalty = 0.05 * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    assert model.loss(params, X, y) == pytest.approx(sum(losses) / 2 + penalty, rel=1e-13)


@pytest.mark.parametrize("model", SMALL_MODELS, ids=repr)
def test_gradient_matches_finite_differences(model):
    X, y = tiny_problem()
    params = random_params(model, np.random.default_rng(2))
    _, grads = model.loss_and_grads(params, X, y)
    expected = numerical_gradient(model, params, X, y)
    for name in params:
        np.testing.assert_allclose(grads[name], expected[name], rtol=1e-6, atol=1e-8, err_msg=name)


@pytest.mark.parametrize("model", SMALL_MODELS[1:4], ids=repr)
def test_stacked_runs_match_runs_one_at_a_time(model):
    X, y = tiny_problem(n=4)
    rng = np.random.default_rng(3)
    runs = [random_params(model, rng) for _ in range(3)]
    stacked = model.stack_params(runs)
    assert stacked[next(iter(stacked))].shape[0] == 3
    losses, grads = model.loss_and_grads(stacked, X, y)
    per_run_X = np.stack([X, X[::-1], X])
    per_run_y = np.stack([y, y[::-1], y])
    losses_b, grads_b = model.loss_and_grads(stacked, per_run_X, per_run_y)
    for r, run in enumerate(runs):
        loss_r, grads_r = model.loss_and_grads(run, X, y)
        loss_rb, _ = model.loss_and_grads(run, X[::-1] if r == 1 else X, y[::-1] if r == 1 else y)
        assert losses[r] == pytest.approx(loss_r, rel=1e-13)
        assert losses_b[r] == pytest.approx(loss_rb, rel=1e-13)
        for name in run:
            np.testing.assert_allclose(grads[name][r].reshape(run[name].shape), grads_r[name], rtol=1e-12)
    for name in runs[0]:
        assert grads_b[name].shape == stacked[name].shape
    back = model.unstack_params(stacked)
    for run, again in zip(runs, back):
        for name in run:
            np.testing.assert_array_equal(run[name], again[name])


def test_predict_and_accuracy_by_hand():
    model = nets.SoftmaxRegression(n_features=2, n_classes=3)
    params = {"W": np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), "b": np.array([0.0, 0.0, 0.5])}
    X = np.array([[2.0, 0.0], [0.0, 2.0], [0.1, 0.1], [1.0, 0.0]])
    np.testing.assert_array_equal(model.predict(params, X), [0, 1, 2, 0])
    assert model.accuracy(params, X, [0, 1, 2, 1]) == 0.75
    np.testing.assert_allclose(model.predict_proba(params, X).sum(axis=1), 1.0)


# -- initialization -----------------------------------------------------------------


def test_softmax_regression_starts_at_zero_and_loss_ln_k(digits):
    model = nets.SoftmaxRegression()
    params = model.init_params(seed=4)
    assert all(np.all(v == 0) for v in params.values())
    assert model.loss(params, digits.X_train, digits.y_train) == pytest.approx(math.log(10), rel=1e-14)


@pytest.mark.parametrize("activation, first_std", [("relu", math.sqrt(2 / 400)), ("tanh", math.sqrt(2 / 700))])
def test_mlp_initialization_has_the_documented_scale(activation, first_std):
    model = nets.MLP(n_features=400, n_hidden=300, n_classes=10, activation=activation)
    params = model.init_params(seed=0)
    assert params["W1"].std() == pytest.approx(first_std, rel=0.01)
    assert params["W2"].std() == pytest.approx(math.sqrt(2 / 310), rel=0.03)
    assert abs(params["W1"].mean()) < 0.01 * first_std * 10
    assert np.all(params["b1"] == 0) and np.all(params["b2"] == 0)


def test_initialization_is_seeded_and_stacks_per_seed():
    model = nets.MLP(n_features=6, n_hidden=5, n_classes=3)
    a, b, c = model.init_params(1), model.init_params(1), model.init_params(2)
    np.testing.assert_array_equal(a["W1"], b["W1"])
    assert not np.array_equal(a["W1"], c["W1"])
    stacked = model.init_params([1, 2])
    assert stacked["W1"].shape == (2, 6, 5) and stacked["b1"].shape == (2, 1, 5)
    np.testing.assert_array_equal(stacked["W2"][1], c["W2"])


# -- training ---------------------------------------------------------------------------


def test_training_decreases_the_loss_at_a_sane_rate(digits):
    history = nets.train(nets.MLP(), digits, optim.SGD(lr=0.1), epochs=5, batch_size=32, seed=0)
    assert history.train_loss[-1] < 0.3 * history.train_loss[0]
    assert history.val_acc[-1] > 0.9
    assert not history.diverged and history.divergence == ""
    assert history.steps == 5 * math.ceil(len(digits.y_train) / 32)
    assert history.step_loss.shape == (history.steps,)
    np.testing.assert_array_equal(history.step_lr, np.full(history.steps, 0.1))
    assert set(history.grad_norm) == {"W1", "b1", "W2", "b2", "total"}
    layers = np.array([history.grad_norm[k] for k in ("W1", "b1", "W2", "b2")])
    np.testing.assert_allclose(history.grad_norm["total"], np.sqrt((layers**2).sum(axis=0)), rtol=1e-12)


def test_training_is_deterministic_given_the_seed(digits):
    model = nets.MLP(n_hidden=16)
    a = nets.train(model, digits, optim.Adam(lr=1e-2), epochs=2, seed=7)
    b = nets.train(model, digits, optim.Adam(lr=1e-2), epochs=2, seed=7)
    c = nets.train(model, digits, optim.Adam(lr=1e-2), epochs=2, seed=8)
    np.testing.assert_array_equal(a.step_loss, b.step_loss)
    np.testing.assert_array_equal(a.params["W1"], b.params["W1"])
    assert not np.array_equal(a.step_loss, c.step_loss)


def test_full_batch_training_is_gradient_descent_by_hand(digits):
    model = nets.SoftmaxRegression(l2=0.01)
    eta = 0.5
    history = nets.train(model, digits, optim.SGD(lr=eta), epochs=3, batch_size=len(digits.y_train))
    w = model.init_params(0)
    for t in range(3):
        loss, g = model.loss_and_grads(w, digits.X_train, digits.y_train)
        assert history.step_loss[t] == pytest.approx(loss, rel=1e-12)
        w = {k: w[k] - eta * g[k] for k in w}
    for name in w:
        np.testing.assert_allclose(history.params[name], w[name], rtol=1e-10, atol=1e-14)
    cross_entropy = model.loss(w, digits.X_train, digits.y_train) - 0.005 * np.sum(w["W"] ** 2)
    assert history.train_loss[-1] == pytest.approx(cross_entropy, rel=1e-10)
    assert history.val_acc[-1] == model.accuracy(w, digits.X_val, digits.y_val)


def test_each_epoch_visits_every_sample_once_in_minibatches(digits):
    """With eta = 0 the loss never changes, so the minibatch losses of an epoch
    average (weighted by batch size) to the full training loss."""
    n, batch = len(digits.y_train), 100
    history = nets.train(nets.MLP(n_hidden=8), digits, optim.SGD(lr=0.0), epochs=1, batch_size=batch)
    sizes = np.diff(np.r_[np.arange(0, n, batch), n])
    assert len(history.step_loss) == len(sizes) == math.ceil(n / batch)
    assert np.sum(history.step_loss * sizes) / n == pytest.approx(history.train_loss[0], rel=1e-12)
    assert history.train_loss[1] == history.train_loss[0]


def test_schedule_sets_the_rate_before_every_step(digits):
    model, n = nets.SoftmaxRegression(), len(digits.y_train)
    sched = schedules.cosine(0.5, total_steps=3)
    history = nets.train(model, digits, optim.SGD(lr=123.0), epochs=3, batch_size=n, schedule=sched)
    np.testing.assert_array_equal(history.step_lr, sched(np.arange(3)))
    w = model.init_params(0)
    for t in range(3):  # full batch: w_{t+1} = w_t - eta_t g_t, whatever optimizer.lr says
        _, g = model.loss_and_grads(w, digits.X_train, digits.y_train)
        w = {k: w[k] - sched(t) * g[k] for k in w}
    for name in w:
        np.testing.assert_allclose(history.params[name], w[name], rtol=1e-10, atol=1e-14)


def test_a_schedule_is_any_function_of_the_step(digits):
    model = nets.SoftmaxRegression()
    by_lambda = nets.train(model, digits, optim.SGD(), epochs=1, schedule=lambda t: 0.1 if t < 5 else 0.01)
    by_table = nets.train(model, digits, optim.SGD(), epochs=1, schedule=schedules.multistep(0.1, [5], 0.1))
    np.testing.assert_array_equal(by_lambda.step_lr[:6], [0.1] * 5 + [0.01])
    np.testing.assert_allclose(by_lambda.train_loss, by_table.train_loss, rtol=1e-12)


def test_train_continues_from_the_state_its_optimizer_keeps(digits):
    model = nets.MLP(n_hidden=8)
    both = nets.train(model, digits, optim.SGD(lr=0.1, momentum=0.9), epochs=1, batch_size=64)
    opt = optim.SGD(lr=0.1, momentum=0.9)
    first = nets.train(model, digits, opt, epochs=1, batch_size=64)
    assert opt.t == first.steps
    again = nets.train(model, digits, opt, epochs=1, batch_size=64, params=first.params, seed=1)
    fresh = nets.train(model, digits, optim.SGD(lr=0.1, momentum=0.9), epochs=1, batch_size=64, params=first.params, seed=1)
    assert opt.t == 2 * first.steps
    np.testing.assert_array_equal(first.params["W1"], both.params["W1"])
    assert not np.array_equal(again.params["W1"], fresh.params["W1"])  # the momentum carried over


@pytest.mark.parametrize("lr", [100.0, 1e5, 1e300])
def test_huge_rates_diverge_without_warnings_and_say_so(digits, lr):
    history = nets.train(nets.MLP(), digits, optim.SGD(lr=lr), epochs=20)
    assert history.diverged
    assert history.divergence.startswith(f"diverged at step {history.diverged_at} (epoch 1): ")
    assert history.steps == history.diverged_at
    assert all(np.all(np.abs(v) <= engine.FAR_AWAY) for v in history.params.values())
    assert np.isnan(history.train_loss[1:]).all() and np.isfinite(history.train_loss[0])
    assert np.isnan(history.step_loss[history.diverged_at + 1 :]).all()
    assert "diverged_at=" in repr(history) and "diverged at step" in history.summary()


def test_parameter_limit_rule_reports_the_step_and_keeps_the_last_good_params(digits):
    model = nets.SoftmaxRegression()
    history = nets.train(model, digits, optim.SGD(lr=1e300), epochs=1)
    assert history.diverged_at == 1 and history.steps == 1
    assert "a parameter exceeded 1e+12 in magnitude" in history.divergence
    assert all(np.all(v == 0) for v in history.params.values())


def test_blowup_rule_compares_the_minibatch_loss_with_the_initial_loss(digits):
    model = nets.SoftmaxRegression()
    history = nets.train(model, digits, optim.SGD(lr=10.0), epochs=1, blowup=10.0)
    t = history.diverged_at
    assert t > 0 and history.steps == t
    assert history.step_loss[t] > 10 * math.log(10) >= np.max(history.step_loss[:t])
    assert "exceeded 10 x the initial training loss 2.303" in history.divergence
    # The run keeps w_{t-1}, the last parameters whose loss passed the check.
    w = model.init_params(0)
    for batch in data.minibatches(len(digits.y_train), 32, _rngs(0)[1])[: t - 1]:
        _, g = model.loss_and_grads(w, digits.X_train[batch], digits.y_train[batch])
        w = {k: w[k] - 10.0 * g[k] for k in w}
    for name in history.params:
        np.testing.assert_allclose(history.params[name], w[name], rtol=1e-10, atol=1e-12)
    # The same run with the default, generous rule recovers from that spike.
    recovered = nets.train(model, digits, optim.SGD(lr=10.0), epochs=3)
    assert not recovered.diverged
    assert recovered.step_loss[t] == history.step_loss[t]
    assert recovered.train_loss[-1] < 0.1 * math.log(10)


def test_stacked_grid_equals_runs_one_at_a_time(digits):
    model = nets.MLP(n_hidden=16)
    lrs = [0.05, 0.5, 1e5]
    grid = nets.train_grid(model, digits, lambda lr: optim.SGD(lr=lr, momentum=0.9), lrs, seeds=[0, 3], epochs=2)
    assert grid.val_acc.shape == (3, 2, 3) and grid.step_loss.shape[:2] == (3, 2)
    for i, lr in enumerate(lrs):
        for j, seed in enumerate([0, 3]):
            alone = nets.train(model, digits, optim.SGD(lr=lr, momentum=0.9), epochs=2, seed=seed)
            run = grid.history(i, j)
            np.testing.assert_allclose(run.step_loss, alone.step_loss, rtol=1e-10, equal_nan=True)
            np.testing.assert_allclose(run.val_acc, alone.val_acc, rtol=1e-10, equal_nan=True)
            assert run.diverged_at == alone.diverged_at and run.steps == alone.steps
            assert run.divergence == alone.divergence
            for name in alone.params:
                np.testing.assert_allclose(run.params[name], alone.params[name], rtol=1e-9, atol=1e-12)
    assert grid.diverged.tolist() == [[False, False], [False, False], [True, True]]
    assert (grid.diverged_at[:2] == -1).all()


def test_grid_with_a_schedule_equals_train_with_that_schedule(digits):
    model = nets.SoftmaxRegression()
    lrs = [0.1, 1.0]
    grid = nets.train_grid(
        model, digits, optim.SGD, lrs, seeds=[1], epochs=2, batch_size=64,
        make_schedule=lambda lr: schedules.cosine(lr, total_steps=34),
    )
    for i, lr in enumerate(lrs):
        sched = schedules.cosine(lr, total_steps=34)
        alone = nets.train(model, digits, optim.SGD(lr=lr), epochs=2, batch_size=64, seed=1, schedule=sched)
        np.testing.assert_array_equal(grid.step_lr[i], alone.step_lr)
        np.testing.assert_allclose(grid.history(i, 0).step_loss, alone.step_loss, rtol=1e-10)


def test_grid_rows_and_table(digits):
    grid = nets.train_grid(nets.SoftmaxRegression(), digits, optim.SGD, [0.5, 1e300], seeds=[0, 1], epochs=1)
    rows = grid.rows()
    assert [(r["lr"], r["seed"]) for r in rows] == [(0.5, 0), (0.5, 1), (1e300, 0), (1e300, 1)]
    assert rows[0]["final_val_acc"] == grid.val_acc[0, 0, -1]
    assert rows[0]["diverged_at"] == -1 and rows[2]["diverged_at"] == 1
    assert math.isnan(rows[2]["final_val_acc"]) and rows[2]["best_epoch"] == 0
    lines = grid.table().splitlines()
    finals = grid.val_acc[0, :, -1]
    assert f"{finals.mean():.4f} ± {finals.std(ddof=1):.4f}" in lines[1]
    assert lines[1].endswith("0/2") and lines[2].endswith("2/2")
    assert repr(grid) == "GridResult(lrs=2, seeds=2, epochs=1, diverged=2 of 4 runs)"


# -- summaries of runs ---------------------------------------------------------------------


def test_epochs_to_reach_by_hand():
    assert nets.epochs_to_reach([0.2, 0.94, 0.95, 0.99], 0.95) == 2
    assert nets.epochs_to_reach([0.2, 0.5, np.nan], 0.95) is None
    curves = np.array([[[0.96, 0.97], [0.1, 0.95]], [[np.nan, np.nan], [0.1, 0.2]]])
    np.testing.assert_array_equal(nets.epochs_to_reach(curves, 0.95), [[0, 1], [-1, -1]])
    with pytest.raises(ValueError, match="target must be a finite number"):
        nets.epochs_to_reach([0.1], float("nan"))


def test_history_and_grid_epochs_to_agree(digits):
    grid = nets.train_grid(nets.SoftmaxRegression(), digits, optim.SGD, [0.3], seeds=[0, 1], epochs=3)
    expected = [nets.epochs_to_reach(grid.val_acc[0, j], 0.9) for j in range(2)]
    assert grid.epochs_to(0.9).tolist() == [[-1 if e is None else e for e in expected]]
    assert grid.history(0, 1).epochs_to(0.9) == expected[1]
    with pytest.raises(ValueError, match="metric must be one of"):
        grid.epochs_to(0.9, metric="test_acc")


def test_mean_std_by_hand_without_warnings():
    values = np.array([[0.9, 0.7, np.nan], [0.5, np.nan, np.nan], [np.nan, np.nan, np.nan]])
    mean, std, count = nets.mean_std(values)
    np.testing.assert_allclose(mean[:2], [0.8, 0.5])
    assert np.isnan(mean[2])
    assert std[0] == pytest.approx(math.sqrt(((0.9 - 0.8) ** 2 + (0.7 - 0.8) ** 2) / 1))
    assert np.isnan(std[1]) and np.isnan(std[2])
    assert count.tolist() == [2, 1, 0]
    mean0, _, count0 = nets.mean_std(values, axis=0)
    np.testing.assert_allclose(mean0, [0.7, 0.7, np.nan])
    assert count0.tolist() == [2, 1, 0]


def test_format_mean_std_and_text_table():
    assert nets.format_mean_std([0.25, 0.75], digits=2) == f"0.50 ± {math.sqrt(0.125):.2f}"
    assert nets.format_mean_std([np.nan, 0.5]) == "0.5000"
    assert nets.format_mean_std([np.nan]) == "-"
    table = nets.text_table(["a", "long name"], [["1", "x"], ["22", "yy"]])
    assert table.splitlines() == [" a  long name", " 1          x", "22         yy"]
    with pytest.raises(ValueError, match="every row must have 2 cells"):
        nets.text_table(["a", "b"], [["1"]])


def test_accuracy_under_noise_uses_one_draw_for_every_level(digits):
    model = nets.SoftmaxRegression()
    grid = nets.train_grid(model, digits, optim.SGD, [0.5], seeds=[0, 1], epochs=2)
    X, y = digits.X_test, digits.y_test
    levels = [0.0, 0.1, 0.4]
    got = nets.accuracy_under_noise(model, grid.stacked_params(), X, y, levels, seed=3)
    assert got.shape == (2, 3)
    noise = np.random.default_rng(3).standard_normal(X.shape)
    for j in range(2):
        params = grid.history(0, j).params
        alone = nets.accuracy_under_noise(model, params, X, y, levels, seed=3)
        for k, sigma in enumerate(levels):
            expected = model.accuracy(params, X + sigma * noise, y)
            assert got[j, k] == pytest.approx(expected, abs=1e-15)
            assert alone[k] == pytest.approx(expected, abs=1e-15)
    with pytest.raises(ValueError, match="noise_stds must contain only finite numbers >= 0, got -0.1"):
        nets.accuracy_under_noise(model, grid.stacked_params(), X, y, [-0.1])


def test_dead_units_counts_units_silent_on_every_input():
    model = nets.MLP(n_features=2, n_hidden=3, n_classes=2)
    params = {
        "W1": np.array([[1.0, -1.0, 1.0], [0.0, -1.0, -1.0]]),
        "b1": np.array([0.0, 0.0, 0.0]),
        "W2": np.zeros((3, 2)),
        "b2": np.zeros(2),
    }
    X = np.array([[1.0, 0.5], [0.2, 0.9]])
    # unit 0: 1.0, 0.2 (alive); unit 1: -1.5, -1.1 (dead); unit 2: 0.5, -0.7 (alive)
    assert model.dead_units(params, X) == pytest.approx(1 / 3)
    shifted = {**params, "b1": np.array([-5.0, 0.0, 0.0])}
    stacked = model.stack_params([params, shifted])
    np.testing.assert_allclose(model.dead_units(stacked, X), [1 / 3, 2 / 3])
    with pytest.raises(ValueError, match="dead units are a ReLU notion"):
        nets.MLP(activation="tanh").dead_units(nets.MLP(activation="tanh").init_params(), np.zeros((1, 64)))


# -- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda: nets.MLP(activation="sigmoid"), ValueError, "activation must be one of 'relu', 'tanh', got 'sigmoid'"),
        (lambda: nets.MLP(n_hidden=0), ValueError, "n_hidden must be an integer >= 1, got 0"),
        (lambda: nets.SoftmaxRegression(n_classes=1), ValueError, "n_classes must be an integer >= 2, got 1"),
        (lambda: nets.SoftmaxRegression(l2=-0.1), ValueError, "l2 must be a finite number >= 0 and <= 1000, got -0.1"),
    ],
)
def test_models_reject_bad_settings(make, error, words):
    with pytest.raises(error) as info:
        make()
    assert words in str(info.value)


@pytest.mark.parametrize(
    "X, y, error, words",
    [
        (np.zeros((3, 4)), [0, 1, 2], ValueError, "X must have shape (B, 5) with B >= 1, got shape (3, 4)"),
        (np.zeros((3, 5)), [0, 1, 3], ValueError, "y must hold class labels in 0..2, got 3"),
        (np.zeros((3, 5)), [0, -1, 2], ValueError, "y must hold class labels in 0..2, got -1"),
        (np.zeros((3, 5)), [0.0, 1.0, 2.0], TypeError, "integer class labels"),
        (np.zeros((3, 5)), [0, 1], ValueError, "y must have shape (3,) to match X, got shape (2,)"),
        (np.full((3, 5), np.nan), [0, 1, 2], ValueError, "X must contain only finite numbers"),
    ],
)
def test_loss_and_grads_reject_bad_data(X, y, error, words):
    model = nets.MLP(n_features=5, n_hidden=4, n_classes=3)
    with pytest.raises(error) as info:
        model.loss_and_grads(model.init_params(), X, y)
    assert words in str(info.value)


def test_loss_and_grads_reject_bad_params():
    model = nets.MLP(n_features=5, n_hidden=4, n_classes=3)
    X, y = tiny_problem()
    params = model.init_params()
    with pytest.raises(ValueError, match=r"params must have exactly the keys \['W1', 'W2', 'b1', 'b2'\]"):
        model.loss_and_grads({k: v for k, v in params.items() if k != "b2"}, X, y)
    with pytest.raises(ValueError, match=r"params\['W2'\] must have shape \(4, 3\), got shape \(3, 4\)"):
        model.loss_and_grads({**params, "W2": np.zeros((3, 4))}, X, y)
    with pytest.raises(TypeError, match="params must be a dict"):
        model.loss_and_grads(np.zeros(3), X, y)


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"epochs": 0}, ValueError, "epochs must be an integer >= 1, got 0"),
        ({"batch_size": 0}, ValueError, "batch_size must be an integer >= 1, got 0"),
        ({"seed": -2}, ValueError, "seed must be an integer >= 0, got -2"),
        ({"blowup": 0.5}, ValueError, "blowup must be a finite number >= 1, got 0.5"),
        ({"schedule": 0.1}, TypeError, "schedule must be a callable of the step t"),
        ({"schedule": lambda t: -0.1 + 0 * t}, ValueError, "schedule(0) must be a finite number >= 0, got -0.1"),
        ({"optimizer": "sgd"}, TypeError, "optimizer must be an lrcourse.optim optimizer"),
        ({"data": (1, 2)}, TypeError, "data must have X_train, y_train, X_val and y_val"),
        ({"model": "mlp"}, TypeError, "model must be a SoftmaxRegression or an MLP"),
    ],
)
def test_train_rejects_bad_input(digits, kwargs, error, words):
    args = {"model": nets.SoftmaxRegression(), "data": digits, "optimizer": optim.SGD(lr=0.1), "epochs": 1}
    args.update(kwargs)
    with pytest.raises(error) as info:
        nets.train(**args)
    assert words in str(info.value)


def test_train_rejects_data_that_does_not_fit_the_model(digits):
    with pytest.raises(ValueError, match=r"data.X_train must have shape \(n, 5\)"):
        nets.train(nets.SoftmaxRegression(n_features=5), digits, optim.SGD(lr=0.1))
    with pytest.raises(ValueError, match="data.y_train must hold class labels in 0..4, got"):
        nets.train(nets.SoftmaxRegression(n_classes=5), digits, optim.SGD(lr=0.1))


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"lrs": [0.1, -1.0]}, ValueError, "lrs must contain only finite numbers >= 0, got -1.0 at index 1"),
        ({"lrs": []}, ValueError, "lrs must be a non-empty 1-D sequence"),
        ({"seeds": []}, ValueError, "seeds must be a non-empty list"),
        ({"seeds": [0, -1]}, ValueError, "seeds[1] must be an integer >= 0, got -1"),
        ({"make_optimizer": 3}, TypeError, "make_optimizer must be a callable"),
        ({"make_schedule": 3}, TypeError, "make_schedule must be a callable"),
    ],
)
def test_train_grid_rejects_bad_input(digits, kwargs, error, words):
    args = {"model": nets.SoftmaxRegression(), "data": digits, "make_optimizer": optim.SGD, "lrs": [0.1], "epochs": 1}
    args.update(kwargs)
    with pytest.raises(error) as info:
        nets.train_grid(**args)
    assert words in str(info.value)


# -- metrics ---------------------------------------------------------------------------------


def test_confusion_matrix_by_hand():
    y_true = [0, 0, 1, 2, 2, 2]
    y_pred = [0, 1, 1, 2, 0, 2]
    expected = [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    np.testing.assert_array_equal(nets.confusion_matrix(y_true, y_pred), expected)
    assert nets.confusion_matrix(y_true, y_pred, n_classes=4).shape == (4, 4)
    assert nets.accuracy(y_true, y_pred) == pytest.approx(4 / 6)


def test_classification_report_by_hand():
    y_true = [0, 0, 1, 2, 2, 2]
    y_pred = [0, 1, 1, 2, 0, 2]
    report = nets.classification_report(y_true, y_pred, class_names=["a", "b", "c"])
    # class 0: TP 1, FP 1, FN 1; class 1: TP 1, FP 1, FN 0; class 2: TP 2, FP 0, FN 1
    precision = [1 / 2, 1 / 2, 2 / 2]
    recall = [1 / 2, 1 / 1, 2 / 3]
    f1 = [2 * p * r / (p + r) for p, r in zip(precision, recall)]
    np.testing.assert_allclose(report.precision, precision)
    np.testing.assert_allclose(report.recall, recall)
    np.testing.assert_allclose(report.f1, f1)
    np.testing.assert_array_equal(report.support, [2, 1, 3])
    assert report.macro_f1 == pytest.approx(sum(f1) / 3)
    assert report.macro_precision == pytest.approx(2 / 3)
    assert report.accuracy == pytest.approx(4 / 6)
    assert str(report).splitlines()[1].split()[0] == "a"


def test_classification_report_counts_a_never_predicted_class_as_zero():
    report = nets.classification_report([0, 1, 2], [0, 0, 0], n_classes=3)
    np.testing.assert_allclose(report.precision, [1 / 3, 0, 0])
    np.testing.assert_allclose(report.recall, [1, 0, 0])
    np.testing.assert_allclose(report.f1, [0.5, 0, 0])


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: nets.accuracy([0, 1], [0]), ValueError, "same length"),
        (lambda: nets.confusion_matrix([0, 3], [0, 1], n_classes=3), ValueError, "y_true must hold class labels in 0..2"),
        (lambda: nets.confusion_matrix([0, 1], [0, 1.5]), TypeError, "y_pred must hold integer class labels"),
        (lambda: nets.classification_report([0, 1], [0, 1], class_names=["a"]), ValueError, "class_names must have 2"),
    ],
)
def test_metrics_reject_bad_input(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


def test_rounding_sensitive_marks_chaotic_runs_only(digits):
    model = nets.MLP(n_hidden=16)
    grid = nets.train_grid(model, digits, optim.SGD, [0.1, 30.0], seeds=[0, 1, 2], epochs=3)
    sensitive = nets.rounding_sensitive(grid, digits, optim.SGD)
    assert sensitive.shape == (2, 3)
    assert not sensitive[0].any()  # a stable rate: a change of one ulp moves the loss by ~1e-13
    assert sensitive[1].all()  # far past the edge of stability: chaotic
    np.testing.assert_array_equal(nets.rounding_sensitive(grid, digits, optim.SGD, rows=[0]), [[False] * 3] * 2)


def test_grid_without_grad_norm_skips_it_and_changes_nothing_else(digits):
    model = nets.MLP(n_hidden=16)
    args = (model, digits, optim.SGD, [0.1, 30.0], [0, 1])
    full = nets.train_grid(*args, epochs=2)
    lean = nets.train_grid(*args, epochs=2, grad_norm=False)
    assert lean.grad_norm == {} and set(full.grad_norm) == {"W1", "b1", "W2", "b2", "total"}
    for name in ("train_loss", "val_loss", "train_acc", "val_acc", "step_loss", "diverged_at"):
        np.testing.assert_array_equal(getattr(lean, name), getattr(full, name), err_msg=name)
    sensitive = nets.rounding_sensitive(lean, digits, optim.SGD)
    np.testing.assert_array_equal(sensitive, nets.rounding_sensitive(full, digits, optim.SGD))
    assert not sensitive[0].any() and sensitive[1].any()
    with pytest.raises(TypeError, match="grad_norm must be True or False"):
        nets.train_grid(*args, epochs=1, grad_norm="no")


def test_rounding_sensitive_checks_its_arguments(digits):
    grid = nets.train_grid(nets.SoftmaxRegression(), digits, optim.SGD, [0.1], epochs=1)
    with pytest.raises(TypeError, match="grid"):
        nets.rounding_sensitive("grid", digits, optim.SGD)
    with pytest.raises(ValueError, match="make_schedule"):
        nets.rounding_sensitive(grid, digits, optim.SGD, make_schedule=lambda lr: lr)
    with pytest.raises(ValueError, match="rows"):
        nets.rounding_sensitive(grid, digits, optim.SGD, rows=[5])


def test_format_mean_std_prints_no_digits_for_chaotic_runs():
    assert nets.format_mean_std([0.5, 0.7], 2, chaotic=[False, False]) == "0.60 ± 0.14"
    assert nets.format_mean_std([0.5, 0.7], 2, chaotic=[True, False]) == "chaotic"
    with pytest.raises(ValueError, match="chaotic"):
        nets.format_mean_std([0.5, 0.7], 2, chaotic=[True])


def test_grid_params_are_indexed_like_every_other_field_and_history_is_a_view(digits):
    model = nets.MLP(n_hidden=6)
    grid = nets.train_grid(model, digits, optim.SGD, [0.1, 0.5, 1.0], seeds=[0, 3], epochs=1)
    for name, shape in model.param_shapes.items():
        assert grid.params[name].shape == (3, 2, *shape)
    alone = nets.train(model, digits, optim.SGD(lr=0.5), epochs=1, seed=3)
    for name in model.param_shapes:
        np.testing.assert_allclose(grid.params[name][1, 1], alone.params[name], rtol=1e-12, atol=1e-15)
    view = grid.history(1, 1)
    assert view.grid is grid and view.val_acc is not None
    np.testing.assert_array_equal(view.val_acc, grid.val_acc[1, 1])
    stacked = grid.stacked_params([0, 2])
    assert stacked["W1"].shape == (4, 64, 6) and stacked["b1"].shape == (4, 1, 6)
    np.testing.assert_array_equal(stacked["W1"][3], grid.params["W1"][2, 1])
    np.testing.assert_array_equal(
        model.accuracy(grid.stacked_params(), digits.X_val, digits.y_val).reshape(3, 2), grid.val_acc[..., -1]
    )


def test_train_grid_starts_where_params_says(digits):
    model = nets.SoftmaxRegression()
    start = {"W": np.full((64, 10), 0.01), "b": np.zeros(10)}
    grid = nets.train_grid(model, digits, optim.SGD, [0.0], seeds=[0, 1], epochs=1, params=start)
    np.testing.assert_array_equal(grid.params["W"][0, 1], start["W"])  # eta = 0: still at the start
    by_seed = nets.train_grid(model, digits, optim.SGD, [0.0], seeds=[0, 1], epochs=1, params=model.init_params)
    np.testing.assert_array_equal(by_seed.params["W"][0, 1], model.init_params(1)["W"])
    with pytest.raises(ValueError, match="params must be one run's parameters"):
        nets.train_grid(model, digits, optim.SGD, [0.1], params=model.init_params([0, 1]))


def test_schedule_free_runs_are_measured_and_returned_at_their_average_x():
    from lrcourse import training
    from lrcourse.models import MLP

    digits = data.load_digits()
    model = MLP(n_hidden=8)
    grid = training.train_grid(model, digits, lambda lr: optim.SGDScheduleFree(lr=lr), lrs=[0.3], seeds=[0, 1],
                               epochs=2, batch_size=256, grad_norm=False)
    # the same runs by hand: the one loop, then x from the optimizer's state
    opt = optim.SGDScheduleFree(lr=np.full((2, 1, 1), 0.3))
    objective = training.minibatch_objective(model, digits.X_train, digits.y_train, 256, [0, 1])
    runs = engine.run_steps(objective, model.init_params([0, 1]), opt, None, grid.steps[0, 0])
    x = opt.evaluation_point(runs.params, runs.state)
    y = runs.params
    for j in range(2):
        for name in x:
            np.testing.assert_allclose(grid.params[name][0, j], x[name][j].reshape(model.param_shapes[name]))
    at_x = model._evaluate(x, digits.X_train, digits.y_train, with_grads=False)[0]
    at_y = model._evaluate(y, digits.X_train, digits.y_train, with_grads=False)[0]
    np.testing.assert_allclose(grid.train_loss[0, :, -1], at_x)
    assert np.all(np.abs(at_x - at_y) > 1e-6)


# --- the maximal-update parametrization (muP) ------------------------------------


def _one_step_changes(parametrization, n, lr=0.05):
    from lrcourse.models import MLP
    from lrcourse.reproducible import matmul

    digits = data.load_digits()
    X, y = digits.X_train[:256], digits.y_train[:256]
    model = MLP(n_hidden=n, parametrization=parametrization)
    params = model.init_params(0)
    _, grads = model.loss_and_grads(params, X, y)
    new = optim.SGD(lr=model.layer_rates(lr)).step(params, grads)
    logits = model.logits(params, X)
    change_logits = np.abs(model.logits(new, X) - logits).mean()
    change_hidden = np.abs(matmul(X, new["W1"]) - matmul(X, params["W1"])).mean()
    return logits.std(), change_logits, change_hidden


def test_mup_equals_the_standard_parametrization_at_the_base_width():
    from lrcourse.models import MLP

    standard, mup = MLP(n_hidden=32), MLP(n_hidden=32, parametrization="mup", base_width=32)
    for name, value in standard.init_params(5).items():
        assert np.array_equal(value, mup.init_params(5)[name])
    assert mup.layer_rates(0.1) == standard.layer_rates(0.1) == dict.fromkeys(["W1", "b1", "W2", "b2"], 0.1)


def test_mup_output_starts_near_zero_as_width_grows():
    narrow, wide = _one_step_changes("mup", 64)[0], _one_step_changes("mup", 4096)[0]
    assert wide / narrow == pytest.approx(1 / 8 * _one_step_changes("standard", 4096)[0] / narrow, rel=1e-9)
    assert wide < 0.4 * narrow
    assert _one_step_changes("standard", 4096)[0] > narrow


def test_mup_update_of_logits_and_features_does_not_grow_or_vanish_with_width():
    mup = {n: _one_step_changes("mup", n) for n in (64, 1024, 4096)}
    standard = {n: _one_step_changes("standard", n) for n in (64, 4096)}
    for n in (1024, 4096):
        assert 0.5 < mup[n][1] / mup[64][1] < 2.0  # logits move by the same amount
        assert 0.5 < mup[n][2] / mup[64][2] < 2.0  # and so do the hidden features
    assert standard[4096][1] / standard[64][1] > 20  # standard: the logits' step grows with n
    assert standard[4096][2] / standard[64][2] < 0.3  # while the features' step vanishes


def test_mup_multipliers_follow_tensor_programs_v_table_3():
    from lrcourse.models import MLP

    model = MLP(n_hidden=512, parametrization="mup", base_width=128)
    assert model.lr_multipliers() == {"W1": 4.0, "b1": 4.0, "W2": 0.25, "b2": 1.0}
    std_w2 = MLP(n_hidden=512).init_params(0)["W2"] / 2.0
    np.testing.assert_allclose(model.init_params(0)["W2"], std_w2, rtol=1e-15)
    assert "parametrization='mup'" in repr(model) and "parametrization" not in repr(MLP())


def test_mup_refuses_unknown_parametrizations_by_name():
    from lrcourse.models import MLP

    with pytest.raises(ValueError, match="parametrization"):
        MLP(parametrization="ntk")
    with pytest.raises(ValueError, match="base_width"):
        MLP(parametrization="mup", base_width=0)
