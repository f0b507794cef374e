"""ThetaWindowRegressor and theta_forecast: the Theta method on windows."""

import numpy as np
import pytest

from sk_seqattn import ThetaWindowRegressor, last_windows, make_windows
from sk_seqattn.forecasting.classical import season_length_of, theta_forecast


def _monthly(n=120, seed=0):
    # A positive series with a trend and a yearly cycle that grows with the level.
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    level = 50 + 0.3 * t
    return level * (1 + 0.2 * np.sin(2 * np.pi * t / 12)) + rng.normal(0, 1, n)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_forecasts_as_statsmodels_theta_model(seed):
    # statsmodels' ThetaModel runs the same method (seasonality test at 90%,
    # multiplicative decomposition, SES with half the trend's drift); only
    # the SES fit differs (our alpha on a 0.01 grid).
    theta_model = pytest.importorskip("statsmodels.tsa.forecasting.theta").ThetaModel
    series = _monthly(seed=seed)
    ours = theta_forecast(series[None], 18, 12)[0]
    reference = np.asarray(theta_model(series, period=12).fit().forecast(18))
    np.testing.assert_allclose(ours, reference, rtol=0.01)


def test_constant_series_forecasts_its_value():
    forecast = theta_forecast(np.full((2, 30), 7.0), 5, 12)
    np.testing.assert_allclose(forecast, 7.0)


def test_series_with_negative_values_gets_an_additive_season():
    series = _monthly() - 80  # crosses zero: no multiplicative decomposition
    assert (series < 0).any()
    forecast = theta_forecast(series[None], 12, 12)[0]
    reference = theta_forecast((series + 1000)[None], 12, 12)[0] - 1000
    assert np.isfinite(forecast).all()
    # The additive season's forecast keeps the cycle: its swing is that of the data.
    assert np.ptp(forecast) > 0.5 * np.ptp(series[-12:] - np.polyval(
        np.polyfit(np.arange(12), series[-12:], 1), np.arange(12)))
    assert np.abs(forecast - reference).max() < np.ptp(series)


def test_season_length_auto_finds_the_cycle_and_none_in_noise():
    X, y = make_windows(_monthly(200), n_in=48, n_out=12)
    assert ThetaWindowRegressor().fit(X, y).season_length_ == 12
    walk = np.cumsum(np.random.default_rng(0).normal(size=(50, 60)), axis=1)
    assert season_length_of(walk) == 1
    X, y = make_windows(list(walk), n_in=40, n_out=5)  # a panel of random walks
    assert ThetaWindowRegressor().fit(X, y).season_length_ == 1
    assert ThetaWindowRegressor(season_length=None).fit(X, y).season_length_ == 1


def test_predict_forecasts_each_window_on_its_own():
    series = _monthly()
    X, y = make_windows(series, n_in=48, n_out=12)
    theta = ThetaWindowRegressor(season_length=12).fit(X[:5], y[:5])
    np.testing.assert_allclose(theta.predict(X[-3:]), theta_forecast(X[-3:], 12, 12))
    assert theta.predict(X[:1]).shape == (1, 12)


def test_left_padded_window_is_forecast_from_its_observed_steps():
    long, short = _monthly(), _monthly(40, seed=1)
    X_last, _ = last_windows([long, short], n_in=60, fill_value=np.nan)
    assert np.isnan(X_last[1, :20]).all()
    X, y = make_windows(long, n_in=60, n_out=6)
    theta = ThetaWindowRegressor(season_length=12).fit(X, y)
    forecast = theta.predict(X_last)
    np.testing.assert_allclose(forecast[1], theta_forecast(short[None], 6, 12)[0])
    np.testing.assert_allclose(forecast[0], theta_forecast(long[None, -60:], 6, 12)[0])
    # One observed step: the last value.
    one = np.full((1, 60), np.nan)
    one[0, -1] = 3.0
    np.testing.assert_allclose(theta.predict(one), 3.0)


def test_nan_other_than_left_padding_is_a_value_error():
    X, y = make_windows(_monthly(), n_in=24, n_out=3)
    theta = ThetaWindowRegressor().fit(X, y)
    X_bad = X[:2].copy()
    X_bad[0, 5] = np.nan
    with pytest.raises(ValueError, match="X holds NaN after an observed step"):
        theta.predict(X_bad)
    X_inf = X[:2].copy()
    X_inf[0, 0] = np.inf
    with pytest.raises(ValueError, match="X"):
        theta.predict(X_inf)


def test_each_target_is_forecast_from_its_own_history():
    a, b = _monthly(seed=0), 100 + np.cumsum(np.random.default_rng(1).normal(size=120))
    panel = np.stack([a, b], axis=1)  # (steps, 2)
    X, y = make_windows(panel, n_in=36, n_out=6)  # y (n, 6, 2)
    theta = ThetaWindowRegressor(season_length=12).fit(X, y)
    forecast = theta.predict(X[-2:])
    assert forecast.shape == (2, 6, 2)
    np.testing.assert_allclose(forecast[..., 0], theta_forecast(X[-2:, :, 0], 6, 12))
    np.testing.assert_allclose(forecast[..., 1], theta_forecast(X[-2:, :, 1], 6, 12))
    # A covariate is not read: target_features picks the history.
    swapped = ThetaWindowRegressor(season_length=12, target_features=[1]).fit(X, y[..., :1])
    np.testing.assert_allclose(swapped.predict(X[-2:])[..., 0],
                               theta_forecast(X[-2:, :, 1], 6, 12))


def test_too_short_series_for_theta_forecast_is_a_value_error():
    with pytest.raises(ValueError, match="at least 2 steps"):
        theta_forecast(np.ones((3, 1)), 2)


def test_season_length_auto_takes_a_weak_but_clear_season():
    # Quarterly-like windows whose seasonal swing is small next to their noise:
    # the mean autocorrelation of the differences at lag 4 is about 0.15 (M1
    # quarterly's backtest windows: 0.19, where a season of 4 forecast better).
    rng = np.random.default_rng(0)
    t = np.arange(40)
    series = 100 + np.cumsum(rng.normal(0, 1, (200, 40)), axis=1) + 0.5 * np.sin(np.pi * t / 2)
    assert season_length_of(series) == 4
