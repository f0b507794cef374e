"""One series or a panel of them, read into one form: the preprocessing's input side.

A panel is a list or tuple of series (ids 0, 1, ...), a dict id -> series,
or a long DataFrame with an id column; one series is a panel of one. Every
check of the input (finite numbers, columns, duplicate times, lengths)
happens here, so that each error names the argument.
"""

import warnings
from numbers import Integral
from typing import NamedTuple

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype
from sklearn.utils.validation import check_array


class _Series(NamedTuple):
    id: object
    values: np.ndarray  # (n_times,) or (n_times, n_features), finite float64
    columns: list | None  # DataFrame column names, so that target= can name them
    times: pd.Index | None  # timestamps; None where only positions are known


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
