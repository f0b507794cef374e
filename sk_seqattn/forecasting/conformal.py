"""Split conformal intervals around any forecaster on windows.

:class:`ConformalForecaster` holds out the time-ordered tail of the
windows, fits the forecaster on the rest, and shifts each quantile level by
the finite-sample quantile of the tail's residuals, so that a new value
falls below it with about the level's probability (when the held-out
windows resemble the new ones). For a forecaster with ``predict_quantiles``
this is conformalized quantile regression (Romano, Patterson and Candes,
2019), one level at a time; for a point forecaster, the levels are the
point forecast plus the residuals' quantiles (darts' ``ConformalNaiveModel``
does the same around any model). Residuals are measured in units of each
window's own spread, so one calibration serves series of any scale.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin, _fit_context, clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import (check_array, check_consistent_length, check_is_fitted,
                                      validate_data)

from ..training.net import TailSplit
from ._quantiles import check_quantiles
from ._scoring import _StepwiseR2
from .ensemble import _member_tags
from .regressor import Seq2SeqAttentionRegressor

__all__ = ["ConformalForecaster", "conformal_offsets"]


def conformal_offsets(residuals, levels):
    """Split-conformal shifts of the quantile levels, per forecast step and target.

    Parameters
    ----------
    residuals : ndarray of shape (n_samples, horizon, n_targets, n_levels)
        Held-out targets minus their predicted levels (scaled).
    levels : sequence of float
        The levels, increasing; a median's shift is its residuals' median.

    Returns
    -------
    offsets : ndarray of shape (horizon, n_targets, n_levels)
    """
    residuals = np.sort(residuals, axis=0)
    n_samples = len(residuals)
    offsets = np.zeros(residuals.shape[1:])
    for position, level in enumerate(levels):
        # The finite-sample rank: ceil((n + 1) q) from below for an upper
        # level, floor((n + 1) q) for a lower one, so that a new window's
        # value falls below the shifted level with probability about q.
        rank = (np.ceil if level > 0.5 else np.floor)((n_samples + 1) * level)
        rank = int(np.clip(rank, 1, n_samples))
        offsets[..., position] = residuals[rank - 1, ..., position]
    return offsets


class ConformalForecaster(_StepwiseR2, MetaEstimatorMixin, RegressorMixin, BaseEstimator):
    """Calibrate the quantile forecasts of any forecaster on held-out windows.

    ``fit`` keeps the last ``calibration_fraction`` of the windows (in their
    given order, after a gap) out of training, fits a clone of
    ``estimator`` on the others, and measures on the tail, per forecast
    step and target, how far the truth falls from each predicted level, in
    units of each window's spread (the standard deviation of its targets'
    history). :meth:`predict_quantiles` shifts each level by the
    finite-sample quantile of those residuals; :meth:`predict` is the
    estimator's own forecast, unchanged.

    With an ``estimator`` that has ``predict_quantiles`` (such as
    :class:`~sk_seqattn.Seq2SeqAttentionRegressor` with ``quantiles``), its
    levels are calibrated (conformalized quantile regression); with a
    point forecaster, ``quantiles`` says which levels to build around its
    forecast.

    Parameters
    ----------
    estimator : estimator or None, default=None
        A forecaster on windows: ``fit(X, y)`` and ``predict(X)``, and
        ``predict_quantiles(X)`` with a fitted ``quantiles_`` for
        conformalized quantile regression. None: a default
        :class:`~sk_seqattn.Seq2SeqAttentionRegressor` (a point forecaster:
        give ``quantiles``).

    quantiles : array-like of float in (0, 1), or None, default=None
        The levels to forecast. None: the estimator's ``quantiles_``
        (needs ``predict_quantiles``). Given, with a point forecaster: the
        forecast plus the residuals' quantiles at these levels.

    calibration_fraction : float in (0, 1), default=0.1
        The share of the windows held out to calibrate, from the end.

    gap : int or "auto", default="auto"
        Windows left out between the training part and the calibration
        tail, so that no calibration target is a training target. "auto":
        ``horizon - 1``, right for the windows of one series cut with step
        1. For a panel pooled by :func:`~sk_seqattn.make_windows` (ordered
        by time across the series), ``(horizon - 1) * n_series``.

    Attributes
    ----------
    estimator_ : estimator
        The forecaster fitted on the windows before the calibration tail.

    n_features_in_ : int
        Columns of ``X`` as scikit-learn counts them: its steps (axis 1).

    quantiles_ : ndarray of float
        The levels :meth:`predict_quantiles` returns.

    offsets_ : ndarray of shape (horizon, n_targets, n_quantiles)
        Each level's shift, in units of a window's spread.

    typical_spread_ : ndarray of shape (n_targets,)
        The calibration windows' median spread: the unit of a window with
        (about) none, such as a run of zeros.

    See Also
    --------
    Seq2SeqAttentionRegressor : A forecaster with ``predict_quantiles``.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_seqattn import ConformalForecaster, LinearFloorRegressor, make_windows
    >>> rng = np.random.default_rng(0)
    >>> X, y = make_windows(np.sin(np.arange(400) / 5) + 0.1 * rng.normal(size=400),
    ...                     n_in=20, n_out=5)
    >>> model = ConformalForecaster(estimator=LinearFloorRegressor(),
    ...                             quantiles=(0.1, 0.9)).fit(X, y)
    >>> model.predict_quantiles(X[:2]).shape
    (2, 5, 2)
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "quantiles": ["array-like", None],
        "calibration_fraction": [Interval(Real, 0, 1, closed="neither")],
        "gap": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
    }

    def __init__(self, *, estimator=None, quantiles=None, calibration_fraction=0.1, gap="auto"):
        self.estimator = estimator
        self.quantiles = quantiles
        self.calibration_fraction = calibration_fraction
        self.gap = gap

    def __sklearn_tags__(self):
        return _member_tags(super().__sklearn_tags__(), self._template().__sklearn_tags__())

    def _template(self):
        # The estimator the fitted one is cloned from.
        return Seq2SeqAttentionRegressor() if self.estimator is None else self.estimator

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit a clone of ``estimator`` on all but the calibration tail, and calibrate.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps[, n_features])
            Windows in time order (a panel's pooled in time order across it).
        y : array-like of shape (n_samples,), (n_samples, horizon) or \
(n_samples, horizon, n_targets)

        Returns
        -------
        self : ConformalForecaster
        """
        wanted = check_quantiles(self.quantiles)
        if y is None:
            raise ValueError("ConformalForecaster requires y to be passed, but the target y is None.")
        X = validate_data(self, X, reset=True, allow_nd=True, ensure_all_finite=False, dtype=None)
        y_array = check_array(y, ensure_2d=False, allow_nd=True, dtype=np.float64,
                              input_name="y")
        check_consistent_length(X, y_array)
        horizon = y_array.shape[1] if y_array.ndim > 1 else 1
        gap = horizon - 1 if self.gap == "auto" else self.gap
        train, tail = TailSplit(self.calibration_fraction, gap,
                                "calibration_fraction").indices(len(y_array))
        self.estimator_ = clone(self._template()).fit(X[train], y_array[train])
        own = getattr(self.estimator_, "quantiles_", None)
        calibrates_own = wanted is None
        if calibrates_own and (own is None or not hasattr(self.estimator_, "predict_quantiles")):
            raise ValueError(
                "ConformalForecaster needs quantiles: either an estimator fitted with "
                "quantiles (one with predict_quantiles, e.g. Seq2SeqAttentionRegressor("
                "quantiles=(0.1, 0.9))) or quantiles=(...) to build around its point forecast."
            )
        self.quantiles_ = np.asarray(own, dtype=np.float64) if calibrates_own else wanted
        X_tail = X[tail]
        self.typical_spread_ = np.nanmedian(self._history_spread(X_tail), axis=0)
        self._calibrates_own, self._y_ndim = calibrates_own, y_array.ndim
        predicted, scale = self._levels(X_tail, calibrates_own)
        truth = _as_3d(y_array[tail])[..., None]  # (n, horizon, n_targets, 1)
        self.offsets_ = conformal_offsets((truth - predicted) / scale, self.quantiles_)
        return self

    def predict(self, X):
        """The estimator's forecast, unchanged.

        Parameters
        ----------
        X : array-like, as in :meth:`fit`

        Returns
        -------
        y_pred : ndarray, as the estimator's ``predict``
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, allow_nd=True, ensure_all_finite=False, dtype=None)
        return self.estimator_.predict(X)

    def predict_quantiles(self, X):
        """Calibrated quantile forecasts, sorted along the last axis.

        Parameters
        ----------
        X : array-like, as in :meth:`fit`

        Returns
        -------
        y_quantiles : ndarray of float64
            ``predict``'s shape plus a last axis of ``len(quantiles_)``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, allow_nd=True, ensure_all_finite=False, dtype=None)
        predicted, scale = self._levels(X, self._calibrates_own)
        levels = np.sort(predicted + self.offsets_ * scale, axis=-1)  # (n, H, T, L)
        if self._y_ndim == 1:
            return levels[:, 0, 0]
        if self._y_ndim == 2:
            return levels[:, :, 0]
        return levels

    def _levels(self, X, calibrates_own):
        """Predicted levels (n, horizon, n_targets, n_levels) and each window's
        spread, broadcastable to them."""
        if calibrates_own:
            predicted = _as_3d(np.asarray(self.estimator_.predict_quantiles(X),
                                          dtype=np.float64), levels=True)
        else:
            point = _as_3d(np.asarray(self.estimator_.predict(X), dtype=np.float64))
            predicted = np.repeat(point[..., None], len(self.quantiles_), axis=-1)
        return predicted, self._window_spread(X)

    def _history_spread(self, X):
        # (n, n_targets or 1): the standard deviation of each window's
        # targets' history (the first feature's, for an estimator that does
        # not say which features are its targets').
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 2:
            X = X[:, :, None]
        n_steps = getattr(self.estimator_, "n_steps_in_", X.shape[1])
        features = getattr(self.estimator_, "target_features_", [0])
        return np.nanstd(X[:, :n_steps, features], axis=1)

    def _window_spread(self, X):
        # (n, 1, n_targets or 1, 1): each window's spread, a typical one
        # where a window is about constant (a run of zeros).
        spread = self._history_spread(X)
        typical = np.where(self.typical_spread_ > 0, self.typical_spread_, 1.0)
        spread = np.where(spread < 1e-3 * typical, typical, spread)
        return spread[:, None, :, None]


def _as_3d(values, levels=False):
    # (n,) / (n, horizon) / (n, horizon, n_targets) -> (n, horizon, n_targets);
    # with levels, the last axis is kept: (n, L) / (n, H, L) / (n, H, T, L).
    extra = 1 if levels else 0
    while values.ndim < 3 + extra:
        values = np.expand_dims(values, 1 if values.ndim == 1 + extra else 2)
    return values
