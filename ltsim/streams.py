"""Random streams: one independent, reproducible stream per Monte Carlo replication."""

from __future__ import annotations

import numpy as np


def rng_for(seed: int, rep: int) -> np.random.Generator:
    """The random stream of replication ``rep`` (replication 0 is the single run's draw)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(rep,)))
