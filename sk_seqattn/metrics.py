"""Forecast error measures and baselines."""

import numpy as np

__all__ = ["mean_absolute_scaled_error", "seasonal_naive"]


def seasonal_naive(X, horizon, m):
    """Repeat the last season of each input window.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_steps)
        Input windows, ``n_steps >= m``.
    horizon : int
    m : int
        Season length.

    Returns
    -------
    y_pred : ndarray of shape (n_samples, horizon)
        ``y_pred[:, h] = X[:, n_steps - m + h % m]``.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] < m:
        raise ValueError(f"X must be 2-D with at least m={m} steps; got shape {X.shape}.")
    return X[:, X.shape[1] - m + np.arange(horizon) % m]


def mean_absolute_scaled_error(y_true, y_pred, y_train, m=1):
    """MASE: mean absolute error over the in-sample seasonal-naive MAE.

    Parameters
    ----------
    y_true, y_pred : array-like of the same shape
    y_train : array-like of shape (n_times,)
        The training series; its lag-``m`` naive MAE is the scale.
    m : int, default=1
        Season length.

    Returns
    -------
    mase : float
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true {y_true.shape} and y_pred {y_pred.shape} differ in shape.")
    y_train = np.asarray(y_train, dtype=np.float64).ravel()
    scale = np.mean(np.abs(y_train[m:] - y_train[:-m]))
    if not scale > 0:
        raise ValueError("y_train is constant at lag m: MASE is undefined.")
    return float(np.mean(np.abs(y_true - y_pred)) / scale)
