"""The time-ordered validation tail of each series, recovered from pooled windows.

``fit`` receives windows, not series. Windows cut with step 1 overlap: the
window after ``i`` in the same series reads ``X[i]`` shifted by one step,
``X[j, :-1] == X[i, 1:]`` and ``y[j, :-1] == y[i, 1:]``. Linking each window
to its successor (the first later sample that continues it, as
:func:`~sk_seqattn.make_windows` orders a panel's windows oldest first) chains
each series' windows; a window's *age* is the number of windows after it
in its chain, 0 for the latest one of its series.

The tail of a series is its latest ``ceil(fraction * n)`` windows (``n`` its
windows, at least one), or fewer when the panel's series give ``enough``
validation windows together; the ``horizon - 1`` windows before the tail share
target steps with it and are left out of training, so no validation target
is a training target. Windows that chain to nothing (cut with a step over
1, or shuffled) are one series in sample order.
"""

import numpy as np
import pandas as pd

__all__ = []


def _row_hashes(block):
    """A uint64 hash of each row of ``block`` (n, ...): equal rows, equal hashes."""
    flat = np.ascontiguousarray(block.reshape(len(block), -1))
    return pd.util.hash_pandas_object(pd.DataFrame(flat), index=False).to_numpy()


def _steps_hashes(X, y, steps):
    """(n,) hashes of each window's ``steps`` of ``X`` and, with a horizon over 1, of ``y``."""
    hashes = _row_hashes(X[:, steps])
    if y.shape[1] > 1:
        hashes = hashes ^ (_row_hashes(y[:, steps]) * np.uint64(3))
    return hashes


def successors(X, y):
    """Per window, the position of the next window of its series, or -1: ``(n,)`` ints.

    ``X`` (n, n_steps, n_features) holds the input steps only, ``y`` (n,
    horizon, n_targets). The successor of ``i`` is the first ``j > i`` with
    ``X[j, :-1] == X[i, 1:]`` and ``y[j, :-1] == y[i, 1:]`` (NaN padding
    compares equal to itself).
    """
    n = len(X)
    if n < 2 or X.shape[1] < 2:
        return np.full(n, -1)
    # (n,) hashes of what window i's successor must start with, and of how
    # each window starts.
    wanted = _steps_hashes(X, y, slice(1, None))
    starts = _steps_hashes(X, y, slice(None, -1))
    # Candidates keyed by (hash, position), sorted: the first j > i with
    # starts[j] == wanted[i] is one binary search for (wanted[i], i + 1).
    _, ids = np.unique(np.concatenate([starts, wanted]), return_inverse=True)
    start_ids, wanted_ids = ids[:n].astype(np.int64), ids[n:].astype(np.int64)
    keys = np.sort(start_ids * (n + 1) + np.arange(n))
    found_at = np.searchsorted(keys, wanted_ids * (n + 1) + np.arange(n) + 1)
    match = found_at < n
    match[match] = keys[found_at[match]] // (n + 1) == wanted_ids[match]
    successor = np.full(n, -1)
    successor[match] = keys[found_at[match]] % (n + 1)
    return successor


def ages_and_series(successor):
    """Per window, its age (windows after it in its chain) and its series (the position
    of its chain's latest window), both ``(n,)`` ints, by pointer jumping."""
    n = len(successor)
    positions = np.arange(n)
    age = (successor >= 0).astype(int)
    last = np.where(successor >= 0, successor, positions)
    jump = successor.copy()
    while (jump >= 0).any():
        has = jump >= 0
        target = np.where(has, jump, positions)
        # Simultaneous update from the previous values.
        age, last, jump = (age + np.where(has, age[target], 0), np.where(has, last[target], last),
                           np.where(has, jump[target], -1))
    return age, last


def validation_rows(X, y, horizon, fraction=0.1, enough=None):
    """The training and validation positions of a per-series time-ordered tail.

    Parameters
    ----------
    X : ndarray (n, n_steps, n_features)
        The input steps of the windows (no known-future steps).
    y : ndarray (n, horizon, n_targets)
    horizon : int
    fraction : float in (0, 1)
        Each series' share of windows in the tail, at most.
    enough : int or None
        Validation windows that are enough in all: each series' tail is
        then no longer than ``ceil(enough / n_series)`` windows (at least
        one), so a panel of many series keeps most of its training windows.

    Returns
    -------
    train, valid : ndarray of int
        Sorted positions; ``train`` leaves out the ``horizon - 1`` windows
        before each series' tail. Either may be empty.
    """
    successor = successors(X, y)
    if not (successor >= 0).any():
        successor = np.append(np.arange(1, len(X)), -1)  # one series, in sample order
    age, series = ages_and_series(successor)
    n_windows = np.bincount(series, minlength=len(X))[series]  # (n,) windows of its series
    tail = np.ceil(fraction * n_windows)
    if enough is not None:
        n_series = len(np.unique(series))
        tail = np.minimum(tail, np.ceil(enough / n_series))
    tail = np.maximum(1, tail).astype(int)
    valid = np.flatnonzero(age < tail)
    train = np.flatnonzero(age >= tail + horizon - 1)
    return train, valid
