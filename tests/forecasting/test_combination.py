"""ForecastCombination: a weighted mean of different forecasters."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

import sk_seqattn
from sk_seqattn import (ForecastCombination, LinearFloorRegressor, LookbackEnsemble,
                        ThetaWindowRegressor, last_windows, make_windows)


@pytest.fixture
def windows():
    t = np.arange(240)
    series = 20 + t / 20 + np.sin(2 * np.pi * t / 12)
    return make_windows(series, n_in=36, n_out=6)


def _combination(weights=(3, 1)):
    return ForecastCombination(
        estimators=[("ridge", LinearFloorRegressor()), ("theta", ThetaWindowRegressor())],
        weights=weights)


def test_forecast_is_the_weighted_mean_of_the_members(windows):
    X, y = windows
    combination = _combination().fit(X, y)
    ridge = LinearFloorRegressor().fit(X, y).predict(X[-4:])
    theta = ThetaWindowRegressor().fit(X, y).predict(X[-4:])
    np.testing.assert_allclose(combination.weights_, [0.75, 0.25])
    np.testing.assert_allclose(combination.predict(X[-4:]), 0.75 * ridge + 0.25 * theta)
    assert set(combination.named_estimators_) == {"ridge", "theta"}
    equal = _combination(weights=None).fit(X, y)
    np.testing.assert_allclose(equal.predict(X[-4:]), (ridge + theta) / 2)


def test_members_are_reached_by_name_and_grid_searched(windows):
    X, y = windows
    combination = _combination().set_params(theta__season_length=None)
    assert combination.get_params()["theta__season_length"] is None
    search = GridSearchCV(combination, {"weights": [[1, 0], [0, 1]]},
                          cv=TimeSeriesSplit(3), scoring="neg_mean_absolute_error").fit(X, y)
    assert search.best_params_["weights"] in ([1, 0], [0, 1])


def test_left_padded_windows_reach_members_that_take_them():
    rng = np.random.default_rng(0)
    series = [20 + np.cumsum(rng.normal(size=n)) for n in (80, 30)]
    X, y = make_windows(series, n_in=40, n_out=4, fill_value=np.nan, min_observed=20)
    assert np.isnan(X).any()
    combination = ForecastCombination(estimators=[
        ("ensemble", LookbackEnsemble(estimator=LinearFloorRegressor(), lookbacks=[20, 40])),
        ("theta", ThetaWindowRegressor())]).fit(X, y)
    forecast = combination.predict(last_windows(series, n_in=40, fill_value=np.nan)[0])
    assert forecast.shape == (2, 4) and np.isfinite(forecast).all()


@pytest.mark.parametrize("weights", [[1], [1, -1], [0, 0], [1, np.nan]])
def test_bad_weights_are_a_value_error_naming_them(windows, weights):
    X, y = windows
    with pytest.raises(ValueError, match="weights must be 2 non-negative numbers"):
        _combination(weights=weights).fit(X, y)


@pytest.mark.parametrize("estimators, error, match", [
    ([], ValueError, "non-empty list of \\(name, estimator\\)"),
    ([LinearFloorRegressor()], ValueError, "non-empty list of \\(name, estimator\\)"),
    ([("a", LinearFloorRegressor()), ("a", ThetaWindowRegressor())], ValueError, "unique"),
    ([("a", LinearFloorRegressor()), ("b", "theta")], TypeError, "'b' must have fit"),
])
def test_bad_estimators_are_named(windows, estimators, error, match):
    X, y = windows
    with pytest.raises(error, match=match):
        ForecastCombination(estimators=estimators).fit(X, y)


def test_save_and_load_keep_the_forecast(windows, tmp_path):
    X, y = windows
    combination = _combination().fit(X, y)
    sk_seqattn.save(combination, tmp_path / "combination.skm")
    loaded = sk_seqattn.load(tmp_path / "combination.skm")
    np.testing.assert_allclose(loaded.predict(X[-3:]), combination.predict(X[-3:]))
