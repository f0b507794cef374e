"""precision="bf16": autocast in training, fp32 where it matters, a warning without bf16 units."""

import warnings

import numpy as np
import pytest
import torch

from sk_seqattn import Seq2SeqAttentionRegressor, Seq2SeqAttentionTranslator, load, \
    make_windows, save
from sk_seqattn.datasets import make_reversal
from sk_seqattn.training import precision as precision_module

TINY = dict(hidden_size=16, max_epochs=2, batch_size=16, random_state=0)


@pytest.fixture
def bf16_units(monkeypatch):
    """Every device counts as having bf16 units (autocast runs, emulated where it must)."""
    monkeypatch.setattr(precision_module, "has_bf16_units", lambda device="cpu": True)


@pytest.fixture
def no_bf16_units(monkeypatch):
    monkeypatch.setattr(precision_module, "has_bf16_units", lambda device="cpu": False)


def _windows():
    series = np.sin(np.arange(300) / 4) * 3 + np.arange(300) / 50
    return make_windows(series, n_in=12, n_out=3)


class _LinearDtypes:
    """Records (output dtype, autocast on) of every nn.Linear call while active."""

    def __enter__(self):
        self.seen, self._forward = set(), torch.nn.Linear.forward
        outer = self

        def forward(layer, x):
            out = outer._forward(layer, x)
            outer.seen.add((out.dtype, torch.is_autocast_enabled("cpu")))
            return out

        torch.nn.Linear.forward = forward
        return self

    def __exit__(self, *exc):
        torch.nn.Linear.forward = self._forward


@pytest.mark.parametrize("input_feeding", [True, False])
def test_bf16_training_runs_under_autocast(bf16_units, input_feeding):
    X, y = make_reversal(120, min_length=3, max_length=6, random_state=0)
    with _LinearDtypes() as spy:
        model = Seq2SeqAttentionTranslator(precision="bf16", input_feeding=input_feeding,
                                           embedding_dim=8, **TINY).fit(X, y)
    assert (torch.bfloat16, True) in spy.seen
    assert model.precision_ == "bf16"
    assert np.isfinite(model.history_[:, "train_loss"]).all()
    # Decoding runs in fp32; its attention weights are fp32 probabilities.
    attention_map = model.attention_weights(X[:1])[0]
    assert attention_map.weights.dtype == np.float32
    np.testing.assert_allclose(attention_map.weights.sum(1), 1.0, rtol=1e-5)


def test_fp32_is_the_default_and_uses_no_autocast():
    X, y = make_reversal(60, min_length=3, max_length=6, random_state=0)
    with _LinearDtypes() as spy:
        model = Seq2SeqAttentionTranslator(embedding_dim=8, **TINY).fit(X, y)
    assert spy.seen == {(torch.float32, False)}
    assert model.precision == "fp32" and model.precision_ == "fp32"


def test_bf16_forecasts_are_not_rounded_to_bf16(bf16_units):
    X, y = _windows()
    reg = Seq2SeqAttentionRegressor(precision="bf16", lookbacks=None, classical=None,
                                    **TINY).fit(X, y)
    assert reg.precision_ == "bf16"
    prediction = reg.predict(X[:50])
    # The head runs in fp32: the forecasts are not bf16 values (8 significant bits).
    rounded = torch.as_tensor(prediction, dtype=torch.float32).bfloat16().float().numpy()
    assert np.mean(rounded != prediction.astype(np.float32)) > 0.5
    fp32 = Seq2SeqAttentionRegressor(lookbacks=None, classical=None, **TINY).fit(X, y)
    # Close to the fp32 model, not equal to it.
    difference = np.abs(prediction - fp32.predict(X[:50]))
    assert 0 < difference.mean() < 0.1 * np.abs(y).mean()


def test_the_default_composite_passes_precision_to_its_networks(bf16_units):
    rng = np.random.RandomState(0)
    series = [np.sin(np.arange(600) / 4 + i) * 3 + rng.rand(600) for i in range(8)]
    X, y = make_windows(series, n_in=24, n_out=6)  # enough windows for the composite
    reg = Seq2SeqAttentionRegressor(precision="bf16", hidden_size=8, max_epochs=1,
                                    batch_size=256, random_state=0).fit(X, y)
    networks = reg.ensemble_.estimators_[0].estimators_
    assert len(networks) == 4
    assert all(network.precision_ == "bf16" for network in networks)


def test_bf16_without_bf16_units_warns_and_runs_in_fp32(no_bf16_units):
    X, y = make_reversal(60, min_length=3, max_length=6, random_state=0)
    with pytest.warns(UserWarning, match="precision='bf16'.*no bf16 units.*running in fp32"):
        model = Seq2SeqAttentionTranslator(precision="bf16", embedding_dim=8,
                                           **TINY).fit(X, y)
    assert model.precision_ == "fp32"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(X[:3])  # predict does not warn again


def test_an_unknown_precision_is_a_value_error():
    with pytest.raises(ValueError, match="'precision' parameter"):
        Seq2SeqAttentionTranslator(precision="fp16", **TINY).fit(["ab"], ["ba"])
    X, y = _windows()
    with pytest.raises(ValueError, match="'precision' parameter"):
        Seq2SeqAttentionRegressor(precision="half", **TINY).fit(X, y)


def test_bf16_models_save_and_load(bf16_units, tmp_path):
    X, y = make_reversal(60, min_length=3, max_length=6, random_state=0)
    model = Seq2SeqAttentionTranslator(precision="bf16", embedding_dim=8, **TINY).fit(X, y)
    save(model, tmp_path / "bf16.skm")
    restored = load(tmp_path / "bf16.skm")
    assert restored.precision == "bf16"
    np.testing.assert_array_equal(restored.predict(X[:10]), model.predict(X[:10]))


def test_has_bf16_units_reads_the_cpu_flags(monkeypatch):
    monkeypatch.setattr(precision_module, "_cpu_flags", lambda: frozenset({"avx2", "fma"}))
    assert precision_module.has_bf16_units("cpu") is False
    monkeypatch.setattr(precision_module, "_cpu_flags",
                        lambda: frozenset({"avx512f", "avx512_bf16"}))
    assert precision_module.has_bf16_units("cpu") is True
    monkeypatch.setattr(precision_module, "_cpu_flags", lambda: frozenset({"amx_bf16"}))
    assert precision_module.has_bf16_units("cpu") is True
