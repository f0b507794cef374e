"""The linear floor: a ridge regression on normalised windows.

:class:`LinearFloorRegressor` forecasts the horizon from a window the way a
linear autoregression does, after each window is normalised by its own
mean and spread, with the window's level and spread as two more features
(so it can be any linear autoregression of the raw values as well). It is
a forecaster on windows in its own right, and the floor that
:class:`~sk_seqattn.Seq2SeqAttentionRegressor` fits first and whose
forecast its network corrects.

The floor may read only the last ``k`` steps of the window, normalised over
those steps, as an autoregression chooses its order: ``lookback="auto"``
compares the whole window, its last half and its last quarter on a
time-ordered split of the training windows and keeps a shorter one only
where it is better by more than one standard error (the one-standard-error
rule of Hastie, Tibshirani and Friedman, The Elements of Statistical
Learning, 7.10), so the whole window stays unless the data say otherwise.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.model_selection import TimeSeriesSplit
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._checks import _WindowInputChecks
from ._scoring import _StepwiseR2
from .scaling import WindowScaler, nonzero_scale

__all__ = ["LinearFloorRegressor"]

# alpha="auto": RidgeCV's efficient leave-one-out among these.
FLOOR_ALPHAS = np.logspace(-2, 4, 13)
# lookback="auto": folds of the time-ordered split.
_LOOKBACK_FOLDS = 5


class LinearFloorRegressor(_StepwiseR2, RegressorMixin, _WindowInputChecks, BaseEstimator):
    """Ridge regression from a normalised window (and its level and spread) to its horizon.

    Each window is standardised per feature by its own mean and standard
    deviation over the last ``lookback`` steps; the ridge reads those
    steps, the known-future features (normalised alike) and each window's
    ``1 / scale`` and ``mean / scale`` per feature (measured against the
    training windows' overall statistics), and forecasts the normalised
    horizon, which is mapped back to the window's units. With those two
    features the ridge can be any linear autoregression of the raw values,
    its constant included, as well as of the normalised window, so it has
    no intercept of its own: in normalised units an intercept would add a
    multiple of the window's spread to the forecast, which extrapolates
    wherever a series' spread grows past what its training part saw.

    It takes the windows :func:`~sk_seqattn.make_windows` cuts, as
    :class:`~sk_seqattn.Seq2SeqAttentionRegressor` does, and is a strong
    baseline on its own: an autoregression that a panel's series share.

    Parameters
    ----------
    alpha : float or "auto", default="auto"
        The ridge's L2 penalty; "auto" picks it among ``10**-2 .. 10**4`` by
        efficient leave-one-out cross-validation (``RidgeCV``), which keeps a
        short series' floor from overfitting.

    lookback : "auto", int or None, default="auto"
        How many of the window's last steps the ridge reads, normalised over
        those steps. None: the whole window. An int ``k``: the last ``k``
        steps (at least 2). "auto": the whole window, its last half or its
        last quarter (at least 2 steps), compared by mean absolute error
        (each target's divided by its standard deviation) on a time-ordered
        split of the training windows (5 folds, a gap of ``horizon - 1``
        windows, so no validation target is a training target); a shorter
        lookback is kept only where it is better by more than one standard
        error. The rows are taken in the order given: for a panel pooled by
        :func:`~sk_seqattn.make_windows`, the later folds hold the later
        windows of every series. Few windows (fewer than ``6 * (horizon +
        3)``) keep the whole window.

    future_features : int, list of int or None, default=None
        Features of a 3-D ``X`` known in advance for the forecast steps, as
        for :class:`~sk_seqattn.Seq2SeqAttentionRegressor`: ``X`` then spans
        ``n_in + horizon`` steps.

    target_features : int, list of int or None, default=None
        Which features of a 3-D ``X`` are the history of the targets. None:
        the first ``n_targets``.

    Attributes
    ----------
    ridge_ : sklearn.linear_model.Ridge or RidgeCV
        The fitted ridge, on the flattened features.

    lookback_ : int
        The number of last steps of the window the ridge reads.

    scaler_ : sk_seqattn.forecasting.scaling.WindowScaler
        The per-window normalisation (applied over the lookback), with the
        training windows' statistics that each window's level and spread
        are measured against.

    n_features_in_ : int
        Columns of ``X`` as scikit-learn counts them: ``n_steps`` (axis 1).

    n_steps_in_, n_input_features_, horizon_, n_targets_ : int
        The input window's steps and features, the forecast's steps and targets.

    target_features_, future_features_ : ndarray of int (or None)
        Positions of the targets' history and of the known-future features.

    See Also
    --------
    Seq2SeqAttentionRegressor : Fits this floor first and learns its correction.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_seqattn import LinearFloorRegressor, make_windows
    >>> X, y = make_windows(10 + np.sin(np.arange(300) / 5), n_in=20, n_out=5)
    >>> floor = LinearFloorRegressor().fit(X, y)
    >>> floor.predict(X[:2]).shape
    (2, 5)
    >>> round(floor.score(X, y), 3)
    1.0
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "lookback": [StrOptions({"auto"}), Interval(Integral, 2, None, closed="left"), None],
        "future_features": [Interval(Integral, 0, None, closed="left"), "array-like", None],
        "target_features": [Interval(Integral, 0, None, closed="left"), "array-like", None],
    }

    def __init__(self, *, alpha="auto", lookback="auto", future_features=None,
                 target_features=None):
        self.alpha = alpha
        self.lookback = lookback
        self.future_features = future_features
        self.target_features = target_features

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fit the ridge on windows ``X`` and their futures ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps) or (n_samples, n_steps, n_features)
        y : array-like of shape (n_samples,), (n_samples, horizon) or \
(n_samples, horizon, n_targets)

        Returns
        -------
        self : LinearFloorRegressor
        """
        X, y = self._validate_windows(X, y, reset=True)
        window, future = self._split_future(X)
        # The window statistics are measured against all training windows'
        # (whole-window) statistics, the same for every lookback compared.
        self.scaler_ = WindowScaler("window", target_features=self.target_features_,
                                    future_features=self.future_features_,
                                    window_stats=True).fit(window)
        self.lookback_ = self._resolve_lookback(window, future, y)
        self.ridge_ = self._fit_ridge(window[:, -self.lookback_:], future, y)
        return self

    def predict(self, X):
        """Forecast ``horizon_`` steps after each window.

        Parameters
        ----------
        X : array-like, as in :meth:`fit`

        Returns
        -------
        y_pred : ndarray of float64, of ``y``'s rank in ``fit``
        """
        check_is_fitted(self)
        X, _ = self._validate_windows(X)
        window, future = self._split_future(X)
        return self._as_y_rank(self._forecast(self.ridge_, window[:, -self.lookback_:], future))

    # -- helpers ---------------------------------------------------------------
    def _ridge(self):
        # No intercept: the constant of a linear autoregression of the raw
        # values is the ridge's weight on 1 / scale (see the class docstring).
        if self.alpha == "auto":
            return RidgeCV(alphas=FLOOR_ALPHAS, fit_intercept=False)
        return Ridge(alpha=self.alpha, fit_intercept=False)

    def _features(self, window, future):
        """The ridge's features on ``window`` (its last ``lookback`` steps), and their
        :class:`~sk_seqattn.forecasting.scaling.Scaled`."""
        scaled = self.scaler_.transform(window, future)
        parts = [scaled.window.reshape(len(window), -1)]
        if scaled.future is not None:
            parts.append(scaled.future.reshape(len(window), -1))
        parts.append(scaled.level)
        return np.concatenate(parts, axis=1), scaled

    def _fit_ridge(self, window, future, y):
        """A ridge fitted on ``window`` (its last ``lookback`` steps) and targets ``y``."""
        features, scaled = self._features(window, future)
        y_net = self.scaler_.scale_targets(y, scaled).reshape(len(y), -1)
        return self._ridge().fit(features, y_net)

    def _forecast(self, ridge, window, future):
        """Forecasts of shape (n_samples, horizon, n_targets) in the units of ``y``
        from ``window`` (its last ``lookback`` steps)."""
        features, scaled = self._features(window, future)
        forecast = ridge.predict(features).reshape(len(window), self.horizon_, self.n_targets_)
        return self.scaler_.inverse(forecast, scaled)

    def _resolve_lookback(self, window, future, y):
        """Check ``lookback``; the number of last steps the ridge reads."""
        n_steps, wanted = self.n_steps_in_, self.lookback
        if wanted is None:
            return n_steps
        if wanted != "auto":
            if not 2 <= wanted <= n_steps:
                raise ValueError(
                    f"lookback={wanted} must lie between 2 (a spread needs two steps) and "
                    f"the input window's {n_steps} steps."
                )
            return int(wanted)
        candidates = [k for k in dict.fromkeys((n_steps, n_steps // 2, n_steps // 4)) if k >= 2]
        gap = self.horizon_ - 1  # no validation target is a training target
        # Each fold's validation part holds len(X) // 6 windows: at least
        # the gap and 4 more, so that the first fold trains on some.
        if len(candidates) <= 1 or len(window) < (_LOOKBACK_FOLDS + 1) * (gap + 4):
            return n_steps
        folds = list(TimeSeriesSplit(_LOOKBACK_FOLDS, gap=gap).split(window))
        errors = {k: self._fold_errors(window, future, y, k, folds) for k in candidates}
        # The shorter lookback that gains most on the whole window, if it
        # gains more than one standard error of its per-fold gains.
        gains = {k: errors[n_steps] - errors[k] for k in candidates[1:]}
        best = max(gains, key=lambda k: gains[k].mean())
        standard_error = gains[best].std(ddof=1) / np.sqrt(len(folds))
        return best if gains[best].mean() > standard_error else n_steps

    def _fold_errors(self, window, future, y, lookback, folds):
        # The mean absolute error of each fold's forecast, in the units of
        # y, each target's divided by its deviation: with several targets,
        # the choice cannot depend on their units.
        spread = nonzero_scale(y.std(axis=(0, 1)), y.mean(axis=(0, 1)))  # (n_targets,)
        window = window[:, -lookback:]
        errors = []
        for train, valid in folds:
            ridge = self._fit_ridge(window[train], _rows(future, train), y[train])
            forecast = self._forecast(ridge, window[valid], _rows(future, valid))
            errors.append(np.mean(np.abs(forecast - y[valid]) / spread))
        return np.array(errors)  # (n_folds,)


def _rows(part, rows):
    return None if part is None else part[rows]
