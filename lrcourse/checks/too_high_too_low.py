"""Self-checks for the chapter "Too high, too low"."""

import numpy as np

from lrcourse import landscapes, theory
from lrcourse.checks import Mistake, check_function, check_value

__all__ = [
    "largest_stable_lr",
    "fastest_lr",
    "predicted_steps",
    "best_guaranteed_decrease",
    "feature_scale",
    "rosenbrock_limit",
    "noise_floor",
]

# The bowl of the first two exercises: f(w) = (mu w_1^2 + L w_2^2) / 2.
BOWL_MU, BOWL_L = 0.5, 4.0


def largest_stable_lr(answer):
    """Check ``largest_stable_lr``: the largest rate at which gradient descent converges on the bowl mu = 0.5, L = 4."""
    return check_value(
        answer,
        theory.stability_limit(BOWL_L),
        name="largest_stable_lr",
        what="2/L",
        mistakes=[
            Mistake(2 / BOWL_MU, "that is 2/μ: the flat direction would survive it, the steep one explodes first."),
            Mistake(1 / BOWL_L, "1/L is the fastest rate for the steep direction, not the largest that converges."),
            Mistake(2 / (BOWL_MU + BOWL_L), "that is the best rate, not the largest one that still converges."),
            Mistake(BOWL_L / 2, "the limit shrinks as the curvature L grows, so L goes in the denominator."),
        ],
    )


def fastest_lr(answer):
    """Check ``fastest_lr``: the constant rate that converges fastest on the same bowl (mu = 0.5, L = 4)."""
    return check_value(
        answer,
        theory.optimal_lr(BOWL_L, mu=BOWL_MU),
        name="fastest_lr",
        what="2/(μ + L)",
        mistakes=[
            Mistake(1 / BOWL_L, "1/L is perfect for the steep direction but crawls along the flat one."),
            Mistake(2 / BOWL_L, "at 2/L the steep direction bounces forever and never converges."),
            Mistake(1 / BOWL_MU, "1/μ is far above the stability limit: it diverges."),
            Mistake(1 / (BOWL_MU + BOWL_L), "close: the factors balance when 1 − ημ = −(1 − ηL); solve for η again."),
        ],
    )


def _reference_steps(lr, L, gap0, tol):
    return theory.steps_to_tolerance_quadratic(lr, L, gap0, tol)


def predicted_steps(function):
    """Check ``function(lr, L, gap0, tol)``: the first ``t`` with ``(1 - lr L)^(2t) gap0 <= tol``."""
    cases = [
        {"lr": 0.1, "L": 1.0, "gap0": 0.5, "tol": 1e-6},
        {"lr": 1.5, "L": 1.0, "gap0": 0.5, "tol": 1e-6},
        {"lr": 0.01, "L": 2.0, "gap0": 10.0, "tol": 1e-8},
        {"lr": 0.3, "L": 5.0, "gap0": 3.0, "tol": 1e-4},
    ]

    def per_step_factor_not_squared(lr, L, gap0, tol):
        return np.ceil(np.log(tol / gap0) / np.log(abs(1 - lr * L)))

    def rounded_down(lr, L, gap0, tol):
        return np.floor(np.log(tol / gap0) / (2 * np.log(abs(1 - lr * L))))

    def rounded(lr, L, gap0, tol):
        return np.round(np.log(tol / gap0) / (2 * np.log(abs(1 - lr * L))))

    mistakes = [
        Mistake(
            per_step_factor_not_squared,
            "the distance shrinks by |1 − ηL| per step, so the loss (a square) shrinks by |1 − ηL|².",
        ),
        Mistake(rounded_down, "round up: the step count must be a whole number with the gap already ≤ tol."),
        Mistake(rounded, "round up, not to the nearest integer: the gap must already be ≤ tol at that step."),
    ]
    return check_function(function, _reference_steps, cases, name="predicted_steps", mistakes=mistakes)


def rosenbrock_limit(answer):
    """Check ``rosenbrock_limit``: the largest stable rate of gradient descent near Rosenbrock's minimum (1, 1)."""
    rosenbrock = landscapes.Rosenbrock()
    hessian = rosenbrock.hessian(rosenbrock.minimum)
    L = rosenbrock.max_curvature(rosenbrock.minimum)
    return check_value(
        answer,
        2 / L,
        name="rosenbrock_limit",
        what="2/L(1, 1)",
        rtol=1e-4,
        mistakes=[
            Mistake(2 / hessian[0, 0], "that uses only the diagonal entry 802; the off-diagonal −400 makes L larger."),
            Mistake(2 / hessian[1, 1], "that uses the entry 200; L is the Hessian's largest eigenvalue."),
            Mistake(1 / L, "that is 1/L, the fastest rate along the steepest direction; the limit is larger."),
            Mistake(
                2 / np.trace(hessian),
                "1002 is the trace, the sum of both eigenvalues; L is the largest one alone, a little less than 1002.",
            ),
        ],
    )


def noise_floor(answer):
    """Check the noise floor of SGD on f = w^2/2 with eta = 0.1 and gradient noise sigma = 1."""
    lr, L, sigma = 0.1, 1.0, 1.0
    variance = lr * sigma**2 / (L * (2 - lr * L))
    return check_value(
        answer,
        theory.noise_floor_quadratic(lr, L, sigma),
        name="noise_floor",
        what="ησ²/(2(2 − ηL))",
        mistakes=[
            Mistake(lr * sigma**2 / 4, "that is the small-η approximation ησ²/4; keep the exact factor 2 − ηL."),
            Mistake(variance, "that is the variance of w; the loss is L/2 times it."),
            Mistake(lr**2 * sigma**2 / 2, "the variance is not just η²σ²: the contraction (1 − ηL)² v adds up."),
        ],
    )


# The descent-lemma exercise: an L-smooth loss with L = 4, and the gradient at the current point.
LEMMA_L, LEMMA_GRAD = 4.0, (2.0, -1.0, 2.0)
SQUARED_LENGTH = "the bound uses the squared length ‖∇f‖², the sum of the squared components."


def best_guaranteed_decrease(answer):
    """Check the largest one-step decrease the descent lemma guarantees, over all rates, for L = 4, g = (2, -1, 2)."""
    L = LEMMA_L
    norm_sq = float(sum(component**2 for component in LEMMA_GRAD))
    norm = norm_sq**0.5
    return check_value(
        answer,
        theory.descent_lemma_bound(1 / L, L, norm_sq),
        name="best_guaranteed_decrease",
        what="‖∇f‖²/(2L), at η = 1/L",
        mistakes=[
            Mistake(1 / L, "that is the rate that gives the best guarantee; the question asks for the decrease."),
            Mistake(2 / L, "that is a rate, and at it the guarantee is zero; the question asks for a decrease."),
            Mistake(0.0, "zero is the guarantee at η = 2/L; a smaller rate guarantees more."),
            Mistake(norm / (2 * L), SQUARED_LENGTH),
            Mistake(sum(LEMMA_GRAD) / (2 * L), SQUARED_LENGTH),
            Mistake(norm_sq / L, "at the best rate the factor 1 − ηL/2 is not 1: evaluate it there."),
            Mistake(L * norm_sq / 2, "the guarantee shrinks as L grows: maximize η(1 − ηL/2) over η first."),
        ],
    )


# The scaling exercise: the Hessian of a least-squares loss, diag(4, 0.01), with features uncorrelated.
SCALE_CURVATURES = (4.0, 0.01)
SHRINKS = "that shrinks feature 2, and its curvature, already the smaller one, shrinks further."


def feature_scale(answer):
    """Check the factor for feature 2 that makes both curvatures of a least-squares loss, H = diag(4, 0.01), equal."""
    first, second = SCALE_CURVATURES
    ratio = first / second
    return check_value(
        answer,
        ratio**0.5,
        name="feature_scale",
        what="√(H₁₁/H₂₂): the curvature grows with the square of the scale",
        mistakes=[
            Mistake(ratio, "that factor would work if the curvature grew in proportion to the scale; "
                           "it grows with the scale squared."),
            Mistake(1 / ratio**0.5, SHRINKS),
            Mistake(1 / ratio, SHRINKS),
            Mistake(ratio**0.25, "too small: the curvature changes with the scale squared, not with its square root."),
        ],
    )
