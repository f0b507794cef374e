"""Turning series into supervised samples."""

from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_array

__all__ = ["make_windows"]


def make_windows(series, n_in, n_out, step=1, target=None):
    """Cut a series into (past window, future window) pairs.

    Window ``i`` starts at ``i * step``: ``X[i] = series[s : s + n_in]`` and
    ``y[i] = series[s + n_in : s + n_in + n_out]``. Windows are in time
    order, which ``TimeSeriesSplit`` and ``validation_fraction`` rely on.

    Parameters
    ----------
    series : array-like of shape (n_times,) or (n_times, n_features), \
pandas Series or DataFrame
    n_in : int
        Input steps per window.
    n_out : int
        Output steps (the forecast horizon).
    step : int, default=1
        Distance between consecutive window starts.
    target : int, str, list of int or str, or None, default=None
        2-D input only: which columns go into ``y`` (positions, or
        DataFrame column names). A single column gives ``y`` of shape
        ``(n_windows, n_out)``, a list ``(n_windows, n_out, n_targets)``.
        None takes all columns (as a list).

    Returns
    -------
    X : ndarray of shape (n_windows, n_in) or (n_windows, n_in, n_features)
    y : ndarray of shape (n_windows, n_out) or (n_windows, n_out, n_targets)

    Examples
    --------
    >>> from sk_seqattn import make_windows
    >>> X, y = make_windows(range(10), n_in=4, n_out=2)
    >>> X.shape, y.shape
    ((5, 4), (5, 2))
    >>> X[0], y[0]
    (array([0., 1., 2., 3.]), array([4., 5.]))
    """
    for name, value in (("n_in", n_in), ("n_out", n_out), ("step", step)):
        if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    columns = list(series.columns) if isinstance(series, pd.DataFrame) else None
    values = check_array(
        series, ensure_2d=False, allow_nd=True, dtype=np.float64, input_name="series",
        ensure_min_samples=1,
    )
    if values.ndim > 2:
        raise ValueError(
            f"series must be 1-D (n_times,) or 2-D (n_times, n_features); "
            f"got an array of shape {values.shape}."
        )
    n_times = values.shape[0]
    n_windows = (n_times - n_in - n_out) // step + 1
    if n_windows < 1:
        raise ValueError(
            f"series has {n_times} time steps; n_in + n_out = {n_in + n_out} "
            "needs at least that many."
        )
    starts = np.arange(n_windows) * step
    X = values[starts[:, None] + np.arange(n_in)]  # (n_windows, n_in[, n_features])
    y = values[starts[:, None] + n_in + np.arange(n_out)]  # (n_windows, n_out[, F])
    if values.ndim == 1:
        if target is not None:
            raise ValueError("target only applies to 2-D series (several columns).")
        return X, y
    return X, y[..., _column_positions(target, columns, values.shape[1])]


def _column_positions(target, columns, n_columns):
    # A scalar selects one column (y loses its last axis), a list keeps it.
    if target is None:
        return list(range(n_columns))
    single = not isinstance(target, (list, tuple, np.ndarray))
    positions = []
    for item in [target] if single else list(target):
        if isinstance(item, Integral) and not isinstance(item, bool):
            if not -n_columns <= item < n_columns:
                raise ValueError(
                    f"target column {item} is out of range for {n_columns} columns."
                )
            positions.append(int(item) % n_columns)
        elif columns is not None and item in columns:
            positions.append(columns.index(item))
        else:
            raise ValueError(
                f"target {item!r} is neither a column position nor a column name "
                f"of the series{'' if columns is None else f' (columns: {columns})'}."
            )
    return positions[0] if single else positions
