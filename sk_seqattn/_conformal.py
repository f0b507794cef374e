"""Split conformal calibration of quantile forecasts (``conformal=True``).

Conformalized quantile regression (Romano, Patterson and Candes, 2019),
one level at a time: each level is shifted by the finite-sample quantile
of held-out residuals, so that a new value falls below it with about the
level's probability (when the held-out windows resemble the new ones).
"""

import numpy as np

__all__ = []


def conformal_offsets(y_net, prediction, levels):
    """Split-conformal shifts of the quantile levels, per forecast step and target.

    Parameters
    ----------
    y_net : ndarray of shape (n_samples, horizon, n_targets)
        Held-out targets, normalised.
    prediction : ndarray of shape (n_samples, horizon, n_targets, n_levels)
        Their predicted levels, normalised and sorted.
    levels : list of float
        The levels, increasing; the median's shift is 0.

    Returns
    -------
    offsets : ndarray of shape (horizon, n_targets, n_levels)
    """
    residuals = np.sort(y_net[..., None] - prediction, axis=0)  # (n, horizon, n_targets, L)
    n_samples = len(residuals)
    offsets = np.zeros(residuals.shape[1:])
    for position, level in enumerate(levels):
        if level == 0.5:
            continue
        # The finite-sample rank: ceil((n + 1) q) from below for an upper
        # level, floor((n + 1) q) for a lower one, so that a new window's
        # value falls below the shifted level with probability about q.
        rank = (np.ceil if level > 0.5 else np.floor)((n_samples + 1) * level)
        rank = int(np.clip(rank, 1, n_samples))
        offsets[..., position] = residuals[rank - 1, ..., position]
    return offsets
