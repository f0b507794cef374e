"""ConformalForecaster: split conformal intervals around any forecaster on windows."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import Ridge

from sk_seqattn import (ConformalForecaster, LinearFloorRegressor, Seq2SeqAttentionRegressor,
                        make_windows)
from sk_seqattn.forecasting.conformal import conformal_offsets
from sk_seqattn.metrics import interval_coverage

FAST = dict(hidden_size=8, max_epochs=3, batch_size=16, random_state=0)


def _sine_windows(seed, n=1000, level=0.0, spread=1.0):
    rng = np.random.RandomState(seed)
    series = level + spread * (np.sin(np.arange(n) / 4) + 0.5 * rng.randn(n))
    return make_windows(series, 12, 3)


def test_conformal_levels_cover_their_nominal_share_of_new_windows():
    X, y = _sine_windows(0)
    X_new, y_new = _sine_windows(1)
    # One epoch leaves the quantile heads far from calibrated; the shifts
    # learned on the held-out tail bring each level to its share.
    regressor = Seq2SeqAttentionRegressor(quantiles=(0.1, 0.9), **dict(FAST, max_epochs=1))
    n_valid = int(np.ceil(0.3 * len(X)))
    raw = clone(regressor).fit(X[: len(X) - n_valid - 2], y[: len(X) - n_valid - 2])
    calibrated = ConformalForecaster(estimator=regressor, calibration_fraction=0.3).fit(X, y)
    assert calibrated.offsets_.shape == (3, 1, 2)  # (horizon, targets, levels)
    raw_coverage = interval_coverage(y_new, raw.predict_quantiles(X_new))
    coverage = interval_coverage(y_new, calibrated.predict_quantiles(X_new))
    assert abs(raw_coverage - 0.8) > 0.1
    assert abs(coverage - 0.8) < 0.05
    below = np.mean(y_new[..., None] < calibrated.predict_quantiles(X_new), axis=(0, 1))
    np.testing.assert_allclose(below, [0.1, 0.9], atol=0.05)
    # The point forecast is the estimator's, unchanged; the calibration
    # tail (and the gap of horizon - 1 before it) is kept out of training.
    np.testing.assert_array_equal(calibrated.predict(X_new), raw.predict(X_new))
    batches = calibrated.estimator_.history_[0, "batches"]
    assert sum(b.get("train_batch_size", 0) for b in batches) == len(X) - n_valid - 2


def test_intervals_around_a_point_forecaster():
    X, y = _sine_windows(0)
    X_new, y_new = _sine_windows(1)
    model = ConformalForecaster(estimator=LinearFloorRegressor(), quantiles=(0.1, 0.9),
                                calibration_fraction=0.3).fit(X, y)
    quantiles = model.predict_quantiles(X_new)  # (n, 3, 2)
    assert quantiles.shape == y_new.shape + (2,)
    assert np.all(np.diff(quantiles, axis=-1) >= 0)
    below = np.mean(y_new[..., None] < quantiles, axis=(0, 1))
    np.testing.assert_allclose(below, [0.1, 0.9], atol=0.05)


class _LastValue(RegressorMixin, BaseEstimator):
    """Forecasts each window's last value: equivariant to the series' level and scale."""

    def fit(self, X, y):
        self.horizon_ = y.shape[1]
        return self

    def predict(self, X):
        return np.repeat(np.asarray(X)[:, -1:], self.horizon_, axis=1)


def test_one_calibration_serves_series_of_any_scale():
    # Residuals are measured in units of each window's spread: a series a
    # hundred times larger gets intervals a hundred times wider, at the same
    # coverage, from a calibration on the small one.
    X, y = _sine_windows(0)
    model = ConformalForecaster(estimator=_LastValue(), quantiles=(0.1, 0.9),
                                calibration_fraction=0.3).fit(X, y)
    X_big, y_big = _sine_windows(1, level=500.0, spread=100.0)
    X_small, y_small = _sine_windows(1)
    widths = [np.diff(model.predict_quantiles(X_), axis=-1).mean() for X_ in (X_small, X_big)]
    assert widths[1] / widths[0] == pytest.approx(100.0, rel=0.05)
    assert interval_coverage(y_big, model.predict_quantiles(X_big)) == pytest.approx(0.8, abs=0.05)


def test_any_estimator_with_fit_and_predict_is_wrapped():
    X, y = _sine_windows(0, n=300)
    model = ConformalForecaster(estimator=Ridge(), quantiles=(0.2, 0.8)).fit(X, y[:, 0])
    assert model.predict_quantiles(X[:5]).shape == (5, 2)
    assert model.predict(X[:5]).shape == (5,)


def test_the_finite_sample_rank():
    # 9 residuals 1..9: the 0.9 level takes the ceil(10 * 0.9) = 9th, the 0.1
    # level the floor(10 * 0.1) = 1st; the median the 5th.
    residuals = np.arange(1.0, 10.0).reshape(9, 1, 1, 1).repeat(3, axis=-1)
    offsets = conformal_offsets(residuals, [0.1, 0.5, 0.9])
    np.testing.assert_array_equal(offsets[0, 0], [1.0, 5.0, 9.0])


def test_quantiles_are_needed():
    X, y = _sine_windows(0, n=200)
    with pytest.raises(ValueError, match="ConformalForecaster needs quantiles"):
        ConformalForecaster(estimator=LinearFloorRegressor()).fit(X, y)
    with pytest.raises(ValueError, match="quantiles must lie strictly between 0 and 1"):
        ConformalForecaster(estimator=LinearFloorRegressor(), quantiles=(0.1, 1.5)).fit(X, y)
