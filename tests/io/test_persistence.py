"""sk_seqattn.save / sk_seqattn.load: model files that never unpickle."""

import io
import pickle
import zipfile

import numpy as np
import pytest
import sklearn
import torch
from sklearn.base import clone
from sklearn.linear_model import Ridge, RidgeCV

import sk_seqattn
from sk_seqattn import (
    BPETokenizer, CharTokenizer, ConformalForecaster, LinearFloorRegressor, LookbackEnsemble,
    SeedEnsemble, Seq2SeqAttentionRegressor, Seq2SeqAttentionTranslator, WordTokenizer, load,
    make_windows, save,
)
from sk_seqattn.io.persistence import FORMAT_VERSION

# The tests run with one torch thread (conftest.py): tiny models train faster so.
TINY = dict(hidden_size=4, max_epochs=1, batch_size=16, random_state=0)
TINY_TRANSLATOR = dict(hidden_size=8, embedding_dim=4, max_epochs=1, batch_size=16,
                       random_state=0, n_threads=1)
SOURCES = ["a b c", "c a b", "b c a", "a c b", "b a c"] * 6
TARGETS = [s[::-1] for s in SOURCES]
NO_CUDA = pytest.mark.skipif(torch.cuda.is_available(), reason="needs a host without CUDA")


@pytest.fixture(scope="module")
def windows():
    series = 3 + np.sin(np.arange(80) / 3) + 0.1 * np.random.RandomState(0).randn(80)
    return make_windows(series, n_in=8, n_out=3)  # (70, 8), (70, 3)


@pytest.fixture(scope="module")
def future_windows():
    rng = np.random.RandomState(0)
    flag = (rng.rand(80) < 0.3).astype(float)
    series = np.c_[5 + np.sin(np.arange(80) / 4) + flag, flag]
    return make_windows(series, 8, 2, target=0, future_covariates=[1])  # X: (n, 10, 2)


@pytest.fixture(scope="module")
def regressor(windows):
    return Seq2SeqAttentionRegressor(**TINY).fit(*windows)


def round_trip(estimator, tmp_path, **kwargs):
    path = tmp_path / "model.skm"
    save(estimator, path)
    return load(path, **kwargs)


def assert_same_regressor(loaded, model, X, y):
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.attention_weights(X), model.attention_weights(X))
    assert loaded.score(X, y) == model.score(X, y)
    assert repr(loaded.get_params()) == repr(model.get_params())


# -- round trips -------------------------------------------------------------------
@pytest.mark.parametrize("params", [
    dict(quantiles=(0.1, 0.9)),
    dict(target_transform="log", floor=LinearFloorRegressor(alpha=1.0, lookback=4),
         normalize="global"),
    dict(floor=None, loss="mae", attention="general", cell="gru"),
    dict(module__bidirectional=True, attention="location",
         net_params={"optimizer__weight_decay": 1e-4, "criterion__reduction": "sum"}),
    dict(alignment="local-p", module__local_width=2, attention="concat", floor=None),
])
def test_regressor_round_trip(windows, tmp_path, params):
    X, y = windows
    model = Seq2SeqAttentionRegressor(**TINY).set_params(**params).fit(X, y)
    loaded = round_trip(model, tmp_path)
    assert_same_regressor(loaded, model, X, y)
    assert type(loaded.floor_) is type(model.floor_)
    assert type(loaded.scaler_) is type(model.scaler_)
    assert len(loaded.history_) == 0  # the training history is not kept
    if model.quantiles is not None:
        np.testing.assert_array_equal(loaded.predict_quantiles(X), model.predict_quantiles(X))
    # A loaded model refits like the original.
    np.testing.assert_array_equal(clone(loaded).fit(X, y).predict(X), model.predict(X))


def test_future_features_round_trip(future_windows, tmp_path):
    X, y = future_windows
    model = Seq2SeqAttentionRegressor(future_features=[1], quantiles=(0.2,), **TINY).fit(X, y)
    loaded = round_trip(model, tmp_path)
    assert_same_regressor(loaded, model, X, y)
    np.testing.assert_array_equal(loaded.predict_quantiles(X), model.predict_quantiles(X))
    np.testing.assert_array_equal(loaded.future_features_, model.future_features_)


def test_linear_floor_as_arrays_round_trip(windows, tmp_path):
    # The floor keeps sklearn's own attributes: coefficients, numpy scalars, alphas.
    model = Seq2SeqAttentionRegressor(**TINY).fit(*windows)
    loaded = round_trip(model, tmp_path)
    assert isinstance(loaded.floor_, LinearFloorRegressor)
    assert isinstance(loaded.floor_.ridge_, RidgeCV)
    for name, value in vars(model.floor_.ridge_).items():
        assert type(getattr(loaded.floor_.ridge_, name)) is type(value), name
        np.testing.assert_array_equal(getattr(loaded.floor_.ridge_, name), value)


@pytest.mark.parametrize("make", [
    lambda: LinearFloorRegressor(lookback=4),
    lambda: ConformalForecaster(estimator=Seq2SeqAttentionRegressor(quantiles=(0.1, 0.9), **TINY)),
    lambda: ConformalForecaster(estimator=LinearFloorRegressor(), quantiles=(0.2, 0.8)),
    lambda: SeedEnsemble(estimator=Seq2SeqAttentionRegressor(**TINY), n_estimators=2, random_state=0),
    lambda: LookbackEnsemble(estimator=Seq2SeqAttentionRegressor(**TINY), lookbacks=(4, 8)),
], ids=["floor", "conformal quantiles", "conformal point", "seeds", "lookbacks"])
def test_parts_and_wrappers_round_trip(windows, tmp_path, make):
    X, y = windows
    model = make().fit(X, y)
    loaded = round_trip(model, tmp_path)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    if hasattr(model, "predict_quantiles") and isinstance(model, ConformalForecaster):
        np.testing.assert_array_equal(loaded.predict_quantiles(X), model.predict_quantiles(X))
    assert repr(loaded.get_params()) == repr(model.get_params())


@pytest.mark.parametrize("tokenizer", [CharTokenizer(lowercase=True),
                                       WordTokenizer(pattern=r"\w+"),
                                       BPETokenizer(vocab_size=20, min_frequency=1)])
def test_translator_round_trip(tmp_path, tokenizer):
    pytest.importorskip("tokenizers")
    model = Seq2SeqAttentionTranslator(source_tokenizer=tokenizer, target_tokenizer=tokenizer,
                                       beam_size=2, replace_unk=True,
                                       **TINY_TRANSLATOR).fit(SOURCES, TARGETS)
    loaded = round_trip(model, tmp_path)
    sources = SOURCES[:5] + ["a z c"]  # an unseen token too
    np.testing.assert_array_equal(loaded.predict(sources), model.predict(sources))
    for got, want in zip(loaded.attention_weights(sources), model.attention_weights(sources)):
        np.testing.assert_array_equal(got.weights, want.weights)
        assert got.source_tokens == want.source_tokens and got.target_tokens == want.target_tokens
    assert loaded.score(SOURCES, TARGETS) == model.score(SOURCES, TARGETS)
    assert loaded.target_tokenizer_.vocabulary_ == model.target_tokenizer_.vocabulary_
    assert repr(loaded.get_params()) == repr(model.get_params())


def test_local_attention_translator_round_trip(tmp_path):
    model = Seq2SeqAttentionTranslator(alignment="local-p", local_width=1, attention="general",
                                       **TINY_TRANSLATOR).fit(SOURCES, TARGETS)
    loaded = round_trip(model, tmp_path)
    assert loaded.get_params()["alignment"] == "local-p" and loaded.local_width == 1
    assert loaded.net_.module_.decoder.attention.alignment == "local-p"
    np.testing.assert_array_equal(loaded.predict(SOURCES[:5]), model.predict(SOURCES[:5]))
    for got, want in zip(loaded.attention_weights(SOURCES[:5]),
                         model.attention_weights(SOURCES[:5])):
        np.testing.assert_array_equal(got.weights, want.weights)


def test_translator_lr_schedule_round_trip(tmp_path):
    model = Seq2SeqAttentionTranslator(lr_schedule="cosine", **TINY_TRANSLATOR)
    model.fit(SOURCES, TARGETS)
    loaded = round_trip(model, tmp_path)
    assert loaded.lr_schedule == "cosine"
    assert repr(loaded.get_params()) == repr(model.get_params())
    np.testing.assert_array_equal(loaded.predict(SOURCES[:5]), model.predict(SOURCES[:5]))


# -- versions and devices ----------------------------------------------------------------
@pytest.mark.parametrize("version, advice", [
    (FORMAT_VERSION + 1, "upgrade sk_seqattn"), (FORMAT_VERSION - 1, "refit the model"),
])
def test_another_format_version_is_refused_naming_both(regressor, tmp_path, version, advice,
                                                       rewrite_model_json):
    # The format version is where compatibility is decided: no shim reads
    # an older file's estimator with guessed parameters.
    path = tmp_path / "model.skm"
    save(regressor, path)
    rewrite_model_json(path, lambda document: document.update(format_version=version))
    with pytest.raises(ValueError, match=rf"format version {version}, but .* reads format "
                                         rf"version {FORMAT_VERSION} only; {advice}"):
        load(path)


def test_other_library_versions_warn(regressor, windows, tmp_path, rewrite_model_json):
    path = tmp_path / "model.skm"
    save(regressor, path)

    def older(document):
        document["versions"].update({"sk_seqattn": "0.0.1", "scikit-learn": "0.24.2"})

    rewrite_model_json(path, older)
    with pytest.warns(UserWarning) as caught:
        loaded = load(path)
    messages = [str(warning.message) for warning in caught]
    assert any(f"sk_seqattn 0.0.1 and is loaded with sk_seqattn {sk_seqattn.__version__}" in m
               for m in messages)
    assert any(f"scikit-learn 0.24.2 and is loaded with scikit-learn {sklearn.__version__}"
               in m for m in messages)
    assert not any("torch" in m for m in messages)
    np.testing.assert_array_equal(loaded.predict(windows[0]), regressor.predict(windows[0]))


@NO_CUDA
def test_cuda_fitted_model_loads_on_the_cpu(regressor, windows, tmp_path, rewrite_model_json):
    # A file of a CUDA-fitted model differs only in its device parameter.
    path = tmp_path / "model.skm"
    save(regressor, path)
    rewrite_model_json(path, lambda document: document["estimator"]["state"].update(device="cuda"))
    for device, why in ((None, "since torch finds no CUDA device"), ("cpu", "as asked")):
        with pytest.warns(UserWarning, match=f"fitted with device='cuda'.*CPU {why}"):
            loaded = load(path, device=device)
        assert loaded.device == "cpu" and loaded.net_.device == "cpu"
        np.testing.assert_array_equal(loaded.predict(windows[0]), regressor.predict(windows[0]))
    with pytest.raises(ValueError, match="device='cuda' was asked for"):
        load(path, device="cuda")


def test_bad_device_argument(regressor, tmp_path):
    save(regressor, tmp_path / "model.skm")
    with pytest.raises(ValueError, match="device='gpu!' is not a torch device"):
        load(tmp_path / "model.skm", device="gpu!")


# -- files that are refused --------------------------------------------------------------
class Marker:
    """Unpickling this creates the file ``path``: what a crafted pickle could do."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return open, (self.path, "w")


def replaced(content):
    return lambda path, _: path.write_bytes(content(path.read_bytes()))


@pytest.mark.parametrize("spoil, reason", [
    (replaced(lambda data: data[:-100]), "a damaged or truncated archive"),
    (replaced(lambda data: data[: len(data) // 2]), "a damaged or truncated archive"),
    (replaced(lambda data: np.random.RandomState(0).bytes(300)), "it is not a zip archive"),
    (replaced(lambda data: b""), "the file is empty"),
    (replaced(lambda data: pickle.dumps({"a": 1})), "it is a pickle"),
    (lambda path, rewrite_model_json: rewrite_model_json(path, lambda d: d["estimator"].update({"class": "os.system"})),
     "it names the class 'os.system', which is not one a model file may hold"),
    (lambda path, rewrite_model_json: rewrite_model_json(path, lambda d: d["estimator"].pop("state")),
     "an entry is missing: 'state'"),
    (lambda path, rewrite_model_json: rewrite_model_json(path, lambda d: d["nets"][0].update(module="builtins.eval")),
     "its net is built from 'builtins.eval'"),
    (lambda path, rewrite_model_json: rewrite_model_json(path, lambda d: d["estimator"]["state"].update(
        __class__={"type": "object", "class": "sklearn.pipeline.Pipeline", "state": {}})),
     "'__class__' is not an attribute name"),
    (lambda path, rewrite_model_json: rewrite_model_json(path, lambda d: d["estimator"]["state"].update(
        n_threads_={"type": "function", "name": "os.system"})),
     "unknown entry type 'function'"),
    (lambda path, rewrite_model_json: rewrite_model_json(path, lambda d: d.update(format="something else")),
     "does not describe"),
])
def test_files_that_are_not_model_files(regressor, tmp_path, spoil, reason, rewrite_model_json):
    path = tmp_path / "model.skm"
    save(regressor, path)
    spoil(path, rewrite_model_json)
    with pytest.raises(ValueError, match="not a sk_seqattn model file") as raised:
        load(path)
    assert reason in str(raised.value)
    error = raised.value  # one message: no traceback from zipfile, json or safetensors
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


def test_a_pickle_is_never_unpickled(tmp_path):
    marker = tmp_path / "marker"
    path = tmp_path / "model.joblib"
    path.write_bytes(pickle.dumps(Marker(marker)))
    with pytest.raises(ValueError, match="it is a pickle"):
        load(path)
    assert not marker.exists()
    # The file is what it claims: unpickling it would have created the marker.
    pickle.loads(path.read_bytes()).close()
    assert marker.exists()


def test_a_torch_zip_is_refused(tmp_path):
    path = tmp_path / "model.pt"
    torch.save({"weights": torch.zeros(2)}, path)  # a zip archive too, holding a pickle
    with pytest.raises(ValueError, match="has no model.json"):
        load(path)


def test_doctored_json_inside_a_valid_zip(tmp_path):
    path = tmp_path / "model.skm"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("model.json", "arrays.safetensors", "weights.safetensors"):
            archive.writestr(name, b"{not json")
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ValueError, match="model.json is not valid JSON"):
        load(path)


def test_ridge_floor_round_trip(windows, tmp_path):
    model = Seq2SeqAttentionRegressor(floor=LinearFloorRegressor(alpha=10.0), **TINY)
    model.fit(*windows)
    loaded = round_trip(model, tmp_path)
    assert type(loaded.floor_.ridge_) is Ridge
    np.testing.assert_array_equal(loaded.predict(windows[0]), model.predict(windows[0]))


def test_a_file_without_a_later_parameter_loads_with_its_default(tmp_path, rewrite_model_json):
    # Files written before copy_attention and precision existed hold neither;
    # loaded, they take the defaults (what that version did), so get_params,
    # clone and predict work. Before: get_params raised AttributeError.
    from sklearn.base import clone

    from sk_seqattn import Seq2SeqAttentionTranslator

    X = ["abc", "cab", "bca", "acb"] * 5
    model = Seq2SeqAttentionTranslator(embedding_dim=4, hidden_size=8, max_epochs=1,
                                       random_state=0).fit(X, [s[::-1] for s in X])
    path = tmp_path / "old.skm"
    save(model, path)

    def drop(document):
        state = document["estimator"]["state"]
        del state["copy_attention"], state["precision"]

    rewrite_model_json(path, drop)
    restored = load(path)
    assert restored.get_params()["copy_attention"] is False
    assert restored.get_params()["precision"] == "fp32"
    clone(restored)
    np.testing.assert_array_equal(restored.predict(X[:4]), model.predict(X[:4]))
