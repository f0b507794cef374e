"""The regressor's linear floor: a ridge forecast the network corrects.

A mixin of :class:`~sk_seqattn.Seq2SeqAttentionRegressor` (parameters
``linear_floor``, ``floor_alpha`` and ``floor_lookback``; fitted attributes
``floor_`` and ``floor_lookback_``). The ridge is fitted in closed form on
the normalised window (its known future and its window statistics too)
before the network, and its forecast reaches the network as the ``base``
input, in the network's units: the network learns the correction.

The floor may read only the last ``k`` steps of the window, normalised over
those steps, as an autoregression chooses its order: ``floor_lookback="auto"``
compares the whole window, its last half and its last quarter on a
time-ordered split of the training windows and keeps a shorter one only
where it is better by more than one standard error (the one-standard-error
rule of Hastie, Tibshirani and Friedman, The Elements of Statistical
Learning, 7.10), so the whole window stays unless the data say otherwise.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.model_selection import TimeSeriesSplit
from sklearn.utils._param_validation import Interval, StrOptions

from ._scaling import as_float32, denormalize, nonzero_scale, normalize_targets

__all__ = []

# The regressor's parameters and fitted attributes this module serves: their
# documentation (assembled into Seq2SeqAttentionRegressor's) and constraints.
FLOOR_PARAMS_DOC = """\
    linear_floor : bool, default=True
        Fit a ridge regression from the normalised input window to the
        normalised horizon first (closed form), and train the network on
        what it misses: the forecast is the ridge's plus the network's
        correction. The ridge keeps the forecast at least as good as a
        linear autoregression of the window, even when the network has
        too few windows to learn (an autoregressive "highway", as in
        LSTNet and DLinear).

    floor_alpha : float or "auto", default="auto"
        The ridge's L2 penalty; "auto" picks it among ``10**-2 .. 10**4``
        by efficient leave-one-out cross-validation (``RidgeCV``), which
        keeps a short series' floor from overfitting.

    floor_lookback : "auto", int or None, default="auto"
        How many of the window's last steps the floor reads, normalised
        over those steps (the network always reads the whole window).
        None: the whole window. An int ``k``: the last ``k`` steps (at
        least 2, and more than ``season_length`` if set: without its
        seasonal profile, exactly one season is all zeros). "auto": the
        whole window, its last half or its last quarter (the same bounds),
        compared by the floor's mean absolute error (each target's divided
        by its standard deviation) on a time-ordered split of the training
        windows (5 folds, a gap of ``horizon - 1`` windows, so no
        validation target is a training target); a shorter lookback is
        kept only where it is better by more than one standard error, as
        an autoregression's order is chosen on the data. The rows are
        taken in the order given: for a panel, the later folds hold whole
        later series. Few windows (fewer than ``6 * (horizon + 3)``) keep
        the whole window.

    window_stats : {"floor", "all"} or None, default="floor"
        With ``normalize="window"``, give the floor ("floor"), or the floor
        and the network ("all"), each window's level and spread, as ``1 /
        scale`` and ``mean / scale`` per feature (measured against the
        training windows' overall mean and deviation; the network reads
        them, asinh-compressed, as extra input features at every step). A
        linear model of the raw values is a linear model of the normalised
        window plus these two, so the floor can be any linear
        autoregression of the raw values as well as of the normalised
        window: per-window normalisation then no longer hides a stationary
        series' pull to its mean, or how a panel's series behave at
        different levels. The floor then has no intercept of its own (in
        normalised units it would add a multiple of the window's spread to
        the forecast, which a series whose spread grows extrapolates).
        With "all", a network fitted on one series extrapolates poorly
        from levels its training part never reached, where the linear
        floor does not.
"""
FLOOR_FITTED_DOC = """\
    floor_ : sklearn.linear_model.Ridge or RidgeCV, or None
        The linear floor (``linear_floor=True``), on flattened normalised
        windows.

    floor_lookback_ : int or None
        The number of last steps of the window the floor reads (None
        without a floor).
"""
FLOOR_CONSTRAINTS = {
    "linear_floor": ["boolean"],
    "floor_alpha": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
    "floor_lookback": [StrOptions({"auto"}), Interval(Integral, 2, None, closed="left"),
                       None],
    "window_stats": [StrOptions({"floor", "all"}), None],
}

# floor_alpha="auto": RidgeCV's efficient leave-one-out among these.
FLOOR_ALPHAS = np.logspace(-2, 4, 13)
# floor_lookback="auto": folds of the time-ordered split.
_LOOKBACK_FOLDS = 5


class _LinearFloor:
    """Fit the floor (``_fit_floor``) and build the network's inputs around it."""

    def _fit_floor(self, X, future, y):
        """Set ``floor_`` and ``floor_lookback_`` (None without a floor).

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_steps_in_, n_features)
            The training windows after ``target_transform``, not normalised.
        future : ndarray of shape (n_samples, horizon_, n_future_features) or None
        y : ndarray of shape (n_samples, horizon_, n_targets_)
            Their targets after ``target_transform``.
        """
        self.floor_ = self.floor_lookback_ = None
        if not self.linear_floor:
            return
        lookback = self._resolve_floor_lookback(X, future, y)
        features, y_net, _ = self._floor_data(X, future, lookback, y)
        self.floor_ = self._floor_ridge().fit(features, y_net)
        self.floor_lookback_ = lookback

    def _floor_ridge(self):
        # With the window statistics the ridge has no intercept: a linear
        # autoregression's constant is already its weight on 1 / scale, and a
        # constant in normalised units would add to the forecast a multiple
        # of the window's spread, in the series' units, which extrapolates
        # wherever a series' spread grows past what its training part saw.
        fit_intercept = not (self.normalize == "window" and self.window_stats)
        if self.floor_alpha == "auto":
            return RidgeCV(alphas=FLOOR_ALPHAS, fit_intercept=fit_intercept)
        return Ridge(alpha=self.floor_alpha, fit_intercept=fit_intercept)

    def _floor_data(self, X, future, lookback, y=None):
        """The floor's features on the last ``lookback`` steps, its targets, and their undo.

        Returns
        -------
        features : ndarray of shape (n_samples, n_floor_features)
        y_net : ndarray of shape (n_samples, horizon_ * n_targets_) or None
            ``y`` normalised by those steps' statistics (None without ``y``).
        undo : tuple of (target_mean, target_scale, season), see _normalized_inputs
        """
        X_net, future_net, undo, level = self._normalized_inputs(X[:, -lookback:], future)
        y_net = None if y is None else normalize_targets(y, undo).reshape(len(y), -1)
        return self._floor_inputs(X_net, future_net, level), y_net, undo

    def _floor_inputs(self, X_net, future_net, level):
        # The ridge's features: the flattened window, known future and
        # window statistics.
        parts = [X_net.reshape(len(X_net), -1)]
        if future_net is not None:
            parts.append(future_net.reshape(len(future_net), -1))
        if level is not None:
            parts.append(level)
        return np.concatenate(parts, axis=1)

    def _base(self, X, future, undo):
        # The network's "base" input: the floor's forecast, or None.
        return None if self.floor_ is None else self._floor_forecast(X, future, undo)

    def _floor_forecast(self, X, future, undo):
        """The floor's forecast of (n_samples, horizon_, n_targets_), in the
        units of the network (``undo``: the whole window's normalisation)."""
        lookback = getattr(self, "floor_lookback_", None) or self.n_steps_in_
        features, _, own_undo = self._floor_data(X, future, lookback)
        shape = (len(X), self.horizon_, self.n_targets_)
        forecast = self.floor_.predict(features).reshape(shape)
        if lookback == self.n_steps_in_:
            return forecast  # already in the whole window's units
        # From the lookback's normalisation to the whole window's.
        return normalize_targets(denormalize(forecast, own_undo), undo)

    def _resolve_floor_lookback(self, X, future, y):
        """Check ``floor_lookback``; the number of last steps the floor reads."""
        n_steps, wanted = self.n_steps_in_, self.floor_lookback
        # A spread needs 2 steps; with season_length, more than a season (the
        # season's profile removed, a lookback of exactly one season is all zeros).
        shortest = 2 if self.season_length is None else max(2, self.season_length + 1)
        if wanted is None:
            return n_steps
        if wanted != "auto":
            if not shortest <= wanted <= n_steps:
                raise ValueError(
                    f"floor_lookback={wanted} must lie between {shortest} (two steps, and more "
                    f"than season_length if set) and the input window's {n_steps} steps."
                )
            return int(wanted)
        candidates = [k for k in dict.fromkeys((n_steps, n_steps // 2, n_steps // 4))
                      if k >= shortest]
        gap = self.horizon_ - 1  # no validation target is a training target
        # Each fold's validation part holds len(X) // 6 windows: at least
        # the gap and 4 more, so that the first fold trains on some.
        if len(candidates) <= 1 or len(X) < (_LOOKBACK_FOLDS + 1) * (gap + 4):
            return n_steps
        folds = list(TimeSeriesSplit(_LOOKBACK_FOLDS, gap=gap).split(X))
        errors = {k: self._floor_fold_errors(X, future, y, k, folds) for k in candidates}
        # The shorter lookback that gains most on the whole window, if it
        # gains more than one standard error of its per-fold gains.
        gains = {k: errors[n_steps] - errors[k] for k in candidates[1:]}
        best = max(gains, key=lambda k: gains[k].mean())
        standard_error = gains[best].std(ddof=1) / np.sqrt(len(folds))
        return best if gains[best].mean() > standard_error else n_steps

    def _floor_fold_errors(self, X, future, y, lookback, folds):
        # The mean absolute error of each fold's forecast, in the
        # (transformed) units of y, each target's divided by its deviation:
        # with several targets, the choice cannot depend on their units.
        features, y_net, undo = self._floor_data(X, future, lookback, y)
        spread = nonzero_scale(y.std(axis=(0, 1)), y.mean(axis=(0, 1)))  # (n_targets,)
        errors = []
        for train, valid in folds:
            forecast = self._floor_ridge().fit(features[train], y_net[train]).predict(
                features[valid]).reshape(y[valid].shape)
            raw = denormalize(forecast, tuple(_rows(part, valid) for part in undo))
            errors.append(np.mean(np.abs(raw - y[valid]) / spread))
        return np.array(errors)  # (n_folds,)

    def _network_inputs(self, X_net, future_net=None, level=None, base=None):
        # The module's keyword arguments: the window (with its statistics,
        # for window_stats="all"), the known future, and the floor's forecast.
        window = self._network_window(X_net, level) if self.window_stats == "all" else X_net
        inputs = {"X": as_float32(window, "X")}
        if future_net is not None:
            inputs["future"] = as_float32(future_net, "the known-future features of X")
        if base is not None:
            inputs["base"] = as_float32(base, "the linear floor")
        return inputs


def _rows(part, rows):
    # Per-window statistics (3-D) at ``rows``; per-feature ones and 0.0 as they are.
    return part[rows] if np.ndim(part) == 3 else part
