"""Each series' time-ordered validation tail, recovered from pooled windows."""

import numpy as np
import pytest

from sk_seqattn import make_windows
from sk_seqattn.forecasting._tail import ages_and_series, successors, validation_rows


def _ragged_panel(seed=0):
    rng = np.random.RandomState(seed)
    return [rng.randn(length).cumsum() for length in (30, 52, 41, 12)]


def _as_3d(X, y):
    return X.reshape(len(X), X.shape[1], -1), y.reshape(len(y), y.shape[1], -1)


@pytest.mark.parametrize("padded", [False, True])
def test_ages_and_series_are_recovered_from_make_windows(padded):
    extra = dict(fill_value=np.nan, min_observed=4) if padded else {}
    X, y, index = make_windows(_ragged_panel(), n_in=10, n_out=3, return_index=True, **extra)
    age, series = ages_and_series(successors(*_as_3d(X, y)))
    expected_age = index.groupby("series").cumcount(ascending=False).to_numpy()
    np.testing.assert_array_equal(age, expected_age)
    # One chain per series, and no chain across two.
    assert index.groupby("series").apply(lambda rows: len(set(series[rows.index]))).eq(1).all()
    assert len(set(series)) == index["series"].nunique()


def test_tail_is_the_latest_windows_of_each_series_and_training_targets_stay_before_it():
    horizon = 3
    X, y, index = make_windows(_ragged_panel(), n_in=10, n_out=horizon, return_index=True)
    train, valid = validation_rows(*_as_3d(X, y), horizon, fraction=0.1)
    for name, rows in index.groupby("series").groups.items():
        rows = np.asarray(rows)
        n_tail = int(np.ceil(0.1 * len(rows)))
        # make_windows orders a series' windows oldest first.
        assert set(np.intersect1d(rows, valid)) == set(rows[-n_tail:])
        first_valid_target = index.loc[rows[-n_tail:], "time"].min()
        train_rows = np.intersect1d(rows, train)
        # The last target step of every training window comes before it.
        assert (index.loc[train_rows, "time"] + horizon - 1 < first_valid_target).all()
        assert len(train_rows) == max(0, len(rows) - n_tail - (horizon - 1))


def test_windows_that_do_not_chain_are_one_series_in_sample_order():
    # Cut with step 2, no window continues another by one step.
    X, y = make_windows(np.arange(100.0), n_in=8, n_out=2, step=2)
    train, valid = validation_rows(*_as_3d(X, y), horizon=2, fraction=0.1)
    n = len(X)
    n_tail = int(np.ceil(0.1 * n))
    np.testing.assert_array_equal(valid, np.arange(n - n_tail, n))
    np.testing.assert_array_equal(train, np.arange(n - n_tail - 1))


def test_identical_windows_never_chain_backwards():
    # A constant series: every window continues every other; the chain
    # follows the sample order, never a cycle.
    X, y = make_windows(np.zeros(30), n_in=5, n_out=2)
    successor = successors(*_as_3d(X, y))
    assert (successor[:-1] == np.arange(1, len(X))).all() and successor[-1] == -1
    age, _ = ages_and_series(successor)
    np.testing.assert_array_equal(age, np.arange(len(X))[::-1])
