import numpy as np
import pandas as pd
import pytest

from sk_seqattn.datasets import forecasting_split, load_co2, load_sunspots


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
