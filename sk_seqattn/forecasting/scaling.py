"""The parts that map windows to what a network or the floor reads, and back.

- :class:`TargetTransform`: ``log``/``log1p`` on the targets and their
  history, ``exp``/``expm1`` on the forecast.
- :class:`WindowScaler`: per-window (or global) standardisation of the
  input window, the known future and the targets, and its inverse.

Each part holds its own fitted statistics and puts its forward and inverse
maps side by side; :class:`~sk_seqattn.Seq2SeqAttentionRegressor` and
:class:`~sk_seqattn.LinearFloorRegressor` chain them.
"""

from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator

__all__ = ["TargetTransform", "WindowScaler", "Scaled"]

_FLOAT32_MAX = float(np.finfo(np.float32).max)
# The least scale of a window, relative to the training windows' median spread.
_WINDOW_SCALE_FLOOR = 1e-3

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


class TargetTransform(BaseEstimator):
    """``log`` or ``log1p`` on the targets and their history; the inverse on forecasts.

    A multiplicative series (seasonal swings that grow with the level)
    becomes additive. The transform is monotone, so quantile forecasts stay
    quantiles and stay sorted through :meth:`inverse`.

    Parameters
    ----------
    kind : {"log", "log1p"} or None, default=None
        None is the identity.
    target_features : array-like of int, default=(0,)
        The positions of the targets' history among ``X``'s features.
    n_steps : int or None, default=None
        The input steps of ``X``: known-future steps after them are left
        alone (their target features are unknown and may be NaN). None:
        all of ``X``'s steps.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_seqattn.forecasting.scaling import TargetTransform
    >>> transform = TargetTransform("log")
    >>> transform.transform_y(np.array([1.0, np.e])).tolist()
    [0.0, 1.0]
    >>> transform.inverse(np.array([0.0, 1.0])).round(3).tolist()
    [1.0, 2.718]
    """

    def __init__(self, kind=None, *, target_features=(0,), n_steps=None):
        self.kind = kind
        self.target_features = target_features
        self.n_steps = n_steps

    def transform_X(self, X):
        """``X`` of shape (n_samples, n_steps[, + horizon], n_features) with its targets' history transformed."""
        if self.kind is None:
            return X
        steps, features = slice(None, self.n_steps), np.asarray(self.target_features)
        history = X[:, steps, features]
        check_domain(history, self.kind, "the target features of X")
        X = X.copy()
        X[:, steps, features] = TRANSFORMS[self.kind][0](history)
        return X

    def transform_y(self, y):
        """``y`` of any shape, transformed."""
        if self.kind is None:
            return y
        check_domain(y, self.kind, "y")
        return TRANSFORMS[self.kind][0](y)

    def inverse(self, values):
        """Forecasts in transformed units back in the units of ``y``."""
        if self.kind is None:
            return values
        with np.errstate(over="ignore"):
            return TRANSFORMS[self.kind][1](values)


class Scaled(NamedTuple):
    """What :meth:`WindowScaler.transform` returns.

    Attributes
    ----------
    window : ndarray of shape (n_samples, n_steps, n_features)
        The normalised input window.
    future : ndarray of shape (n_samples, horizon, n_future_features) or None
        The known-future features, normalised by their own history in the window.
    mean, scale : ndarray broadcastable to (n_samples, horizon, n_targets)
        The targets' normalisation: ``y = y_net * scale + mean``.
    level : ndarray of shape (n_samples, 2 * n_features) or None
        With ``window_stats``: each window's ``1 / scale`` and ``mean /
        scale`` per feature, measured against the training windows'
        overall mean and deviation (see :class:`WindowScaler`).
    """

    window: np.ndarray
    future: object
    mean: object
    scale: object
    level: object


class WindowScaler(BaseEstimator):
    """Standardise windows per feature and map forecasts back (forward and inverse side by side).

    Parameters
    ----------
    normalize : {"window", "global"} or None, default="window"
        "window": each window by its own mean and standard deviation per
        feature; "global": by the training windows' overall ones; None:
        the identity.
    target_features : array-like of int, default=(0,)
        The positions of the targets' history among the features: the
        targets are normalised as their history is.
    future_features : array-like of int or None, default=None
        The positions of the known-future features: normalised as their
        history in the window is.
    window_stats : bool, default=False
        With ``normalize="window"``, also return each window's level and
        spread (``Scaled.level``). A linear model of the raw values, ``y =
        c + a . x``, is in normalised units ``(y - mean) / scale = c / scale
        + a . x_net + (sum(a) - 1) mean / scale``: with these two features a
        linear model of the normalised window can be any linear
        autoregression of the raw values too, so per-window normalisation
        no longer hides a stationary series' pull to its mean.

    Attributes
    ----------
    feature_mean_, feature_scale_ : ndarray of shape (n_features,)
        Per-feature mean and deviation of the windows ``fit`` saw (not set
        with ``normalize=None``).
    window_scale_floor_ : ndarray of shape (n_features,) or None
        With ``normalize="window"``: a thousandth of the training windows'
        median deviation. A window with less spread (a constant run, such
        as the zeros of intermittent counts) is scaled by that median
        deviation instead of its own, so that it cannot blow its targets up.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_seqattn.forecasting.scaling import WindowScaler
    >>> windows = np.array([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])[:, :, None]
    >>> scaler = WindowScaler().fit(windows)
    >>> scaled = scaler.transform(windows)
    >>> scaled.window[:, :, 0].round(3).tolist()
    [[-1.225, 0.0, 1.225], [-1.225, 0.0, 1.225]]
    >>> scaler.inverse(np.zeros((2, 1, 1)), scaled)[:, 0, 0].tolist()
    [2.0, 20.0]
    """

    def __init__(self, normalize="window", *, target_features=(0,), future_features=None,
                 window_stats=False):
        self.normalize = normalize
        self.target_features = target_features
        self.future_features = future_features
        self.window_stats = window_stats

    def fit(self, window):
        """Learn the statistics from training windows of shape (n_samples, n_steps, n_features)."""
        self.window_scale_floor_ = None
        if self.normalize is not None:
            self.feature_mean_ = window.mean(axis=(0, 1))
            self.feature_scale_ = nonzero_scale(window.std(axis=(0, 1)), self.feature_mean_)
        if self.normalize == "window":
            # A thousandth of a typical window's spread: a window with less
            # is nearly constant next to the others and is scaled by the
            # typical spread, not divided by ~0 (1000 with one step at
            # 1000 + 1e-10 would scale its targets by 3e10).
            self.window_scale_floor_ = _WINDOW_SCALE_FLOOR * np.median(window.std(axis=1), axis=0)
        return self

    def transform(self, window, future=None):
        """Normalise ``window`` (and ``future``); returns a :class:`Scaled`."""
        mean, scale = self._statistics(window)
        window_net = (window - mean) / scale  # (n_samples, n_steps, n_features)
        future_net = None
        if future is not None:
            known = np.asarray(self.future_features)
            future_net = (future - mean[..., known]) / scale[..., known]
        level = None
        if self.normalize == "window" and self.window_stats:
            relative_scale = scale[:, 0] / self.feature_scale_  # (n_samples, n_features)
            relative_mean = (mean[:, 0] - self.feature_mean_) / self.feature_scale_
            level = np.concatenate(
                [1.0 / relative_scale, relative_mean / relative_scale], axis=1
            )  # (n_samples, 2 * n_features)
        targets = np.asarray(self.target_features)
        return Scaled(window_net, future_net, mean[..., targets], scale[..., targets], level)

    def scale_targets(self, values, scaled):
        """Targets (n_samples, horizon, n_targets) in the units of ``y`` to normalised units."""
        return (values - scaled.mean) / scaled.scale

    def inverse(self, values, scaled):
        """Normalised forecasts back in the units of ``y``: the inverse of :meth:`scale_targets`.

        ``values`` is (n_samples, horizon, n_targets), or has a last axis
        more (quantile levels) that every level shares.
        """
        mean, scale = scaled.mean, scaled.scale
        if values.ndim == 4:
            mean, scale = (np.expand_dims(part, -1) if np.ndim(part) else part
                           for part in (mean, scale))
        return values * scale + mean

    def _statistics(self, window):
        # (mean, scale) broadcastable to the window: (n_samples, 1, F) per
        # window, (F,) global, or the identity.
        if self.normalize == "window":
            mean = window.mean(axis=1, keepdims=True)  # (n_samples, 1, n_features)
            std = window.std(axis=1, keepdims=True)
            # A window with less spread than the floor (a constant run, such
            # as the zeros of intermittent counts) says nothing about its
            # scale: it gets a typical window's. Divided by the floor itself,
            # a following 1 would be a target of ~1e3 typical spreads.
            typical = self.window_scale_floor_ / _WINDOW_SCALE_FLOOR
            std = np.where(std < self.window_scale_floor_, typical, std)
            return mean, nonzero_scale(std, mean)
        if self.normalize == "global":
            return self.feature_mean_, self.feature_scale_
        ones = np.ones(window.shape[2])
        return 0.0 * ones, ones
