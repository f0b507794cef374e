"""A panel's windows cut on demand from series held once, for panels larger than memory.

:func:`~sk_seqattn.make_windows` materialises every window of every series:
memory grows with (number of windows) x (n_in + n_out), hundreds of times
the panel's own values. :class:`PanelWindows` holds the values once (one
float64 array and an offset per series) and cuts the windows that are asked
for, by their position in the panel: ``windows(rows)`` gives exactly the
``(X, y)`` rows :func:`~sk_seqattn.make_windows` would give for them. The
regressor's ``fit`` accepts it as ``X`` (``y=None``) and cuts each batch on
the fly; :func:`forecast_panel` forecasts the end of every series in chunks.

Windows are numbered series by series, oldest first within a series (unlike
:func:`~sk_seqattn.make_windows`, which pools them aligned at the series'
ends). What one epoch of training draws is set here, with the data:

- every window (``windows_per_series=None, stride=1``, the default);
- ``windows_per_series=k``: ``k`` windows of every series, drawn uniformly
  (with replacement) afresh each epoch, so that long series do not dominate
  and an epoch's cost follows the number of series;
- ``stride=s``: every ``s``-th window of every series, from an offset drawn
  afresh each epoch, so that all windows are seen over ``s`` epochs.

The draws come from torch's random generator, which ``fit`` seeds from the
estimator's ``random_state``: a seeded fit repeats them.
"""

import numpy as np
import pandas as pd
import torch

from ._panel import _as_panel, _check_positive, _ids, _label, _long_enough
from .windows import (_append_future, _check_columns_asked, _column_positions,
                      _future_positions, _hide_unknown_future, _next_time, _padding,
                      forecasts_to_frame)

__all__ = ["PanelWindows", "forecast_panel"]


class PanelWindows:
    """The ``(X, y)`` windows of a panel, cut when asked for.

    Parameters
    ----------
    series, n_in, n_out, target, id_column, time_column, future_covariates, \
fill_value, min_observed
        As for :func:`~sk_seqattn.make_windows` (with ``step=1``). The
        values are read once into one float64 array; series too short for
        a window are skipped with a warning, as there.

    windows_per_series : int or None, default=None
        Windows of each series one training epoch draws (uniformly, with
        replacement, afresh each epoch). None: every window.

    stride : int, default=1
        One training epoch takes every ``stride``-th window of each series,
        from an offset drawn afresh each epoch. Not with
        ``windows_per_series``.

    Attributes
    ----------
    ids : pandas.Index
        The series kept, in order.

    n_windows_per_series : ndarray of int
        Windows of each series.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_seqattn import PanelWindows
    >>> panel = PanelWindows([np.arange(6.0), np.arange(10.0, 15)], n_in=3, n_out=1)
    >>> len(panel), panel.n_windows_per_series.tolist()
    (5, [3, 2])
    >>> X, y = panel.windows([0, 3])
    >>> X.tolist(), y.ravel().tolist()
    ([[0.0, 1.0, 2.0], [10.0, 11.0, 12.0]], [3.0, 13.0])
    """

    def __init__(self, series, n_in, n_out, *, target=None, id_column=None, time_column=None,
                 future_covariates=None, fill_value=None, min_observed=None,
                 windows_per_series=None, stride=1):
        _check_positive(n_in=n_in, n_out=n_out, stride=stride)
        if windows_per_series is not None:
            _check_positive(windows_per_series=windows_per_series)
            if stride != 1:
                raise ValueError("windows_per_series and stride are two ways to sample an "
                                 "epoch; give one of them.")
        self.n_in, self.n_out = int(n_in), int(n_out)
        self.windows_per_series, self.stride = windows_per_series, int(stride)
        self.fill_value = fill_value
        self._pad = _padding(n_in, fill_value, min_observed)
        panel, self._is_panel = _as_panel(series, id_column, time_column)
        # Ids the caller gave (dict keys, an id column), not positions in a list.
        self._named_ids = isinstance(series, dict) or id_column is not None
        shortest = self.n_in - self._pad + self.n_out
        panel = _long_enough(panel, self._is_panel, shortest,
                             f"n_in + n_out = {shortest}" if not self._pad else
                             f"min_observed + n_out = {shortest}")
        first = panel[0]
        self._one_d = first.values.ndim == 1
        self._columns = first.columns
        n_columns = 1 if self._one_d else first.values.shape[1]
        if self._one_d:
            _check_columns_asked(target, future_covariates)
        self._targets = _column_positions(target, self._columns, n_columns)
        self._future = None if future_covariates is None else _future_positions(
            future_covariates, self._targets, self._columns, n_columns)
        self._future_covariates = future_covariates

        self.ids = _ids(panel)
        self._lengths = np.array([len(s.values) for s in panel])
        self._offsets = np.concatenate([[0], np.cumsum(self._lengths)])
        # (n_values, n_columns): every series once, one after the other.
        self._values = np.concatenate([s.values.reshape(len(s.values), n_columns)
                                       for s in panel])
        self._next = [_next_time(s, _label(s.id, self._is_panel)) for s in panel]
        self.n_windows_per_series = self._lengths + self._pad - self.n_in - self.n_out + 1
        self._window_offsets = np.concatenate([[0], np.cumsum(self.n_windows_per_series)])

    @classmethod
    def from_parquet(cls, paths, n_in, n_out, *, id_column=None, time_column=None,
                     columns=None, **options):
        """The windows of a panel stored as parquet files (needs ``pyarrow``).

        Parameters
        ----------
        paths : str, path-like or list of them
            A folder (its ``*.parquet`` files, in name order) or files.
        n_in, n_out : int
            As for the class.
        id_column : column label, optional
            The files hold a long panel partitioned across them: this column
            names each row's series (a series lies in one file). None: each
            file is one series, named by the file's stem.
        time_column : column label, optional
            As for :func:`~sk_seqattn.make_windows`.
        columns : list of column labels, optional
            The value columns to read (default: all but the id and time).
        **options
            The class' other parameters (``target``, ``windows_per_series``, ...).

        Raises
        ------
        FileNotFoundError
            A path that does not exist, or a folder without parquet files.
        ValueError
            A file that cannot be read as parquet, files whose columns differ
            (naming both), or a series id found in two files.
        """
        from pathlib import Path

        if isinstance(paths, (str, bytes)) or hasattr(paths, "__fspath__"):
            paths = [paths]
        files = []
        for path in map(Path, paths):
            if path.is_dir():
                found = sorted(path.glob("*.parquet"))
                if not found:
                    raise FileNotFoundError(f"paths: the folder {str(path)!r} holds no "
                                            "*.parquet file.")
                files += found
            elif path.exists():
                files.append(path)
            else:
                raise FileNotFoundError(f"paths: {str(path)!r} does not exist.")
        keep = None if columns is None else [
            c for c in (id_column, time_column, *columns) if c is not None]
        frames, first_columns, where = [], None, {}
        for path in files:
            try:
                frame = pd.read_parquet(path, columns=keep)
            except ImportError:
                raise
            except Exception as error:
                raise ValueError(f"paths: {str(path)!r} cannot be read as parquet: "
                                 f"{type(error).__name__}: {error}") from None
            if first_columns is None:
                first_columns = list(frame.columns)
            elif list(frame.columns) != first_columns:
                raise ValueError(
                    f"paths: {str(path)!r} has columns {list(frame.columns)}, "
                    f"{str(files[0])!r} has {first_columns}: every file needs the same.")
            if id_column is None:
                frame.insert(0, "__series__", path.stem)
            else:
                if id_column not in frame.columns:
                    raise ValueError(f"paths: {str(path)!r} has no id column {id_column!r}.")
                for sid in pd.unique(frame[id_column]):
                    if sid in where:
                        raise ValueError(f"series id {sid!r} is in two files: "
                                         f"{str(where[sid])!r} and {str(path)!r}.")
                    where[sid] = path
            frames.append(frame)
        frame = pd.concat(frames, ignore_index=True)
        del frames
        return cls(frame, n_in, n_out, id_column="__series__" if id_column is None
                   else id_column, time_column=time_column, **options)

    def __len__(self):
        return int(self._window_offsets[-1])

    @property
    def n_series(self):
        """The number of series kept."""
        return len(self._lengths)

    @property
    def n_steps(self):
        """Steps of each window of ``X``: ``n_in``, plus ``n_out`` with future covariates."""
        return self.n_in + (0 if self._future is None else self.n_out)

    def series_of(self, rows):
        """The series (by position in ``ids``) of each window in ``rows``."""
        return self._series_of(self._checked_rows(rows))

    def windows(self, rows):
        """``(X, y)`` of the windows at ``rows``, as :func:`~sk_seqattn.make_windows`
        lays them out (its ranks and dtype)."""
        X, y = self._windows_3d(self._checked_rows(rows))
        if self._one_d:
            return X[..., 0], y[..., 0]
        return X, (y if isinstance(self._targets, list) else y[..., 0])

    def _windows_3d(self, rows):
        """``(X, y)`` of the windows at valid ``rows`` (int64, unchecked), always of shapes
        (n, n_steps, n_columns) and (n, n_out, n_targets): a fitted regressor's
        validated form, so that training batches skip validation."""
        series = self._series_of(rows)  # (n,)
        # Each window's first input step, in its series (negative: padding).
        start = rows - self._window_offsets[series] - self._pad  # (n,)
        X = self._cut(series, start, self.n_steps)
        y = self._cut(series, start + self.n_in, self.n_out)[..., np.atleast_1d(self._targets)]
        if self._future is not None:
            _hide_unknown_future(X, self.n_in, self._future)
        return X, y

    def _series_of(self, rows):
        return np.searchsorted(self._window_offsets, rows, side="right") - 1

    def epoch_rows(self, generator=None):
        """The rows one training epoch draws (see the class' sampling parameters), in
        series order; ``generator`` a ``numpy.random.Generator`` (default: one seeded
        from torch's random generator)."""
        if generator is None:
            generator = np.random.default_rng(int(torch.randint(2**62, ()).item()))
        counts, offsets = self.n_windows_per_series, self._window_offsets[:-1]
        if self.windows_per_series is not None:
            k = self.windows_per_series
            draws = generator.random((self.n_series, k)) * counts[:, None]  # (n_series, k)
            return (offsets[:, None] + draws.astype(np.int64)).ravel()
        if self.stride == 1:
            return np.arange(len(self))
        first = generator.integers(0, self.stride, size=self.n_series)
        first = np.minimum(first, counts - 1)  # a series of fewer windows than the stride
        taken = (counts - first - 1) // self.stride + 1  # (n_series,)
        series = np.repeat(np.arange(self.n_series), taken)
        within = np.arange(taken.sum()) - np.repeat(np.cumsum(taken) - taken, taken)
        return offsets[series] + first[series] + within * self.stride

    @property
    def epoch_size(self):
        """The windows one training epoch takes (its expected number with a stride)."""
        if self.windows_per_series is not None:
            return self.windows_per_series * self.n_series
        if self.stride == 1:
            return len(self)
        return int(np.ceil(self.n_windows_per_series / self.stride).sum())

    def last_windows(self, series=None, future=None):
        """The last ``n_in`` steps of the series at positions ``series`` (default
        all), and their index, as :func:`~sk_seqattn.last_windows` gives them (a
        series shorter than ``n_in`` left-padded with ``fill_value``); ``future``
        as there, for these series."""
        positions = np.arange(self.n_series) if series is None else np.asarray(series)
        start = self._lengths[positions] - self.n_in
        if self.fill_value is None and (start < 0).any():
            raise ValueError(f"series shorter than n_in = {self.n_in} have no last window "
                             "without fill_value.")
        X = self._cut(positions, start, self.n_in)
        if self._one_d:
            X = X[..., 0]
        if self._future is not None or future is not None:
            stub = [_Stub(self.ids[p], self._columns) for p in positions]
            if isinstance(future, dict) or future is None:
                chunk_future = future
            else:
                chunk_future = np.asarray(future)[positions] if self._is_panel else future
            X = _append_future(X, stub, self._is_panel, self._future_covariates, chunk_future)
        starts, freqs = zip(*(self._next[p] for p in positions))
        index = pd.DataFrame({"series": self.ids[positions], "time": list(starts),
                              "freq": list(freqs)})
        return X, index

    def _cut(self, series, start, n_steps):
        """(n, n_steps, n_columns) values of ``series`` from ``start`` (steps before a
        series' first are ``fill_value``)."""
        position = start[:, None] + np.arange(n_steps)  # (n, n_steps)
        inside = position >= 0
        flat = self._offsets[series][:, None] + np.where(inside, position, 0)
        values = self._values[flat]  # (n, n_steps, n_columns), a copy
        if not inside.all():
            values[~inside] = self.fill_value
        return values

    def _checked_rows(self, rows):
        rows = np.asarray(rows)
        if rows.dtype.kind not in "iu" or rows.ndim != 1:
            raise TypeError(f"rows must be a 1-D array of window positions; got {rows!r:.80}.")
        if len(rows) and (rows.min() < 0 or rows.max() >= len(self)):
            raise ValueError(f"rows must be window positions from 0 to {len(self) - 1}.")
        return rows.astype(np.int64, copy=False)

    def __repr__(self):
        sampling = "" if self.windows_per_series is None else \
            f", windows_per_series={self.windows_per_series}"
        sampling += "" if self.stride == 1 else f", stride={self.stride}"
        return (f"PanelWindows({self.n_series} series, {len(self)} windows, "
                f"n_in={self.n_in}, n_out={self.n_out}{sampling})")


class _Stub:
    # What _append_future reads of a series: its id and columns.
    def __init__(self, sid, columns):
        self.id, self.columns = sid, columns


def forecast_panel(estimator, panel, *, future=None, chunk_size=4096, target_names=None):
    """Forecast past the end of every series of ``panel``, ``chunk_size`` series at a time.

    Each chunk's last windows are cut (:meth:`PanelWindows.last_windows`),
    forecast by ``estimator.predict`` and labelled
    (:func:`~sk_seqattn.forecasts_to_frame`), so memory holds one chunk's
    windows at a time besides the forecasts.

    Parameters
    ----------
    estimator : fitted forecaster
        Any estimator whose ``predict`` takes the panel's last windows.
    panel : PanelWindows
    future : array-like or dict, optional
        The known-future covariates of the forecast steps, as for
        :func:`~sk_seqattn.last_windows`.
    chunk_size : int, default=4096
        Series per chunk.
    target_names : list of str, optional
        As for :func:`~sk_seqattn.forecasts_to_frame`.

    Returns
    -------
    forecasts : pandas.DataFrame
        Indexed by (series, step), as :func:`~sk_seqattn.forecasts_to_frame`
        returns.
    """
    if not isinstance(panel, PanelWindows):
        raise TypeError(f"panel must be a PanelWindows; got {type(panel).__name__}.")
    _check_positive(chunk_size=chunk_size)
    frames = []
    for first in range(0, panel.n_series, chunk_size):
        positions = np.arange(first, min(first + chunk_size, panel.n_series))
        X, index = panel.last_windows(positions, future=future)
        frames.append(forecasts_to_frame(estimator.predict(X), index, target_names))
    return pd.concat(frames)
