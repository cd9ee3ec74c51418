"""Checks of chapter 1 pass on the reference, and say 'not yet' with a useful hint otherwise."""

import pytest

from lrcourse.checks import update_rule as check


def placeholder(w, grad, lr):
    raise NotImplementedError()


def test_gradient_step():
    assert check.gradient_step(lambda w, grad, lr: w - lr * grad).passed
    assert "not written yet" in check.gradient_step(placeholder).message
    sign_error = check.gradient_step(lambda w, grad, lr: w + lr * grad)
    assert not sign_error.passed and "*up* the gradient" in sign_error.message
    forgot_lr = check.gradient_step(lambda w, grad, lr: w - grad)
    assert "learning rate is missing" in forgot_lr.message


@pytest.mark.parametrize(
    "check_function, right, wrong, hint",
    [
        (check.tangent_prediction, 4 - 0.1 * 16, (2 - 0.1 * 4) ** 2, "actual loss"),
        (check.rescaled_lr, 0.003, 30.0, "must shrink"),
        (check.one_step_lr, 0.25, 0.5, "overshoots"),
    ],
)
def test_value_checks(check_function, right, wrong, hint):
    assert check_function(right).passed
    assert "not answered yet" in check_function(None).message
    result = check_function(wrong)
    assert not result.passed and hint in result.message


def test_gradient_step_must_not_change_its_inputs():
    def in_place(w, grad, lr):
        w -= lr * grad
        return w

    def changes_grad(w, grad, lr):
        grad *= lr
        return w - grad

    for function, name in ((in_place, "w"), (changes_grad, "grad")):
        result = check.gradient_step(function)
        assert not result.passed
        assert f"changed its input {name} in place" in result.message


def test_backtracking_rate():
    def right(f, grad, w, lr0=1.0, c=1e-4):
        lr, slope = lr0, grad(w)
        while f(w - lr * slope) > f(w) - c * lr * slope**2:
            lr = lr / 2
        return lr

    def unsquared(f, grad, w, lr0=1.0, c=1e-4):
        lr, slope = lr0, grad(w)
        while f(w - lr * slope) > f(w) - c * lr * slope:
            lr = lr / 2
        return lr

    def one_too_far_back(f, grad, w, lr0=1.0, c=1e-4):
        return min(lr0, 2 * right(f, grad, w, lr0, c))

    def placeholder(f, grad, w, lr0=1.0, c=1e-4):
        raise NotImplementedError()

    assert check.backtracking_rate(right).passed
    assert "not written yet" in check.backtracking_rate(placeholder).message
    for function, hint in ((lambda f, grad, w, lr0, c: lr0, "never shrank"), (unsquared, "slope *squared*"),
                           (one_too_far_back, "last rate that failed")):
        result = check.backtracking_rate(function)
        assert not result.passed and hint in result.message
    assert "f = 10/2 w², w = 1, lr0 = 1" in check.backtracking_rate(one_too_far_back).message
