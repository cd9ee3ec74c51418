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
    assert not result.passed and "should be a single number, not a list of 2 values" in result.message


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


def test_text_is_never_a_number():
    for answer in ("0.5", b"0.5", ["0.5"]):
        result = check_value(answer, 0.5, name="eta_max")
        assert not result.passed and "not a number" in result.message, result.message
    assert "remove the quotes" in check_value("0.5", 0.5, name="eta_max").message
    assert not check_value(True, 1.0).passed, "a truth value is not a number either"
    result = check_function(lambda w, grad, lr: str(w - lr * grad), reference_step, CASES, name="step")
    assert not result.passed and "case 1" in result.message and "not a number" in result.message


def test_one_number_in_a_list_or_array_counts_as_the_number_and_more_are_named():
    assert check_value(np.array([0.5]), 0.5).passed and check_value([0.5], 0.5).passed
    eigenvalues = check_value(np.array([0.25, 4.0]), 0.5, name="eta_max")
    assert not eigenvalues.passed and "should be a single number, not an array of 2 values" in eigenvalues.message
    assert check_function(lambda w, grad, lr: np.atleast_1d(w - lr * grad), reference_step, CASES[:1]).passed
    pair = check_function(lambda w, grad, lr: np.array([w, w - lr * grad]), reference_step, CASES[:1], name="step")
    assert "case 1" in pair.message and "should be a single number" in pair.message


def test_a_wrong_shape_is_named():
    result = check_value(np.ones((2, 3)), np.ones(3), name="rates")
    assert not result.passed and "has shape (2, 3); it should be an array of shape (3,)" in result.message
    short = check_function(lambda w, grad, lr: (w - lr * grad)[:1], reference_step, CASES[1:], name="step")
    assert "has shape (1,); it should be an array of shape (2,)" in short.message


def test_a_missing_return_on_one_path_is_not_a_forgotten_return():
    def first(curve, target):
        hits = np.flatnonzero(curve >= target)
        if len(hits):
            return int(hits[0])

    def reference(curve, target):
        hits = np.flatnonzero(curve >= target)
        return int(hits[0]) if len(hits) else -1

    cases = [{"curve": np.array([0.1, 0.96]), "target": 0.95}, {"curve": np.array([0.1, 0.5]), "target": 0.95}]
    message = check_function(first, reference, cases, name="epochs_to_target").message
    assert "case 2" in message and "returned None, expected -1" in message and "forget" not in message


def test_changing_an_input_in_place_fails_only_where_the_exercise_forbids_it():
    def in_place(w, grad, lr):
        w -= lr * grad
        return w

    assert check_function(in_place, reference_step, CASES).passed
    result = check_function(in_place, reference_step, CASES, name="gradient_step", unchanged=True)
    assert not result.passed and "case 2" in result.message and "changed its input w in place" in result.message


def test_long_values_are_shortened():
    message = check_value(list(range(300)), 0.5, name="schedule").message
    assert "list of 300: [0, 1, 2, ..., 297, 298, 299]" in message and len(message) < 200
    steps = np.arange(300.0)
    long = check_function(lambda t: t + 1, lambda t: t, [{"t": steps}], name="rate").message
    assert "array of 300: [1, 2, 3, ..., 298, 299, 300]" in long and len(long) < 300
    assert len(check_function(list(range(1000)), reference_step, CASES).message) < 200
