"""Turning series into supervised samples, and forecasting past their ends.

Each function takes one series or a panel of many: a list or tuple of series
(ids 0, 1, ...), a dict id -> series, or a long DataFrame with ``id_column``.
"""

from numbers import Integral, Real

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype

from ._panel import _as_panel, _check_positive, _ids, _label, _long_enough, _times

__all__ = ["calendar_features", "forecasts_to_frame", "last_windows", "make_windows"]

# The cycles calendar_features knows: each a phase in [0, 1) of a timestamp.
_CALENDAR_PHASES = {
    "hour": lambda t: (t.hour + t.minute / 60 + t.second / 3600) / 24,
    "dayofweek": lambda t: (t.day_of_week + (t.hour + t.minute / 60) / 24) / 7,
    "month": lambda t: (t.month - 1 + (t.day - 1) / t.days_in_month) / 12,
    "dayofyear": lambda t: (t.day_of_year - 1) / np.where(t.is_leap_year, 366, 365),
}


def make_windows(series, n_in, n_out, step=1, target=None, *, id_column=None,
                 time_column=None, future_covariates=None, fill_value=None, min_observed=None,
                 return_index=False):
    """Cut a series, or each series of a panel, into (past, future) windows.

    Window ``i`` of a series starts at ``s = i * step``:
    ``X[i] = series[s : s + n_in]``, ``y[i] = series[s + n_in : s + n_in + n_out]``.

    Samples are in time order, which ``TimeSeriesSplit`` and
    ``validation_fraction`` rely on. A panel's windows are pooled with the
    series aligned at their ends: sorted by how many steps lie between the
    window's first target and the end of its series, largest (oldest) first,
    ties in series order. The last samples are then the latest windows of
    every series, and a time-ordered tail split holds out the latest windows
    across the panel.

    Parameters
    ----------
    series : array-like, pandas Series or DataFrame, or a panel of those
        One series: shape (n_times,) or (n_times, n_features); a DataFrame's
        columns are features. A panel: a list or tuple of series (a list of
        numbers is one series, a list of lists a panel), a dict id -> series,
        or a long DataFrame with ``id_column``. A panel's series may differ in
        length, not in number of columns. Values must be finite.
    n_in : int
        Input steps per window.
    n_out : int
        Output steps (the forecast horizon).
    step : int, default=1
        Distance between consecutive window starts within a series.
    target : int, str, list of int or str, or None, default=None
        2-D series only: which columns go into ``y`` (positions, or
        DataFrame column names). A single column gives ``y`` of shape
        ``(n_windows, n_out)``, a list ``(n_windows, n_out, n_targets)``.
        None takes all columns (as a list).
    id_column : column label, optional
        Makes ``series`` a long DataFrame; this column names each row's
        series (ids in order of first appearance). The columns other than
        ``id_column`` and ``time_column`` are the values, windowed as the
        columns of a single DataFrame (so one value column gives 3-D ``X``).
    time_column : column label, optional
        DataFrame input only: the timestamps. Rows are sorted by them within
        each series; a (series, time) pair may not repeat. Without
        ``id_column`` the frame is one series.
    future_covariates : int, str, list of int or str, or None, default=None
        2-D series only: the columns known in advance for every step
        (calendar features, holidays, planned prices), as positions or
        DataFrame column names. ``X`` then spans ``n_in + n_out`` steps: its
        last ``n_out`` steps hold these columns' values for the forecast
        steps and NaN in every other column (unknown when forecasting). Give
        the regressor the same positions as ``future_features``. A target
        column cannot be one of them.
    fill_value : float or None, default=None
        With a number (``np.nan``, typically), also cut the windows whose
        input starts before their series does, down to ``min_observed``
        observed input steps, the steps before the series left-padded with
        ``fill_value`` (as :func:`last_windows` pads a short series). A
        series then needs only ``min_observed + n_out`` steps.
        :class:`~sk_seqattn.LookbackEnsemble` trains each member on the
        windows that observe its whole lookback, so with
        ``min_observed`` = its shortest lookback, no member loses the
        windows of the series too short for the longest one.
    min_observed : int or None, default=None
        With ``fill_value``: the fewest observed input steps a window may
        have (at most ``n_in``). None: ``n_in``, no padding.
    return_index : bool, default=False
        Also return where each window comes from.

    Returns
    -------
    X : ndarray of shape (n_windows, n_in) or (n_windows, n_in, n_features)
        (``n_in + n_out`` steps with ``future_covariates``)
    y : ndarray of shape (n_windows, n_out) or (n_windows, n_out, n_targets)
    index : pandas.DataFrame, only with ``return_index=True``
        One row per window, in the order of ``X``. "series": the id (0 for
        one series). "time": the timestamp of the window's first target
        (from a pandas DatetimeIndex or PeriodIndex, or ``time_column``),
        else its integer position in its series.

    Warns
    -----
    UserWarning
        When a panel's series shorter than ``n_in + n_out`` (with
        ``fill_value``, ``min_observed + n_out``) are skipped. One series
        that short is an error, as is a panel of only such.

    Examples
    --------
    >>> from sk_seqattn import make_windows
    >>> X, y = make_windows(range(10), n_in=4, n_out=2)
    >>> X.shape, y.shape
    ((5, 4), (5, 2))
    >>> X[0], y[0]
    (array([0., 1., 2., 3.]), array([4., 5.]))
    >>> X, y, index = make_windows([[0, 1, 2, 3, 4], [10, 11, 12, 13]], n_in=2,
    ...                            n_out=1, return_index=True)
    >>> y.ravel()
    array([ 2.,  3., 12.,  4., 13.])
    >>> index.T
            0  1  2  3  4
    series  0  0  1  0  1
    time    2  3  2  4  3
    >>> X, y = make_windows([0.0, 1, 2, 3], n_in=3, n_out=1, fill_value=np.nan, min_observed=2)
    >>> X
    array([[nan,  0.,  1.],
           [ 0.,  1.,  2.]])
    """
    _check_positive(n_in=n_in, n_out=n_out, step=step)
    pad = _padding(n_in, fill_value, min_observed)
    panel, is_panel = _as_panel(series, id_column, time_column)
    shortest = n_in - pad + n_out
    panel = _long_enough(panel, is_panel, shortest,
                         f"n_in + n_out = {shortest}" if not pad else
                         f"min_observed + n_out = {shortest}")
    Xs, ys, firsts = zip(*(_windows(s, n_in, n_out, step, target, future_covariates,
                                    pad, fill_value) for s in panel))
    # Sorting on the steps from each first target to its series' end, largest
    # first, lines the series up at their ends.
    to_end = np.concatenate([len(s.values) - first for s, first in zip(panel, firsts)])
    order = np.argsort(-to_end, kind="stable")
    X, y = np.concatenate(Xs)[order], np.concatenate(ys)[order]
    if not return_index:
        return X, y
    times = [_times(s).take(first) for s, first in zip(panel, firsts)]
    index = pd.DataFrame({
        "series": _ids(panel).repeat([len(first) for first in firsts]).take(order),
        "time": times[0].append(times[1:]).take(order),
    })
    return X, y, index


def last_windows(series, n_in, *, id_column=None, time_column=None, future_covariates=None,
                 future=None, fill_value=None):
    """The last ``n_in`` steps of every series, to forecast past their ends.

    One ``predict`` on ``X`` forecasts the steps after the end of every
    series; :func:`forecasts_to_frame` labels those forecasts.

    Parameters
    ----------
    series, id_column, time_column
        As in :func:`make_windows`.
    n_in : int
        Input steps per window, as in training.
    future_covariates : int, str, list of int or str, or None, default=None
        The known-future columns, as in :func:`make_windows`; needs ``future``.
    future : array-like or dict, default=None
        Their values for the forecast steps: shape ``(n_out,
        n_future_covariates)`` per series; for a panel, an array of shape
        ``(n_series, n_out, n_future_covariates)`` in the order of the
        returned index, or a dict id -> 2-D array. ``X`` then ends with
        those ``n_out`` steps, laid out as :func:`make_windows` lays them.

    Returns
    -------
    X : ndarray of shape (n_series, n_in) or (n_series, n_in, n_features)
        One row per series, laid out as :func:`make_windows`' ``X``
        (``n_in + n_out`` steps with ``future``).
    index : pandas.DataFrame
        One row per row of ``X``. "series": the id (0 for one series).
        "time": when the first forecast step falls, the step after the
        series' end: its last timestamp plus "freq", or the position
        ``len(series)``. "freq": what one step adds to a time: a
        DatetimeIndex's ``freq`` (else the one pandas infers), 1 for a
        PeriodIndex and for positions, the constant spacing of numbers.

    Raises
    ------
    ValueError
        As :func:`make_windows`, and for timestamps without a frequency.

    Warns
    -----
    UserWarning
        When a panel's series shorter than ``n_in`` are skipped
        (``fill_value=None``).

    Examples
    --------
    >>> import pandas as pd
    >>> from sk_seqattn import last_windows
    >>> months = pd.period_range("2024-01", periods=4, freq="M")
    >>> X, index = last_windows({"a": pd.Series([1.0, 2, 3, 4], months),
    ...                          "b": pd.Series([5.0, 6, 7], months[1:])}, n_in=2)
    >>> X
    array([[3., 4.],
           [6., 7.]])
    >>> index
      series     time  freq
    0      a  2024-05     1
    1      b  2024-05     1

    A series shorter than ``n_in`` keeps its row, left-padded:

    >>> import numpy as np
    >>> last_windows({"a": [1.0, 2, 3], "b": [4.0]}, n_in=2, fill_value=np.nan)[0]
    array([[ 2.,  3.],
           [nan,  4.]])
    """
    _check_positive(n_in=n_in)
    _padding(n_in, fill_value, None)  # checks fill_value
    panel, is_panel = _as_panel(series, id_column, time_column)
    if fill_value is None:
        panel = _long_enough(panel, is_panel, n_in, f"n_in = {n_in}")
    X = np.stack([_left_padded(s.values[-n_in:], n_in, fill_value) for s in panel])
    if future_covariates is not None or future is not None:
        X = _append_future(X, panel, is_panel, future_covariates, future)
    starts, freqs = zip(*(_next_time(s, _label(s.id, is_panel)) for s in panel))
    return X, pd.DataFrame({"series": _ids(panel), "time": list(starts), "freq": list(freqs)})


def _left_padded(values, n_steps, fill_value):
    # values (n_times, ...) with fill_value steps in front, to n_steps.
    missing = n_steps - len(values)
    if missing <= 0:
        return values
    return np.concatenate([np.full((missing, *values.shape[1:]), fill_value), values])


def forecasts_to_frame(y_pred, index, target_names=None):
    """Label the forecasts for :func:`last_windows`' ``X`` by series and step.

    Parameters
    ----------
    y_pred : array-like of shape (n_series, horizon) or \
(n_series, horizon, n_targets)
        ``predict``'s output; (n_series,) is a horizon of one.
    index : pandas.DataFrame
        The index from :func:`last_windows` (columns "series", "time", "freq").
    target_names : list of str, optional
        Default "y" for one target, "y0", "y1", ... for several.

    Returns
    -------
    forecasts : pandas.DataFrame
        Indexed by ("series", "step"), step = 1..horizon. Column "time": the
        first step at ``index["time"]``, each next one "freq" later; then one
        column per target.

    Examples
    --------
    >>> from sk_seqattn import forecasts_to_frame, last_windows
    >>> X, index = last_windows([[1.0, 2, 3], [4.0, 5]], n_in=2)
    >>> forecasts_to_frame([[3.5, 4.5], [5.5, 6.5]], index)
                 time    y
    series step           
    0      1        3  3.5
           2        4  4.5
    1      1        2  5.5
           2        3  6.5
    """
    y_pred = np.asarray(y_pred)
    if not 1 <= y_pred.ndim <= 3:
        raise ValueError(
            "y_pred must have shape (n_series, horizon) or (n_series, horizon, "
            f"n_targets); got {y_pred.shape}."
        )
    while y_pred.ndim < 3:  # (n_series,): a horizon of one; (n_series, horizon): one target
        y_pred = y_pred[..., None]
    if not isinstance(index, pd.DataFrame):
        raise TypeError(
            f"index must be the DataFrame from last_windows; got {type(index).__name__}."
        )
    if not {"series", "time", "freq"} <= set(index.columns):
        raise ValueError(
            f"index needs columns 'series', 'time' and 'freq'; got {list(index.columns)}."
        )
    if len(y_pred) != len(index):
        raise ValueError(
            f"y_pred has {len(y_pred)} rows but index has {len(index)}; pass the "
            "predictions for last_windows' X, one row per series."
        )
    n_series, horizon, n_targets = y_pred.shape
    starts = zip(index["time"], index["freq"])
    times = [t for start, freq in starts for t in _advance(start, freq, horizon)]
    rows = pd.MultiIndex.from_arrays(
        [index["series"].to_numpy().repeat(horizon), np.tile(np.arange(1, horizon + 1), n_series)],
        names=["series", "step"],
    )
    names = _target_names(target_names, n_targets)
    columns = {name: y_pred[:, :, j].ravel() for j, name in enumerate(names)}
    return pd.DataFrame({"time": pd.Index(times), **columns}, index=rows)


def _padding(n_in, fill_value, min_observed):
    """How many steps make_windows pads each series with in front (0 without fill_value)."""
    if fill_value is not None and not isinstance(fill_value, Real):
        raise TypeError(f"fill_value must be a number or None; got {fill_value!r}.")
    if min_observed is None:
        return 0
    if fill_value is None:
        raise ValueError("min_observed pads windows with fill_value; set fill_value as well "
                         "(e.g. fill_value=np.nan).")
    if not isinstance(min_observed, Integral) or not 1 <= min_observed <= n_in:
        raise ValueError(f"min_observed must be an integer from 1 to n_in={n_in}; "
                         f"got {min_observed!r}.")
    return n_in - int(min_observed)


def _windows(s, n_in, n_out, step, target, future_covariates=None, pad=0, fill_value=None):
    """One series' X and y, and the position of each window's first target.

    With ``pad``, the series is read as if ``pad`` steps of ``fill_value``
    came before it: windows start up to ``pad`` steps before the series.
    """
    n_steps = n_in + (0 if future_covariates is None else n_out)
    values = _left_padded(s.values, len(s.values) + pad, fill_value) if pad else s.values
    starts = np.arange((len(values) - n_in - n_out) // step + 1) * step
    X = values[starts[:, None] + np.arange(n_steps)]  # (n_windows, n_steps[, n_features])
    y = values[starts[:, None] + n_in + np.arange(n_out)]  # (n_windows, n_out[, F])
    firsts = starts + n_in - pad  # positions in the series itself
    if s.values.ndim == 1:
        _check_columns_asked(target, future_covariates)
        return X, y, firsts
    targets = _column_positions(target, s.columns, s.values.shape[1])
    y = y[..., targets]
    if future_covariates is not None:
        _hide_unknown_future(X, n_in, _future_positions(future_covariates, targets, s.columns,
                                                        s.values.shape[1]))
    return X, y, firsts


def _check_columns_asked(target, future_covariates):
    """For 1-D series: a ValueError if columns are asked for."""
    if target is not None or future_covariates is not None:
        argument = "target" if target is not None else "future_covariates"
        raise ValueError(f"{argument} only applies to 2-D series (several columns).")


def _hide_unknown_future(X, n_in, future):
    """Set, in place, the steps of ``X`` (n, steps, columns) after ``n_in`` to NaN in
    every column but the known-future ones (``future``): not known in advance."""
    unknown = np.setdiff1d(np.arange(X.shape[2]), future)
    X[:, n_in:, unknown[:, None]] = np.nan


def calendar_features(times, features=("hour", "dayofweek", "month")):
    """Cyclical calendar encodings of timestamps: known-future covariates in one call.

    Each feature is a phase ``p`` in [0, 1) within its cycle, given as the
    two columns ``sin(2 pi p)`` and ``cos(2 pi p)``, so that the end of a
    cycle lies next to its start (23:30 beside 00:00, December beside
    January). The phases are fractional: "dayofweek" moves on through the
    day, so it encodes the hour of the week.

    Parameters
    ----------
    times : pandas.DatetimeIndex, PeriodIndex, Series of datetimes, or array-like
        The timestamps (of the series, or of the steps to forecast).
    features : sequence of str, default=("hour", "dayofweek", "month")
        Among "hour" (time of day), "dayofweek" (time of week, Monday 00:00
        is 0), "month" (time of year by months) and "dayofyear".

    Returns
    -------
    calendar : pandas.DataFrame of shape (n_times, 2 * len(features))
        Columns ``"<feature>_sin"``, ``"<feature>_cos"``; indexed by
        ``times`` (a Series keeps its own index).

    Examples
    --------
    >>> import pandas as pd
    >>> from sk_seqattn import calendar_features
    >>> times = pd.date_range("2000-06-05", periods=3, freq="6h")
    >>> calendar_features(times, ["hour"]).round(3)
                         hour_sin  hour_cos
    2000-06-05 00:00:00       0.0       1.0
    2000-06-05 06:00:00       1.0       0.0
    2000-06-05 12:00:00       0.0      -1.0
    """
    if isinstance(features, str):
        features = [features]
    unknown = [name for name in features if name not in _CALENDAR_PHASES]
    if unknown or not len(features):
        raise ValueError(
            f"features must name one or more of {sorted(_CALENDAR_PHASES)}; "
            f"got {list(features)!r}."
        )
    index = times.index if isinstance(times, pd.Series) else None
    if isinstance(times, pd.PeriodIndex):
        times = times.to_timestamp()
    try:
        stamps = pd.DatetimeIndex(times)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"times must be timestamps (a DatetimeIndex, PeriodIndex or datetimes); {exc}"
        ) from exc
    if stamps.hasnans:
        raise ValueError("times holds missing timestamps (NaT).")
    columns = {}
    for name in features:
        angle = 2 * np.pi * np.asarray(_CALENDAR_PHASES[name](stamps), dtype=np.float64)
        columns[f"{name}_sin"], columns[f"{name}_cos"] = np.sin(angle), np.cos(angle)
    return pd.DataFrame(columns, index=stamps if index is None else index)


def _append_future(X, panel, is_panel, future_covariates, future):
    """X followed by the known-future steps, the unknown columns NaN."""
    if future_covariates is None or future is None:
        raise ValueError("future_covariates and future must be given together.")
    if X.ndim != 3:
        raise ValueError("future_covariates only applies to 2-D series (several columns).")
    positions = _future_positions(future_covariates, [], panel[0].columns, X.shape[2])
    if isinstance(future, dict):
        missing = [s.id for s in panel if s.id not in future]
        if missing:
            raise ValueError(f"future has no values for series id(s) {missing[:10]}.")
        future = [future[s.id] for s in panel]
    elif not is_panel:
        future = [future]
    try:
        values = np.asarray(future, dtype=np.float64)
    except ValueError as exc:
        raise ValueError(
            "future must hold one (n_out, n_future_covariates) array of numbers per "
            f"series, all of the same shape: {exc}"
        ) from exc
    if values.ndim == 2 and len(positions) == 1:
        values = values[..., None]
    expected = f"({len(panel)}, n_out, {len(positions)})"
    if values.ndim != 3 or len(values) != len(panel) or values.shape[2] != len(positions) \
            or values.shape[1] == 0:
        raise ValueError(
            f"future has shape {values.shape}; expected {expected}: one row of future "
            "covariates per forecast step, for each series of X."
        )
    if not np.isfinite(values).all():
        raise ValueError("future holds NaN or infinite values; known-future covariates "
                         "must be finite.")
    block = np.full((len(panel), values.shape[1], X.shape[2]), np.nan)
    block[:, :, positions] = values
    return np.concatenate([X, block], axis=1)


def _future_positions(future_covariates, targets, columns, n_columns):
    future = _column_positions(np.atleast_1d(future_covariates).tolist(), columns, n_columns,
                               argument="future_covariates")
    clash = sorted(set(future) & set(np.atleast_1d(targets).tolist()))
    if clash:
        raise ValueError(
            f"future_covariates includes target column(s) {clash}: a target is not "
            "known in advance."
        )
    return np.asarray(future, dtype=int)


def _column_positions(target, columns, n_columns, argument="target"):
    # A scalar selects one column (y loses its last axis), a list keeps it.
    if target is None:
        return list(range(n_columns))
    single = not isinstance(target, (list, tuple, np.ndarray))
    positions = []
    for item in [target] if single else list(target):
        if isinstance(item, Integral) and not isinstance(item, bool):
            if not -n_columns <= item < n_columns:
                raise ValueError(
                    f"{argument} column {item} is out of range for {n_columns} columns."
                )
            positions.append(int(item) % n_columns)
        elif columns is not None and item in columns:
            positions.append(columns.index(item))
        else:
            raise ValueError(
                f"{argument} {item!r} is neither a column position nor a column name "
                f"of the series{'' if columns is None else f' (columns: {columns})'}."
            )
    return positions[0] if single else positions


def _next_time(s, label):
    """When the step after the series' end falls, and what one step adds."""
    times, freq = s.times, None
    if times is None:
        return len(s.values), 1
    if isinstance(times, pd.PeriodIndex):
        return times[-1] + 1, 1
    if isinstance(times, pd.DatetimeIndex):
        freq = times.freq or pd.DatetimeIndex(times, freq="infer").freq
    elif is_numeric_dtype(times) and len(times) > 1:
        gaps = np.diff(times.to_numpy())
        if gaps[0] > 0 and np.allclose(gaps, gaps[0]):
            freq = gaps[0].item()
    if freq is None:
        raise ValueError(
            f"{label}: cannot infer the frequency of its timestamps, needed for the time "
            "of the first forecast step; space them evenly, or set a DatetimeIndex's freq."
        )
    return times[-1] + freq, freq


def _advance(start, freq, n_steps):
    # Repeated addition, not start + k * freq: an anchored offset times 0
    # (MonthEnd(0), ...) would roll a start that is off the anchor.
    out = [start]
    for _ in range(n_steps - 1):
        out.append(out[-1] + freq)
    return out


def _target_names(target_names, n_targets):
    if target_names is None:
        return ["y"] if n_targets == 1 else [f"y{j}" for j in range(n_targets)]
    names = [target_names] if isinstance(target_names, str) else list(target_names)
    if len(names) != n_targets:
        raise ValueError(f"target_names has {len(names)} names for {n_targets} targets in y_pred.")
    if "time" in names:
        raise ValueError("target_names may not use 'time', the column of timestamps.")
    return names
