"""Housing release under sequencing rules (rekkefølgekrav): dwellings are completed only when allowed.

Each conditioned development has a queue: the dwellings planned up to year ``t`` that have not
been released yet. In year ``t`` it releases

    r_t = min(queued_t, max_per_year, gap room_t)        if every "after project" has completed
                                                          and year t is not before "not before",
    r_t = 0                                               otherwise,

and what is not released stays in the queue for the next year. ``gap room`` keeps every
service gap named in its conditions at or below its limit: releasing one dwelling in year ``t``
changes the gap of (service, zone) in each later year ``u`` by ``m[t, u]`` (the demand response
of one dwelling, from the population model — exact, since the projection is linear in its
inflows), so with ``gap_u`` the gap the year's decision starts from,

    room_t = min over u > t with m[t, u] > 0 of  max(limit − gap_u, 0) / m[t, u].

Where the gap already exceeds its limit without the release, nothing is released that would
add to it: a gap above the limit is never caused by released housing. Developments are served
in programme order; each release updates the gaps the later decisions see.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NONE, QUEUE, AFTER_PROJECT, MAX_PER_YEAR, GAP, NOT_BEFORE = 0, 1, 2, 3, 4, 5
BINDING_NAMES: tuple[str, ...] = ("none", "queue", "after_project", "max_per_year", "gap", "not_before")
TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class GapCondition:
    """A limit on one service gap, and each development's effect on it.

    ``gap`` [U] is the gap (demand − usable capacity, places) in stock years ``u`` before any
    conditioned release; ``response`` [D, T, Y, U] is the change of that gap in year ``u`` per
    dwelling of type ``T`` of development ``d`` released in flow year ``y``; ``applies`` [D] says
    which developments carry the condition; ``lookahead_years`` bounds the later years checked
    (None: to the end of the horizon).
    """

    limit: float
    gap: np.ndarray
    response: np.ndarray
    applies: np.ndarray
    lookahead_years: int | None = None


@dataclass(frozen=True, slots=True)
class Release:
    """Dwellings released per development and flow year, the queue left and what bound each year."""

    released: np.ndarray  # [D, T, Y]
    held_back: np.ndarray  # [D, T, Y] queue left at the end of the year
    binding: np.ndarray  # [D, Y] index into BINDING_NAMES
    gaps: tuple[np.ndarray, ...]  # final gap path of each condition [U]


def release(
    planned: np.ndarray,
    max_per_year: np.ndarray,
    allowed_from: np.ndarray,
    conditions: tuple[GapCondition, ...] = (),
    not_before: np.ndarray | None = None,
) -> Release:
    """Decide releases year by year (see the module docstring).

    A development's queue may hold several dwelling types; a release takes them in proportion
    to the queue, so the gap effect of one released dwelling is the queue-weighted response.

    Parameters
    ----------
    planned : [D, T, Y] dwellings planned per development, dwelling type and flow year (× realisation).
    max_per_year : [D] largest release in one year (inf = no limit).
    allowed_from : [D] first flow-year index in which every "after project" condition holds
        (0 = from the start; Y or more = never within the horizon).
    conditions : gap conditions with their responses.
    not_before : [D] first flow-year index in which a release is allowed by date (default 0); the
        binding condition reads "after_project" while a project is awaited, then "not_before".
    """
    n_dev, n_types, n_years = planned.shape
    released = np.zeros((n_dev, n_types, n_years))
    held = np.zeros((n_dev, n_types, n_years))
    binding = np.zeros((n_dev, n_years), dtype=np.int64)
    gaps = [c.gap.astype(np.float64).copy() for c in conditions]
    queue = np.zeros((n_dev, n_types))
    for t in range(n_years):
        queue += planned[:, :, t]
        for d in range(n_dev):
            total = queue[d].sum()
            if total <= TOLERANCE:
                continue
            if t < allowed_from[d]:
                held[d, :, t] = queue[d]
                binding[d, t] = AFTER_PROJECT
                continue
            if not_before is not None and t < not_before[d]:
                held[d, :, t] = queue[d]
                binding[d, t] = NOT_BEFORE
                continue
            mix = queue[d] / total
            amount, why = total, QUEUE
            if max_per_year[d] < amount:
                amount, why = max_per_year[d], MAX_PER_YEAR
            effects = [mix @ cond.response[d, :, t] for cond in conditions]
            for c, cond in enumerate(conditions):
                if not cond.applies[d]:
                    continue
                end = None if cond.lookahead_years is None else t + 1 + cond.lookahead_years
                m = effects[c][t + 1 : end]
                room = np.maximum(cond.limit - gaps[c][t + 1 : end], 0.0)
                positive = m > TOLERANCE
                if positive.any():
                    limit = float((room[positive] / m[positive]).min())
                    if limit < amount:
                        amount, why = limit, GAP
            amount = max(amount, 0.0)
            released[d, :, t] = amount * mix
            queue[d] -= amount * mix
            held[d, :, t] = queue[d]
            binding[d, t] = why if queue[d].sum() > TOLERANCE else NONE
            for c in range(len(conditions)):
                gaps[c] += amount * effects[c]
    return Release(released=released, held_back=held, binding=binding, gaps=tuple(gaps))
