"""Checks of the real-task chapter pass on the reference and say 'not yet' with a useful hint otherwise."""

import numpy as np
import pytest

from lrcourse import evidence
from lrcourse.checks import real_task as check


def placeholder(*args, **kwargs):
    raise NotImplementedError()


def good_best_rate(lrs, val_acc):
    return lrs[np.argmax(np.nan_to_num(val_acc, nan=0.0).mean(axis=1))]


def good_epochs_to_target(curve, target):
    hits = np.flatnonzero(curve >= target)
    return int(hits[0]) if len(hits) else -1


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda lrs, val_acc: lrs[np.argmax(np.nanmax(val_acc, axis=1))], "luckiest run"),
        (lambda lrs, val_acc: lrs[np.argmax(np.nanmean(val_acc, axis=1))], "count it as accuracy 0"),
        (lambda lrs, val_acc: lrs[np.argmax(np.mean(val_acc, axis=1))], "count it as accuracy 0"),
        (lambda lrs, val_acc: lrs[np.nanargmax(np.mean(val_acc, axis=1))], "not out of the race"),
        (lambda lrs, val_acc: np.argmax(np.nan_to_num(val_acc).mean(axis=1)), "return the rate lrs[i]"),
        (lambda lrs, val_acc: lrs[np.argmin(np.nan_to_num(val_acc).mean(axis=1))], "worst rate"),
    ],
)
def test_best_rate(wrong, hint):
    assert check.best_rate(good_best_rate).passed
    assert "not written yet" in check.best_rate(placeholder).message
    result = check.best_rate(wrong)
    assert not result.passed and hint in result.message, result.message


def test_best_rate_check_agrees_with_the_policy_the_chapter_selects_by():
    assert check.best_rate(lambda lrs, val_acc: evidence.best_rate(lrs, val_acc).lr).passed


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda curve, target: next((e for e, v in enumerate(curve) if v > target), -1), "use >="),
        (lambda curve, target: next((e + 1 for e, v in enumerate(curve) if v >= target), -1), "the index is the epoch"),
        (lambda curve, target: max((e for e, v in enumerate(curve) if v >= target), default=-1), "*first*"),
    ],
)
def test_epochs_to_target(wrong, hint):
    assert check.epochs_to_target(good_epochs_to_target).passed
    assert "not written yet" in check.epochs_to_target(placeholder).message
    result = check.epochs_to_target(wrong)
    assert not result.passed and hint in result.message, result.message


def test_macro_f1():
    f1 = [0.8, 2 * (5 / 6) * 0.5 / (5 / 6 + 0.5), 2 * (20 / 24) / (20 / 24 + 1)]
    assert check.macro_f1(sum(f1) / 3).passed
    assert "not answered yet" in check.macro_f1(None).message
    accuracy = check.macro_f1(33 / 40)
    assert not accuracy.passed and "accuracy" in accuracy.message
    weighted = check.macro_f1((f1[0] * 10 + f1[1] * 10 + f1[2] * 20) / 40)
    assert not weighted.passed and "same weight" in weighted.message
