import numpy as np
import pandas as pd
import pytest

from sk_seqattn import calendar_features, forecasts_to_frame, last_windows, make_windows


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


# Panels -------------------------------------------------------------------

def test_panel_pooled_in_time_order_aligned_at_series_ends():
    # First targets of series 0 at 2, 3, 4, 5 lie 4, 3, 2, 1 steps from its
    # end, those of series 1 at 2, 3 lie 2, 1: oldest first, ties 0 then 1.
    X, y, index = make_windows([np.arange(6.0), 10 + np.arange(4.0)], n_in=2, n_out=1,
                               return_index=True)
    np.testing.assert_array_equal(X, [[0, 1], [1, 2], [2, 3], [10, 11], [3, 4], [11, 12]])
    np.testing.assert_array_equal(y, [[2], [3], [4], [12], [5], [13]])
    assert list(index.columns) == ["series", "time"]
    assert index["series"].tolist() == [0, 0, 0, 1, 0, 1]
    assert index["time"].tolist() == [2, 3, 4, 2, 5, 3]
    # A tail split takes the latest window of every series.
    np.testing.assert_array_equal(y[-2:, 0], [5, 13])


def test_panel_pooling_with_step_and_a_series_of_one_window():
    X, y, index = make_windows((np.arange(7.0), [20.0, 21, 22]), n_in=2, n_out=1, step=2,
                               return_index=True)
    # Series 0: first targets 2, 4, 6 (4, 2, 0 steps before its end);
    # series 1: first target 2 (0 steps).
    np.testing.assert_array_equal(y[:, 0], [2, 4, 6, 22])
    assert index["series"].tolist() == [0, 0, 0, 1]


def test_each_panel_series_windowed_as_a_single_series():
    a, b = np.arange(9.0), 100 + np.arange(12.0)
    X, y = make_windows([a, b], n_in=3, n_out=2, step=2)
    X_a, y_a = make_windows(a, n_in=3, n_out=2, step=2)
    X_b, y_b = make_windows(b, n_in=3, n_out=2, step=2)
    assert len(X) == len(X_a) + len(X_b)
    # Same windows, only interleaved.
    assert sorted(map(tuple, X)) == sorted(map(tuple, np.concatenate([X_a, X_b])))
    assert sorted(map(tuple, y)) == sorted(map(tuple, np.concatenate([y_a, y_b])))


def _frames():
    a = pd.DataFrame({"x": np.arange(5.0), "z": 10 + np.arange(5.0)})
    b = pd.DataFrame({"x": 50 + np.arange(4.0), "z": 60 + np.arange(4.0)})
    return a, b


def _long_frame():
    # Rows shuffled (ids stay in order of first appearance, "a" first): the
    # time column puts them back in order.
    a, b = _frames()
    long = pd.concat([a.assign(id="a", t=np.arange(5)), b.assign(id="b", t=np.arange(4))])
    return long.iloc[[3, 7, 0, 8, 1, 5, 2, 4, 6]].reset_index(drop=True)


def test_list_dict_and_long_frame_give_the_same_windows():
    a, b = _frames()
    kwargs = dict(n_in=2, n_out=1, target="z", return_index=True)
    X_list, y_list, i_list = make_windows([a, b], **kwargs)
    X_dict, y_dict, i_dict = make_windows({"a": a, "b": b}, **kwargs)
    X_long, y_long, i_long = make_windows(_long_frame(), id_column="id", time_column="t",
                                          **kwargs)
    assert X_list.shape == (5, 2, 2) and y_list.shape == (5, 1)
    np.testing.assert_array_equal(y_list[:, 0], [12, 13, 62, 14, 63])
    for X, y in [(X_dict, y_dict), (X_long, y_long)]:
        np.testing.assert_array_equal(X, X_list)
        np.testing.assert_array_equal(y, y_list)
    assert i_list["series"].tolist() == [0, 0, 1, 0, 1]
    assert i_dict["series"].tolist() == i_long["series"].tolist() == ["a", "a", "b", "a", "b"]
    assert i_long["time"].tolist() == [2, 3, 2, 4, 3]
    # By position among the value columns (id and t left out), as a list.
    _, y_pos, _ = make_windows(_long_frame(), id_column="id", time_column="t", n_in=2,
                               n_out=1, target=[1], return_index=True)
    np.testing.assert_array_equal(y_pos[..., 0], y_list)


def test_long_frame_without_time_column_keeps_row_order():
    long = pd.DataFrame({"id": [2, 2, 1, 2, 1, 1], "v": [0.0, 1, 10, 2, 11, 12]})
    X, y, index = make_windows(long, n_in=2, n_out=1, id_column="id", return_index=True)
    # One value column windows as a one-column DataFrame does: 3-D X.
    assert X.shape == (2, 2, 1)
    np.testing.assert_array_equal(y[:, 0, 0], [2, 12])
    assert index["series"].tolist() == [2, 1]  # ids in order of first appearance
    X_1d, _ = make_windows([[0.0, 1, 2], [10.0, 11, 12]], n_in=2, n_out=1)
    np.testing.assert_array_equal(X[..., 0], X_1d)


def test_index_times():
    _, _, index = make_windows(np.arange(6.0), n_in=3, n_out=1, step=2, return_index=True)
    assert index["series"].tolist() == [0, 0] and index["time"].tolist() == [3, 5]

    days = pd.Series(np.arange(5.0), index=pd.date_range("2024-01-01", periods=5, freq="D"))
    _, _, index = make_windows(days, n_in=3, n_out=1, return_index=True)
    assert index["time"].tolist() == list(pd.to_datetime(["2024-01-04", "2024-01-05"]))

    years = pd.DataFrame({"v": np.arange(4.0)}, index=pd.period_range("2001", periods=4, freq="Y"))
    _, _, index = make_windows([years, years.iloc[:3]], n_in=2, n_out=1, return_index=True)
    assert index["time"].tolist() == [pd.Period("2003", "Y"), pd.Period("2004", "Y"),
                                      pd.Period("2003", "Y")]

    long = pd.DataFrame({"id": ["a"] * 3 + ["b"] * 3, "v": np.arange(6.0),
                         "when": pd.to_datetime(["2024-03-01", "2024-01-01", "2024-02-01"] * 2)})
    X, _, index = make_windows(long, n_in=2, n_out=1, id_column="id", time_column="when",
                               return_index=True)
    np.testing.assert_array_equal(X[..., 0], [[1, 2], [4, 5]])
    assert index["time"].tolist() == [pd.Timestamp("2024-03-01")] * 2

    # time_column without id_column: one frame, one series.
    X, y, index = make_windows(long[long["id"] == "a"].drop(columns="id"), n_in=2, n_out=1,
                               time_column="when", return_index=True)
    np.testing.assert_array_equal(y.ravel(), [0])
    assert index["series"].tolist() == [0]


def test_short_series_are_skipped_with_a_warning():
    panel = {f"s{k}": np.arange(2.0) for k in range(12)}
    panel["long"] = np.arange(4.0)
    with pytest.warns(UserWarning, match=r"Skipped 12 series .*'s0', .*'s9' and 2 more\."):
        X, y, index = make_windows(panel, n_in=2, n_out=1, return_index=True)
    assert index["series"].tolist() == ["long", "long"]
    with pytest.raises(ValueError, match="no series is left"):
        make_windows([np.arange(2.0), np.arange(1.0)], n_in=2, n_out=1)


@pytest.mark.parametrize("kwargs, message", [
    (dict(series=[np.arange(5.0), np.array([1.0, np.nan, 2, 3])]), r"series id 1: .*contains NaN"),
    (dict(series={"a": np.arange(5.0), "b": [1.0, np.inf, 2, 3]}),
     r"series id 'b': .*contains infinity"),
    (dict(series={"a": np.arange(5.0), "b": []}), r"series id 'b' is empty"),
    (dict(series={"a": np.zeros((5, 2)), "b": np.zeros((5, 3))}),
     r"same number of columns.*'b' has 3"),
    (dict(series=[np.zeros((5, 1)), np.zeros(5)]), "same number of columns"),
    (dict(series=[np.zeros((5, 2, 2))]), r"series id 0 must be 1-D"),
    (dict(series=[["a", "b", "c"]]), r"series id 0: could not convert string"),
    (dict(series=[pd.DataFrame({"v": [1.0, 2, 3], "w": list("abc")})]),
     r"series id 0: column 'w' is not numeric"),
    (dict(series=[]), "empty panel"),
    (dict(series={}), "empty panel"),
    (dict(series=pd.DataFrame({"id": [], "v": []}), id_column="id"), "no rows"),
    (dict(series=pd.DataFrame({"id": [1, 1], "t": [1, 1], "v": [0.0, 1]}), id_column="id",
          time_column="t"), r"more than one row for \{'id': 1, 't': 1\}"),
    (dict(series=pd.DataFrame({"id": [1, 1], "v": [0.0, 1], "s": ["x", "y"]}), id_column="id"),
     r"column 's' is not numeric"),
    (dict(series=pd.DataFrame({"id": [1, 1], "v": [0.0, 1]}), id_column="key"),
     r"id_column 'key' is not a column"),
    (dict(series=pd.DataFrame({"id": [1, 1], "v": [0.0, 1]}), id_column="id", time_column="t"),
     r"time_column 't' is not a column"),
    (dict(series=pd.DataFrame({"id": [1, None], "v": [0.0, 1]}), id_column="id"),
     r"id_column 'id' has missing values"),
    (dict(series=pd.DataFrame({"id": [1, 1, 2], "v": [0.0, np.nan, 1]}), id_column="id"),
     r"series id 1: .*contains NaN"),
    (dict(series=pd.DataFrame({"id": [1, 1], "t": [1, 2]}), id_column="id", time_column="t"),
     "no value columns"),
    (dict(series=[np.zeros(5)], target=0), "only applies to 2-D"),
])
def test_bad_panel_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_windows(n_in=2, n_out=1, **kwargs)
    if "target" not in kwargs:
        with pytest.raises(ValueError, match=message):
            last_windows(n_in=2, **kwargs)


def test_id_column_needs_a_dataframe():
    with pytest.raises(TypeError, match="id_column needs series to be a pandas DataFrame"):
        make_windows([np.arange(5.0)], n_in=2, n_out=1, id_column="id")


# Forecasting past the end -------------------------------------------------

def test_last_windows_and_forecasts_to_frame_round_trip_with_timestamps():
    a = pd.Series(np.arange(6.0), index=pd.date_range("2023-01-01", periods=6, freq="MS"))
    # No freq set: inferred (month ends).
    b = pd.Series(10 + np.arange(4.0), index=pd.DatetimeIndex(
        ["2023-01-31", "2023-02-28", "2023-03-31", "2023-04-30"]))
    X, index = last_windows({"a": a, "b": b}, n_in=3)
    np.testing.assert_array_equal(X, [[3, 4, 5], [11, 12, 13]])
    assert list(index.columns) == ["series", "time", "freq"]
    assert index["time"].tolist() == [pd.Timestamp("2023-07-01"), pd.Timestamp("2023-05-31")]

    y_pred = np.array([[100.0, 101, 102], [200.0, 201, 202]])  # series, step
    frame = forecasts_to_frame(y_pred, index)
    assert frame.index.names == ["series", "step"] and list(frame.columns) == ["time", "y"]
    assert frame.loc[("a", 3), "y"] == 102 and frame.loc[("b", 1), "y"] == 200
    assert frame.loc["a", "time"].tolist() == list(pd.to_datetime(
        ["2023-07-01", "2023-08-01", "2023-09-01"]))
    assert frame.loc["b", "time"].tolist() == list(pd.to_datetime(
        ["2023-05-31", "2023-06-30", "2023-07-31"]))


def test_round_trip_with_periods_positions_and_several_targets():
    quarters = pd.DataFrame({"u": np.arange(5.0), "v": -np.arange(5.0)},
                            index=pd.period_range("2020Q1", periods=5, freq="Q"))
    X, index = last_windows(quarters, n_in=2)
    assert X.shape == (1, 2, 2) and index["series"].tolist() == [0]
    frame = forecasts_to_frame(np.arange(4.0).reshape(1, 2, 2), index, target_names=["u", "v"])
    assert frame["time"].tolist() == [pd.Period("2021Q2", "Q"), pd.Period("2021Q3", "Q")]
    assert frame.loc[(0, 2), "v"] == 3 and frame.loc[(0, 1), "u"] == 0

    X, index = last_windows([np.arange(5.0), np.arange(3.0)], n_in=3)
    assert index["time"].tolist() == [5, 3]
    frame = forecasts_to_frame(np.array([[1.0, 2], [3.0, 4]]), index)
    assert frame["time"].tolist() == [5, 6, 3, 4]
    assert frame.loc[(1, 2), "y"] == 4
    # A horizon of one may come as a 1-D y_pred; several targets default to y0, y1.
    assert forecasts_to_frame([7.0, 8.0], index)["y"].tolist() == [7, 8]
    assert list(forecasts_to_frame(np.zeros((2, 1, 2)), index).columns) == ["time", "y0", "y1"]


def test_last_windows_long_frame_with_numeric_times():
    long = pd.DataFrame({"id": ["p", "p", "p", "q", "q"], "year": [2002, 2000, 2001, 1990, 1991],
                         "v": [2.0, 0, 1, 5, 6]})
    X, index = last_windows(long, n_in=2, id_column="id", time_column="year")
    np.testing.assert_array_equal(X[..., 0], [[1, 2], [5, 6]])
    assert index["time"].tolist() == [2003, 1992]
    frame = forecasts_to_frame(np.zeros((2, 2)), index)
    assert frame.loc["q", "time"].tolist() == [1992, 1993]


def test_last_windows_skips_short_series_and_checks_lengths():
    with pytest.warns(UserWarning, match=r"Skipped 1 series shorter than n_in = 3 .*: 'b'"):
        X, index = last_windows({"a": np.arange(3.0), "b": np.arange(2.0)}, n_in=3)
    assert X.shape == (1, 3) and index["series"].tolist() == ["a"]
    with pytest.raises(ValueError, match="needs at least that many"):
        last_windows(np.arange(2.0), n_in=3)
    with pytest.raises(ValueError, match="n_in must be a positive integer"):
        last_windows(np.arange(2.0), n_in=0)


def test_last_windows_pads_short_series_with_fill_value():
    panel = {"a": np.arange(4.0), "b": np.array([7.0, 8.0]),
             "c": np.arange(6.0).reshape(3, 2)[:, 0]}
    X, index = last_windows(panel, n_in=3, fill_value=np.nan)
    assert index["series"].tolist() == ["a", "b", "c"]
    np.testing.assert_array_equal(X, [[1, 2, 3], [np.nan, 7, 8], [0, 2, 4]])
    # Several features: whole steps padded; the times still follow each end.
    X, index = last_windows({"a": np.ones((4, 2)), "b": np.ones((1, 2))}, n_in=2,
                            fill_value=0.0)
    np.testing.assert_array_equal(X[1], [[0, 0], [1, 1]])
    assert index["time"].tolist() == [4, 1]
    with pytest.raises(TypeError, match="fill_value must be a number or None"):
        last_windows(panel, n_in=3, fill_value="nan")


def test_last_windows_needs_a_frequency():
    irregular = pd.Series(np.arange(3.0), index=pd.to_datetime(["2024-01-01", "2024-01-02",
                                                                  "2024-01-05"]))
    with pytest.raises(ValueError, match="series id 'x': cannot infer the frequency"):
        last_windows({"x": irregular}, n_in=2)


@pytest.mark.parametrize("y_pred, kwargs, message", [
    (np.zeros((3, 2)), {}, "y_pred has 3 rows but index has 2"),
    (np.zeros((2, 2, 2, 2)), {}, "y_pred must have shape"),
    (np.zeros((2, 2, 2)), dict(target_names=["a"]), "target_names has 1 names for 2 targets"),
])
def test_forecasts_to_frame_bad_input(y_pred, kwargs, message):
    _, index = last_windows([np.arange(3.0), np.arange(4.0)], n_in=2)
    with pytest.raises(ValueError, match=message):
        forecasts_to_frame(y_pred, index, **kwargs)


def test_calendar_features_are_cyclical_phases():
    times = pd.date_range("2024-01-01", periods=24 * 14, freq="h")  # Monday 00:00 first
    calendar = calendar_features(times)
    assert list(calendar.columns) == ["hour_sin", "hour_cos", "dayofweek_sin", "dayofweek_cos",
                                      "month_sin", "month_cos"]
    assert calendar.index.equals(times)
    np.testing.assert_allclose(calendar.iloc[0][["hour_sin", "hour_cos"]], [0, 1], atol=1e-12)
    np.testing.assert_allclose(calendar.iloc[0][["dayofweek_sin", "dayofweek_cos"]], [0, 1],
                               atol=1e-12)
    # A day later the hour repeats, a week later the day of week does.
    np.testing.assert_allclose(calendar["hour_sin"].iloc[24:48], calendar["hour_sin"].iloc[:24])
    np.testing.assert_allclose(calendar["dayofweek_cos"].iloc[168:], calendar["dayofweek_cos"].iloc[:168])
    # 23:00 lies next to 00:00: the cycle has no seam.
    seam = np.hypot(*(calendar.iloc[23][["hour_sin", "hour_cos"]].to_numpy()
                      - calendar.iloc[24][["hour_sin", "hour_cos"]].to_numpy()))
    assert seam == pytest.approx(2 * np.sin(np.pi / 24))
    np.testing.assert_allclose(calendar["hour_sin"] ** 2 + calendar["hour_cos"] ** 2, 1.0)


def test_calendar_features_of_periods_and_series():
    months = pd.period_range("2020-01", periods=24, freq="M")
    calendar = calendar_features(months, features="month")
    np.testing.assert_allclose(calendar["month_cos"].iloc[:12], calendar["month_cos"].iloc[12:])
    stamps = pd.Series(pd.date_range("2020-01-01", periods=3, freq="D"), index=[7, 8, 9])
    assert list(calendar_features(stamps, ["dayofyear"]).index) == [7, 8, 9]


@pytest.mark.parametrize("times, features, error, match", [
    (pd.date_range("2020", periods=3, freq="D"), ["weekday"], ValueError, "features must name"),
    (pd.date_range("2020", periods=3, freq="D"), [], ValueError, "features must name"),
    (["not a date", "x"], ["hour"], TypeError, "times must be timestamps"),
    (pd.DatetimeIndex(["2020-01-01", None]), ["hour"], ValueError, "NaT"),
])
def test_calendar_features_bad_input(times, features, error, match):
    with pytest.raises(error, match=match):
        calendar_features(times, features)


def test_padded_windows_start_before_their_series():
    panel = {"a": np.arange(6.0), "b": np.arange(10.0, 14.0)}
    X, y, index = make_windows(panel, n_in=4, n_out=1, fill_value=np.nan, min_observed=2,
                               return_index=True)
    # "b" (4 steps) is too short for 4 + 1 steps: padded, it gives two windows.
    np.testing.assert_array_equal(X[index["series"].to_numpy() == "b"],
                                  [[np.nan, np.nan, 10, 11], [np.nan, 10, 11, 12]])
    np.testing.assert_array_equal(y[index["series"].to_numpy() == "b"].ravel(), [12, 13])
    # Positions of the first targets in the series itself; still aligned at the ends.
    assert index["time"].tolist() == [2, 3, 4, 2, 5, 3]
    # Without padding the same call skips "b" with a warning.
    with pytest.warns(UserWarning, match="Skipped 1 series shorter than n_in"):
        assert len(make_windows(panel, n_in=4, n_out=1)[0]) == 2


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(min_observed=2), ValueError, "min_observed pads windows with fill_value"),
    (dict(fill_value=np.nan, min_observed=0), ValueError, "min_observed must be an integer"),
    (dict(fill_value=np.nan, min_observed=5), ValueError, "from 1 to n_in=4"),
    (dict(fill_value="x", min_observed=2), TypeError, "fill_value must be a number"),
])
def test_bad_padding_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        make_windows(np.arange(10.0), n_in=4, n_out=1, **kwargs)
