"""Self-checks for the chapter "The learning rate at scale"."""

from lrcourse import schedules
from lrcourse.checks import Mistake, check_value
from lrcourse.models import MLP

__all__ = ["linear_scaling", "adam_warmup_steps", "stable_rate_from_sharpness", "mup_output_rate", "wsd_rate",
           "inverse_sqrt_rate"]


def linear_scaling(answer):
    """Check the rate the linear scaling rule gives at B = 256 from eta = 0.1 at B = 32."""
    return check_value(
        answer,
        0.1 * 256 / 32,
        name="scaled_lr",
        what="η × (256 / 32): the rate grows with the batch",
        mistakes=[
            Mistake(0.1 * (256 / 32) ** 0.5, "that is the square-root rule (Adam's), not the linear one."),
            Mistake(0.1 * 32 / 256, "the batch grew, so the gradient's noise shrank: the rate goes up, not down."),
            Mistake(0.1, "under the linear rule η/B stays the same, so η must change with B."),
        ],
    )


def adam_warmup_steps(answer):
    """Check ``warmup_steps``: Ma & Yarats's rule of thumb for the length of Adam's warm-up with beta2 = 0.999."""
    beta2 = 0.999
    return check_value(
        answer,
        2 / (1 - beta2),
        name="warmup_steps",
        rtol=1e-3,
        what="2 / (1 − β₂), twice the memory of Adam's second moment",
        mistakes=[
            Mistake(1 / (1 - beta2), "that is the memory of the average itself; the rule is a multiple of it."),
            Mistake(2 / beta2, "the memory of an average with factor β₂ is not 1 / β₂."),
        ],
    )


def stable_rate_from_sharpness(answer):
    """Check the largest stable rate of gradient descent where the sharpness has risen to 8: ``2 / lambda_max``."""
    sharpness = 8.0
    return check_value(
        answer,
        2 / sharpness,
        name="stable_lr",
        what="2 / λ_max: the steepest direction stops growing at that rate",
        mistakes=[
            Mistake(1 / sharpness, "1 / λ_max lands on the minimum of the steepest direction in one step; "
                    "the limit, where the step only flips the sign, is twice that."),
            Mistake(sharpness / 2, "the limit falls as the curvature grows: divide by λ_max, do not multiply."),
            Mistake(2 * sharpness, "the limit falls as the curvature grows: divide by λ_max, do not multiply."),
        ],
    )


def mup_output_rate(answer):
    """Check the muP rate of the output layer W2 at width 512 (base width 64) with base rate 0.2."""
    expected = MLP(n_hidden=512, parametrization="mup", base_width=64).layer_rates(0.2)["W2"]
    return check_value(
        answer,
        expected,
        name="output_lr",
        what="η / m with m = 512 / 64: the output layer's rate shrinks as the width grows",
        mistakes=[
            Mistake(0.2 * 512 / 64, "that is the input layer's rate; the output layer sums over n "
                    "features, so its rate shrinks as the width grows."),
            Mistake(0.2, "that is the standard parametrization, one rate for every layer."),
            Mistake(0.2 / 512, "μP is written relative to the base width: the width multiplier is 512 / 64, not 512."),
        ],
    )


def wsd_rate(answer):
    """Check the WSD rate at step 900 of 1000 with a linear decay over the last 200 steps from 0.1."""
    return check_value(
        answer,
        schedules.wsd(0.1, total_steps=1000, decay_steps=200)(900),
        name="wsd_lr",
        what="half way through the decay, half the stable rate",
        mistakes=[Mistake(0.1, "step 900 is past the start of the decay, 1000 − 200 = 800.")],
    )


def inverse_sqrt_rate(answer):
    """Check the inverse-square-root rate at step t = 39 with peak 1.0 and a warm-up of W = 10 steps."""
    return check_value(
        answer,
        schedules.inverse_sqrt(1.0, warmup_steps=10)(39),
        name="isqrt_lr",
        what="η √(W / s) with s = t + 1 = 40: four times past the warm-up, half the peak",
        mistakes=[
            Mistake((10 / 39) ** 0.5, "s = t + 1 is the number of the step being taken: step t = 39 is "
                    "the 40th."),
            Mistake(40 / 10, "s / W is the warm-up's ramp; past the warm-up the rate falls like √(W / s)."),
            Mistake(40 ** -0.5, "the decay is relative to the warm-up's length: √(W / s), not 1 / √s."),
        ],
    )
