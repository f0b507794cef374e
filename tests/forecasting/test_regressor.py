import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from skorch.callbacks import EarlyStopping, LRScheduler
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_seqattn import (LinearFloorRegressor, Seq2SeqAttentionRegressor, forecasts_to_frame,
                        last_windows, make_windows)
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


def test_fit_runs_on_torchs_threads(sine_windows):
    # The regressor has no thread parameter: it uses torch's setting.
    X, y = sine_windows
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        assert Seq2SeqAttentionRegressor(**FAST).fit(X, y).n_threads_ == 2
    finally:
        torch.set_num_threads(before)


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
    params = dict(FAST, dropout=0.3, num_layers=2, net_params={"module__teacher_forcing": 0.5})
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
    # The target's history is feature 1: the targets are normalised by its
    # statistics, and the floor (a sine is an exact linear recursion) reads it.
    scaled = reg.scaler_.transform(X)
    np.testing.assert_allclose(scaled.mean[:, 0, 0], X[:, :, 1].mean(axis=1))
    np.testing.assert_array_equal(reg.floor_.target_features_, [1])
    assert np.abs(reg.floor_.predict(X) - y).max() < 0.05
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


@pytest.mark.parametrize("params", [
    dict(alignment="local-m"),  # the linear floor: the base-fed batched decoder
    dict(alignment="local-m", floor=None, input_feeding=True, module__teacher_forcing=0.5),
    dict(alignment="local-p", floor=None, attention="concat"),  # the step loop
])
def test_local_attention_weights_are_zero_outside_the_window(sine_windows, params):
    X, y = sine_windows  # 12 input steps, 4 forecast steps
    reg = Seq2SeqAttentionRegressor(**dict(FAST, max_epochs=1)).set_params(
        module__local_width=2, **params)
    weights = reg.fit(X, y).attention_weights(X[:5])  # (5, 4, 12)
    assert np.isfinite(reg.predict(X[:5])).all()
    if params["alignment"] == "local-m":  # forecast step t: input steps t - 2 .. t + 2
        window = np.abs(np.arange(12)[None, :] - np.arange(4)[:, None]) <= 2
        assert np.all(weights[:, ~window] == 0) and np.all(weights[:, window] > 0)
        np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-5)
    else:  # 2 D + 1 = 5 consecutive steps at most, times a Gaussian: sums below 1
        for row in weights.reshape(-1, 12):
            inside = np.flatnonzero(row)
            assert 1 <= inside.size <= 5 and np.all(np.diff(inside) == 1)
        assert np.all(weights.sum(-1) < 1)


def test_local_alignment_is_ignored_without_attention(sine_windows):
    reg = Seq2SeqAttentionRegressor(attention="none", alignment="local-p",
                                    net_params={"module__local_width": 0},
                                    **dict(FAST, max_epochs=1))
    assert reg.fit(*sine_windows).net_.module_.decoder.attention is None


@pytest.mark.parametrize("input_feeding", [False, True])
@pytest.mark.parametrize("teacher_forcing", [1.0, 0.5, 0.0])
def test_all_training_paths_fit(sine_windows, input_feeding, teacher_forcing):
    X, y = sine_windows
    reg = Seq2SeqAttentionRegressor(
        input_feeding=input_feeding, cell="gru", num_layers=2, dropout=0.1, **FAST,
    ).set_params(module__teacher_forcing=teacher_forcing, module__bidirectional=True).fit(X, y)
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
    # NaN at a window's start is left padding (test_auto.py); after an observed step, not.
    (lambda X: _with(X, (0, 2), np.nan), lambda y: y, ValueError,
     "X holds NaN after an observed step"),
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
    ({"net_params": {"module__teacher_forcing": 1.5}}, "'module__teacher_forcing' parameter"),
    ({"validation_fraction": 1.0}, "'validation_fraction' parameter"),
    ({"net_params": {"module__bidirectional": True}, "hidden_size": 7},
     "hidden_size must be even"),
    ({"target_transform": "boxcox"}, "'target_transform' parameter"),
    ({"floor": "ridge"}, "'floor' parameter"),
    ({"loss": "mape"}, "'loss' parameter"),

    ({"alignment": "local"}, "'alignment' parameter"),
    ({"net_params": {"module__local_width": -1}}, "'module__local_width' parameter"),
    ({"attention": "location", "alignment": "local-p"},
     "attention='location' cannot be combined with alignment='local-p'"),
    ({"alignment": "local-p", "net_params": {"module__local_width": 0}},
     "alignment='local-p' needs local_width >= 1"),
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
    # Unnormalised values of 1e20 (no log transform): the squared error overflows float32.
    rng = np.random.RandomState(0)
    X, y = 1e20 * rng.rand(20, 5), 1e20 * rng.rand(20, 2)
    with pytest.raises(ValueError, match="training loss became inf at epoch 1, batch 1"):
        Seq2SeqAttentionRegressor(normalize=None, target_transform=None, **FAST).fit(X, y)


@pytest.mark.parametrize("outside", [False, True])
def test_denormal_flushing_is_restored(sine_windows, outside):
    from sk_seqattn.training.base import _flushing_denormals
    torch.set_flush_denormal(outside)
    try:
        Seq2SeqAttentionRegressor(**FAST).fit(*sine_windows)
        assert _flushing_denormals() is outside
    finally:
        torch.set_flush_denormal(False)


# -- accuracy levers ---------------------------------------------------------------
@pytest.fixture(scope="module")
def seasonal_windows():
    # A multiplicative seasonal series: the swings grow with the level.
    rng = np.random.RandomState(0)
    t = np.arange(240)
    series = (10 + t / 10) * (1.5 + np.sin(2 * np.pi * t / 12)) * np.exp(0.02 * rng.randn(240))
    return make_windows(series, n_in=24, n_out=6)


@pytest.mark.parametrize("transform, smallest", [("log", 0.0), ("log1p", -1.0)])
def test_target_transform_refuses_values_outside_its_domain(sine_windows, transform, smallest):
    X, y = sine_windows
    X, y = X - X.min() + 1, y - X.min() + 1
    with pytest.raises(ValueError, match=f"target_transform='{transform}' needs .* X has a minimum"):
        Seq2SeqAttentionRegressor(target_transform=transform, **FAST).fit(
            _with(X, (0, 0), smallest), y
        )
    with pytest.raises(ValueError, match=f"target_transform='{transform}' needs .* y has a minimum"):
        Seq2SeqAttentionRegressor(target_transform=transform, **FAST).fit(
            X, _with(y, (0, 0), smallest)
        )
    reg = Seq2SeqAttentionRegressor(target_transform=transform, **FAST).fit(X, y)
    with pytest.raises(ValueError, match="X has a minimum"):
        reg.predict(_with(X, (0, 0), smallest))


def test_log_transform_is_undone_on_the_output(seasonal_windows):
    X, y = seasonal_windows
    reg = Seq2SeqAttentionRegressor(target_transform="log", **FAST).fit(X, y)
    prediction = reg.predict(X)
    assert (prediction > 0).all()
    # In the original units: the forecast's level follows the windows' level.
    assert np.corrcoef(prediction.mean(axis=1), y.mean(axis=1))[0, 1] > 0.9
    # log1p accepts zeros.
    Seq2SeqAttentionRegressor(target_transform="log1p", **FAST).fit(X - X.min(), y - X.min())


def test_linear_floor_is_a_ridge_the_network_corrects(sine_windows):
    X, y = sine_windows
    reg = Seq2SeqAttentionRegressor(**FAST).fit(X, y)
    assert reg.floor_.ridge_.alpha_ in np.logspace(-2, 4, 13)  # chosen by leave-one-out
    fixed = Seq2SeqAttentionRegressor(floor=LinearFloorRegressor(alpha=3.0), **FAST).fit(X, y)
    assert fixed.floor_.ridge_.alpha == 3.0
    assert Seq2SeqAttentionRegressor(floor=None, **FAST).fit(X, y).floor_ is None
    # The network's correction is what separates the forecast from the floor's.
    assert not np.allclose(fixed.predict(X), fixed.floor_.predict(X))


def test_the_floor_reads_the_transformed_training_windows(sine_windows):
    # With a log transform, the floor is fitted on the logs of the windows
    # the network is trained on, without the validation tail.
    X, y = sine_windows
    X, y = X + 3.0, y + 3.0
    reg = Seq2SeqAttentionRegressor(target_transform="log", validation_fraction=0.2,
                                    **FAST).fit(X, y)
    n_train = len(X) - int(np.ceil(0.2 * len(X))) - (y.shape[1] - 1)
    alone = LinearFloorRegressor().fit(np.log(X[:n_train]), np.log(y[:n_train]))
    np.testing.assert_allclose(reg.floor_.predict(np.log(X)), alone.predict(np.log(X)))
    np.testing.assert_allclose(reg.scaler_.feature_mean_,
                               np.log(X[:n_train]).mean(), rtol=1e-12)


def test_the_parts_are_crossed_once_each_way(sine_windows, monkeypatch):
    # fit: the target transform, the scaler and the floor are fitted and
    # applied in one direction; predict: forward through each part once,
    # and back through the scaler and the transform once.
    from sk_seqattn.forecasting.scaling import TargetTransform, WindowScaler
    X, y = sine_windows
    calls = []
    for cls, names in ((TargetTransform, ("transform_X", "transform_y", "inverse")),
                       (WindowScaler, ("fit", "transform", "scale_targets", "inverse")),
                       (LinearFloorRegressor, ("fit", "predict"))):
        for name in names:
            def spy(self, *args, _original=getattr(cls, name), _label=f"{cls.__name__}.{name}",
                    **kwargs):
                calls.append((_label, id(self)))
                return _original(self, *args, **kwargs)
            monkeypatch.setattr(cls, name, spy)

    def own(reg):  # the calls on the regressor's own parts, not the floor's inner ones
        parts = {id(reg.target_transform_), id(reg.scaler_), id(reg.floor_)}
        return [label for label, owner in calls if owner in parts]

    reg = Seq2SeqAttentionRegressor(**dict(FAST, max_epochs=1)).fit(X + 3.0, y + 3.0)
    assert own(reg) == [
        "TargetTransform.transform_X", "TargetTransform.transform_y", "WindowScaler.fit",
        "LinearFloorRegressor.fit", "WindowScaler.transform", "LinearFloorRegressor.predict",
        "WindowScaler.scale_targets", "WindowScaler.scale_targets",  # the floor's, then y
    ]
    calls.clear()
    reg.predict(X + 3.0)
    assert own(reg) == [
        "TargetTransform.transform_X", "WindowScaler.transform", "LinearFloorRegressor.predict",
        "WindowScaler.scale_targets", "WindowScaler.inverse", "TargetTransform.inverse",
    ]


def test_a_cosine_schedule_is_a_skorch_callback(sine_windows):
    # What lr_schedule="cosine" was: skorch's LRScheduler, stepped each epoch.
    X, y = sine_windows
    schedule = LRScheduler(torch.optim.lr_scheduler.CosineAnnealingLR, T_max=4)
    reg = Seq2SeqAttentionRegressor(**dict(FAST, max_epochs=4, lr=0.01),
                                    callbacks=[("lr_schedule", schedule)]).fit(X, y)
    # Epoch e (from 0) trains at 0.01 * (1 + cos(pi * e / 4)) / 2, and 0 follows.
    expected = 0.01 * (1 + np.cos(np.pi * np.arange(4) / 4)) / 2
    np.testing.assert_allclose(reg.history_[:, "event_lr"], expected)
    assert reg.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(0.0)


def test_loss_choice_sets_the_criterion(sine_windows):
    reg = Seq2SeqAttentionRegressor(loss="mae", **FAST).fit(*sine_windows)
    assert isinstance(reg.net_.criterion_, torch.nn.L1Loss)


def test_early_stopping_callback_restores_the_best_epoch_on_a_gapped_tail(sine_windows):
    X, y = sine_windows
    reg = Seq2SeqAttentionRegressor(
        **dict(FAST, max_epochs=200, lr=0.05), validation_fraction=0.1,
        callbacks=[("early_stopping", EarlyStopping(patience=3, load_best=True))],
    ).fit(X, y)
    history = reg.history_
    assert len(history) < 200
    best = int(np.argmin(history[:, "valid_loss"]))
    assert len(history) == best + 1 + 3  # stopped 3 epochs after the best
    # The tail is 10% of the windows, after a gap of horizon - 1 = 3.
    n_valid = int(np.ceil(0.1 * len(X)))
    assert reg.net_.train_split.gap == 3 and reg.net_.train_split.fraction == 0.1
    assert history[0, "batches"][0]["train_batch_size"] <= len(X) - n_valid - 3
    # The restored weights are the best epoch's: the free-running loss on
    # the tail is that epoch's validation loss.
    X_valid, y_valid = X[-n_valid:], y[-n_valid:]
    scale = X_valid.std(axis=1, keepdims=True)
    loss = np.mean(((reg.predict(X_valid) - y_valid) / scale) ** 2)
    assert loss == pytest.approx(history[best, "valid_loss"], rel=1e-4)


def test_tail_split_leaves_a_gap():
    from sk_seqattn.training.net import TailSplit
    train, valid = TailSplit(0.2, gap=3)(torch.utils.data.TensorDataset(torch.arange(20)))
    assert list(train.indices) == list(range(13)) and list(valid.indices) == list(range(16, 20))
    with pytest.raises(ValueError, match="gap of 10 samples leaves no training samples"):
        TailSplit(0.5, gap=10)(torch.utils.data.TensorDataset(torch.arange(20)))


def test_one_model_forecasts_past_the_end_of_every_series_of_a_panel():
    rng = np.random.RandomState(0)
    months = pd.period_range("2020-01", periods=60, freq="M")
    panel = {
        name: pd.Series(level * (2 + np.sin(np.arange(n) * np.pi / 6)) + rng.rand(n), months[-n:])
        for name, level, n in (("a", 10.0, 60), ("b", 100.0, 48), ("c", 1.0, 30))
    }
    X, y = make_windows(panel, n_in=12, n_out=6)
    reg = Seq2SeqAttentionRegressor(target_transform="log", **FAST).fit(X, y)
    X_last, index = last_windows(panel, n_in=12)
    forecasts = forecasts_to_frame(reg.predict(X_last), index)
    assert forecasts.index.get_level_values("series").unique().tolist() == ["a", "b", "c"]
    assert str(forecasts.loc[("b", 1), "time"]) == "2025-01"
    # Each series' forecast is on its own scale.
    levels = forecasts.groupby(level="series")["y"].mean()
    assert levels["c"] < levels["a"] < levels["b"]


# -- hostile input and concurrency ----------------------------------------------------
def test_a_nearly_constant_window_cannot_blow_up_its_targets(sine_windows):
    X, y = sine_windows
    # One window at 1000 with a 1e-10 bump: its own spread is ~3e-11, so
    # dividing by it would turn a target step of 1 into ~3e10.
    flat = np.full((1, X.shape[1]), 1000.0)
    flat[0, -1] += 1e-10
    X = np.vstack([X, flat, np.full((1, X.shape[1]), 1000.0)])
    y = np.vstack([y, np.full((2, y.shape[1]), 1001.0)])
    reg = Seq2SeqAttentionRegressor(**dict(FAST, max_epochs=2)).fit(X, y)
    np.testing.assert_allclose(reg.scaler_.window_scale_floor_,
                               1e-3 * np.median(X.std(axis=1)), rtol=1e-12)
    losses = reg.history_[:, "train_loss"]
    assert np.all(np.isfinite(losses)) and max(losses) < 1e8
    assert np.all(np.isfinite(reg.predict(X[-2:])))


@pytest.mark.parametrize("floor", [None, LinearFloorRegressor(lookback=None),
                                   LinearFloorRegressor(lookback=6)])
def test_constant_windows_of_intermittent_counts_keep_the_forecast_on_their_scale(floor):
    # Counts that are mostly zero: many windows (and more of their last 6
    # steps) are all zeros. Such a window says nothing about its spread;
    # divided by a thousandth of a typical spread, a following 1 became a
    # normalised target of ~1e4 and the ridge floor, without the window
    # statistics to absorb it, forecast values of ~60 for counts of 0-2
    # (and the network without a floor, up to ~3).
    series = np.random.default_rng(0).poisson(0.03, 600).astype(float)
    X, y = make_windows(series, n_in=24, n_out=4)
    reg = Seq2SeqAttentionRegressor(floor=floor, **FAST).fit(X[:450], y[:450])
    assert np.abs(reg.predict(X[450:])).max() < 2.0


def test_a_constant_window_is_scaled_by_a_typical_windows_spread(sine_windows):
    X, y = sine_windows
    reg = Seq2SeqAttentionRegressor(**dict(FAST, max_epochs=1)).fit(X, y)
    constant = np.full((1, X.shape[1], 1), 5.0)
    scaled = reg.scaler_.transform(constant)
    assert scaled.mean.ravel() == [5.0]
    np.testing.assert_allclose(scaled.scale.ravel(), np.median(X.std(axis=1)), rtol=1e-12)


def test_fits_in_threads_equal_fits_one_after_another(sine_windows):
    from joblib import Parallel, delayed
    X, y = sine_windows
    models = [Seq2SeqAttentionRegressor(**dict(FAST, max_epochs=4, dropout=0.2, num_layers=2,
                                               random_state=seed)) for seed in range(4)]
    expected = [clone(model).fit(X, y).predict(X) for model in models]
    fitted = Parallel(n_jobs=4, backend="threading")(
        delayed(clone(model).fit)(X, y) for model in models
    )
    for model, prediction in zip(fitted, expected):
        np.testing.assert_array_equal(model.predict(X), prediction)


def test_predict_keeps_no_attention(sine_windows, monkeypatch):
    X, y = sine_windows
    reg = Seq2SeqAttentionRegressor(**FAST).fit(X, y)
    asked = []
    forward = reg._forward
    monkeypatch.setattr(reg, "_forward", lambda *args, **kwargs: asked.append(
        kwargs.get("outputs")) or forward(*args, **kwargs))
    reg.predict(X)
    assert asked == [[0]]
    assert reg.attention_weights(X[:2]).shape == (2, 4, 12)
    assert asked[-1] == [0, 1]


def test_empty_X_is_an_error_for_both_estimators(sine_windows):
    from sk_seqattn import Seq2SeqAttentionTranslator
    X, y = sine_windows
    reg = Seq2SeqAttentionRegressor(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="0 sample"):
        reg.predict(np.empty((0, 12)))
    translator = Seq2SeqAttentionTranslator(embedding_dim=4, hidden_size=8, max_epochs=1,
                                            random_state=0).fit(["ab", "ba"], ["ba", "ab"])
    with pytest.raises(ValueError, match="X is empty"):
        translator.predict([])
