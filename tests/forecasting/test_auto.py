"""The regressor's "auto" settings: what fit decides from the training windows."""

import numpy as np
import torch
import pytest
from skorch.history import History

import sk_seqattn
from sk_seqattn import (ForecastCombination, LookbackEnsemble, Seq2SeqAttentionRegressor,
                        ThetaWindowRegressor, last_windows, make_windows)
from sk_seqattn.forecasting import _auto

TINY = dict(hidden_size=4, random_state=0)


def _panel(n_series=6, length=60, seed=0):
    rng = np.random.RandomState(seed)
    t = np.arange(length)
    return {f"s{i}": 10 + i + np.sin(2 * np.pi * t / 6) + 0.1 * rng.randn(length)
            for i in range(n_series)}


@pytest.fixture
def many_windows(monkeypatch):
    """Lower the many-windows threshold so that a tiny panel is "many windows"."""
    monkeypatch.setattr(_auto, "MANY_WINDOWS", 50)


def test_few_windows_get_one_network_and_the_single_series_training():
    X, y = make_windows(10 + np.sin(np.arange(120) / 4), n_in=16, n_out=4)
    reg = Seq2SeqAttentionRegressor(max_epochs=1, **TINY).fit(X, y)
    assert reg.lookbacks_.tolist() == [16]
    assert reg.ensemble_ is None and reg.classical_ is None and reg.net_ is not None
    assert (reg.batch_size_, reg.lr_, reg.max_epochs_) == (32, 3e-4, 1)
    assert reg.net_.batch_size == 32 and reg.net_.lr == 3e-4
    assert reg.target_transform_.kind == "log1p"  # every value > 0
    plan = _auto.plan(reg, *reg._validate_windows(X, y))
    assert plan.max_epochs == 1
    reg.set_params(max_epochs="auto")
    assert _auto.plan(reg, *reg._validate_windows(X, y)).max_epochs == 100


def test_zeros_get_a_log_transform_on_a_panel_only(many_windows):
    # One series on one network: zeros keep the values as they are (a series
    # with zeros is often additive near them); a panel's settings take log1p.
    series = np.maximum(np.sin(np.arange(40) / 3), 0)
    X, y = make_windows(series, n_in=8, n_out=2)
    assert len(X) < _auto.MANY_WINDOWS and series.min() == 0
    reg = Seq2SeqAttentionRegressor(max_epochs=1, **TINY).fit(X, y)
    assert reg.target_transform_.kind is None
    panel = {name: np.maximum(values - 10, 0) for name, values in _panel().items()}
    X, y = make_windows(panel, n_in=12, n_out=3)
    assert len(X) >= _auto.MANY_WINDOWS
    reg = Seq2SeqAttentionRegressor(max_epochs=1, **TINY).fit(X, y)
    assert reg.target_transform_.kind == "log1p"


def test_negative_values_get_no_log_transform():
    X, y = make_windows(np.sin(np.arange(120) / 4), n_in=16, n_out=4)
    reg = Seq2SeqAttentionRegressor(max_epochs=1, **TINY).fit(X, y)
    assert reg.target_transform_.kind is None
    # Explicit settings are kept as given.
    explicit = Seq2SeqAttentionRegressor(max_epochs=1, target_transform=None, batch_size=8,
                                         lr=0.01, **TINY).fit(np.abs(X), np.abs(y))
    assert explicit.target_transform_.kind is None
    assert (explicit.batch_size_, explicit.lr_) == (8, 0.01)


@pytest.mark.parametrize("n_windows, epochs", [
    (5_000, 10),        # 20 steps an epoch: at most 10 epochs
    (200_000, 3),       # 782 steps an epoch: about 2500 steps
    (1_000_000, 1),     # 3907 steps an epoch: at least one epoch
])
def test_epochs_follow_a_step_budget(n_windows, epochs):
    assert _auto.epochs_for_budget(n_windows, 256) == epochs


def test_lookbacks_follow_the_horizon_within_the_window():
    assert _auto.auto_lookbacks(8, 32).tolist() == [12, 16, 24, 32]
    assert _auto.auto_lookbacks(8, 20).tolist() == [12, 16]
    assert _auto.auto_lookbacks(8, 10).tolist() == [10]  # the window, when none fits


def test_many_windows_get_networks_over_lookbacks_and_theta(many_windows):
    panel = _panel()
    X, y = make_windows(panel, n_in=12, n_out=3, fill_value=np.nan, min_observed=4)
    assert len(X) >= _auto.MANY_WINDOWS and np.isnan(X).any()
    reg = Seq2SeqAttentionRegressor(**TINY).fit(X, y)
    assert reg.lookbacks_.tolist() == [4, 6, 9, 12]  # 1.5, 2, 3, 4 horizons
    assert (reg.batch_size_, reg.lr_) == (256, 1e-3)
    assert reg.max_epochs_ == 10  # one step an epoch: capped at 10
    assert isinstance(reg.ensemble_, ForecastCombination)
    assert isinstance(reg.classical_, ThetaWindowRegressor)
    assert reg.net_ is None and reg.scaler_ is None and reg.floor_ is None
    networks = reg.ensemble_.named_estimators_["networks"]
    assert isinstance(networks, LookbackEnsemble)
    assert [m.max_epochs for m in networks.estimators_] == [10] * 4
    assert {m.target_transform for m in networks.estimators_} == {"log1p"}

    X_last, _ = last_windows(panel, n_in=12)
    forecast = reg.predict(X_last)
    # The members take the windows as (n, steps, features) and y as (n, horizon, targets).
    expected = 0.75 * networks.predict(X_last[:, :, None]) \
        + 0.25 * reg.classical_.predict(X_last[:, :, None])
    np.testing.assert_allclose(forecast, expected[..., 0])
    assert forecast.shape == (len(panel), 3)
    # The networks' mean attention covers the whole window and sums to 1.
    weights = reg.attention_weights(X_last)
    assert weights.shape == (len(panel), 3, 12)
    np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-5)


def test_quantiles_keep_one_network(many_windows):
    X, y = make_windows(_panel(), n_in=12, n_out=3)
    reg = Seq2SeqAttentionRegressor(quantiles=(0.1, 0.9), max_epochs=1, **TINY).fit(X, y)
    assert reg.lookbacks_.tolist() == [12] and reg.ensemble_ is None
    assert reg.predict_quantiles(X[:2]).shape == (2, 3, 2)


@pytest.mark.parametrize("params, match", [
    ({"quantiles": (0.1, 0.9), "lookbacks": [4, 12]}, "lookbacks of several lengths need"),
    ({"quantiles": (0.1, 0.9), "classical": ThetaWindowRegressor()}, "classical needs point"),
    ({"lookbacks": [0, 12]}, "lookbacks must be ints from 1 to the window's 12 steps"),
    ({"lookbacks": [13]}, "lookbacks must be ints from 1"),
])
def test_bad_composite_settings_are_value_errors(params, match):
    X, y = make_windows(_panel(2), n_in=12, n_out=3)
    with pytest.raises(ValueError, match=match):
        Seq2SeqAttentionRegressor(max_epochs=1, **TINY, **params).fit(X, y)


def test_padded_windows_need_several_lookbacks():
    X, y = make_windows(_panel(2), n_in=12, n_out=3, fill_value=np.nan, min_observed=4)
    assert len(X) < _auto.MANY_WINDOWS
    with pytest.raises(ValueError, match="X contains NaN.*lookbacks='auto', or a list"):
        Seq2SeqAttentionRegressor(max_epochs=1, lookbacks=None, classical=None,
                                  **TINY).fit(X, y)
    # Few but padded windows: "auto" takes several lookbacks and the classical member,
    # with the few-windows training settings.
    reg = Seq2SeqAttentionRegressor(max_epochs=1, **TINY).fit(X, y)
    assert reg.lookbacks_.tolist() == [4, 6, 9, 12] and reg.classical_ is not None
    assert (reg.batch_size_, reg.lr_) == (32, 3e-4)
    # An explicit list takes them, without the classical member.
    reg = Seq2SeqAttentionRegressor(max_epochs=1, lookbacks=[4, 12], classical=None,
                                    **TINY).fit(X, y)
    assert isinstance(reg.ensemble_, LookbackEnsemble) and reg.classical_ is None


def test_composite_is_saved_and_loaded(many_windows, tmp_path):
    X, y = make_windows(_panel(), n_in=12, n_out=3)
    reg = Seq2SeqAttentionRegressor(max_epochs=1, **TINY).fit(X, y)
    assert reg.ensemble_ is not None
    sk_seqattn.save(reg, tmp_path / "composite.skm")
    loaded = sk_seqattn.load(tmp_path / "composite.skm")
    np.testing.assert_allclose(loaded.predict(X[-3:]), reg.predict(X[-3:]))
    assert loaded.lookbacks_.tolist() == reg.lookbacks_.tolist()


def test_composite_is_deterministic_for_a_random_state(many_windows):
    X, y = make_windows(_panel(), n_in=12, n_out=3)
    first = Seq2SeqAttentionRegressor(max_epochs=1, **TINY).fit(X, y).predict(X[-2:])
    second = Seq2SeqAttentionRegressor(max_epochs=1, **TINY).fit(X, y).predict(X[-2:])
    np.testing.assert_array_equal(first, second)


def test_classical_member_is_told_the_known_future_features(many_windows):
    # A calendar feature known ahead: X spans n_in + horizon steps, and the
    # Theta member must forecast from the target's history only.
    panel = _panel()
    frames = {name: np.stack([values, np.arange(len(values)) % 6], axis=1)
              for name, values in panel.items()}
    X, y = make_windows(frames, n_in=12, n_out=3, target=0, future_covariates=[1])
    reg = Seq2SeqAttentionRegressor(future_features=[1], max_epochs=1, **TINY).fit(X, y)
    assert reg.classical_.future_features == [1]
    theta = ThetaWindowRegressor(future_features=[1]).fit(X, y)
    # (the members take y as (n, horizon, targets))
    np.testing.assert_allclose(reg.classical_.predict(X[:3])[..., 0], theta.predict(X[:3]))
    assert np.isfinite(reg.predict(X[:3])).all()


def test_a_window_too_short_for_every_network_gets_the_classical_forecast(many_windows):
    panel = _panel()
    X, y = make_windows(panel, n_in=12, n_out=3, fill_value=np.nan, min_observed=4)
    reg = Seq2SeqAttentionRegressor(max_epochs=1, **TINY).fit(X, y)
    X_last, _ = last_windows({**panel, "new": panel["s0"][:3]}, n_in=12, fill_value=np.nan)
    with pytest.warns(UserWarning, match=r"1 window\(s\) of X \(rows 6\) observe fewer "
                                         r"steps than the shortest lookback, 4"):
        forecast = reg.predict(X_last)
    np.testing.assert_allclose(forecast[6], reg.classical_.predict(X_last[6:])[0, :, 0])
    np.testing.assert_allclose(forecast[:6], reg.predict(X_last[:6]))
    # Without a classical member no forecast is made up: the networks' error.
    networks_only = Seq2SeqAttentionRegressor(max_epochs=1, classical=None, **TINY).fit(X, y)
    with pytest.raises(ValueError, match="fewer than the shortest lookback"):
        networks_only.predict(X_last)


def test_history_of_a_composite_points_to_its_members(many_windows):
    X, y = make_windows(_panel(), n_in=12, n_out=3)
    reg = Seq2SeqAttentionRegressor(max_epochs=1, **TINY).fit(X, y)
    with pytest.raises(AttributeError, match="composite of several networks"):
        reg.history_
    member = reg.ensemble_.named_estimators_["networks"].estimators_[0]
    assert len(member.history_) == 1


def test_auto_epochs_are_chosen_on_the_tails_then_every_window_is_trained_on(many_windows):
    X, y = make_windows(_panel(), n_in=12, n_out=3)
    reg = Seq2SeqAttentionRegressor(lookbacks=None, classical=None, **TINY).fit(X, y)
    budget = _auto.epochs_for_budget(len(X), reg.batch_size_)
    # The probe ran the budget, or stopped after 5 epochs in a row worse than
    # its lowest tail loss; fit kept the last epoch as good as the lowest.
    losses = reg.validation_loss_
    band = _auto.as_good_as_the_lowest(losses)
    assert 1 <= len(losses) <= budget
    assert len(losses) == budget or (losses[-5:] > band).all()
    assert reg.max_epochs_ == np.flatnonzero(losses <= band)[-1] + 1
    # The refit: every window, that many epochs, nothing held out.
    history = reg.history_
    assert len(history) == reg.max_epochs_
    assert "valid_loss" not in history[-1]
    assert history[-1, "batches", -1, "train_batch_size"] > 0
    assert sum(batch["train_batch_size"] for batch in history[-1, "batches"]) == len(X)


def test_probe_trains_before_the_tails_and_validates_on_them(many_windows, monkeypatch):
    seen = {}
    original = Seq2SeqAttentionRegressor.fit

    def spying_fit(self, X, y):
        rows = getattr(self, "_validation_rows", None)
        if rows is not None:
            seen["rows"], seen["n"] = rows, len(X)
            seen["callbacks"] = [name for name, _ in self.callbacks]
        return original(self, X, y)

    monkeypatch.setattr(Seq2SeqAttentionRegressor, "fit", spying_fit)
    X, y = make_windows(_panel(n_series=4, length=40), n_in=12, n_out=3)
    Seq2SeqAttentionRegressor(lookbacks=None, classical=None, **TINY).fit(X, y)
    train, valid = seen["rows"]
    # 4 series of 26 windows: 3 latest each validate, the 2 before are left out.
    assert seen["n"] == len(X) == 104
    assert len(valid) == 4 * 3 and len(train) == 4 * (26 - 3 - 2)
    # A panel whose tails would hold enough windows with fewer: one a series.
    monkeypatch.setattr(_auto, "VALIDATION_WINDOWS", 4)
    Seq2SeqAttentionRegressor(lookbacks=None, classical=None, **TINY).fit(X, y)
    train, valid = seen["rows"]
    assert len(valid) == 4 and len(train) == 4 * (26 - 1 - 2)
    assert seen["callbacks"] == ["probe_stopping"]


def test_explicit_max_epochs_skip_the_probe():
    X, y = make_windows(10 + np.sin(np.arange(80) / 4), n_in=16, n_out=4)
    reg = Seq2SeqAttentionRegressor(max_epochs=2, **TINY).fit(X, y)
    assert reg.validation_loss_ is None and reg.max_epochs_ == 2 and len(reg.history_) == 2


def test_composite_members_train_for_the_probed_epochs(many_windows, monkeypatch):
    probe_steps = []
    original = Seq2SeqAttentionRegressor.fit

    def spying_fit(self, X, y):
        if getattr(self, "_validation_rows", None) is not None:
            probe_steps.append(np.shape(X)[1])
        return original(self, X, y)

    monkeypatch.setattr(Seq2SeqAttentionRegressor, "fit", spying_fit)
    X, y = make_windows(_panel(), n_in=12, n_out=3)
    reg = Seq2SeqAttentionRegressor(classical=None, **TINY).fit(X, y)
    assert reg.validation_loss_ is not None
    # One probe, on the shortest lookback.
    assert probe_steps == [reg.lookbacks_[0]] and len(reg.lookbacks_) > 1
    for member in reg.ensemble_.estimators_:
        assert member.max_epochs_ == reg.max_epochs_ and len(member.history_) == reg.max_epochs_


@pytest.mark.parametrize("losses, epochs", [
    # A U: the last epoch within twice the noise (0.057) of the lowest, 1.0.
    (np.r_[np.linspace(2, 1, 10), np.linspace(1.01, 1.5, 10)], 12),
    # A flat, noisy curve trains on.
    ([1.0, 1.02, 0.99, 1.01, 0.995, 1.015], 6),
    # A smooth one: 1% of the lowest.
    ([1.2, 1.1, 1.0, 1.004, 1.008, 1.012, 1.016], 5),
])
def test_epochs_are_the_last_as_good_as_the_lowest_tail_loss(losses, epochs):
    assert _auto.epochs_within_tolerance(losses) == epochs


@pytest.mark.parametrize("losses, stops", [
    ([1.0, 1.0, 1.0, 1.5, 1.6], True),    # two epochs in a row above the band
    ([1.0, 1.0, 1.0, 1.5, 1.01], False),  # the last within 1% of the lowest
    ([1.0, 1.5], False),                  # not yet two epochs after the lowest
])
def test_probe_stops_once_its_loss_stays_above_the_band(losses, stops):
    class Net:
        history = History()

    net = Net()
    for loss in losses:
        net.history.new_epoch()
        net.history.record("valid_loss", loss)
    stopping = _auto._AboveBandStopping(patience=2)
    if stops:
        with pytest.raises(KeyboardInterrupt):
            stopping.on_epoch_end(net)
    else:
        stopping.on_epoch_end(net)


def test_tail_losses_are_saved_and_loaded(tmp_path):
    X, y = make_windows(10 + np.sin(np.arange(80) / 4), n_in=16, n_out=4)
    reg = Seq2SeqAttentionRegressor(**TINY).fit(X, y)
    sk_seqattn.save(reg, tmp_path / "model.skm")
    loaded = sk_seqattn.load(tmp_path / "model.skm")
    np.testing.assert_array_equal(loaded.validation_loss_, reg.validation_loss_)
    assert loaded.max_epochs_ == reg.max_epochs_


def test_padded_windows_for_one_network_are_refused_before_the_probe(monkeypatch):
    # The NaN check comes before any training: no probe is fitted first.
    probes = []
    monkeypatch.setattr(_auto, "epochs_on_tail", lambda *args: probes.append(args))
    X, y = make_windows(_panel(2), n_in=12, n_out=3, fill_value=np.nan, min_observed=4)
    with pytest.raises(ValueError, match="X contains NaN"):
        Seq2SeqAttentionRegressor(lookbacks=None, classical=None, **TINY).fit(X, y)
    assert probes == []


def test_classical_weight_sets_the_combination(many_windows):
    X, y = make_windows(_panel(n_series=4, length=40), n_in=12, n_out=3)
    reg = Seq2SeqAttentionRegressor(max_epochs=1, classical_weight=0.4, **TINY).fit(X, y)
    np.testing.assert_allclose(reg.ensemble_.weights_, [0.6, 0.4])
    networks = reg.ensemble_.named_estimators_["networks"]
    np.testing.assert_allclose(
        reg.predict(X[-2:]),
        0.6 * networks.predict(X[-2:, :, None])[..., 0]
        + 0.4 * reg.classical_.predict(X[-2:, :, None])[..., 0])
    with pytest.raises(ValueError, match="classical_weight"):
        Seq2SeqAttentionRegressor(classical_weight=1.5).fit(X, y)


def test_auto_loss_is_the_median_for_a_composite_and_the_mean_for_one_network(many_windows):
    X, y = make_windows(_panel(), n_in=12, n_out=3)
    reg = Seq2SeqAttentionRegressor(loss="auto", max_epochs=1, **TINY).fit(X, y)
    assert reg.loss_ == "mae"
    networks = reg.ensemble_.named_estimators_["networks"].estimators_
    assert {member.loss_ for member in networks} == {"mae"}
    assert all(isinstance(member.net_.criterion_, torch.nn.L1Loss) for member in networks)
    one = Seq2SeqAttentionRegressor(loss="auto", lookbacks=None, classical=None, max_epochs=1,
                                    **TINY).fit(X, y)
    assert one.loss_ == "mse" and isinstance(one.net_.criterion_, torch.nn.MSELoss)
    explicit = Seq2SeqAttentionRegressor(loss="huber", max_epochs=1, **TINY).fit(X, y)
    assert explicit.loss_ == "huber"
    assert {m.loss_ for m in explicit.ensemble_.named_estimators_["networks"].estimators_} \
        == {"huber"}
