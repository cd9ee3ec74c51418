"""lrcourse.evidence: t quantiles against tables, coverage by simulation, Wilson's interval, verdicts, claims."""

import math

import numpy as np
import pytest

from lrcourse import evidence


@pytest.mark.parametrize(
    "p, df, table",  # Student's t table (e.g. Abramowitz & Stegun, table 26.10)
    [(0.975, 1, 12.7062), (0.975, 2, 4.3027), (0.975, 4, 2.7764), (0.975, 9, 2.2622), (0.975, 29, 2.0452),
     (0.975, 100, 1.9840), (0.995, 10, 3.1693), (0.95, 5, 2.0150)],
)
def test_t_quantile_matches_the_table(p, df, table):
    assert evidence.t_quantile(p, df) == pytest.approx(table, abs=1e-4)


def test_t_quantile_tends_to_the_normal_quantile():
    assert evidence.t_quantile(0.975, 100000) == pytest.approx(1.959964, abs=1e-4)
    assert evidence.t_quantile(0.5, 3) == 0.0


def test_t_intervals_cover_the_true_mean_95_percent_of_the_time():
    rng = np.random.default_rng(0)
    samples = rng.normal(1.0, 2.0, size=(4000, 5))
    covered = [evidence.mean_interval(s).low <= 1.0 <= evidence.mean_interval(s).high for s in samples]
    assert abs(np.mean(covered) - 0.95) < 0.015  # 3 standard errors of a proportion over 4000 draws


def test_paired_difference_drops_pairs_with_a_diverged_run_and_says_so():
    gain = evidence.paired_difference([1.0, 2.0, np.nan, 3.0], [0.5, 1.0, 1.0, 1.5])
    assert (gain.n, gain.dropped, gain.estimate) == (3, 1, 1.0)
    assert "1 left out (not finite)" in str(gain)
    half = evidence.t_quantile(0.975, 2) * 0.5 / math.sqrt(3)
    assert (gain.low, gain.high) == pytest.approx((1.0 - half, 1.0 + half))


def test_paired_difference_refuses_unpaired_or_too_few_values():
    with pytest.raises(ValueError, match="a and b must hold one value per seed each, got 3 and 2"):
        evidence.paired_difference([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="at least 2 finite numbers"):
        evidence.paired_difference([1.0, np.nan], [0.0, 0.0])


def test_wilson_interval_formula_and_edges():
    z = 1.959964
    high_all_right = evidence.accuracy_interval(1.0, 360)
    assert high_all_right.high == pytest.approx(1.0)
    assert high_all_right.low == pytest.approx(360 / (360 + z * z), rel=1e-5)
    half = evidence.accuracy_interval(0.5, 100)
    assert half.estimate - half.low == pytest.approx(half.high - half.estimate)
    # The course's test split: 0.977 on 360 images carries about +-0.8 points (issue's statement, recomputed).
    acc = evidence.accuracy_interval(352 / 360, 360)
    assert 0.007 < (acc.high - acc.low) / 2 < 0.017
    with pytest.raises(ValueError, match="accuracy must be a count of right answers divided by n=360"):
        evidence.accuracy_interval(0.5012, 360)


def test_verdicts_in_words():
    assert evidence.verdict(evidence.paired_difference([2, 3, 2.5], [1, 1.2, 1.1]), "A", "B") == "A is higher than B"
    assert evidence.verdict(evidence.paired_difference([1, 1.2, 1.1], [2, 3, 2.5]), "A", "B") == "B is higher than A"
    assert evidence.verdict(evidence.paired_difference([1, 2, 0], [1, 1, 1]), "A", "B").startswith("no detectable")
    with pytest.raises(TypeError, match="difference must be an Interval"):
        evidence.verdict(0.3, "A", "B")


def test_claim_shows_what_was_tested_and_fails_loudly_when_it_no_longer_holds():
    shown = evidence.claim(np.float64(2.0) > 1.0, "two beats one")
    assert shown == "✔ Claim holds: two beats one" and repr(shown) == str(shown)
    with pytest.raises(evidence.ClaimFailed, match="^the claim no longer holds: one beats two$"):
        evidence.claim(1.0 > 2.0, "one beats two")
    with pytest.raises(TypeError, match="condition must be True or False"):
        evidence.claim(np.array([True, False]), "an array is not a verdict")
    with pytest.raises(TypeError, match="message must say the claim in words"):
        evidence.claim(True, " ")


def test_best_rate_counts_a_diverged_run_as_a_failure_inside_the_mean():
    lrs = [0.01, 0.1, 1.0]
    # rate 1.0 diverged once, yet its mean accuracy with the failure as 0 (0.5) loses to 0.1's 0.6...
    scores = [[0.3, 0.5], [0.6, 0.6], [np.nan, 1.0]]
    top = evidence.best_rate(lrs, scores)
    assert (top.lr, top.index, top.mean, top.diverged) == (0.1, 1, pytest.approx(0.6), 0)
    # ...and wins when it fails rarely enough: 3 of 4 seeds at 0.99 beat 0.6 even with the failure counted
    top = evidence.best_rate([0.1, 1.0], [[0.6] * 4, [0.99, 0.99, 0.99, np.nan]])
    assert (top.index, top.diverged) == (1, 1) and top.mean == pytest.approx(0.7425)
    assert top.spread == pytest.approx(np.std([0.99, 0.99, 0.99, 0.0], ddof=1))
    assert "1 diverged run counted as failures" in str(top)
    # on a loss a diverged seed rules its rate out
    low = evidence.best_rate(lrs, [[0.3, 0.5], [0.2, 0.2], [np.nan, 0.0]], higher_is_better=False)
    assert (low.lr, low.mean) == (0.1, pytest.approx(0.2))
    assert evidence.best_rate([0.5], [[0.7]]).spread == 0.0


@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: evidence.best_rate([0.1, 1.0], [[0.5, 0.6]]), "scores must have shape"),
        (lambda: evidence.best_rate([0.1], [[float("nan")]]), "scores must hold at least one run"),
        (lambda: evidence.best_rate([0.1], [[0.5]], failure=float("nan")), "failure"),
        (lambda: evidence.best_rate([-0.1], [[0.5]]), "lrs"),
    ],
)
def test_best_rate_bad_input_names_the_argument(call, words):
    with pytest.raises(ValueError, match=words):
        call()
