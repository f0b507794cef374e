"""How the regressor maps windows to what its networks see, and back.

``target_transform`` (log) first, then normalisation (per window or
global), then the window's own seasonal profile removed: each step is
undone in reverse on the forecast.
"""

import numpy as np

__all__ = []

_FLOAT32_MAX = float(np.finfo(np.float32).max)

# target_transform: (forward, inverse, smallest allowed value, its wording).
TRANSFORMS = {
    "log": (np.log, np.exp, np.nextafter(0, 1), "positive"),
    "log1p": (np.log1p, np.expm1, 0.0, ">= 0"),
}


def check_domain(values, transform, where):
    """``ValueError`` naming ``where`` when ``values`` lie outside ``transform``'s domain."""
    smallest, wording = TRANSFORMS[transform][2:]
    if values.min(initial=np.inf) < smallest:
        raise ValueError(
            f"target_transform={transform!r} needs {wording} values, but {where} "
            f"has a minimum of {values.min()}."
            + (" Use 'log1p' for data with zeros." if smallest > 0 else "")
        )


def season_profile(history, season_length, horizon):
    """Each window's seasonal profile, over its input steps and its horizon.

    The profile is the mean of ``history`` at each of the ``season_length``
    phases over the window's last whole seasons, minus their overall mean.
    Phases are counted from the window's end: input step ``i`` has phase
    ``(i - n_steps) mod m``, forecast step ``h`` phase ``h mod m``.

    Parameters
    ----------
    history : ndarray of shape (n_samples, n_steps, n_targets)
    season_length : int, at most n_steps
    horizon : int

    Returns
    -------
    in_window : ndarray of shape (n_samples, n_steps, n_targets)
    ahead : ndarray of shape (n_samples, horizon, n_targets)
    """
    n_samples, n_steps, n_targets = history.shape
    m = season_length
    whole = history[:, n_steps - (n_steps // m) * m:]  # the last whole seasons
    cycles = whole.reshape(n_samples, -1, m, n_targets)  # (n, seasons, m, T)
    profile = cycles.mean(axis=1) - cycles.mean(axis=(1, 2))[:, None]  # (n, m, T)
    return profile[:, (np.arange(n_steps) - n_steps) % m], profile[:, np.arange(horizon) % m]


def nonzero_scale(std, mean):
    """``std``, with 1 where a window (or feature) is constant instead of dividing by ~0."""
    constant = std <= 10 * np.finfo(np.float64).eps * np.maximum(np.abs(mean), 1.0)
    return np.where(constant, 1.0, std)


def as_float32(values, name):
    """``values`` as float32, or a ``ValueError`` naming ``name`` if they overflow it."""
    if np.abs(values).max(initial=0.0) > _FLOAT32_MAX:
        raise ValueError(
            f"{name} has values beyond float32's range after normalisation; "
            "rescale the data or use normalize='window'."
        )
    return values.astype(np.float32)
