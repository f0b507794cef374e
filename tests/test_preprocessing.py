import numpy as np
import pandas as pd
import pytest

from sk_seqattn import make_windows


def test_univariate_windows_in_time_order():
    X, y = make_windows(np.arange(10.0), n_in=3, n_out=2, step=2)
    np.testing.assert_array_equal(X, [[0, 1, 2], [2, 3, 4], [4, 5, 6]])
    np.testing.assert_array_equal(y, [[3, 4], [5, 6], [7, 8]])


def test_series_and_dataframe_targets():
    frame = pd.DataFrame({"a": np.arange(8.0), "b": 10 + np.arange(8.0)})
    X, y = make_windows(frame, n_in=2, n_out=3, target="b")
    assert X.shape == (4, 2, 2) and y.shape == (4, 3)
    np.testing.assert_array_equal(y[0], [12, 13, 14])
    _, y_list = make_windows(frame, n_in=2, n_out=3, target=[1, "a"])
    assert y_list.shape == (4, 3, 2)
    np.testing.assert_array_equal(y_list[0, 0], [12, 2])
    _, y_all = make_windows(frame, n_in=2, n_out=3)
    assert y_all.shape == (4, 3, 2)
    X_s, _ = make_windows(pd.Series(np.arange(5.0)), n_in=2, n_out=1)
    assert X_s.shape == (3, 2)


@pytest.mark.parametrize("kwargs, message", [
    (dict(series=np.arange(4.0), n_in=3, n_out=2), "needs at least that many"),
    (dict(series=np.arange(9.0), n_in=0, n_out=2), "n_in must be a positive integer"),
    (dict(series=np.arange(9.0), n_in=2, n_out=2, step=1.5), "step must be"),
    (dict(series=np.array([1.0, np.nan, 2, 3, 4]), n_in=2, n_out=1), "contains NaN"),
    (dict(series=np.zeros((9, 2, 2)), n_in=2, n_out=1), "1-D .* or 2-D"),
    (dict(series=np.zeros((9, 2)), n_in=2, n_out=1, target=2), "out of range"),
    (dict(series=np.zeros((9, 2)), n_in=2, n_out=1, target="c"), "neither a column"),
    (dict(series=np.zeros(9), n_in=2, n_out=1, target=0), "only applies to 2-D"),
])
def test_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_windows(**kwargs)
