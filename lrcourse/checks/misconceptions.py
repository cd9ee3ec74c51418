"""Self-checks for the chapter "Misconceptions put to the test".

Two of the checks verify a property of the learner's own experiment (that it
really refutes a claim), not a fixed answer: any experiment with that
property passes.
"""

import numpy as np

from lrcourse import descent, evidence, landscapes, theory
from lrcourse.checks import FAIL, PASS, CheckResult, not_one_number, show
from lrcourse.experiments import misconceptions as experiments

__all__ = ["refuting_rates", "settling_schedule", "budget_rate", "scaled_rate"]

BOWL = landscapes.Quadratic1D(L=4.0)
WELL = landscapes.DoubleWell()
BUDGET = {"L": 1.0, "noise_std": 1.0, "w0": 10.0, "t": 100}
SCALING = {"batch_size": 128, "epochs": 10, "seeds": tuple(range(10)), "reference": (0.3, 0.6, 1.2)}
CHANCE = 0.15  # a run at or below this validation accuracy has collapsed to guessing (10 classes)


def refuting_rates(smaller_lr, larger_lr, steps=1000, tol=1e-6):
    """Check two rates refute "a higher learning rate means faster convergence".

    On ``f(w) = 4/2 w^2`` from ``w_0 = 1``, gradient descent with ``larger_lr``
    must converge (loss within ``tol`` of the minimum within ``steps`` steps)
    and need *more* steps than with ``smaller_lr``.
    """
    if smaller_lr is None or larger_lr is None:
        return CheckResult(False, f"{FAIL}: smaller_lr and larger_lr are not answered yet (still None).")
    for value, name in ((smaller_lr, "smaller_lr"), (larger_lr, "larger_lr")):
        if (problem := not_one_number(value, name)) is not None:
            return problem
    rates = np.array([np.reshape(smaller_lr, ()), np.reshape(larger_lr, ())], dtype=float)
    if not np.isfinite(rates).all() or (rates <= 0).any():
        return CheckResult(False, f"{FAIL}: both rates must be positive numbers, got {rates[0]:g}, {rates[1]:g}.")
    if not rates[0] < rates[1]:
        return CheckResult(False, f"{FAIL}: larger_lr = {rates[1]:g} must be larger than smaller_lr = {rates[0]:g}.")
    runs = descent.run(BOWL, x0=np.ones(2), lr=rates, steps=steps)
    needed = runs.steps_to(tol)
    if runs.diverged_at[1] >= 0 or needed[1] < 0:
        return CheckResult(
            False,
            f"{FAIL}: with larger_lr = {rates[1]:g} the run does not converge (stability limit 2/L = 0.5). "
            "Hint: a diverging run is a weaker refutation; find a larger rate that still converges, only slower.",
        )
    if needed[0] < 0:
        return CheckResult(False, f"{FAIL}: with smaller_lr = {rates[0]:g} the run does not reach the minimum in {steps} steps.")
    if needed[1] == needed[0]:
        return CheckResult(
            False,
            f"{FAIL}: both rates need {needed[1]} steps: a tie does not refute the claim. "
            "Hint: above 1/L = 0.25 a larger rate contracts the error more slowly, |1 - 4η| = 4η - 1; "
            "move the two rates further apart so that their step counts differ.",
        )
    if needed[1] < needed[0]:
        return CheckResult(
            False,
            f"{FAIL}: the larger rate needs {needed[1]} steps, the smaller {needed[0]}: this supports the claim. "
            "Hint: the fastest rate here is 1/L = 0.25, but a pair on opposite sides of it can still support the claim; "
            "pick both rates in [1/L, 2/L) = [0.25, 0.5), where a larger rate contracts the error more slowly.",
        )
    return CheckResult(
        True,
        f"{PASS}: η = {rates[1]:g} needs {needed[1]} steps, η = {rates[0]:g} only {needed[0]}: the larger rate is slower.",
    )


def settling_schedule(schedule, steps=300, tol=1e-3):
    """Check a schedule takes gradient descent from ``w_0 = -1.5`` (shallow basin) to the deep minimum ``+1``.

    ``schedule(t)`` is any callable of the step (e.g. from
    :mod:`lrcourse.schedules`); the run must end within ``tol`` of ``+1``
    after ``steps`` steps on :class:`lrcourse.landscapes.DoubleWell`, with a
    final rate that keeps ``+1`` stable, ``eta * 2.5 < 2`` (its curvature is
    2.5). The second condition rules out a constant rate that lands on ``+1``
    by luck: ``eta = 1.6`` jumps from ``-1.5`` exactly onto ``+1`` in one step
    and stays there only because the gradient is exactly zero.
    """
    if schedule is None:
        return CheckResult(False, f"{FAIL}: schedule is not answered yet (it is still None).")
    if not callable(schedule):
        return CheckResult(False, f"{FAIL}: schedule should be a function of the step t, got {show(schedule)}.")
    try:
        rates = np.broadcast_to(np.asarray(schedule(np.arange(steps)), dtype=float), (steps,))
    except NotImplementedError:
        return CheckResult(False, f"{FAIL}: schedule is not written yet (it raises NotImplementedError).")
    except Exception as error:  # the learner's schedule may raise anything; report it kindly
        return CheckResult(False, f"{FAIL}: schedule(t) raised {type(error).__name__}: {error}")
    if not np.isfinite(rates).all() or (rates < 0).any():
        return CheckResult(False, f"{FAIL}: schedule(t) must give finite rates >= 0 for t = 0..{steps - 1}.")
    run = descent.run(WELL, x0=-1.5, lr=lambda t: rates[t], steps=steps)
    final = float(run.positions[-1])
    if run.diverged:
        return CheckResult(False, f"{FAIL}: the run diverged at step {run.diverged_at}. Hint: keep the rate below about 1.3.")
    stable = rates[-1] * WELL.max_curvature(1.0) < 2
    if abs(final - 1.0) <= tol and stable:
        return CheckResult(True, f"{PASS}: the run ends at w = {final:.4f}, in the deep minimum.")
    if abs(final - 1.0) <= tol:
        return CheckResult(
            False,
            f"{FAIL}: the run ends at w = {final:.4f}, but with a final rate of {rates[-1]:.4g} the deep minimum is "
            "unstable (curvature 2.5, so it needs η < 2/2.5 = 0.8): the slightest nudge would throw the run out. "
            "Hint: it landed there by luck; let the rate decay below 0.8 so that the run settles.",
        )
    if final < WELL.barrier[0]:
        hint = "the early rate is too small (or too large) to carry the run over the barrier; try about 1.0 at first."
    elif rates[-1] * WELL.max_curvature(1.0) >= 2:
        hint = "the run reached the deep basin but cannot settle: at the end the rate must be below 2/2.5 = 0.8."
    else:
        hint = "the run is in the deep basin but has not settled yet; give it more small-rate steps."
    return CheckResult(False, f"{FAIL}: the run ends at w = {final:.4f}, not at the deep minimum +1. Hint: {hint}")


def _budget_losses(rates):
    return theory.noisy_quadratic_loss(rates, **BUDGET)


def budget_rate(answer):
    """Check a rate whose expected loss after 100 noisy steps is within 5% of the best possible.

    The problem: ``f(w) = w^2/2`` (``L = 1``), gradient noise ``sigma = 1``,
    ``w_0 = 10``, budget ``t = 100`` steps; see
    :func:`lrcourse.theory.noisy_quadratic_loss`.
    """
    if (problem := not_one_number(answer, "best_lr_for_budget")) is not None:
        return problem
    rate = float(np.reshape(answer, ()))
    if not np.isfinite(rate) or rate < 0:
        return CheckResult(False, f"{FAIL}: best_lr_for_budget must be a finite rate >= 0, got {show(rate)}.")
    grid = np.geomspace(1e-4, 1.99, 4000)
    losses = _budget_losses(grid)
    best = int(np.argmin(losses))
    got = float(_budget_losses(rate))
    if got <= 1.05 * losses[best]:
        return CheckResult(True, f"{PASS}: η = {rate:.4g} gives an expected loss of {got:.4g} after 100 steps, within 5% of the best.")
    if rate < grid[best]:
        hint = "too low: after 100 steps the run has not yet forgotten its start w₀ = 10."
    else:
        hint = "too high: the start is forgotten quickly, but the noise floor, about η σ²/(2(2 − η L)), is high."
    return CheckResult(False, f"{FAIL}: η = {rate:.4g} gives an expected loss of {got:.4g}, more than 5% above the best. Hint: {hint}")


def scaled_rate(answer):
    """Check a rate for batch size 128 by this task's evidence, not by a rule.

    The exercise: a run tuned at batch 32 uses ``eta = 0.3``; at batch 128,
    with the same number of epochs, which rate would you use? Not a scaling
    rule but this task's measurements decide. The check trains the chapter's
    network at batch 128 for 10 epochs with 10 seeds at the answer and at the
    reference rates ``SCALING["reference"]`` (the old rate and the ones the
    chapter compares; the runs are cached by
    :func:`lrcourse.experiments.misconceptions.batch_accuracy`, so the
    chapter's own runs are reused), picks the best reference rate by
    mean validation accuracy (:func:`lrcourse.evidence.best_rate`), and
    passes the answer if

    - none of its 10 seeds collapsed (ended at chance, accuracy <= 0.15), and
    - it is not detectably worse than the best reference rate: the 95 %
      interval of the paired difference (answer - best) reaches 0.
    """
    if (problem := not_one_number(answer, "lr_for_batch_128")) is not None:
        return problem
    rate = float(np.reshape(answer, ()))
    if not np.isfinite(rate) or rate <= 0 or rate > 100:
        return CheckResult(False, f"{FAIL}: lr_for_batch_128 must be a rate > 0 and <= 100, got {show(rate)}.")
    reference = np.array(SCALING["reference"])
    runs = dict(batch_size=SCALING["batch_size"], seeds=SCALING["seeds"], epochs=SCALING["epochs"])
    known = experiments.batch_accuracy(reference, **runs)
    best = evidence.best_rate(reference, known)
    mine = experiments.batch_accuracy([rate], **runs)[0]
    n = mine.size
    collapsed = int(np.sum(~(np.nan_to_num(mine, nan=0.0) > CHANCE)))
    if collapsed:
        return CheckResult(
            False,
            f"{FAIL}: at η = {rate:.4g}, {collapsed} of {n} seeds collapsed (ended at chance or diverged). "
            "Hint: a larger batch lowers the gradient noise, but not the curvature of the loss; the largest stable "
            "rate is set by the curvature, and here every batch size collapses at about the same rate (claim 10).",
        )
    gap = evidence.paired_difference(mine, known[best.index])
    where = f"mean validation accuracy {np.mean(mine):.4f} against {best.mean:.4f} at η = {best.lr:g}, the best tested"
    if gap.high < 0:
        if rate < best.lr:
            hint = ("too low: with the same epochs a batch of 128 takes 4 times fewer steps than a batch of 32, "
                    "so it needs a larger rate to get as far.")
        else:
            hint = ("too high: no seed collapsed, but the runs are worse; past the best rate the steps overshoot. "
                    "Compare a few rates between the old one and yours.")
        return CheckResult(
            False, f"{FAIL}: η = {rate:.4g} is detectably worse ({where}; difference {gap.text()}). Hint: {hint}"
        )
    if rate == best.lr:
        return CheckResult(
            True,
            f"{PASS}: η = {rate:.4g} has the best mean validation accuracy of the tested rates, {best.mean:.4f} "
            f"over {n} seeds (worst seed {np.min(mine):.4f}).",
        )
    return CheckResult(
        True,
        f"{PASS}: η = {rate:.4g}: {where}; paired difference {gap.text()} over {gap.n} seeds, "
        f"no detectable shortfall; worst seed {np.min(mine):.4f}.",
    )
