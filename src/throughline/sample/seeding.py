"""Deterministic random streams for the sample generator.

Every part of the generated company draws from its own child stream, named by a stable
key (a CRC of a label plus integers such as the chunk number). Streams never depend on
the order in which other parts were generated, on dict or set iteration, or on the
clock, so the same (scenario, seed, scale) always gives the same bytes, and chunk *k* of
a large run is the same whatever the chunk count before it produced.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np


def _key(label: str) -> int:
    return zlib.crc32(label.encode("utf-8"))


def stream(seed: int, label: str, *extra: int) -> np.random.Generator:
    """A generator for one named part of the company, e.g. ``stream(7, "opps", chunk)``."""
    ss = np.random.SeedSequence(entropy=int(seed), spawn_key=(_key(label), *map(int, extra)))
    return np.random.Generator(np.random.PCG64(ss))


def categorical_rows(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One category index per row of ``weights`` (rows need not be normalised)."""
    cum = np.cumsum(weights, axis=1)
    cum /= cum[:, -1:]
    u = rng.random(len(weights))[:, None]
    return (u > cum[:, :-1]).sum(axis=1)


def categorical(rng: np.random.Generator, weights: np.ndarray | Sequence[float], n: int
                ) -> np.ndarray:
    """``n`` draws of a category index from one weight vector."""
    w = np.asarray(weights, dtype=float)
    return rng.choice(len(w), size=n, p=w / w.sum())


def dirichlet_around(
    rng: np.random.Generator, mean: np.ndarray, concentration: float
) -> np.ndarray:
    """A share vector near ``mean``; higher ``concentration`` means less noise."""
    alpha = np.maximum(np.asarray(mean, dtype=float) * concentration, 1e-3)
    return rng.dirichlet(alpha)


def uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    """A scalar parameter drawn from a range (rounded so truth.json stays readable)."""
    return round(float(rng.uniform(lo, hi)), 4)


def segment_cumsum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Cumulative sum that restarts at every index in ``starts`` (sorted, first is 0)."""
    cs = np.cumsum(values)
    if len(values) == 0:
        return cs
    offsets = np.zeros(len(values), dtype=cs.dtype)
    before = np.concatenate(([0], cs[starts[1:] - 1])) if len(starts) else np.zeros(0)
    lengths = np.diff(np.append(starts, len(values)))
    offsets = np.repeat(before, lengths)
    return cs - offsets


def group_starts(group: np.ndarray) -> np.ndarray:
    """Indices where a sorted group key changes (always includes 0 for non-empty input)."""
    if len(group) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
