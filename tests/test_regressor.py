import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from skorch.callbacks import EarlyStopping
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_seqattn import Seq2SeqAttentionRegressor, make_windows
from sk_seqattn.datasets import forecasting_split, load_sunspots
from sk_seqattn.metrics import mean_absolute_scaled_error, seasonal_naive

FAST = dict(hidden_size=8, max_epochs=3, batch_size=16, random_state=0)


@pytest.fixture(scope="module")
def sunspots_windows():
    return make_windows(load_sunspots(), n_in=22, n_out=5)


@pytest.fixture(scope="module")
def sine_windows():
    rng = np.random.RandomState(0)
    series = np.sin(np.arange(200) / 4) + 0.1 * rng.randn(200)
    return make_windows(series, n_in=12, n_out=4)


# -- what users do ---------------------------------------------------------------
def test_grid_search_over_attention_with_time_series_split(sunspots_windows):
    X, y = sunspots_windows
    search = GridSearchCV(
        Seq2SeqAttentionRegressor(hidden_size=8, max_epochs=3, random_state=0),
        {"attention": ["dot", "general", "concat", "location"]},
        cv=TimeSeriesSplit(3),
        n_jobs=2,
    ).fit(X, y)
    assert search.best_params_["attention"] in {"dot", "general", "concat", "location"}
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.predict(X[:2]).shape == (2, 5)


def test_joblib_workers_do_not_oversubscribe_torch_threads(sine_windows):
    X, y = sine_windows
    fitted = joblib.Parallel(n_jobs=2)(
        joblib.delayed(clone(Seq2SeqAttentionRegressor(**FAST)).fit)(X, y)
        for _ in range(2)
    )
    expected = max(1, joblib.cpu_count() // 2)
    assert [est.n_threads_ for est in fitted] == [expected, expected]


def test_n_threads_is_used_and_restored(sine_windows):
    X, y = sine_windows
    before = torch.get_num_threads()
    reg = Seq2SeqAttentionRegressor(n_threads=1, **FAST).fit(X, y)
    assert reg.n_threads_ == 1
    assert torch.get_num_threads() == before


def test_pipeline_clone_pickle_and_set_params(sine_windows):
    X, y = sine_windows
    pipe = make_pipeline(StandardScaler(), Seq2SeqAttentionRegressor(**FAST)).fit(X, y)
    prediction = pipe.predict(X)
    assert prediction.shape == y.shape and prediction.dtype == np.float64

    restored = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(restored.predict(X), prediction)

    cloned = clone(pipe)
    assert not hasattr(cloned[-1], "net_")
    np.testing.assert_array_equal(cloned.fit(X, y).predict(X), prediction)

    pipe.set_params(seq2seqattentionregressor__attention="general").fit(X, y)
    assert pipe[-1].net_.module_.decoder.attention.score == "general"
    assert not np.array_equal(pipe.predict(X), prediction)


def test_default_regressor_beats_seasonal_naive_on_sunspots():
    # The protocol of shared/docs/anchors.md: L=44, H=11, m=11.
    split = forecasting_split(load_sunspots(), n_in=44, n_out=11)
    naive = mean_absolute_scaled_error(
        split.y_test, seasonal_naive(split.X_test, 11, 11), split.train, m=11
    )
    reg = Seq2SeqAttentionRegressor(random_state=0).fit(split.X_train, split.y_train)
    mase = mean_absolute_scaled_error(split.y_test, reg.predict(split.X_test), split.train, m=11)
    print(f"sunspots MASE: regressor {mase:.3f}, seasonal naive {naive:.3f}")
    assert naive == pytest.approx(1.381, abs=5e-4)
    assert mase < naive


def test_random_state_reproduces_and_leaves_global_rngs_alone(sine_windows):
    X, y = sine_windows
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()
    params = dict(FAST, dropout=0.3, num_layers=2, teacher_forcing=0.5)
    first = Seq2SeqAttentionRegressor(**params).fit(X, y).predict(X)
    second = Seq2SeqAttentionRegressor(**params).fit(X, y).predict(X)
    np.testing.assert_array_equal(first, second)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.array_equal(np.random.get_state()[1], numpy_state[1])
    other = Seq2SeqAttentionRegressor(**dict(params, random_state=1)).fit(X, y).predict(X)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize("y_shape", [(60,), (60, 3), (60, 3, 2)])
def test_predict_returns_the_rank_of_y(y_shape):
    rng = np.random.RandomState(0)
    X = rng.randn(60, 10, 3)
    y = rng.randn(*y_shape)
    reg = Seq2SeqAttentionRegressor(**FAST).fit(X, y)
    prediction = reg.predict(X)
    assert prediction.shape == y_shape and prediction.dtype == np.float64
    assert reg.horizon_ == (y_shape[1] if len(y_shape) > 1 else 1)
    assert np.isfinite(reg.score(X, y))


def test_multivariate_with_covariates_and_explicit_target_features():
    frame = pd.DataFrame({
        "covariate": np.cos(np.arange(150) / 3),
        "target": np.sin(np.arange(150) / 3),
    })
    X, y = make_windows(frame, n_in=9, n_out=3, target=["target"])
    assert X.shape == (139, 9, 2) and y.shape == (139, 3, 1)
    reg = Seq2SeqAttentionRegressor(target_features=[1], **FAST).fit(X, y)
    np.testing.assert_array_equal(reg.target_features_, [1])
    assert reg.predict(X).shape == (139, 3, 1)
    with pytest.raises(ValueError, match="target_features names 2 feature"):
        Seq2SeqAttentionRegressor(target_features=[0, 1], **FAST).fit(X, y)
    with pytest.raises(ValueError, match="out of range"):
        Seq2SeqAttentionRegressor(target_features=5, **FAST).fit(X, y)


@pytest.mark.parametrize("normalize", ["window", "global", None])
def test_normalization_is_undone_on_the_output(normalize):
    # A series far from 0 with a large scale: predictions must come back in
    # its units, whichever normalisation is used.
    series = 1000 + 50 * np.sin(np.arange(300) / 4)
    X, y = make_windows(series, n_in=12, n_out=3)
    reg = Seq2SeqAttentionRegressor(normalize=normalize, lr=0.01, **dict(FAST, max_epochs=20))
    prediction = reg.fit(X, y).predict(X)
    if normalize is None:
        assert np.isfinite(prediction).all()  # unscaled data trains badly, but finite
    else:
        assert np.abs(prediction - y).mean() < 25


def test_attention_weights(sine_windows):
    X, y = sine_windows
    reg = Seq2SeqAttentionRegressor(**FAST).fit(X, y)
    weights = reg.attention_weights(X[:5])
    assert weights.shape == (5, 4, 12)
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-5)
    assert (weights >= 0).all()
    with pytest.raises(ValueError, match="attention='none' has no attention weights"):
        Seq2SeqAttentionRegressor(attention="none", **FAST).fit(X, y).attention_weights(X)


@pytest.mark.parametrize("input_feeding", [False, True])
@pytest.mark.parametrize("teacher_forcing", [1.0, 0.5, 0.0])
def test_all_training_paths_fit(sine_windows, input_feeding, teacher_forcing):
    X, y = sine_windows
    reg = Seq2SeqAttentionRegressor(
        input_feeding=input_feeding, teacher_forcing=teacher_forcing,
        cell="gru", bidirectional=True, num_layers=2, dropout=0.1, **FAST,
    ).fit(X, y)
    assert np.isfinite(reg.predict(X)).all()


# -- skorch features -------------------------------------------------------------
def test_history_callbacks_and_time_ordered_validation(sine_windows):
    X, y = sine_windows
    reg = Seq2SeqAttentionRegressor(
        **dict(FAST, max_epochs=200, batch_size=256, lr=0.05),
        validation_fraction=0.25,
        callbacks=[EarlyStopping(patience=2)],
    ).fit(X, y)
    assert len(reg.history_) < 200
    assert "valid_loss" in reg.history_[-1]
    # The validation set is the last 25% of windows, and its loss is the
    # free-running one (no teacher forcing).
    n_valid = int(np.ceil(0.25 * len(X)))
    X_valid, y_valid = X[-n_valid:], y[-n_valid:]
    mean = X_valid.mean(axis=1, keepdims=True)
    scale = X_valid.std(axis=1, keepdims=True)
    free_running = (reg.predict(X_valid) - mean) / scale
    expected = np.mean((free_running - (y_valid - mean) / scale) ** 2)
    assert reg.history_[-1, "valid_loss"] == pytest.approx(expected, rel=1e-4)


def test_skorch_prefixed_params_go_through_set_params_and_grid_search(sine_windows):
    X, y = sine_windows
    reg = Seq2SeqAttentionRegressor(**FAST).set_params(
        optimizer__weight_decay=0.1, iterator_train__drop_last=True
    )
    assert reg.net_params == {"optimizer__weight_decay": 0.1,
                              "iterator_train__drop_last": True}
    reg.fit(X, y)
    assert reg.net_.optimizer_.param_groups[0]["weight_decay"] == 0.1
    search = GridSearchCV(reg, {"optimizer__weight_decay": [0.0, 0.5]}, cv=2).fit(X, y)
    assert search.best_params_["optimizer__weight_decay"] in (0.0, 0.5)
    assert reg.net_params["optimizer__weight_decay"] == 0.1  # the original untouched


@pytest.mark.parametrize("net_params, message", [
    ({"weight_decay": 0.1}, "not a skorch-prefixed setting"),
    ({"module__hidden_size": 4}, "set by the estimator"),
    ({"module__scoer": "dot"}, "has no argument 'scoer'"),
])
def test_bad_net_params(sine_windows, net_params, message):
    X, y = sine_windows
    with pytest.raises(ValueError, match=message):
        Seq2SeqAttentionRegressor(net_params=net_params, **FAST).fit(X, y)


def test_unfitted():
    reg = Seq2SeqAttentionRegressor()
    assert not hasattr(reg, "history_")
    with pytest.raises(NotFittedError):
        reg.predict(np.zeros((2, 3)))


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is present")
def test_missing_cuda_is_a_clear_error(sine_windows):
    X, y = sine_windows
    with pytest.raises(ValueError, match="no CUDA device"):
        Seq2SeqAttentionRegressor(device="cuda", **FAST).fit(X, y)


# -- bad input -------------------------------------------------------------------
def _with(array, index, value):
    array = np.array(array, dtype=float)
    array[index] = value
    return array


@pytest.mark.parametrize("make_X, make_y, error, message", [
    (lambda X: _with(X, (0, 0), np.nan), lambda y: y, ValueError, "X contains NaN"),
    (lambda X: _with(X, (1, 2), np.inf), lambda y: y, ValueError, "X contains inf"),
    (lambda X: X, lambda y: _with(y, (0, 0), np.nan), ValueError, "y contains NaN"),
    (lambda X: X, lambda y: _with(y, (0, 0), -np.inf), ValueError, "y contains"),
    (lambda X: X[:0], lambda y: y[:0], ValueError, "0 sample"),
    (lambda X: X, lambda y: y[:-1], ValueError, "inconsistent numbers of samples"),
    (lambda X: X[:, 0], lambda y: y, ValueError, "Expected 2D array, got 1D array"),
    (lambda X: X[:, :, None, None], lambda y: y, ValueError, "X must be 2-D .* or 3-D"),
    (lambda X: X, lambda y: y[:, :, None, None], ValueError, "y must be 1-D"),
    (lambda X: X, lambda y: None, ValueError, "requires y to be passed"),
    (lambda X: X.astype(str).astype(object) + "x", lambda y: y, ValueError, "could not convert"),
    (lambda X: X, lambda y: y[:, :, None].repeat(2, axis=2), ValueError,
     "y has 2 targets per step but X has only 1"),
])
def test_bad_fit_input(sine_windows, make_X, make_y, error, message):
    X, y = sine_windows
    with pytest.raises(error, match=message):
        Seq2SeqAttentionRegressor(**FAST).fit(make_X(X), make_y(y))


@pytest.mark.parametrize("params, message", [
    ({"attention": "bilinear"}, "'attention' parameter .* must be a str among"),
    ({"cell": "rnn"}, "'cell' parameter"),
    ({"normalize": "minmax"}, "'normalize' parameter"),
    ({"hidden_size": 0}, "'hidden_size' parameter .* must be an int in the range"),
    ({"num_layers": -1}, "'num_layers' parameter"),
    ({"batch_size": 0}, "'batch_size' parameter"),
    ({"lr": 0.0}, "'lr' parameter"),
    ({"dropout": 1.0}, "'dropout' parameter"),
    ({"teacher_forcing": 1.5}, "'teacher_forcing' parameter"),
    ({"validation_fraction": 1.0}, "'validation_fraction' parameter"),
    ({"bidirectional": True, "hidden_size": 7}, "hidden_size must be even"),
])
def test_bad_parameters(sine_windows, params, message):
    X, y = sine_windows
    with pytest.raises(ValueError, match=message):
        Seq2SeqAttentionRegressor(**dict(FAST, **params)).fit(X, y)


def test_predict_checks_steps_and_features():
    rng = np.random.RandomState(0)
    X, y = rng.randn(40, 10, 2), rng.randn(40, 3)
    reg = Seq2SeqAttentionRegressor(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="X has 8 features, but .* is expecting 10"):
        reg.predict(X[:, :8])
    with pytest.raises(ValueError, match="X has 3 features per step, but .* fitted with 2"):
        reg.predict(rng.randn(5, 10, 3))
    with pytest.raises(ValueError, match="X contains NaN"):
        reg.predict(_with(X, (0, 0, 0), np.nan))


def test_a_diverging_loss_stops_with_a_message():
    # Unnormalised values of 1e20: the squared error overflows float32.
    rng = np.random.RandomState(0)
    X, y = 1e20 * rng.rand(20, 5), 1e20 * rng.rand(20, 2)
    with pytest.raises(ValueError, match="training loss became inf at epoch 1, batch 1"):
        Seq2SeqAttentionRegressor(normalize=None, **FAST).fit(X, y)


@pytest.mark.parametrize("outside", [False, True])
def test_denormal_flushing_is_restored(sine_windows, outside):
    from sk_seqattn._base import _flushing_denormals
    torch.set_flush_denormal(outside)
    try:
        Seq2SeqAttentionRegressor(**FAST).fit(*sine_windows)
        assert _flushing_denormals() is outside
    finally:
        torch.set_flush_denormal(False)
