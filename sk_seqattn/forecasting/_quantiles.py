"""Quantile levels: checked, and the median added (what the networks output)."""

import numpy as np

__all__ = []


def check_quantiles(quantiles):
    """``quantiles`` as a sorted float array, or None; a ``ValueError`` naming them if invalid."""
    if quantiles is None:
        return None
    try:
        levels = np.asarray(quantiles, dtype=np.float64)
    except (TypeError, ValueError):
        levels = None
    if levels is None or levels.ndim != 1 or levels.size == 0:
        raise ValueError(
            f"quantiles must be a non-empty 1-D sequence of numbers, got {quantiles!r}."
        )
    if not np.all((levels > 0) & (levels < 1)):
        raise ValueError(f"quantiles must lie strictly between 0 and 1, got {levels.tolist()}.")
    steps = np.diff(levels)
    if np.any(steps == 0):
        raise ValueError(f"quantiles has duplicates: {levels.tolist()}.")
    if np.any(steps < 0):
        raise ValueError(f"quantiles must be sorted in increasing order, got {levels.tolist()}.")
    return levels


def with_median(quantiles):
    """The levels a network outputs for ``quantiles``: them and the median, increasing."""
    return sorted(set(np.asarray(quantiles).tolist()) | {0.5})
