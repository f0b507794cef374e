"""How the regressor maps windows to what its networks see, and back.

``target_transform`` (log) first, then normalisation (per window or
global), then the window's own seasonal profile removed: each step is
undone in reverse on the forecast.
"""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

__all__ = []

# The regressor's parameters and fitted attributes this module serves: their
# documentation (assembled into Seq2SeqAttentionRegressor's) and constraints.
SCALING_PARAMS_DOC = """\
    normalize : {"window", "global"} or None, default="window"
        "window": each sample's input window is standardised by its own
        mean and standard deviation (per feature), the targets by those of
        their feature, and predictions are mapped back. The largest
        accuracy lever on real series (it removes level and trend). "global":
        one mean and deviation per feature from the training windows.
        None: the values as given.

    target_transform : {"log", "log1p"} or None, default=None
        Applied to the targets and their history in ``X`` before
        normalising, and undone on the forecast (``exp``, ``expm1``): a
        multiplicative series (seasonal swings that grow with the level)
        becomes additive. "log" needs positive values, "log1p" values
        >= 0 (counts with zeros); anything else is a ``ValueError``.

    season_length : int or None, default=None
        Remove each window's own seasonal profile before the networks see
        it: the mean of the (normalised) targets' history at each of the
        ``season_length`` phases over the last ``n_steps // season_length``
        whole seasons, minus their overall mean. It is subtracted from the
        input window and the targets, and added back to the forecast at
        the matching phases. Needs ``season_length <= n_steps``.
"""
SCALING_FITTED_DOC = """\
    window_scale_floor_ : ndarray of shape (n_input_features_,) or None
        With ``normalize="window"``: per feature, a thousandth of the
        training windows' median standard deviation (without a held-out
        tail). A window with less spread (a constant run, such as the
        zeros of intermittent counts) is divided by that median deviation
        instead of its own, so that it cannot blow its targets up.

    feature_mean_, feature_scale_ : ndarray of shape (n_input_features,)
        Per-feature mean and deviation of the training windows (after
        ``target_transform``; without a held-out tail): what
        ``normalize="global"`` divides by, and what ``window_stats``
        measures each window against. Not set with ``normalize=None``.
"""
SCALING_CONSTRAINTS = {
    "normalize": [StrOptions({"window", "global"}), None],
    "target_transform": [StrOptions({"log", "log1p"}), None],
    "season_length": [Interval(Integral, 1, None, closed="left"), None],
}

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


def normalize_targets(values, undo):
    """Targets in the (transformed) units of y mapped to the networks' units:
    ``undo`` is ``(target_mean, target_scale, season)`` of ``_normalized_inputs``."""
    target_mean, target_scale, season = undo
    return (values - target_mean) / target_scale - season


def denormalize(values, undo):
    """The inverse of :func:`normalize_targets`: normalised forecasts in the
    (transformed) units of y."""
    target_mean, target_scale, season = undo
    return (values + season) * target_scale + target_mean


class _WindowScaling:
    """The regressor's mapping of ``X`` to its networks' inputs (a mixin).

    Order: split off the known-future steps, ``target_transform``,
    normalisation, the window's own seasonal profile; the forecast is
    mapped back in reverse by ``_forward_normalized``.
    """

    def _prepare(self, X, fit=False):
        """The networks' inputs from checked ``X``, and what maps their output back.

        Returns
        -------
        X_net : ndarray of shape (n_samples, n_steps_in_, n_features)
        future_net : ndarray of shape (n_samples, horizon_, n_future_features) or None
        undo : tuple of (target_mean, target_scale, season), see _normalized_inputs
        level : ndarray of shape (n_samples, 2 * n_features) or None
            The floor's window statistics, see _normalized_inputs.
        """
        return self._normalized_inputs(*self._transformed(X, fit=fit))

    def _transformed(self, X, fit=False, fit_rows=slice(None)):
        """Checked ``X`` split into its window and known future, ``target_transform`` applied.

        With ``fit=True`` also sets the statistics normalisation uses
        (``feature_mean_``, ``feature_scale_``, ``window_scale_floor_``),
        from the windows at ``fit_rows`` (the training part).

        Returns
        -------
        X : ndarray of shape (n_samples, n_steps_in_, n_features)
        future : ndarray of shape (n_samples, horizon_, n_future_features) or None
        """
        future = None
        if self.future_features_ is not None:
            X, future = X[:, : self.n_steps_in_], X[:, self.n_steps_in_:, self.future_features_]
        X = self._transform_targets(X)
        fitted = X[fit_rows]
        if fit and self.normalize is not None:
            # "global" divides by these; "window" measures each window's
            # level and spread against them (the floor's window statistics).
            self.feature_mean_ = fitted.mean(axis=(0, 1))
            self.feature_scale_ = nonzero_scale(fitted.std(axis=(0, 1)), self.feature_mean_)
        if fit:
            self.window_scale_floor_ = None
            if self.normalize == "window":
                # A thousandth of a typical window's spread: a window with
                # less is nearly constant next to the others and is scaled by
                # the typical spread, not divided by ~0 (1000 with one step at
                # 1000 + 1e-10 would scale its targets by 3e10).
                self.window_scale_floor_ = (
                    _WINDOW_SCALE_FLOOR * np.median(fitted.std(axis=1), axis=0)
                )  # (n_features,)
        return X, future

    def _transform_targets(self, values, in_X=True):
        # target_transform on y, or on the targets' history among X's features.
        if self.target_transform is None:
            return values
        forward = TRANSFORMS[self.target_transform][0]
        if not in_X:
            check_domain(values, self.target_transform, "y")
            return forward(values)
        part = values[..., self.target_features_]
        check_domain(part, self.target_transform, "the target features of X")
        values = values.copy()
        values[..., self.target_features_] = forward(part)
        return values

    def _normalized_inputs(self, X, future=None):
        """The network's input window and future features, and what maps its output back.

        The known-future features are normalised with the statistics of
        their own history in the window.

        Returns
        -------
        X_net : ndarray of shape (n_samples, n_steps, n_features)
        future_net : ndarray of shape (n_samples, horizon, n_future_features) or None
        undo : tuple of (target_mean, target_scale, season)
            ``y = (y_net + season) * target_scale + target_mean``, with
            season of shape (n_samples, horizon, n_targets) (or 0.0).
        level : ndarray of shape (n_samples, 2 * n_features) or None
            With ``normalize="window"`` and ``window_stats``: each window's
            ``1 / scale`` and ``mean / scale``, per feature, with mean and
            scale measured against the training windows' overall statistics
            (``feature_mean_``, ``feature_scale_``). A linear model of the
            raw values, ``y = c + a . x``, is in normalised units
            ``(y - mean) / scale = c / scale + a . x_net + (sum(a) - 1) mean / scale``:
            with these two features the floor can be any linear
            autoregression of the raw values as well as of the normalised
            window, so a stationary series' pull to its long-run mean (or a
            panel's dependence on a series' level) survives normalisation.
            With ``window_stats="all"`` the network reads them too, see
            ``_network_window``.
        """
        mean, scale = self._normalization(X)
        X_net = (X - mean) / scale  # (n_samples, n_steps, n_features)
        future_net = None
        if future is not None:
            known = self.future_features_
            # (n_samples, horizon, n_future_features)
            future_net = (future - mean[..., known]) / scale[..., known]
        targets = self.target_features_
        season = 0.0
        if self.season_length is not None:
            in_window, season = season_profile(
                X_net[:, :, targets], self.season_length, self.horizon_
            )
            X_net[:, :, targets] -= in_window
        level = None
        if self.normalize == "window" and self.window_stats:
            relative_scale = scale[:, 0] / self.feature_scale_  # (n_samples, n_features)
            relative_mean = (mean[:, 0] - self.feature_mean_) / self.feature_scale_
            level = np.concatenate(
                [1.0 / relative_scale, relative_mean / relative_scale], axis=1
            )  # (n_samples, 2 * n_features)
        return X_net, future_net, (mean[..., targets], scale[..., targets], season), level

    def _network_window(self, X_net, level):
        # The encoder's input with window_stats="all": the normalised window
        # and each window's statistics at every step, asinh-compressed (1/scale
        # of a window with little spread is up to 1e3 times a typical one's).
        if level is None:
            return X_net
        stats = np.repeat(np.arcsinh(level)[:, None, :], X_net.shape[1], axis=1)
        return np.concatenate([X_net, stats], axis=2)  # (n, n_steps, 3 * n_features)

    def _normalization(self, X):
        # (mean, scale) broadcastable to X: (n_samples, 1, F) per window,
        # (F,) global, or the identity.
        if self.normalize == "window":
            mean = X.mean(axis=1, keepdims=True)  # (n_samples, 1, n_features)
            std = X.std(axis=1, keepdims=True)
            # A window with less spread than the floor (a constant run, such
            # as the zeros of intermittent counts) says nothing about its
            # scale: it gets a typical window's. Divided by the floor itself,
            # a following 1 would be a target of ~1e3 typical spreads.
            typical = self.window_scale_floor_ / _WINDOW_SCALE_FLOOR
            std = np.where(std < self.window_scale_floor_, typical, std)
            return mean, nonzero_scale(std, mean)
        if self.normalize == "global":
            return self.feature_mean_, self.feature_scale_
        ones = np.ones(X.shape[2])
        return 0.0 * ones, ones
