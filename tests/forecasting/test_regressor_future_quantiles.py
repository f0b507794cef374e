"""Known-future covariates and quantile forecasts of Seq2SeqAttentionRegressor."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sk_seqattn import (LinearFloorRegressor, Seq2SeqAttentionRegressor,
                        calendar_features, last_windows, make_windows)
from sk_seqattn.metrics import (
    interval_coverage, interval_coverage_scorer, mean_pinball_loss,
    neg_mean_pinball_loss_scorer,
)

FAST = dict(hidden_size=8, max_epochs=3, batch_size=16, random_state=0)


@pytest.fixture(scope="module")
def flagged():
    """A level that jumps by 2 on random flagged steps: unpredictable from the past."""
    rng = np.random.RandomState(0)
    n = 400
    flag = (rng.rand(n) < 0.3).astype(float)
    level = 5 + np.sin(np.arange(n) / 6)
    series = np.c_[level + 2 * flag + 0.05 * rng.randn(n), flag]
    X, y = make_windows(series, 12, 4, target=0, future_covariates=[1])
    return X, y


@pytest.fixture(scope="module")
def noisy_sine():
    rng = np.random.RandomState(0)
    series = np.sin(np.arange(1000) / 4) + 0.5 * rng.randn(1000)
    return make_windows(series, 12, 3)


# -- known-future covariates -------------------------------------------------------
@pytest.mark.parametrize("floor", ["linear", None])
def test_known_future_covariates_are_used(flagged, floor):
    X, y = flagged
    params = dict(hidden_size=16, max_epochs=20, batch_size=16, lr=3e-3, random_state=0,
                  floor=floor)
    with_future = Seq2SeqAttentionRegressor(future_features=[1], **params).fit(X[:300], y[:300])
    past_only = Seq2SeqAttentionRegressor(**params).fit(X[:300, :12], y[:300])
    error_with = np.abs(with_future.predict(X[300:]) - y[300:]).mean()
    error_without = np.abs(past_only.predict(X[300:, :12]) - y[300:]).mean()
    assert with_future.n_steps_in_ == 12
    assert error_with < 0.5 * error_without


def test_future_part_is_read_only_through_future_features(flagged):
    # The unknown cells of the future steps (NaN from make_windows) never
    # matter: any values there give the same forecast.
    X, y = flagged
    reg = Seq2SeqAttentionRegressor(future_features=1, **FAST).fit(X, y)
    filled = X.copy()
    filled[:, 12:, 0] = 123.0
    np.testing.assert_allclose(reg.predict(filled), reg.predict(X))
    changed = X.copy()
    changed[:, 12:, 1] = 1 - changed[:, 12:, 1]
    assert not np.allclose(reg.predict(changed), reg.predict(X))


@pytest.mark.parametrize("params", [
    dict(input_feeding=True), dict(module__teacher_forcing=0.5, floor=None),
    dict(normalize="global"), dict(target_transform="log"),
])
def test_future_features_with_other_settings(flagged, params):
    X, y = flagged
    reg = Seq2SeqAttentionRegressor(future_features=[1], **FAST).set_params(**params).fit(X, y)
    assert reg.predict(X[:5]).shape == (5, 4)
    assert np.isfinite(reg.predict(X)).all()


def test_future_features_survive_clone_pickle_and_grid_search(flagged):
    X, y = flagged
    reg = Seq2SeqAttentionRegressor(future_features=[1], **FAST)
    search = GridSearchCV(reg, {"attention": ["dot", "none"]}, cv=TimeSeriesSplit(2)).fit(X, y)
    assert search.best_estimator_.future_features == [1]
    fitted = clone(reg).fit(X, y)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_allclose(restored.predict(X[:5]), fitted.predict(X[:5]))


def test_last_windows_with_future_forecasts_past_the_end():
    times = pd.date_range("2024-01-01", periods=24 * 20, freq="h")
    rng = np.random.RandomState(0)
    frame = pd.concat([
        pd.Series(np.sin(2 * np.pi * times.hour / 24) + 0.1 * rng.randn(len(times)),
                  index=times, name="load"),
        calendar_features(times, ["hour"]),
    ], axis=1)
    X, y = make_windows(frame, 48, 24, target="load",
                        future_covariates=["hour_sin", "hour_cos"])
    reg = Seq2SeqAttentionRegressor(future_features=[1, 2], **FAST).fit(X, y)
    ahead = times[-1] + pd.to_timedelta(np.arange(1, 25), "h")
    X_last, index = last_windows(frame, 48, future_covariates=["hour_sin", "hour_cos"],
                                 future=calendar_features(ahead, ["hour"]).to_numpy())
    assert X_last.shape == (1, 72, 3)
    assert np.isnan(X_last[0, 48:, 0]).all()
    assert reg.predict(X_last).shape == (1, 24)
    assert index["time"][0] == ahead[0]


@pytest.mark.parametrize("change, match", [
    (dict(future_features=[5]), "future_features .* out of range"),
    (dict(future_features=[1, 1]), "future_features has duplicates"),
    (dict(future_features=[0]), "are target features"),
    (dict(future_features=[]), "future_features must be"),
    (dict(future_features=["a"]), "future_features must be"),
])
def test_bad_future_features(flagged, change, match):
    X, y = flagged
    with pytest.raises(ValueError, match=match):
        Seq2SeqAttentionRegressor(**{**FAST, **change}).fit(X, y)


def test_bad_future_part(flagged):
    X, y = flagged
    with pytest.raises(ValueError, match="no input window"):
        Seq2SeqAttentionRegressor(future_features=1, **FAST).fit(X[:, 12:], y)
    reg = Seq2SeqAttentionRegressor(future_features=1, **FAST).fit(X, y)
    nan_future = X.copy()
    nan_future[3, 14, 1] = np.nan
    with pytest.raises(ValueError, match="known-future features of X"):
        reg.predict(nan_future)
    with pytest.raises(ValueError, match="known-future features of X"):
        Seq2SeqAttentionRegressor(future_features=1, **FAST).fit(nan_future, y)
    nan_past = X.copy()
    nan_past[0, 2, 1] = np.nan
    with pytest.raises(ValueError, match="input window"):
        reg.predict(nan_past)
    # scikit-learn counts X's steps as its features.
    with pytest.raises(ValueError, match="expecting 16 features"):
        reg.predict(X[:, 1:])  # the future part one step short


def test_make_windows_lays_out_the_future_part():
    frame = pd.DataFrame({"y": np.arange(10.0), "promo": np.arange(10.0) * 10,
                          "temp": np.arange(10.0) + 0.5})
    X, y = make_windows(frame, 3, 2, target="y", future_covariates=["promo"])
    assert X.shape == (6, 5, 3) and y.shape == (6, 2)
    np.testing.assert_array_equal(X[0, :3], frame.to_numpy()[:3])
    np.testing.assert_array_equal(X[0, 3:, 1], [30.0, 40.0])
    assert np.isnan(X[:, 3:, [0, 2]]).all()
    np.testing.assert_array_equal(y[0], [3.0, 4.0])


@pytest.mark.parametrize("kwargs, match", [
    (dict(future_covariates="y"), "target is not known in advance"),
    (dict(future_covariates="nope"), "future_covariates 'nope' is neither"),
    (dict(future_covariates=7), "future_covariates column 7 is out of range"),
])
def test_make_windows_bad_future_covariates(kwargs, match):
    frame = pd.DataFrame({"y": np.arange(10.0), "promo": np.arange(10.0)})
    with pytest.raises(ValueError, match=match):
        make_windows(frame, 3, 2, target="y", **kwargs)


def test_make_windows_future_covariates_need_columns():
    with pytest.raises(ValueError, match="future_covariates only applies to 2-D"):
        make_windows(np.arange(10.0), 3, 2, future_covariates=0)


@pytest.mark.parametrize("kwargs, match", [
    (dict(future_covariates="promo"), "must be given together"),
    (dict(future=[[1.0], [2.0]]), "must be given together"),
    (dict(future_covariates="promo", future=[[1.0], [np.nan]]), "NaN or infinite"),
    (dict(future_covariates="promo", future=[[1.0, 2.0]]), "future has shape"),
    (dict(future_covariates="promo", future={"other": [[1.0]]}), "no values for series"),
])
def test_last_windows_bad_future(kwargs, match):
    frame = pd.DataFrame({"y": np.arange(10.0), "promo": np.arange(10.0)})
    with pytest.raises(ValueError, match=match):
        last_windows(frame, 3, **kwargs)


def test_last_windows_future_of_a_panel_by_id():
    panel = {"a": np.c_[np.arange(8.0), np.ones(8)], "b": np.c_[np.arange(6.0), np.zeros(6)]}
    X, index = last_windows(panel, 3, future_covariates=1,
                            future={"b": [[5.0], [6.0]], "a": [[7.0], [8.0]]})
    assert X.shape == (2, 5, 2)
    np.testing.assert_array_equal(X[:, 3:, 1], [[7.0, 8.0], [5.0, 6.0]])


# -- quantiles -----------------------------------------------------------------------
def test_quantile_forecast_covers_its_nominal_share(noisy_sine):
    X, y = noisy_sine
    reg = Seq2SeqAttentionRegressor(hidden_size=8, max_epochs=10, lr=3e-3, random_state=0,
                                    quantiles=(0.1, 0.9)).fit(X[:700], y[:700])
    quantiles = reg.predict_quantiles(X[700:])
    assert quantiles.shape == (len(X) - 700, 3, 2)
    coverage = interval_coverage(y[700:], quantiles)
    assert 0.7 <= coverage <= 0.9
    # The median is the point forecast, inside the interval.
    median = reg.predict(X[700:])
    assert np.all(quantiles[..., 0] <= median) and np.all(median <= quantiles[..., 1])
    # A quantile forecast scores better on its own loss than a point forecast
    # used for every level.
    point = np.repeat(median[..., None], 2, axis=-1)
    assert mean_pinball_loss(y[700:], quantiles, (0.1, 0.9)) < \
        mean_pinball_loss(y[700:], point, (0.1, 0.9))


@pytest.mark.parametrize("y_rank", [1, 2, 3])
def test_quantile_shapes_follow_y(y_rank, noisy_sine):
    X, y = noisy_sine
    y = {1: y[:, 0], 2: y, 3: y[..., None]}[y_rank]
    reg = Seq2SeqAttentionRegressor(quantiles=[0.05, 0.5, 0.95], **FAST).fit(X[:200], y[:200])
    quantiles = reg.predict_quantiles(X[:4])
    assert quantiles.shape == reg.predict(X[:4]).shape + (3,)
    assert np.all(np.diff(quantiles, axis=-1) >= 0)
    np.testing.assert_allclose(quantiles[..., 1], reg.predict(X[:4]))


@pytest.mark.parametrize("params", [
    dict(target_transform="log1p"), dict(floor=None), dict(normalize="global"),
    dict(input_feeding=True, net_params={"module__teacher_forcing": 0.5}),
])
def test_quantiles_are_sorted_in_original_units(params, noisy_sine):
    X, y = noisy_sine
    X, y = X + 3.0, y + 3.0  # positive, for the log
    reg = Seq2SeqAttentionRegressor(quantiles=(0.1, 0.25, 0.75, 0.9),
                                    **{**FAST, **params}).fit(X[:200], y[:200])
    quantiles = reg.predict_quantiles(X[200:260])
    assert np.all(np.diff(quantiles, axis=-1) >= 0)
    assert np.isfinite(quantiles).all()
    assert abs(np.median(quantiles) - np.median(y[200:260])) < 2.0  # original units


def test_quantiles_survive_clone_pickle_pipeline_and_scorers(noisy_sine):
    X, y = noisy_sine
    reg = Seq2SeqAttentionRegressor(quantiles=(0.1, 0.9), **FAST)
    search = GridSearchCV(
        make_pipeline(FunctionTransformer(), reg), {"seq2seqattentionregressor__attention":
                                                    ["dot", "general"]},
        cv=TimeSeriesSplit(2), scoring=neg_mean_pinball_loss_scorer,
    ).fit(X[:300], y[:300])
    assert search.best_score_ < 0
    assert 0 <= interval_coverage_scorer(search.best_estimator_, X[300:], y[300:]) <= 1
    fitted = clone(reg).fit(X[:300], y[:300])
    assert fitted.score(X[300:], y[300:]) <= 1  # R^2 of the point forecast, as before
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_allclose(restored.predict_quantiles(X[:5]), fitted.predict_quantiles(X[:5]))


def test_predict_quantiles_needs_quantiles(noisy_sine):
    X, y = noisy_sine
    reg = Seq2SeqAttentionRegressor(**FAST).fit(X[:100], y[:100])
    with pytest.raises(ValueError, match="fitted with quantiles"):
        reg.predict_quantiles(X[:2])
    with pytest.raises(ValueError, match="fitted with quantiles"):
        neg_mean_pinball_loss_scorer(reg, X[:2], y[:2])


@pytest.mark.parametrize("quantiles, match", [
    ((0.0, 0.5), "strictly between 0 and 1"),
    ((0.5, 1.0), "strictly between 0 and 1"),
    ((-0.1,), "strictly between 0 and 1"),
    ((0.9, 0.1), "sorted in increasing order"),
    ((0.1, 0.1, 0.9), "duplicates"),
    ((), "non-empty 1-D"),
    (("a", "b"), "non-empty 1-D"),
    ([[0.1, 0.9]], "non-empty 1-D"),
    ((0.1, np.nan), "strictly between 0 and 1"),
])
def test_bad_quantiles(quantiles, match, noisy_sine):
    X, y = noisy_sine
    with pytest.raises(ValueError, match=match):
        Seq2SeqAttentionRegressor(quantiles=quantiles, **FAST).fit(X[:50], y[:50])


# -- portable models ----------------------------------------------------------------
@pytest.mark.parametrize("estimator", ["regressor", "translator"])
def test_cuda_fitted_model_predicts_on_a_cpu_only_host(estimator, monkeypatch, noisy_sine):
    # Fit on the CPU, then make it look CUDA-fitted (as a GPU machine would
    # have saved it) and unpickle it where torch finds no CUDA.
    import torch

    from sk_seqattn import Seq2SeqAttentionTranslator
    if estimator == "regressor":
        X, y = noisy_sine
        model = Seq2SeqAttentionRegressor(**FAST).fit(X[:100], y[:100])
        inputs = X[:3]
    else:
        model = Seq2SeqAttentionTranslator(embedding_dim=4, hidden_size=8, max_epochs=1,
                                           random_state=0).fit(["abc", "bca"] * 4,
                                                               ["cba", "acb"] * 4)
        inputs = ["abc"]
    expected = model.predict(inputs)
    model.device = "cuda"
    model.net_.device = "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="predicts on the CPU"):
        restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(inputs), expected)


# -- the validation tail -------------------------------------------------------------
def _sine_windows(seed, n=1000):
    rng = np.random.RandomState(seed)
    series = np.sin(np.arange(n) / 4) + 0.5 * rng.randn(n)
    return make_windows(series, 12, 3)


def test_the_held_out_tail_is_kept_out_of_the_linear_floor():
    # The validation tail (after a gap of horizon - 1 = 2 windows) is
    # validation data: the floor is the one fitted on the head alone.
    X, y = _sine_windows(0, n=300)
    floor = LinearFloorRegressor(lookback=None)
    reg = Seq2SeqAttentionRegressor(**FAST, validation_fraction=0.5, floor=floor).fit(X, y)
    head = len(X) - int(np.ceil(0.5 * len(X))) - 2
    expected = clone(floor).fit(X[:head], y[:head])
    np.testing.assert_allclose(reg.floor_.ridge_.coef_, expected.ridge_.coef_, rtol=1e-6,
                               atol=1e-9)


def test_the_held_out_tail_is_kept_out_of_the_normalisation_statistics():
    # A tail at another level and spread: it is validation data, so the
    # statistics the scaler measures against come from the training part alone.
    X, y = _sine_windows(0, n=300)
    X, y = X.copy(), y.copy()
    n_valid = int(np.ceil(0.2 * len(X)))
    X[-n_valid:], y[-n_valid:] = 100.0 + 10.0 * X[-n_valid:], 100.0 + 10.0 * y[-n_valid:]
    reg = Seq2SeqAttentionRegressor(**FAST, validation_fraction=0.2).fit(X, y)
    head = X[: len(X) - n_valid - 2]
    scaler = reg.scaler_
    np.testing.assert_allclose(scaler.feature_mean_, [head.mean()], rtol=1e-12)
    np.testing.assert_allclose(scaler.feature_scale_, [head.std()], rtol=1e-12)
    np.testing.assert_allclose(scaler.window_scale_floor_, [1e-3 * np.median(head.std(axis=1))],
                               rtol=1e-12)
