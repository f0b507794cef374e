"""The command line's input files: translation pairs, sources and series.

Each reader names the file, the column or the row it cannot use in a
:class:`CLIError` (one line, exit status 2), rather than letting a parser's
traceback through.
"""

import sys
from pathlib import Path

__all__ = []


class CLIError(Exception):
    """A user-facing error: printed as one line, exit status 2."""


def _open_text(path):
    """A text handle on ``path``, or on standard input for ``-``."""
    if str(path) == "-":
        return sys.stdin
    path = Path(path)
    if not path.is_file():
        raise CLIError(f"{path}: no such file.")
    return path.open(encoding="utf-8", newline="")


def read_pairs(path, source_column=None, target_column=None, need_target=True):
    """Sources (and targets) from a TSV (two tab-separated fields a line, no
    header) or a CSV (a header; columns by name, default the first two).

    Empty lines of a TSV are skipped (there is no pair on them); sources
    alone (``need_target=False``) are read by :func:`iter_sources`.
    """
    path = Path(path)
    if str(path) != "-" and not path.is_file():
        raise CLIError(f"{path}: no such file.")
    if path.suffix.lower() == ".csv":
        import pandas as pd

        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        except pd.errors.EmptyDataError:
            raise CLIError(f"{path}: the file is empty.") from None
        except pd.errors.ParserError as exc:
            raise CLIError(f"{path}: not a well-formed CSV ({str(exc).strip()}).") from None
        columns = list(frame.columns)
        wanted = [source_column or (columns[0] if columns else None)]
        if need_target:
            wanted.append(target_column or (columns[1] if len(columns) > 1 else None))
        for name in wanted:
            if name is None or name not in columns:
                raise CLIError(
                    f"{path}: no column {name!r} (columns: {', '.join(columns) or 'none'}); "
                    "set --source-column/--target-column."
                )
        if frame.empty:
            raise CLIError(f"{path}: the file has a header but no rows.")
        return [frame[name].tolist() for name in wanted]
    rows = []
    with _open_text(path) as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            if not line:
                continue
            fields = line.split("\t")
            if len(fields) > 2 or (need_target and len(fields) != 2):
                raise CLIError(
                    f"{path}, line {number}: expected source<TAB>target, found "
                    f"{len(fields)} field(s)."
                )
            rows.append(fields)
    if not rows:
        raise CLIError(f"{path}: the file is empty.")
    sources = [row[0] for row in rows]
    if not need_target:
        return [sources]
    return [sources, [row[1] for row in rows]]


def iter_sources(path, source_column=None):
    """The sources to translate, one per input line, empty lines included.

    A TSV or plain text file (or ``-``) is read lazily, line by line: a
    line's first tab-separated field is its source. A CSV is read whole.
    """
    if Path(path).suffix.lower() == ".csv" and str(path) != "-":
        (sources,) = read_pairs(path, source_column, need_target=False)
        yield from sources
        return
    with _open_text(path) as handle:
        for line in handle:
            yield line.rstrip("\r\n").split("\t", 1)[0]


def read_series(path, column=None, time_column=None, id_column=None):
    """The series of a CSV: one numeric column, optionally dated, optionally a panel.

    Returns
    -------
    series : pandas.Series, or dict id -> pandas.Series with ``id_column``
        Indexed by the dates of ``time_column`` (detected when None: the
        first non-numeric column that parses as dates), else by position.
    """
    import numpy as np
    import pandas as pd

    path = Path(path)
    if str(path) != "-" and not path.is_file():
        raise CLIError(f"{path}: no such file.")
    try:
        frame = pd.read_csv(sys.stdin if str(path) == "-" else path)
    except pd.errors.EmptyDataError:
        raise CLIError(f"{path}: the file is empty.") from None
    except pd.errors.ParserError as exc:
        raise CLIError(f"{path}: not a well-formed CSV ({str(exc).strip()}).") from None
    names = ", ".join(map(str, frame.columns))
    for option, name in (("--id-column", id_column), ("--time-column", time_column)):
        if name is not None and name not in frame.columns:
            raise CLIError(f"{path}: no column {name!r} for {option} (columns: {names}).")
    if time_column is None:
        time_column = _detect_time_column(frame, exclude=id_column)
    if column is None:
        numeric = [c for c in frame.select_dtypes("number").columns
                   if c not in (id_column, time_column)]
        if len(numeric) != 1:
            raise CLIError(f"{path}: say which column to forecast with --column "
                           f"(columns: {names}).")
        column = numeric[0]
    if column not in frame.columns:
        raise CLIError(
            f"{path}: no column {column!r} (columns: {', '.join(map(str, frame.columns))})."
        )
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & frame[column].notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise CLIError(
            f"{path}: column {column!r} is not numeric (row {row + 2}: "
            f"{frame[column].iloc[row]!r})."
        )
    if values.isna().any():
        raise CLIError(
            f"{path}: column {column!r} has {int(values.isna().sum())} missing value(s); "
            "fill or interpolate them first."
        )
    if values.empty:
        raise CLIError(f"{path}: column {column!r} has no values.")
    index = pd.RangeIndex(len(values))
    if time_column is not None:
        try:
            index = pd.DatetimeIndex(pd.to_datetime(frame[time_column]))
        except (ValueError, TypeError):
            raise CLIError(f"{path}: column {time_column!r} does not hold dates.") from None
        if index.hasnans:
            raise CLIError(f"{path}: column {time_column!r} has missing dates.")
    series = pd.Series(values.to_numpy(dtype=float), index=index, name=column)
    if id_column is not None and frame[id_column].isna().any():
        raise CLIError(f"{path}: column {id_column!r} (--id-column) has missing ids.")
    ids = [0] * len(series) if id_column is None else frame[id_column].tolist()
    panel = {}
    for sid, part in series.groupby(np.asarray(ids, dtype=object), sort=False):
        part = part.sort_index(kind="stable") if time_column is not None else part
        if time_column is not None and part.index.has_duplicates:
            where = "" if id_column is None else f" of series {sid!r}"
            raise CLIError(f"{path}: a date{where} repeats: {part.index[part.index.duplicated()][0]}.")
        panel[sid] = part
    return panel if id_column is not None else panel[0]


def _detect_time_column(frame, exclude=None):
    # The first non-numeric column whose every value parses as a date.
    import warnings

    import pandas as pd

    for column in frame.columns:
        if column == exclude or pd.api.types.is_numeric_dtype(frame[column]):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "could not infer format"
            try:
                pd.to_datetime(frame[column])
            except (ValueError, TypeError):
                continue
        return column
    return None
