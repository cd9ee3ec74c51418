"""Experiments that serve one chapter each, one module per chapter (as :mod:`lrcourse.checks`).

The core of the package (landscapes, optimizers, schedules, the run engine,
models and training) knows nothing of the chapters; what a single chapter's
experiment needs beyond it lives here, tested like the rest:

=======================  ======================================================
``schedules``            chapter 4: epochs to a target accuracy, dead units of a grid
``momentum_adaptive``    chapter 5: optimizers over sweeps, per-layer rates, a moving target
``at_scale``             the two chapters 6: batch size, warm-up, sharpness, horizons, width
``misconceptions``       chapter 8: best rates, distance moved, basins, sensitivity
=======================  ======================================================
"""
