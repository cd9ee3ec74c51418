"""The generic self-checks: kind, specific feedback; placeholders are 'not yet', never an error."""

import numpy as np
import pytest

from lrcourse.checks import CheckFailed, CheckResult, Mistake, check_function, check_value


def reference_step(w, grad, lr):
    return w - lr * grad


CASES = [{"w": 1.0, "grad": 2.0, "lr": 0.1}, {"w": np.array([1.0, -2.0]), "grad": np.array([0.5, 0.5]), "lr": 0.3}]
SIGN = Mistake(lambda w, grad, lr: w + lr * grad, "sign error")


def test_value_passes_within_tolerance_and_names_the_answer():
    result = check_value(0.5 + 1e-12, 0.5, name="eta_max", what="2/L")
    assert result.passed and bool(result)
    assert repr(result) == "✔ Correct: eta_max = 0.5 (2/L)."


def test_value_placeholder_is_not_yet():
    result = check_value(None, 0.5, name="eta_max")
    assert not result.passed
    assert "not answered yet" in result.message


def test_value_known_mistake_gets_its_hint():
    result = check_value(0.25, 0.5, name="eta_max", mistakes=[Mistake(0.25, "That is 1/L.")])
    assert not result.passed
    assert result.message.endswith("Hint: That is 1/L.")
    assert "0.25 is too small" in result.message
    assert "0.5" not in result.message, "a value check must not give the answer away"


def test_value_wrong_shape_fails():
    result = check_value([0.5, 0.5], 0.5)
    assert not result.passed and "does not match" in result.message


def test_value_says_too_large():
    assert "is too large" in check_value(3.0, 2.0).message


def test_function_passes_on_reference():
    result = check_function(reference_step, reference_step, CASES, name="gradient_step")
    assert result.passed
    assert "all 2 cases" in result.message


def test_function_diagnoses_known_mistake():
    result = check_function(lambda w, grad, lr: w + lr * grad, reference_step, CASES, name="step", mistakes=[SIGN])
    assert not result.passed
    assert "case 1" in result.message and "Hint: sign error" in result.message
    assert "gave 1.2, expected 0.8" in result.message


def test_function_placeholder_and_errors_are_reported_not_raised():
    def placeholder(w, grad, lr):
        raise NotImplementedError()

    def broken(w, grad, lr):
        return w - lr * undefined_name  # noqa: F821

    assert "not written yet" in check_function(placeholder, reference_step, CASES).message
    message = check_function(broken, reference_step, CASES, name="broken").message
    assert "raised NameError" in message
    assert "forget `return`" in check_function(lambda w, grad, lr: None, reference_step, CASES).message


def test_function_does_not_let_the_learner_mutate_the_cases():
    def mutating(w, grad, lr):
        w -= lr * grad
        return w

    result = check_function(mutating, reference_step, CASES)
    assert result.passed
    assert np.array_equal(CASES[1]["w"], [1.0, -2.0])


def test_result_is_a_plain_value():
    assert CheckResult(False, "x") == CheckResult(False, "x")


def test_under_nbgrader_a_failing_check_raises_its_feedback_and_a_passing_one_does_not(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert check_value(0.5, 0.5, name="eta_max").passed
    with pytest.raises(CheckFailed, match="^✘ Not yet: eta_max is not answered yet") as failure:
        check_value(None, 0.5, name="eta_max")
    assert isinstance(failure.value, AssertionError), "nbgrader scores a test cell by whether it raised"
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    with pytest.raises(CheckFailed, match="Hint: sign error"):
        check_function(lambda w, grad, lr: w + lr * grad, reference_step, CASES, mistakes=[SIGN])


def test_a_passing_check_is_not_read_as_a_partial_score_under_nbgrader(monkeypatch):
    # nbgrader reads a test cell's result (text/plain) as its score; under nbgrader the feedback is display data.
    result = check_value(0.5, 0.5, name="eta_max")
    assert not hasattr(result, "_ipython_display_"), "outside nbgrader IPython shows the repr as usual"
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert callable(result._ipython_display_)
