"""Classical forecasters on windows: the Theta method, vectorised over windows.

:class:`ThetaWindowRegressor` forecasts each window on its own, as a
per-series statistical method does, but takes the same ``(X, y)`` windows
as the networks: it can be a member of an ensemble, the ``floor`` of
:class:`~sk_seqattn.Seq2SeqAttentionRegressor`, a step of a ``Pipeline`` or
a candidate in ``GridSearchCV``.

The Theta method (Assimakopoulos and Nikolopoulos, 2000) as Hyndman and
Billah (2003) showed it to be, simple exponential smoothing with a drift
of half the series' linear trend, and as ``forecast::thetaf`` runs it:

1. Seasonality test: with season length ``m > 1`` and at least ``2 m + 1``
   steps, the window is seasonal when its autocorrelation at lag ``m``
   passes ``|r_m| > 1.645 sqrt((1 + 2 sum_{k<m} r_k^2) / n)`` (90%).
   A seasonal window is divided by the seasonal indices of a classical
   multiplicative decomposition (centred moving average of order ``m``,
   ``2 x m`` for even ``m``), or has them subtracted (additive) where it is
   not strictly positive.
2. On the seasonally adjusted window ``z_1..z_n``: ``b`` the least-squares
   slope of ``z`` on time, ``alpha`` and the initial level ``l_0`` of
   simple exponential smoothing minimising the one-step squared errors
   (``alpha`` on a grid of 0.01 steps, ``l_0`` in closed form for each),
   ``l_n`` the last level. The forecast ``k = 1..h`` steps ahead is

       z_hat(n + k) = l_n + b / 2 * (k - 1 + 1 / alpha - (1 - alpha)^n / alpha)

3. The seasonal indices are put back.

Every window is fitted independently, all at once in numpy: no loop over
windows in Python.
"""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._checks import _WindowInputChecks, observed_steps
from ._scoring import _StepwiseR2
from .floor import LinearFloorRegressor

__all__ = ["ThetaWindowRegressor", "theta_forecast", "season_length_of"]

# The smoothing parameters searched, as forecast::ses bounds them away from 0 and 1.
_ALPHAS = np.linspace(0.01, 0.99, 99)
# The seasonality test's one-sided 90% normal quantile (forecast::thetaf).
_SEASONAL_Z = 1.6448536269514722
# season_length="auto": the autocorrelation a season must reach.
_MIN_SEASON_ACF = 0.1


class ThetaWindowRegressor(_StepwiseR2, RegressorMixin, _WindowInputChecks, BaseEstimator):
    """The Theta method, fitted on each window's own history.

    Nothing is shared between windows: ``fit`` only records the horizon and
    the season length; ``predict`` fits the Theta method to every input
    window's target history and forecasts ``horizon_`` steps (see the
    module's docstring for the method). Past covariates and known-future
    features are not read.

    Parameters
    ----------
    season_length : "auto", int or None, default="auto"
        The number of steps in a season (12 for monthly data with a yearly
        cycle, 4 for quarterly). "auto": the lag from 2 to a third of the
        window at which the training windows' first differences are most
        autocorrelated on average, if that autocorrelation is at least 0.1,
        else none; recorded in ``season_length_``. (The windows of one short
        series are few independent data: a season found there is still
        tested in each window, step 1 of the method.) None or 1: no seasonal
        adjustment.

    future_features : int, list of int or None, default=None
        Features of a 3-D ``X`` known in advance for the forecast steps (as
        for :class:`~sk_seqattn.Seq2SeqAttentionRegressor`): ``X`` then spans
        ``n_in + horizon`` steps; they are not read.

    target_features : int, list of int or None, default=None
        Which features of a 3-D ``X`` are the history of the targets (one
        Theta forecast each). None: the first ``n_targets``.

    Attributes
    ----------
    season_length_ : int
        The season length used (1: no seasonal adjustment).

    n_features_in_ : int
        Columns of ``X`` as scikit-learn counts them: ``n_steps`` (axis 1).

    n_steps_in_, n_input_features_, horizon_, n_targets_ : int
        The input window's steps and features, the forecast's steps and targets.

    target_features_, future_features_ : ndarray of int (or None)
        Positions of the targets' history and of the known-future features.

    See Also
    --------
    theta_forecast : The method on an array of series of equal length.
    Seq2SeqAttentionRegressor : Takes this estimator as its ``floor``.
    sk_seqattn.LookbackEnsemble : Combines it with other forecasters.

    References
    ----------
    V. Assimakopoulos and K. Nikolopoulos, "The theta model: a decomposition
    approach to forecasting", International Journal of Forecasting, 2000.
    R. J. Hyndman and B. Billah, "Unmasking the Theta method", International
    Journal of Forecasting, 2003.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_seqattn import ThetaWindowRegressor, make_windows
    >>> series = 10 + np.arange(120) / 10 + np.sin(np.arange(120) * np.pi / 6)
    >>> X, y = make_windows(series, n_in=48, n_out=12)
    >>> theta = ThetaWindowRegressor().fit(X, y)
    >>> theta.season_length_, theta.predict(X[-1:]).shape
    (12, (1, 12))
    """

    _parameter_constraints = {
        "season_length": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left"),
                          None],
        "future_features": LinearFloorRegressor._parameter_constraints["future_features"],
        "target_features": LinearFloorRegressor._parameter_constraints["target_features"],
    }

    # A window may begin with NaN: the steps before its series started.
    _nan_left_padding = True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Nothing is learnt across windows: the generic checks' random rows
        # are not series that their own history forecasts.
        tags.regressor_tags.poor_score = True
        return tags

    def __init__(self, *, season_length="auto", future_features=None, target_features=None):
        self.season_length = season_length
        self.future_features = future_features
        self.target_features = target_features

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Record the horizon and the season length of the windows ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps) or (n_samples, n_steps, n_features)
            Input windows.
        y : array-like of shape (n_samples,), (n_samples, horizon) or \
(n_samples, horizon, n_targets)
            What follows each window: only its shape is used.

        Returns
        -------
        self : ThetaWindowRegressor
        """
        X, _ = self._validate_windows(X, y, reset=True)
        if self.season_length == "auto":
            flat = self._target_rows(X)
            complete = observed_steps(flat) == self.n_steps_in_
            self.season_length_ = season_length_of(flat[complete]) if complete.any() else 1
        else:
            self.season_length_ = int(self.season_length or 1)
        return self

    def predict(self, X):
        """The Theta forecast of every window's targets.

        Parameters
        ----------
        X : array-like, as in :meth:`fit`

        Returns
        -------
        y_pred : ndarray of float64, of ``y``'s rank in ``fit``
        """
        check_is_fitted(self)
        X, _ = self._validate_windows(X)
        flat = self._target_rows(X)  # (n * n_targets, n_steps)
        n, n_steps, n_targets = len(X), self.n_steps_in_, len(self.target_features_)
        observed = observed_steps(flat)  # (n * n_targets,)
        forecast = np.empty((len(flat), self.horizon_))
        # Rows of a length together: one vectorised fit per length.
        for length in np.unique(observed):
            rows = observed == length
            if length < 2:  # too short for a trend: the last value
                forecast[rows] = flat[rows, -1:]
            else:
                forecast[rows] = theta_forecast(
                    flat[rows, n_steps - length:], self.horizon_, self.season_length_)
        forecast = forecast.reshape(n, n_targets, self.horizon_).transpose(0, 2, 1)
        return self._as_y_rank(forecast)  # from (n, horizon, n_targets)

    def _target_rows(self, X):
        """Each window's history of each target as a row: (n * n_targets, n_steps_in_)."""
        history = X[:, : self.n_steps_in_, self.target_features_]  # (n, steps, targets)
        return np.moveaxis(history, 2, 1).reshape(-1, self.n_steps_in_)


def season_length_of(series, max_lag=None):
    """The season length of equal-length ``series`` (n, n_steps): 1 when none is clear.

    The lag from 2 to ``max_lag`` (default a third of ``n_steps``) at which
    the first differences are most autocorrelated on average over the
    series, if that mean autocorrelation is at least 0.1.
    """
    series = np.asarray(series, dtype=np.float64)
    diffs = np.diff(series, axis=1)
    max_lag = diffs.shape[1] // 3 if max_lag is None else min(max_lag, diffs.shape[1] - 1)
    if max_lag < 2:
        return 1
    acf = _autocorrelation(diffs, max_lag)[:, 1:]  # (n, max_lag - 1): lags 2..max_lag
    mean = np.nanmean(acf, axis=0) if np.isfinite(acf).any() else np.zeros(acf.shape[1])
    best = int(np.nanargmax(mean)) if np.isfinite(mean).any() else 0
    return best + 2 if mean[best] >= _MIN_SEASON_ACF else 1


def theta_forecast(series, horizon, season_length=1):
    """The Theta method's forecast of each row of ``series``.

    Parameters
    ----------
    series : array-like of shape (n_series, n_steps)
        Finite values, one series per row, all of the same length (at least 2).
    horizon : int
        Steps to forecast.
    season_length : int, default=1
        Steps per season; 1: no seasonal adjustment.

    Returns
    -------
    forecast : ndarray of shape (n_series, horizon)
    """
    series = np.asarray(series, dtype=np.float64)
    n, n_steps = series.shape
    if n_steps < 2:
        raise ValueError(f"series needs at least 2 steps for the Theta method, got {n_steps}.")
    indices, multiplicative = _seasonal_indices(series, season_length)  # (n, m), (n,)
    m = indices.shape[1]
    in_sample = indices[:, np.arange(n_steps) % m]  # (n, n_steps)
    ahead = indices[:, (n_steps + np.arange(horizon)) % m]  # (n, horizon)
    mult = multiplicative[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):  # np.where computes both
        adjusted = np.where(mult, series / in_sample, series - in_sample)

    # The half-slope drift: the least-squares slope of the adjusted series on time.
    time = np.arange(n_steps) - (n_steps - 1) / 2
    slope = adjusted @ time / (time @ time)  # (n,)
    level, alpha = _ses_level(adjusted)  # (n,), (n,)
    steps = np.arange(horizon)[None, :]
    drift = slope[:, None] / 2 * (steps + 1 / alpha[:, None]
                                  - (1 - alpha[:, None]) ** n_steps / alpha[:, None])
    forecast = level[:, None] + drift  # (n, horizon)
    return np.where(mult, forecast * ahead, forecast + ahead)


def _ses_level(series):
    """Simple exponential smoothing's last level and alpha per row (least squares).

    For each ``alpha`` of the grid, the one-step predictions are
    ``a_t + (1 - alpha)^t l_0``, with ``a_t`` those from ``l_0 = 0``: the
    squared error is quadratic in ``l_0``, so the best ``l_0`` is closed form
    and only ``alpha`` is searched. Sums are accumulated over time so memory
    stays (n_series, n_alphas).
    """
    n, n_steps = series.shape
    alphas = _ALPHAS[None, :]  # (1, n_alphas)
    a = np.zeros((n, _ALPHAS.size))  # predictions from l_0 = 0
    decay = np.ones((1, _ALPHAS.size))  # (1 - alpha)^t
    s_yc = np.zeros_like(a)
    s_yy = np.zeros_like(a)
    s_cc = np.zeros((1, _ALPHAS.size))
    for t in range(n_steps):
        error = series[:, t : t + 1] - a  # (n, n_alphas)
        s_yc += error * decay
        s_yy += error * error
        s_cc += decay * decay
        a = a + alphas * error
        decay = decay * (1 - alphas)
    l0 = s_yc / s_cc  # (n, n_alphas)
    sse = s_yy - s_yc * l0
    best = np.argmin(sse, axis=1)  # (n,)
    rows = np.arange(n)
    level = a[rows, best] + decay[0, best] * l0[rows, best]
    return level, _ALPHAS[best]


def _seasonal_indices(series, season_length):
    """Per row, its seasonal indices (n, m) by position mod m and whether they are
    multiplicative (n,); rows found not seasonal get neutral indices (1, or 0)."""
    n, n_steps = series.shape
    m = int(season_length)
    positive = (series > 0).all(axis=1)  # (n,)
    if m <= 1 or n_steps < 2 * m + 1:
        return np.ones((n, 1)), np.ones(n, dtype=bool)
    acf = _autocorrelation(series, m)  # (n, m): lags 1..m
    bound = _SEASONAL_Z * np.sqrt((1 + 2 * np.sum(acf[:, :-1] ** 2, axis=1)) / n_steps)
    seasonal = np.abs(acf[:, -1]) > bound  # (n,)

    # Classical decomposition: a centred moving average of order m (2 x m if m is even).
    weights = np.ones(m + 1 - m % 2)
    if m % 2 == 0:
        weights[[0, -1]] = 0.5
    weights /= m
    windows = np.lib.stride_tricks.sliding_window_view(series, weights.size, axis=1)
    trend = windows @ weights  # (n, n_steps - 2 * half)
    half = weights.size // 2
    centre = series[:, half: n_steps - half]
    with np.errstate(divide="ignore", invalid="ignore"):
        detrended = np.where(positive[:, None], centre / trend, centre - trend)
    positions = np.arange(half, n_steps - half) % m
    indices = np.stack([detrended[:, positions == p].mean(axis=1) for p in range(m)], axis=1)
    indices = np.where(positive[:, None], indices / indices.mean(axis=1, keepdims=True),
                       indices - indices.mean(axis=1, keepdims=True))
    neutral = np.where(positive, 1.0, 0.0)[:, None]
    indices = np.where(seasonal[:, None] & np.isfinite(indices).all(axis=1, keepdims=True),
                       indices, neutral)
    return indices, positive


def _autocorrelation(series, max_lag):
    """Sample autocorrelations at lags 1..max_lag of each row: (n, max_lag).

    A constant row has no autocorrelation: zeros.
    """
    centred = series - series.mean(axis=1, keepdims=True)
    variance = np.sum(centred * centred, axis=1)  # (n,)
    lags = np.stack([np.sum(centred[:, lag:] * centred[:, :-lag], axis=1)
                     for lag in range(1, max_lag + 1)], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        acf = lags / variance[:, None]
    return np.where(variance[:, None] > 0, acf, 0.0)
