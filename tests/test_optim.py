"""Tests for lrcourse.optim.

Every numerical expectation is computed here, step by step, from the update
equations in PyTorch's documentation, on tiny inputs. Gradients are a fixed
sequence (not a function of ``w``) unless the option under test (weight
decay) makes the update depend on ``w``.
"""

import math
import warnings

import numpy as np
import pytest

from lrcourse import optim

GRADS = [0.5, -1.0, 2.0]  # g_1, g_2, g_3 for one-coordinate tests
W0 = 1.5


def run(opt, w0=W0, grads=GRADS):
    """Return [w_1, w_2, w_3] as floats, feeding the fixed gradients."""
    w = np.array([w0])
    out = []
    for g in grads:
        w = opt.step(w, np.array([g]))
        out.append(float(w[0]))
    return out


def hand_loop(update, state, w0=W0, grads=GRADS):
    """Apply ``update(w, g, t, state) -> w`` with plain floats, t from 1."""
    w, out = w0, []
    for t, g in enumerate(grads, start=1):
        w = update(w, g, t, state)
        out.append(w)
    return out


# ---------------------------------------------------------------- SGD


def test_sgd_plain_matches_w_minus_lr_g():
    assert run(optim.SGD(lr=0.1)) == pytest.approx([1.45, 1.55, 1.35], rel=1e-14)


def test_sgd_default_lr_is_pytorchs():
    assert optim.SGD().lr == 1e-3


def test_sgd_momentum_first_three_steps():
    # b_1 = g_1 = 0.5; b_2 = 0.9*0.5 - 1 = -0.55; b_3 = 0.9*(-0.55) + 2 = 1.505
    expected_w = [1.5 - 0.1 * 0.5, 1.45 - 0.1 * -0.55, 1.505 - 0.1 * 1.505]
    assert run(optim.SGD(lr=0.1, momentum=0.9)) == pytest.approx(expected_w, rel=1e-14)


def test_sgd_dampening_leaves_first_buffer_undampened():
    beta, tau, eta = 0.9, 0.5, 0.1

    def update(w, g, t, s):
        s["b"] = g if t == 1 else beta * s["b"] + (1 - tau) * g
        return w - eta * s["b"]

    assert run(optim.SGD(lr=eta, momentum=beta, dampening=tau)) == pytest.approx(hand_loop(update, {}), rel=1e-14)
    # b_1 = 0.5 (not 0.25), so w_1 = 1.45
    assert run(optim.SGD(lr=eta, momentum=beta, dampening=tau))[0] == pytest.approx(1.45, rel=1e-14)


def test_sgd_nesterov_first_three_steps():
    beta, eta = 0.9, 0.1
    # b = 0.5, -0.55, 1.505; d_t = g_t + beta b_t
    d = [0.5 + 0.9 * 0.5, -1.0 + 0.9 * -0.55, 2.0 + 0.9 * 1.505]
    expected = [1.5 - eta * d[0]]
    expected.append(expected[-1] - eta * d[1])
    expected.append(expected[-1] - eta * d[2])
    assert run(optim.SGD(lr=eta, momentum=beta, nesterov=True)) == pytest.approx(expected, rel=1e-14)


def test_sgd_weight_decay_uses_current_w_before_momentum():
    beta, lam, eta = 0.5, 0.2, 0.1

    def update(w, g, t, s):
        g = g + lam * w
        s["b"] = g if t == 1 else beta * s["b"] + g
        return w - eta * s["b"]

    # first step by hand: g = 0.5 + 0.2*1.5 = 0.8, w_1 = 1.5 - 0.08 = 1.42
    got = run(optim.SGD(lr=eta, momentum=beta, weight_decay=lam))
    assert got[0] == pytest.approx(1.42, rel=1e-14)
    assert got == pytest.approx(hand_loop(update, {}), rel=1e-14)


def test_sgd_maximize_ascends():
    assert run(optim.SGD(lr=0.1, maximize=True)) == pytest.approx([1.55, 1.45, 1.65], rel=1e-14)


def test_sgd_closed_form_on_quadratic_for_many_rates():
    # f(w) = L/2 w^2: plain gradient descent gives w_t = (1 - eta L)^t w_0 exactly.
    L, steps = 4.0, 7
    rates = np.array([0.05, 0.25, 0.45, 0.6])[:, None]
    opt = optim.SGD(lr=rates)
    w = np.full((4, 1), 2.0)
    for _ in range(steps):
        w = opt.step(w, L * w)
    np.testing.assert_allclose(w, (1 - rates * L) ** steps * 2.0, rtol=1e-12)
    assert abs(w[3, 0]) > 2.0  # eta = 0.6 > 2/L = 0.5 grows
    assert np.all(np.abs(w[:3]) < 2.0)


def test_sgd_lr_change_applies_to_whole_buffer_at_next_step():
    # PyTorch semantics: w_t = w_{t-1} - eta_t b_t, so the new rate scales b_t.
    opt = optim.SGD(lr=0.1, momentum=0.9)
    w1 = opt.step(np.array([1.5]), np.array([0.5]))
    opt.lr = 0.01
    w2 = opt.step(w1, np.array([-1.0]))
    assert float(w2[0]) == pytest.approx(1.45 - 0.01 * (0.9 * 0.5 - 1.0), rel=1e-14)


def test_sgd_momentum_matches_polyak_heavy_ball_at_constant_rate():
    # w_t = w_{t-1} - eta g_t + beta (w_{t-1} - w_{t-2}), with w_{-1} = w_0
    beta, eta = 0.7, 0.2
    previous, w, expected = W0, W0, []
    for g in GRADS:
        previous, w = w, w - eta * g + beta * (w - previous)
        expected.append(w)
    assert run(optim.SGD(lr=eta, momentum=beta)) == pytest.approx(expected, rel=1e-13)


# ---------------------------------------------------------------- Adagrad


def test_adagrad_first_three_steps():
    eta, eps = 0.5, 1e-10
    s = np.cumsum(np.square(GRADS))  # 0.25, 1.25, 5.25
    expected = [1.5 - eta * 0.5 / (math.sqrt(s[0]) + eps)]
    expected.append(expected[-1] - eta * -1.0 / (math.sqrt(s[1]) + eps))
    expected.append(expected[-1] - eta * 2.0 / (math.sqrt(s[2]) + eps))
    assert run(optim.Adagrad(lr=eta)) == pytest.approx(expected, rel=1e-14)
    assert expected[0] == pytest.approx(1.0)  # first step has length eta


def test_adagrad_lr_decay_initial_accumulator_weight_decay_eps():
    eta, decay, s0, lam, eps = 0.5, 0.3, 0.4, 0.1, 1e-3

    def update(w, g, t, st):
        g = g + lam * w
        st["s"] += g * g
        return w - eta / (1 + (t - 1) * decay) * g / (math.sqrt(st["s"]) + eps)

    opt = optim.Adagrad(lr=eta, lr_decay=decay, weight_decay=lam, initial_accumulator_value=s0, eps=eps)
    assert run(opt) == pytest.approx(hand_loop(update, {"s": s0}), rel=1e-14)
    # step 1 by hand: g = 0.65, s = 0.4 + 0.4225 = 0.8225
    assert run(opt.__class__(eta, decay, lam, s0, eps))[0] == pytest.approx(
        1.5 - 0.5 * 0.65 / (math.sqrt(0.8225) + 1e-3), rel=1e-14
    )


# ---------------------------------------------------------------- RMSprop


def test_rmsprop_first_three_steps():
    eta, alpha, eps = 0.01, 0.9, 1e-8
    v1 = 0.1 * 0.25
    v2 = 0.9 * v1 + 0.1 * 1.0
    v3 = 0.9 * v2 + 0.1 * 4.0
    expected = [1.5 - eta * 0.5 / (math.sqrt(v1) + eps)]
    expected.append(expected[-1] - eta * -1.0 / (math.sqrt(v2) + eps))
    expected.append(expected[-1] - eta * 2.0 / (math.sqrt(v3) + eps))
    assert run(optim.RMSprop(lr=eta, alpha=alpha)) == pytest.approx(expected, rel=1e-14)


def test_rmsprop_centered_subtracts_squared_mean():
    eta, alpha, eps = 0.01, 0.9, 1e-8

    def update(w, g, t, s):
        s["v"] = alpha * s["v"] + (1 - alpha) * g * g
        s["a"] = alpha * s["a"] + (1 - alpha) * g
        return w - eta * g / (math.sqrt(s["v"] - s["a"] ** 2) + eps)

    # step 1 by hand: v = 0.025, a = 0.05, v - a^2 = 0.0225, sqrt = 0.15
    got = run(optim.RMSprop(lr=eta, alpha=alpha, centered=True))
    assert got[0] == pytest.approx(1.5 - 0.01 * 0.5 / (0.15 + 1e-8), rel=1e-13)
    assert got == pytest.approx(hand_loop(update, {"v": 0.0, "a": 0.0}), rel=1e-13)


def test_rmsprop_momentum_accumulates_normalized_step():
    eta, alpha, beta, eps, lam = 0.01, 0.9, 0.5, 1e-8, 0.1

    def update(w, g, t, s):
        g = g + lam * w
        s["v"] = alpha * s["v"] + (1 - alpha) * g * g
        s["b"] = beta * s["b"] + g / (math.sqrt(s["v"]) + eps)
        return w - eta * s["b"]

    opt = optim.RMSprop(lr=eta, alpha=alpha, momentum=beta, weight_decay=lam)
    assert run(opt) == pytest.approx(hand_loop(update, {"v": 0.0, "b": 0.0}), rel=1e-13)


def test_rmsprop_centered_with_momentum():
    eta, alpha, beta, eps = 0.01, 0.8, 0.9, 1e-4

    def update(w, g, t, s):
        s["v"] = alpha * s["v"] + (1 - alpha) * g * g
        s["a"] = alpha * s["a"] + (1 - alpha) * g
        s["b"] = beta * s["b"] + g / (math.sqrt(s["v"] - s["a"] ** 2) + eps)
        return w - eta * s["b"]

    opt = optim.RMSprop(lr=eta, alpha=alpha, eps=eps, momentum=beta, centered=True)
    assert run(opt) == pytest.approx(hand_loop(update, {"v": 0.0, "a": 0.0, "b": 0.0}), rel=1e-12)


# ---------------------------------------------------------------- Adam, AdamW


def adam_hand(eta, beta1, beta2, eps, lam=0.0, amsgrad=False, decoupled=False, grads=GRADS):
    def update(w, g, t, s):
        if decoupled:
            w = w * (1 - eta * lam)
        else:
            g = g + lam * w
        s["m"] = beta1 * s["m"] + (1 - beta1) * g
        s["v"] = beta2 * s["v"] + (1 - beta2) * g * g
        s["vmax"] = max(s["vmax"], s["v"])
        v = s["vmax"] if amsgrad else s["v"]
        return w - eta / (1 - beta1**t) * s["m"] / (math.sqrt(v / (1 - beta2**t)) + eps)

    return hand_loop(update, {"m": 0.0, "v": 0.0, "vmax": 0.0}, grads=grads)


def test_adam_first_step_has_length_lr():
    # m_1 = 0.1*0.5, v_1 = 0.001*0.25; mhat = 0.5, vhat = 0.25: step = eta * 0.5/(0.5 + eps)
    assert run(optim.Adam(lr=0.1))[0] == pytest.approx(1.5 - 0.1 * 0.5 / (0.5 + 1e-8), rel=1e-14)


def test_adam_first_three_steps():
    assert run(optim.Adam(lr=0.1)) == pytest.approx(adam_hand(0.1, 0.9, 0.999, 1e-8), rel=1e-13)


def test_adam_weight_decay_is_added_to_gradient():
    opt = optim.Adam(lr=0.1, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.3)
    assert run(opt) == pytest.approx(adam_hand(0.1, 0.8, 0.95, 1e-6, lam=0.3), rel=1e-13)


def test_amsgrad_uses_running_maximum_of_v():
    grads = [3.0, 0.1, 0.1]  # v falls after the first step, so the maximum matters
    ams = run(optim.Adam(lr=0.1, betas=(0.9, 0.5), amsgrad=True), grads=grads)
    plain = run(optim.Adam(lr=0.1, betas=(0.9, 0.5)), grads=grads)
    assert ams == pytest.approx(adam_hand(0.1, 0.9, 0.5, 1e-8, amsgrad=True, grads=grads), rel=1e-13)
    assert plain == pytest.approx(adam_hand(0.1, 0.9, 0.5, 1e-8, grads=grads), rel=1e-13)
    assert ams[0] == plain[0] and ams[2] != pytest.approx(plain[2], rel=1e-3)


def test_adamw_decays_weights_before_the_adam_step():
    opt = optim.AdamW(lr=0.1, weight_decay=0.3)
    assert run(opt) == pytest.approx(adam_hand(0.1, 0.9, 0.999, 1e-8, lam=0.3, decoupled=True), rel=1e-13)


def test_adamw_amsgrad():
    grads = [3.0, 0.1, 0.1]
    opt = optim.AdamW(lr=0.1, betas=(0.9, 0.5), weight_decay=0.2, amsgrad=True)
    expected = adam_hand(0.1, 0.9, 0.5, 1e-8, lam=0.2, amsgrad=True, decoupled=True, grads=grads)
    assert run(opt, grads=grads) == pytest.approx(expected, rel=1e-13)


def test_adamw_and_adam_weight_decay_differ_as_the_formulas_say():
    # Zero gradient: Adam's decay term lam*w is normalized away (a step of ~eta),
    # AdamW's decay shrinks w by the factor (1 - eta lam) and the Adam part is 0.
    w0, eta, lam = np.array([2.0]), 0.1, 0.5
    adam = optim.Adam(lr=eta, weight_decay=lam).step(w0, np.array([0.0]))
    adamw = optim.AdamW(lr=eta, weight_decay=lam).step(w0, np.array([0.0]))
    assert float(adam[0]) == pytest.approx(2.0 - eta * 1.0 / (1.0 + 1e-8), rel=1e-14)  # g = lam w = 1
    assert float(adamw[0]) == pytest.approx(2.0 * (1 - eta * lam), rel=1e-14)
    # Without weight decay they are the same algorithm.
    assert run(optim.AdamW(lr=0.1, weight_decay=0)) == run(optim.Adam(lr=0.1))


def test_adamw_default_weight_decay_is_pytorchs():
    assert optim.AdamW().weight_decay == 0.01 and optim.Adam().weight_decay == 0


# ---------------------------------------------------------------- shared plumbing

ALL = [
    lambda lr: optim.SGD(lr=lr, momentum=0.9, nesterov=True, weight_decay=0.1),
    lambda lr: optim.Adagrad(lr=lr, lr_decay=0.1, weight_decay=0.1),
    lambda lr: optim.RMSprop(lr=lr, momentum=0.5, centered=True, weight_decay=0.1),
    lambda lr: optim.Adam(lr=lr, amsgrad=True, weight_decay=0.1),
    lambda lr: optim.AdamW(lr=lr, amsgrad=True),
]
NAMES = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"]


def quadratic_grad(w):
    return np.array([3.0, 0.5]) * w + np.array([0.2, -0.1])


@pytest.mark.parametrize("make", ALL, ids=NAMES)
def test_array_lr_equals_separate_runs(make):
    rates = np.array([0.01, 0.1, 0.3])
    batched = make(rates[:, None])
    W = np.tile([1.0, -2.0], (3, 1))
    separate = [make(float(r)) for r in rates]
    ws = [np.array([1.0, -2.0]) for _ in rates]
    for _ in range(4):
        W = batched.step(W, quadratic_grad(W))
        ws = [opt.step(w, quadratic_grad(w)) for opt, w in zip(separate, ws)]
    np.testing.assert_allclose(W, np.stack(ws), rtol=1e-14, atol=0)


@pytest.mark.parametrize("make", ALL, ids=NAMES)
def test_dict_params_with_per_key_lr_equal_separate_optimizers(make):
    opt = make(0.0)
    opt.lr = {"W": 0.05, "b": np.array([0.2, 0.01])}
    params = {"W": np.array([[1.0, -1.0], [0.5, 2.0]]), "b": np.array([0.3, -0.4])}
    for_w, for_b = make(0.05), make(np.array([0.2, 0.01]))
    w, b = params["W"], params["b"]
    for _ in range(3):
        grads = {"W": 2 * params["W"] + 1, "b": params["b"] ** 3}
        params = opt.step(params, grads)
        w, b = for_w.step(w, 2 * w + 1), for_b.step(b, b**3)
    assert list(params) == ["W", "b"]
    np.testing.assert_array_equal(params["W"], w)
    np.testing.assert_array_equal(params["b"], b)


@pytest.mark.parametrize("make", ALL, ids=NAMES)
def test_step_never_mutates_inputs_nor_shares_memory_with_them(make):
    lr = np.array([[0.1], [0.2]])
    opt = make(lr)
    w = np.array([[1.0, -2.0], [0.5, 0.25]])
    g = np.array([[0.3, -0.1], [2.0, 1.0]])
    copies = w.copy(), g.copy(), lr.copy()
    new = opt.step(w, g)
    np.testing.assert_array_equal(w, copies[0])
    np.testing.assert_array_equal(g, copies[1])
    np.testing.assert_array_equal(opt.lr, copies[2])
    assert not np.shares_memory(new, w) and not np.shares_memory(new, g)
    # Changing the caller's arrays afterwards must not change the optimizer's state.
    twin = make(lr.copy())
    twin.step(copies[0], copies[1])
    g[...] = 99.0
    lr[...] = 5.0
    np.testing.assert_array_equal(opt.step(new, copies[1]), twin.step(new, copies[1]))


def test_dict_step_does_not_mutate_dicts():
    params = {"a": np.array([1.0]), "b": np.array([2.0])}
    grads = {"a": np.array([0.5]), "b": np.array([-0.5])}
    new = optim.SGD(lr=0.1).step(params, grads)
    assert params["a"][0] == 1.0 and grads["b"][0] == -0.5 and set(params) == {"a", "b"}
    assert new is not params and float(new["a"][0]) == pytest.approx(0.95)


@pytest.mark.parametrize("make", ALL, ids=NAMES)
def test_lr_change_takes_effect_at_next_step_only(make):
    # Same history, then the rate changes before step 3: steps 1-2 agree, step 3 differs.
    a, b = make(0.1), make(0.1)
    wa = wb = np.array([1.0, -2.0])
    for _ in range(2):
        wa, wb = a.step(wa, quadratic_grad(wa)), b.step(wb, quadratic_grad(wb))
    np.testing.assert_array_equal(wa, wb)
    b.lr = 0.0
    wb3 = b.step(wb, quadratic_grad(wb))
    wa3 = a.step(wa, quadratic_grad(wa))
    assert not np.allclose(wa3, wb3)
    np.testing.assert_array_equal(wb3, wb)  # lr = 0 does not move anything


@pytest.mark.parametrize("make", ALL, ids=NAMES)
def test_reset_gives_a_fresh_optimizer(make):
    used, fresh = make(0.1), make(0.1)
    w = np.array([1.0, -2.0])
    used.step(w, quadratic_grad(w))
    used.step(w, quadratic_grad(w))
    used.reset()
    assert used.t == 0
    np.testing.assert_array_equal(used.step(w, quadratic_grad(w)), fresh.step(w, quadratic_grad(w)))


def test_state_and_step_count_are_visible():
    opt = optim.Adam(lr=0.1)
    assert opt.t == 0 and opt.state == {}
    opt.step(np.array([1.0]), np.array([0.5]))
    opt.step(np.array([1.0]), np.array([-1.0]))
    assert opt.t == 2
    np.testing.assert_allclose(opt.state["exp_avg"], [0.9 * 0.05 + 0.1 * -1.0])
    np.testing.assert_allclose(opt.state["exp_avg_sq"], [0.999 * 0.001 * 0.25 + 0.001 * 1.0])
    dict_opt = optim.SGD(lr=0.1, momentum=0.9)
    dict_opt.step({"w": np.array([1.0])}, {"w": np.array([2.0])})
    np.testing.assert_array_equal(dict_opt.state["w"]["momentum_buffer"], [2.0])


def test_array_in_array_out_and_scalar_params():
    out = optim.SGD(lr=0.5).step(2.0, 1.0)
    assert isinstance(out, np.ndarray) and out.shape == () and float(out) == 1.5


@pytest.mark.parametrize("make", ALL, ids=NAMES)
def test_nonfinite_gradients_propagate_without_numpy_warnings(make):
    opt = make(0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w = opt.step(np.array([1.0, 1.0, 1.0]), np.array([np.nan, np.inf, 1.0]))
        w = opt.step(w, np.array([1.0, -np.inf, 1.0]))
    assert np.isnan(w[0]) and not np.isfinite(w[1]) and np.isfinite(w[2])


def test_zero_over_zero_is_nan_like_pytorch_when_eps_is_zero():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w = optim.Adam(lr=0.1, eps=0).step(np.array([1.0, 1.0]), np.array([0.0, 2.0]))
    assert np.isnan(w[0]) and w[1] == pytest.approx(0.9)


def test_reprs_read_like_constructor_calls():
    assert repr(optim.Adam()) == "Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0, amsgrad=False)"
    assert repr(optim.AdamW()) == "AdamW(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01, amsgrad=False)"
    assert repr(optim.SGD(lr=0.1, momentum=0.9)) == "SGD(lr=0.1, momentum=0.9, dampening=0, weight_decay=0, nesterov=False)"
    assert repr(optim.Adagrad()) == "Adagrad(lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10)"
    assert repr(optim.SGD(lr=np.array([0.1, 0.2]), maximize=True)).startswith("SGD(lr=array([0.1, 0.2]), ")
    assert repr(optim.SGD(lr=np.array([0.1, 0.2]), maximize=True)).endswith("maximize=True)")
    assert "lr={'W': 0.1, 'b': 0.01}" in repr(optim.RMSprop(lr={"W": 0.1, "b": 0.01}))


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "make, pattern",
    [
        (lambda: optim.SGD(lr=-0.1), r"lr must be a finite number >= 0, got -0.1"),
        (lambda: optim.SGD(lr=float("nan")), r"lr must be a finite number >= 0, got nan"),
        (lambda: optim.SGD(momentum=-0.5), r"momentum must be a finite number >= 0, got -0.5"),
        (lambda: optim.SGD(dampening=1.5), r"dampening must be a finite number >= 0 and <= 1, got 1.5"),
        (lambda: optim.SGD(weight_decay=-1), r"weight_decay must be a finite number >= 0, got -1"),
        (lambda: optim.SGD(nesterov=True), r"nesterov=True needs momentum > 0 and dampening == 0, got momentum=0"),
        (lambda: optim.SGD(momentum=0.9, dampening=0.1, nesterov=True), r"needs momentum > 0 and dampening == 0"),
        (lambda: optim.Adagrad(lr_decay=-0.1), r"lr_decay must be a finite number >= 0"),
        (lambda: optim.Adagrad(initial_accumulator_value=-1), r"initial_accumulator_value must be .* >= 0"),
        (lambda: optim.Adagrad(eps=-1e-3), r"eps must be a finite number >= 0"),
        (lambda: optim.RMSprop(alpha=1.0), r"alpha must be a finite number >= 0 and < 1, got 1.0"),
        (lambda: optim.RMSprop(momentum=-0.1), r"momentum must be a finite number >= 0"),
        (lambda: optim.Adam(betas=(0.9, 1.0)), r"betas\[1\] must be a finite number >= 0 and < 1, got 1.0"),
        (lambda: optim.Adam(betas=(-0.1, 0.9)), r"betas\[0\] must be a finite number >= 0 and < 1, got -0.1"),
        (lambda: optim.AdamW(weight_decay=-0.01), r"weight_decay must be a finite number >= 0"),
        (lambda: optim.Adam(lr=np.array([0.1, -0.2])), r"lr must contain only finite numbers >= 0, got -0.2 at index 1"),
        (lambda: optim.SGD(lr={"W": 0.1, "b": -1.0}), r"lr\['b'\] must be a finite number >= 0, got -1.0"),
    ],
)
def test_bad_hyperparameters_raise_value_error_naming_them(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


@pytest.mark.parametrize(
    "make, pattern",
    [
        (lambda: optim.SGD(nesterov=1), r"nesterov must be True or False, got 1"),
        (lambda: optim.Adam(amsgrad="yes"), r"amsgrad must be True or False"),
        (lambda: optim.RMSprop(centered=None), r"centered must be True or False"),
        (lambda: optim.Adam(betas=0.9), r"betas must be a pair"),
        (lambda: optim.Adam(betas=(0.9, 0.99, 0.999)), r"betas must be a pair"),
        (lambda: optim.SGD(lr="0.1"), r"lr must be a real number"),
        (lambda: optim.SGD(lr=[0.1, 0.2]), r"lr must be a float, an ndarray or a dict"),
    ],
)
def test_bad_hyperparameter_types_raise_type_error_naming_them(make, pattern):
    with pytest.raises(TypeError, match=pattern):
        make()


def test_setting_a_bad_lr_later_is_rejected_and_keeps_the_old_one():
    opt = optim.SGD(lr=0.1)
    with pytest.raises(ValueError, match="lr must be a finite number >= 0, got -1.0"):
        opt.lr = -1.0
    assert opt.lr == 0.1


def test_shape_mismatch_names_shape():
    opt = optim.SGD(lr=0.1)
    with pytest.raises(ValueError, match=r"grads must have the shape of params, \(2,\), got shape \(3,\)"):
        opt.step(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match=r"grads\['b'\] must have the shape .*got shape \(1,\)"):
        opt.step({"b": np.zeros(2)}, {"b": np.zeros(1)})


def test_shape_change_between_steps_names_shape():
    opt = optim.Adam()
    opt.step(np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match=r"params must keep the shape of the earlier steps, \(2,\), got shape \(3,\)"):
        opt.step(np.zeros(3), np.zeros(3))
    opt.reset()
    assert opt.step(np.zeros(3), np.ones(3)).shape == (3,)


def test_key_mismatches_name_the_key():
    opt = optim.SGD(lr=0.1)
    with pytest.raises(ValueError, match=r"grads is missing the key 'b'"):
        opt.step({"W": np.zeros(1), "b": np.zeros(1)}, {"W": np.zeros(1)})
    with pytest.raises(ValueError, match=r"grads has the key 'c'"):
        opt.step({"W": np.zeros(1)}, {"W": np.zeros(1), "c": np.zeros(1)})
    opt.step({"W": np.zeros(1)}, {"W": np.zeros(1)})
    with pytest.raises(ValueError, match=r"params is missing the key 'W': its keys must be those of the earlier"):
        opt.step({"V": np.zeros(1)}, {"V": np.zeros(1)})
    with pytest.raises(ValueError, match=r"params has the key 'V' that is not in the earlier steps"):
        opt.step({"W": np.zeros(1), "V": np.zeros(1)}, {"W": np.zeros(1), "V": np.zeros(1)})


def test_lr_dict_keys_must_match_params():
    opt = optim.SGD(lr={"W": 0.1})
    with pytest.raises(ValueError, match=r"lr is missing the key 'b'"):
        opt.step({"W": np.zeros(1), "b": np.zeros(1)}, {"W": np.zeros(1), "b": np.zeros(1)})
    with pytest.raises(ValueError, match=r"lr is a dict, so params must be a dict"):
        opt.step(np.zeros(1), np.zeros(1))


def test_lr_array_must_broadcast_against_params():
    opt = optim.SGD(lr=np.array([0.1, 0.2, 0.3]))
    with pytest.raises(ValueError, match=r"lr must broadcast against params of shape \(2,\), got shape \(3,\)"):
        opt.step(np.zeros(2), np.zeros(2))
    opt.lr = np.array([[0.1], [0.2]])  # would enlarge (2,) params to (2, 2): refused too
    with pytest.raises(ValueError, match=r"lr must broadcast against params of shape \(2,\), got shape \(2, 1\)"):
        opt.step(np.zeros(2), np.zeros(2))


def test_params_and_grads_kinds_must_agree():
    opt = optim.SGD()
    with pytest.raises(TypeError, match="params and grads must both be ndarrays or both dicts"):
        opt.step({"W": np.zeros(1)}, np.zeros(1))
    with pytest.raises(TypeError, match="params must be an ndarray of numbers, got str"):
        opt.step("abc", np.zeros(1))
    opt.step(np.zeros(1), np.zeros(1))
    with pytest.raises(TypeError, match="params must be an ndarray, as on the earlier steps, got a dict"):
        opt.step({"W": np.zeros(1)}, {"W": np.zeros(1)})


def test_failed_step_leaves_state_untouched():
    opt = optim.SGD(lr=0.1, momentum=0.9)
    opt.step({"W": np.ones(1), "b": np.ones(1)}, {"W": np.ones(1), "b": np.ones(1)})
    with pytest.raises(ValueError):
        opt.step({"W": np.ones(1), "b": np.ones(2)}, {"W": np.ones(1), "b": np.ones(2)})
    assert opt.t == 1
    np.testing.assert_array_equal(opt.state["W"]["momentum_buffer"], [1.0])


@pytest.mark.parametrize(
    "make",
    [lambda: optim.SGD(lr=0.1, momentum=0.9, nesterov=True), lambda: optim.Adam(lr=0.1, amsgrad=True),
     lambda: optim.RMSprop(lr=0.01, centered=True, momentum=0.5), lambda: optim.Adagrad(lr=0.3), lambda: optim.AdamW()],
)
def test_init_and_update_are_pure_and_equal_step(make):
    rng = np.random.default_rng(0)
    params = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)}
    stateful, pure = make(), make()
    state = pure.init(params)
    w_step, w_pure = params, params
    for _ in range(4):
        grads = {key: rng.normal(size=value.shape) for key, value in params.items()}
        w_step = stateful.step(w_step, grads)
        before = {key: value.copy() for key, value in w_pure.items()}
        w_pure, new_state = pure.update(w_pure, grads, state)
        assert new_state.t == state.t + 1
        for key in params:
            np.testing.assert_array_equal(w_pure[key], w_step[key])
            assert not np.shares_memory(w_pure[key], before[key])
        state = new_state
    assert pure.t == 0 and pure.state == {}  # the instance keeps nothing


def test_update_takes_this_steps_rate_and_restarts_from_any_state():
    opt = optim.SGD(lr=1.0, momentum=0.9)
    w0 = np.array([1.0, -2.0])
    state0 = opt.init(w0)
    w1, state1 = opt.update(w0, w0, state0, lr=0.1)
    np.testing.assert_array_equal(w1, [0.9, -1.8])
    again, _ = opt.update(w0, w0, state0, lr=0.1)  # the old state is unchanged
    np.testing.assert_array_equal(again, w1)
    with pytest.raises(ValueError, match="lr must be a finite number >= 0, got -1.0"):
        opt.update(w1, w1, state1, lr=-1.0)
    with pytest.raises(TypeError, match="state must be a State"):
        opt.update(w1, w1, {"t": 1})
    with pytest.raises(ValueError, match="must keep the shape of the earlier steps"):
        opt.update(np.ones(3), np.ones(3), state1)


@pytest.mark.parametrize("params", [["1.0", "2.0"], [True, False], np.array(["1"])])
def test_params_that_are_not_numbers_are_refused_not_converted(params):
    with pytest.raises(TypeError, match="params must be an ndarray of numbers"):
        optim.SGD(lr=0.1).step(params, np.zeros(2))


# --- schedule-free SGD and AdamW (Defazio et al. 2024) ---------------------------
# The reference below is schedulefree's SGDScheduleFreeReference /
# AdamWScheduleFreeReference step, transcribed line by line for numpy floats.


def _reference_schedule_free(w0, grad, steps, lr, adam, momentum=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0,
                             warmup_steps=0, r=0.0, weight_lr_power=2.0):
    z, x, y = w0.copy(), w0.copy(), w0.copy()
    exp_avg_sq = np.zeros_like(w0)
    k, lr_max, weight_sum = 0, -1.0, 0.0
    ys, xs = [], []
    for _ in range(steps):
        g = grad(y)
        sched = (k + 1) / warmup_steps if k < warmup_steps else 1.0
        eta = lr * sched
        lr_max = max(eta, lr_max)
        weight = ((k + 1) ** r) * (lr_max**weight_lr_power)
        weight_sum = weight_sum + weight
        ckp1 = weight / weight_sum if weight_sum else 0.0
        if adam:
            if weight_decay != 0:
                z = z - y * (eta * weight_decay)
            exp_avg_sq = exp_avg_sq * beta2 + g * g * (1 - beta2)
            denom = np.sqrt(exp_avg_sq / (1 - beta2 ** (k + 1))) + eps
            z = z - eta * g / denom
        else:
            if weight_decay != 0:
                g = g + y * weight_decay
            z = z - eta * g
        x = x * (1 - ckp1) + z * ckp1
        y = x * momentum + z * (1 - momentum)
        ys.append(y.copy())
        xs.append(x.copy())
        k += 1
    return ys, xs


def _bumpy_grad(w):
    return np.array([2.0, 0.5]) * w + np.sin(3 * w)


@pytest.mark.parametrize("kwargs", [
    {},
    {"weight_decay": 0.1, "warmup_steps": 3},
    {"r": 1.0, "weight_lr_power": 0.0, "momentum": 0.5},
])
def test_schedule_free_sgd_reproduces_the_reference_step_by_step(kwargs):
    w0 = np.array([1.0, -2.0])
    ref_y, ref_x = _reference_schedule_free(w0, _bumpy_grad, 8, lr=0.3, adam=False, **kwargs)
    opt = optim.SGDScheduleFree(lr=0.3, **kwargs)
    w = w0
    for y, x in zip(ref_y, ref_x):
        w = opt.step(w, _bumpy_grad(w))
        np.testing.assert_allclose(w, y, rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(opt.evaluation_point(w), x, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("kwargs", [
    {},
    {"weight_decay": 0.2, "warmup_steps": 4, "betas": (0.8, 0.99)},
])
def test_schedule_free_adamw_reproduces_the_reference_step_by_step(kwargs):
    w0 = np.array([1.0, -2.0])
    ref_kwargs = dict(kwargs)
    if "betas" in ref_kwargs:
        ref_kwargs["momentum"], ref_kwargs["beta2"] = ref_kwargs.pop("betas")
    ref_y, ref_x = _reference_schedule_free(w0, _bumpy_grad, 8, lr=0.05, adam=True, **ref_kwargs)
    opt = optim.AdamWScheduleFree(lr=0.05, **kwargs)
    w = w0
    for y, x in zip(ref_y, ref_x):
        w = opt.step(w, _bumpy_grad(w))
        np.testing.assert_allclose(w, y, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(opt.evaluation_point(w), x, rtol=1e-13, atol=1e-15)


def test_schedule_free_sgd_two_steps_by_hand():
    # f = w^2 / 2, w0 = 1, eta = 0.5: z1 = 0.5, x1 = 0.5, y1 = 0.5; g2 = 0.5, z2 = 0.25,
    # x2 = (0.5 + 0.25) / 2 = 0.375 (c2 = 1/2), y2 = 0.9 * 0.375 + 0.1 * 0.25 = 0.3625
    opt = optim.SGDScheduleFree(lr=0.5)
    y = opt.step(np.array([1.0]), np.array([1.0]))
    assert y[0] == 0.5
    y = opt.step(y, y)
    assert math.isclose(y[0], 0.3625, rel_tol=1e-15)
    assert math.isclose(opt.evaluation_point(y)[0], 0.375, rel_tol=1e-15)


def test_schedule_free_average_is_the_plain_mean_of_z_at_a_constant_rate():
    opt = optim.SGDScheduleFree(lr=0.1, momentum=0.5)
    w, zs = np.array([3.0]), []
    for _ in range(6):
        w = opt.step(w, np.cos(w))
        zs.append(opt.state["z"][0])
    assert math.isclose(opt.evaluation_point(w)[0], np.mean(zs), rel_tol=1e-13)


def test_schedule_free_pure_update_matches_step_with_per_run_rates_and_dicts():
    lrs = np.array([0.1, 0.4]).reshape(2, 1, 1)
    params = {"W": np.ones((2, 2, 3)), "b": np.zeros((2, 1, 3))}
    opt = optim.AdamWScheduleFree(lr=lrs, weight_decay=0.1, warmup_steps=2)
    state = opt.init(params)
    w = params
    for _ in range(3):
        grads = {key: np.sin(value) + 0.5 for key, value in w.items()}
        w, state = opt.update(w, grads, state)
    for run in range(2):
        single = optim.AdamWScheduleFree(lr=float(lrs[run, 0, 0]), weight_decay=0.1, warmup_steps=2)
        v = {key: value[run] for key, value in params.items()}
        for _ in range(3):
            v = single.step(v, {key: np.sin(value) + 0.5 for key, value in v.items()})
        for key in params:
            np.testing.assert_allclose(w[key][run], v[key], rtol=1e-14)
            np.testing.assert_allclose(opt.evaluation_point(w, state)[key][run], single.evaluation_point(v)[key],
                                       rtol=1e-14)


def test_evaluation_point_of_other_optimizers_is_the_params():
    opt = optim.Adam(lr=0.1)
    w = opt.step(np.array([1.0]), np.array([2.0]))
    assert opt.evaluation_point(w) is w
    assert not opt.evaluates_elsewhere and optim.SGDScheduleFree().evaluates_elsewhere


def test_schedule_free_defaults_are_the_references():
    assert repr(optim.SGDScheduleFree()) == (
        "SGDScheduleFree(lr=1, momentum=0.9, weight_decay=0, warmup_steps=0, r=0, weight_lr_power=2)"
    )
    assert repr(optim.AdamWScheduleFree()) == (
        "AdamWScheduleFree(lr=0.0025, betas=(0.9, 0.999), eps=1e-08, weight_decay=0, warmup_steps=0, r=0, "
        "weight_lr_power=2)"
    )


@pytest.mark.parametrize("make, name", [
    (lambda: optim.SGDScheduleFree(momentum=1.0), "momentum"),
    (lambda: optim.SGDScheduleFree(momentum=0.0), "momentum"),
    (lambda: optim.SGDScheduleFree(warmup_steps=-1), "warmup_steps"),
    (lambda: optim.AdamWScheduleFree(betas=(0.0, 0.999)), "betas"),
    (lambda: optim.AdamWScheduleFree(weight_lr_power=-1.0), "weight_lr_power"),
])
def test_schedule_free_refuses_bad_hyperparameters_by_name(make, name):
    with pytest.raises(ValueError, match=name):
        make()


# --- LARS and LAMB: per-layer trust ratios (You et al. 2017, 2019) ---------------


def test_lars_two_steps_by_hand_with_momentum_and_decay():
    # step 1: |w| = 5, |g| = 1, lambda = 0.1: ratio = 0.01 * 5 / (1 + 0.5) = 1/30
    w, g = np.array([3.0, 4.0]), np.array([0.6, 0.8])
    opt = optim.LARS(lr=2.0, momentum=0.5, weight_decay=0.1, trust_coefficient=0.01)
    w1 = opt.step(w, g)
    b1 = 2.0 * (0.05 / 1.5) * (g + 0.1 * w)
    np.testing.assert_allclose(w1, w - b1, rtol=1e-14)
    ratio2 = 0.01 * np.linalg.norm(w1) / (np.linalg.norm(g) + 0.1 * np.linalg.norm(w1))
    b2 = 0.5 * b1 + 2.0 * ratio2 * (g + 0.1 * w1)
    np.testing.assert_allclose(opt.step(w1, g), w1 - b2, rtol=1e-14)


def test_lars_step_is_a_fixed_share_of_each_layers_norm_whatever_its_gradient():
    params = {"W1": np.full((3, 2), 2.0), "W2": np.full((2, 2), 0.1)}
    grads = {"W1": np.full((3, 2), 1e-4), "W2": np.full((2, 2), 50.0)}
    new = optim.LARS(lr=1.0, momentum=0.0, trust_coefficient=0.01).step(params, grads)
    for key in params:
        moved = np.linalg.norm(new[key] - params[key]) / np.linalg.norm(params[key])
        assert moved == pytest.approx(0.01, rel=1e-12)


def test_lars_and_lamb_leave_zero_layers_at_ratio_one_and_stacked_runs_independent():
    zero = optim.LARS(lr=0.1, momentum=0.0).step(np.zeros(2), np.array([1.0, 0.0]))
    np.testing.assert_allclose(zero, [-0.1, 0.0])
    stacked = np.array([[[3.0, 4.0]], [[0.3, 0.4]]])
    grads = np.array([[[1.0, -2.0]], [[5.0, 0.1]]])
    both = optim.LAMB(lr=0.1, per_run=True).step(stacked, grads)
    for r in range(2):
        np.testing.assert_allclose(both[r], optim.LAMB(lr=0.1).step(stacked[r], grads[r]), rtol=1e-14)


def test_lamb_first_step_by_hand():
    w, g = np.array([1.0, 2.0, 2.0]), np.array([0.5, -1.0, 3.0])
    opt = optim.LAMB(lr=0.1, weight_decay=0.01, eps=1e-6)
    r = g / (np.abs(g) + 1e-6) + 0.01 * w  # bias-corrected first moments: mhat = g, vhat = g^2
    expected = w - 0.1 * (np.linalg.norm(w) / np.linalg.norm(r)) * r
    np.testing.assert_allclose(opt.step(w, g), expected, rtol=1e-13)


def test_lars_refuses_a_zero_trust_coefficient_by_name():
    with pytest.raises(ValueError, match="trust_coefficient"):
        optim.LARS(trust_coefficient=0.0)
