"""Random streams: one independent, reproducible stream per Monte Carlo replication."""

from __future__ import annotations

import numpy as np


def rng_for(seed: int, rep: int) -> np.random.Generator:
    """The random stream of replication ``rep`` (replication 0 is the single run's draw)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(rep,)))


def population_rng_for(seed: int, rep: int) -> np.random.Generator:
    """The stream of replication ``rep``'s population variant (``population.uncertainty``).

    ``SeedSequence(seed, spawn_key=(rep, 1))``: independent of :func:`rng_for` (the project programme's
    draws), so adding population uncertainty leaves every project draw as it was.
    """
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(rep, 1)))
