"""Turning series into supervised samples, and forecasting past their ends.

Each function takes one series or a panel of many: a list or tuple of series
(ids 0, 1, ...), a dict id -> series, or a long DataFrame with ``id_column``.
"""

import warnings
from numbers import Integral
from typing import NamedTuple

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype
from sklearn.utils.validation import check_array

__all__ = ["forecasts_to_frame", "last_windows", "make_windows"]


class _Series(NamedTuple):
    id: object
    values: np.ndarray  # (n_times,) or (n_times, n_features), finite float64
    columns: list | None  # DataFrame column names, so that target= can name them
    times: pd.Index | None  # timestamps; None where only positions are known


def make_windows(series, n_in, n_out, step=1, target=None, *, id_column=None,
                 time_column=None, return_index=False):
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
    return_index : bool, default=False
        Also return where each window comes from.

    Returns
    -------
    X : ndarray of shape (n_windows, n_in) or (n_windows, n_in, n_features)
    y : ndarray of shape (n_windows, n_out) or (n_windows, n_out, n_targets)
    index : pandas.DataFrame, only with ``return_index=True``
        One row per window, in the order of ``X``. "series": the id (0 for
        one series). "time": the timestamp of the window's first target
        (from a pandas DatetimeIndex or PeriodIndex, or ``time_column``),
        else its integer position in its series.

    Warns
    -----
    UserWarning
        When a panel's series shorter than ``n_in + n_out`` are skipped.
        One series that short is an error, as is a panel of only such.

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
    """
    _check_positive(n_in=n_in, n_out=n_out, step=step)
    panel, is_panel = _as_panel(series, id_column, time_column)
    panel = _long_enough(panel, is_panel, n_in + n_out, f"n_in + n_out = {n_in + n_out}")
    Xs, ys, firsts = zip(*(_windows(s, n_in, n_out, step, target) for s in panel))
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


def last_windows(series, n_in, *, id_column=None, time_column=None):
    """The last ``n_in`` steps of every series, to forecast past their ends.

    One ``predict`` on ``X`` forecasts the steps after the end of every
    series; :func:`forecasts_to_frame` labels those forecasts.

    Parameters
    ----------
    series, id_column, time_column
        As in :func:`make_windows`.
    n_in : int
        Input steps per window, as in training.

    Returns
    -------
    X : ndarray of shape (n_series, n_in) or (n_series, n_in, n_features)
        One row per series, laid out as :func:`make_windows`' ``X``.
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
        When a panel's series shorter than ``n_in`` are skipped.

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
    """
    _check_positive(n_in=n_in)
    panel, is_panel = _as_panel(series, id_column, time_column)
    panel = _long_enough(panel, is_panel, n_in, f"n_in = {n_in}")
    X = np.stack([s.values[-n_in:] for s in panel])
    starts, freqs = zip(*(_next_time(s, _label(s.id, is_panel)) for s in panel))
    return X, pd.DataFrame({"series": _ids(panel), "time": list(starts), "freq": list(freqs)})


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


def _check_positive(**values):
    for name, value in values.items():
        if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")


def _label(sid, is_panel=True):
    # How messages name a series: the argument, plus the id within a panel.
    return f"series id {sid!r}" if is_panel else "series"


def _ids(panel):
    # tupleize_cols=False: tuple ids (dict keys) stay ids, not MultiIndex levels.
    return pd.Index([s.id for s in panel], tupleize_cols=False)


def _times(s):
    return s.times if s.times is not None else pd.RangeIndex(len(s.values))


def _as_panel(series, id_column, time_column):
    """``(list of _Series, is_panel)``; one series is a list of one."""
    if id_column is not None or time_column is not None:
        return _split_frame(series, id_column, time_column), id_column is not None
    if isinstance(series, dict):
        entries = list(series.items())
    elif isinstance(series, (list, tuple)) and (not series or any(map(_is_sequence, series))):
        entries = list(enumerate(series))
    else:
        return [_to_series(0, series, is_panel=False)], False
    if not entries:
        raise ValueError("series is an empty panel: it holds no series.")
    panel = [_to_series(sid, data, is_panel=True) for sid, data in entries]
    for s in panel[1:]:
        if s.values.shape[1:] != panel[0].values.shape[1:]:
            raise ValueError(
                "series: all series need the same number of columns; "
                f"{_label(panel[0].id)} has {_n_columns(panel[0])}, "
                f"{_label(s.id)} has {_n_columns(s)}."
            )
    return panel, True


def _is_sequence(item):
    # Within a list, anything with a length (but text) is a series of its own.
    if isinstance(item, (str, bytes)) or not hasattr(item, "__len__"):
        return False
    return getattr(item, "ndim", 1) > 0  # a 0-d array is a number


def _n_columns(s):
    return "1-D values" if s.values.ndim == 1 else f"{s.values.shape[1]} columns"


def _to_series(sid, data, is_panel, times=None):
    label = _label(sid, is_panel)
    if is_panel and isinstance(data, pd.DataFrame):
        _check_numeric(data, data.columns, label)
    try:
        values = check_array(
            data, ensure_2d=False, allow_nd=True, dtype=np.float64, input_name="series",
            ensure_min_samples=0 if is_panel else 1,  # a panel's empty series: see below
        )
    except (TypeError, ValueError) as exc:
        if not is_panel:  # one series keeps check_array's messages as they are
            raise
        raise ValueError(f"{label}: {exc}") from exc
    if values.ndim not in (1, 2):
        raise ValueError(
            f"{label} must be 1-D (n_times,) or 2-D (n_times, n_features); "
            f"got an array of shape {values.shape}."
        )
    if len(values) == 0:
        raise ValueError(f"{label} is empty (0 time steps).")
    is_frame = isinstance(data, (pd.Series, pd.DataFrame))
    if times is None and is_frame and isinstance(data.index, (pd.DatetimeIndex, pd.PeriodIndex)):
        times = data.index
    columns = list(data.columns) if isinstance(data, pd.DataFrame) else None
    return _Series(sid, values, columns, times)


def _split_frame(frame, id_column, time_column):
    """A long frame's series, ids in order of first appearance, each sorted by time."""
    if not isinstance(frame, pd.DataFrame):
        argument = "id_column" if id_column is not None else "time_column"
        raise TypeError(
            f"{argument} needs series to be a pandas DataFrame; got {type(frame).__name__}."
        )
    given = (("id_column", id_column), ("time_column", time_column))
    keys = {argument: column for argument, column in given if column is not None}
    for argument, column in keys.items():
        if column not in frame.columns:
            raise ValueError(
                f"{argument} {column!r} is not a column of series: {list(frame.columns)}."
            )
        if frame[column].isna().any():
            raise ValueError(f"{argument} {column!r} has missing values.")
    value_columns = [c for c in frame.columns if c not in keys.values()]
    if not value_columns:
        raise ValueError("series has no value columns besides id_column and time_column.")
    _check_numeric(frame, value_columns, "series")
    if frame.empty:
        raise ValueError("series is empty: the frame has no rows.")
    is_panel, frame = id_column is not None, frame.reset_index(drop=True)  # labels = positions
    codes, ids = np.zeros(len(frame), dtype=int), [0]
    if is_panel:
        codes, ids = pd.factorize(frame[id_column])
        ids = ids.tolist()  # Python scalars, for messages and the index frames
    if time_column is not None:
        repeated = frame.duplicated(list(keys.values()))
        if repeated.any():
            where = frame.loc[repeated, list(keys.values())].iloc[0].to_dict()
            raise ValueError(
                f"series has more than one row for {where}; each (id, time) must be unique."
            )
        frame = frame.sort_values(time_column, kind="stable")
    # Grouping by code keeps each group's (time-sorted) row order.
    return [
        _to_series(ids[code], group[value_columns], is_panel,
                   times=None if time_column is None else pd.Index(group[time_column]))
        for code, group in frame.groupby(codes[frame.index])
    ]


def _check_numeric(frame, columns, label):
    for column in columns:
        if not is_numeric_dtype(frame[column]):
            raise ValueError(f"{label}: column {column!r} is not numeric ({frame[column].dtype}).")


def _long_enough(panel, is_panel, min_length, need):
    """The series at least min_length long; a panel's others skipped with a warning."""
    if not is_panel:
        n_times = len(panel[0].values)
        if n_times < min_length:
            raise ValueError(f"series has {n_times} time steps; {need} needs at least that many.")
        return panel
    short = [s.id for s in panel if len(s.values) < min_length]
    if len(short) == len(panel):
        raise ValueError(
            f"series: no series is left; all {len(panel)} have fewer than {need} time steps."
        )
    if short:
        names = ", ".join(map(repr, short[:10]))
        names += f" and {len(short) - 10} more" if len(short) > 10 else ""
        warnings.warn(f"Skipped {len(short)} series shorter than {need} time steps: {names}.",
                      UserWarning, stacklevel=3)
    return [s for s in panel if len(s.values) >= min_length]


def _windows(s, n_in, n_out, step, target):
    """One series' X and y, and the position of each window's first target."""
    starts = np.arange((len(s.values) - n_in - n_out) // step + 1) * step
    X = s.values[starts[:, None] + np.arange(n_in)]  # (n_windows, n_in[, n_features])
    y = s.values[starts[:, None] + n_in + np.arange(n_out)]  # (n_windows, n_out[, F])
    if s.values.ndim == 1:
        if target is not None:
            raise ValueError("target only applies to 2-D series (several columns).")
    else:
        y = y[..., _column_positions(target, s.columns, s.values.shape[1])]
    return X, y, starts + n_in


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
