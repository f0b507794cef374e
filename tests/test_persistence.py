"""sk_seqattn.save / sk_seqattn.load: model files that never unpickle."""

import io
import json
import pickle
import zipfile

import numpy as np
import pytest
import sklearn
import torch
from skorch.callbacks import Callback
from sklearn.base import clone
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

import sk_seqattn
from sk_seqattn import (
    BPETokenizer, CharTokenizer, Seq2SeqAttentionRegressor, Seq2SeqAttentionTranslator,
    WordTokenizer, load, make_windows, save,
)
from sk_seqattn.persistence import FORMAT_VERSION

# One torch thread: tiny models train faster so, above all on a busy machine.
TINY = dict(hidden_size=4, max_epochs=1, batch_size=16, random_state=0, n_threads=1)
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


def rewrite(path, edit):
    """Rewrite ``path``'s model.json through ``edit(document)``, keeping the other members."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    document = json.loads(members["model.json"])
    edit(document)
    members["model.json"] = json.dumps(document).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def assert_same_regressor(loaded, model, X, y):
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    np.testing.assert_array_equal(loaded.attention_weights(X), model.attention_weights(X))
    assert loaded.score(X, y) == model.score(X, y)
    assert repr(loaded.get_params()) == repr(model.get_params())


# -- round trips -------------------------------------------------------------------
@pytest.mark.parametrize("params", [
    dict(quantiles=(0.1, 0.9), ensemble_size=2),
    dict(target_transform="log", season_length=4, floor_alpha=1.0, normalize="global"),
    dict(linear_floor=False, loss="mae", attention="general", cell="gru"),
    dict(bidirectional=True, attention="location",
         net_params={"optimizer__weight_decay": 1e-4, "criterion__reduction": "sum"}),
    dict(alignment="local-p", local_width=2, attention="concat", linear_floor=False),
])
def test_regressor_round_trip(windows, tmp_path, params):
    X, y = windows
    model = Seq2SeqAttentionRegressor(**TINY, **params).fit(X, y)
    loaded = round_trip(model, tmp_path)
    assert_same_regressor(loaded, model, X, y)
    assert len(loaded.nets_) == model.ensemble_size and loaded.nets_[0] is loaded.net_
    assert type(loaded.floor_) is type(model.floor_)
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
    assert isinstance(loaded.floor_, RidgeCV)
    for name, value in vars(model.floor_).items():
        assert type(getattr(loaded.floor_, name)) is type(value), name
        np.testing.assert_array_equal(getattr(loaded.floor_, name), value)


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


@pytest.mark.parametrize("fitted_with, missing", [
    # Before alignment and local_width: the defaults, which is what such a
    # model was fitted with.
    ({}, {"alignment": "global", "local_width": 10}),
    # Before window_stats and lr_schedule: such a floor had no window
    # statistics, so the file reads as window_stats=None, not the default,
    # and the learning rate was constant.
    ({"window_stats": None}, {"window_stats": None, "lr_schedule": "constant"}),
], ids=["local attention", "window_stats"])
def test_files_and_pickles_without_parameters_added_later(windows, tmp_path, fitted_with,
                                                          missing):
    before = Seq2SeqAttentionRegressor(**fitted_with, **TINY).fit(*windows)
    path = tmp_path / "model.skm"
    save(before, path)

    def older(document):
        for name in missing:
            del document["estimator"]["state"][name]
    rewrite(path, older)
    loaded = load(path)
    assert {name: getattr(loaded, name) for name in missing} == missing
    assert_same_regressor(loaded, before, *windows)
    state = dict(before.__getstate__())
    for name in missing:
        del state[name]
    unpickled = Seq2SeqAttentionRegressor.__new__(Seq2SeqAttentionRegressor)
    unpickled.__setstate__(state)
    assert repr(unpickled.get_params()) == repr(before.get_params())
    np.testing.assert_array_equal(unpickled.predict(windows[0]), before.predict(windows[0]))


def test_translator_lr_schedule_round_trip_and_older_files(tmp_path):
    model = Seq2SeqAttentionTranslator(lr_schedule="cosine", **TINY_TRANSLATOR)
    model.fit(SOURCES, TARGETS)
    loaded = round_trip(model, tmp_path)
    assert loaded.lr_schedule == "cosine"
    assert repr(loaded.get_params()) == repr(model.get_params())
    np.testing.assert_array_equal(loaded.predict(SOURCES[:5]), model.predict(SOURCES[:5]))
    # A translator saved before lr_schedule existed trained at a constant rate.
    path = tmp_path / "model.skm"

    def older(document):
        del document["estimator"]["state"]["lr_schedule"]
    rewrite(path, older)
    assert load(path).lr_schedule == "constant"
    state = dict(model.__getstate__())
    del state["lr_schedule"]
    unpickled = Seq2SeqAttentionTranslator.__new__(Seq2SeqAttentionTranslator)
    unpickled.__setstate__(state)
    assert unpickled.get_params()["lr_schedule"] == "constant"
    np.testing.assert_array_equal(unpickled.predict(SOURCES[:5]), model.predict(SOURCES[:5]))


def test_pipelines_round_trip(windows, tmp_path):
    X, y = windows
    pipe = make_pipeline(StandardScaler(), Seq2SeqAttentionRegressor(**TINY)).fit(X, y)
    loaded = round_trip(pipe, tmp_path)
    np.testing.assert_array_equal(loaded.predict(X), pipe.predict(X))
    np.testing.assert_array_equal(loaded[0].scale_, pipe[0].scale_)
    # Id sequences from a tokenizer step: the translator has no source tokenizer.
    pipe = make_pipeline(CharTokenizer(), Seq2SeqAttentionTranslator(**TINY_TRANSLATOR))
    pipe.fit(SOURCES, TARGETS)
    loaded = round_trip(pipe, tmp_path)
    np.testing.assert_array_equal(loaded.predict(SOURCES[:5]), pipe.predict(SOURCES[:5]))
    assert loaded[-1].source_tokenizer_ is None


def test_unfitted_estimator_extra_and_tokenizer(tmp_path):
    loaded = round_trip(Seq2SeqAttentionRegressor(quantiles=(0.1, 0.9), device="cpu"), tmp_path)
    assert loaded.get_params() == Seq2SeqAttentionRegressor(quantiles=(0.1, 0.9)).get_params()
    with pytest.raises(sklearn.exceptions.NotFittedError):
        check_is_fitted(loaded)
    tokenizer = WordTokenizer().fit(["x y", "y z"])
    extra = {"task": "forecast", "season": None, "sizes": (1, 2.5), 3: [True]}
    save(tokenizer, tmp_path / "tok.skm", extra=extra)
    loaded, got = load(tmp_path / "tok.skm", return_extra=True)
    assert got == extra
    np.testing.assert_array_equal(loaded.get_feature_names_out(),
                                  tokenizer.get_feature_names_out())


def test_random_state_instance_round_trip(windows, tmp_path):
    model = Seq2SeqAttentionRegressor(**{**TINY, "random_state": np.random.RandomState(3)})
    model.fit(*windows)
    loaded = round_trip(model, tmp_path)
    np.testing.assert_array_equal(loaded.predict(windows[0]), model.predict(windows[0]))
    assert loaded.random_state.randint(1000) == model.random_state.randint(1000)


def test_pickling_still_works(regressor, windows):
    restored = pickle.loads(pickle.dumps(regressor))
    np.testing.assert_array_equal(restored.predict(windows[0]), regressor.predict(windows[0]))


# -- what cannot be saved ------------------------------------------------------------
@pytest.mark.parametrize("params, named", [
    (dict(callbacks=[("mine", Callback())]), r"parameter 'callbacks'\[0\]\[1\]: a skorch"),
    (dict(optimizer=torch.optim.Adam), "parameter 'optimizer'"),
])
def test_unencodable_parameters_raise_type_error(windows, tmp_path, params, named):
    model = Seq2SeqAttentionRegressor(**TINY, **params).fit(*windows)
    path = tmp_path / "model.skm"
    with pytest.raises(TypeError, match=named):
        save(model, path)
    assert not list(tmp_path.iterdir())  # nothing written
    with pytest.raises(TypeError, match=r"Pipeline parameter 'steps'\[1\]\[1\] > "
                                        r"Seq2SeqAttentionRegressor " + named):
        save(make_pipeline(StandardScaler(), model), path)


def test_only_allowed_classes_are_saved(regressor, tmp_path):
    class MyRegressor(Seq2SeqAttentionRegressor):
        pass

    with pytest.raises(TypeError, match="estimator must be one of"):
        save(MyRegressor(), tmp_path / "m.skm")
    with pytest.raises(TypeError, match="estimator must be one of"):
        save({"model": regressor}, tmp_path / "m.skm")
    odd = clone(regressor)
    odd.floor_ = object()
    with pytest.raises(TypeError, match="Seq2SeqAttentionRegressor attribute 'floor_'"):
        save(odd, tmp_path / "m.skm")


def test_failed_save_keeps_the_previous_file(regressor, tmp_path, monkeypatch):
    path = tmp_path / "model.skm"
    save(regressor, path)
    before = path.read_bytes()
    original = zipfile.ZipFile.writestr

    def failing(archive, name, *args, **kwargs):
        if name == "weights.safetensors":  # after model.json went in
            raise OSError("disk full")
        return original(archive, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", failing)
    with pytest.raises(OSError, match="disk full"):
        save(regressor, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.skm"]  # no temporary file left


# -- versions and devices ----------------------------------------------------------------
def test_newer_format_version_is_refused(regressor, tmp_path):
    path = tmp_path / "model.skm"
    save(regressor, path)
    rewrite(path, lambda document: document.update(format_version=FORMAT_VERSION + 1))
    with pytest.raises(ValueError, match="format version 2, newer .* upgrade sk_seqattn"):
        load(path)


def test_other_library_versions_warn(regressor, windows, tmp_path):
    path = tmp_path / "model.skm"
    save(regressor, path)

    def older(document):
        document["versions"].update({"sk_seqattn": "0.0.1", "scikit-learn": "0.24.2"})

    rewrite(path, older)
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
def test_cuda_fitted_model_loads_on_the_cpu(regressor, windows, tmp_path):
    # A file of a CUDA-fitted model differs only in its device parameter.
    path = tmp_path / "model.skm"
    save(regressor, path)
    rewrite(path, lambda document: document["estimator"]["state"].update(device="cuda"))
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
    return lambda path: path.write_bytes(content(path.read_bytes()))


@pytest.mark.parametrize("spoil, reason", [
    (replaced(lambda data: data[:-100]), "a damaged or truncated archive"),
    (replaced(lambda data: data[: len(data) // 2]), "a damaged or truncated archive"),
    (replaced(lambda data: np.random.RandomState(0).bytes(300)), "it is not a zip archive"),
    (replaced(lambda data: b""), "the file is empty"),
    (replaced(lambda data: pickle.dumps({"a": 1})), "it is a pickle"),
    (lambda path: rewrite(path, lambda d: d["estimator"].update({"class": "os.system"})),
     "it names the class 'os.system', which is not one a model file may hold"),
    (lambda path: rewrite(path, lambda d: d["estimator"].pop("state")),
     "an entry is missing: 'state'"),
    (lambda path: rewrite(path, lambda d: d["nets"][0].update(module="builtins.eval")),
     "its net is built from 'builtins.eval'"),
    (lambda path: rewrite(path, lambda d: d["estimator"]["state"].update(
        __class__={"type": "object", "class": "sklearn.pipeline.Pipeline", "state": {}})),
     "'__class__' is not an attribute name"),
    (lambda path: rewrite(path, lambda d: d["estimator"]["state"].update(
        n_threads_={"type": "function", "name": "os.system"})),
     "unknown entry type 'function'"),
    (lambda path: rewrite(path, lambda d: d.update(format="something else")),
     "does not describe"),
])
def test_files_that_are_not_model_files(regressor, tmp_path, spoil, reason):
    path = tmp_path / "model.skm"
    save(regressor, path)
    spoil(path)
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
    model = Seq2SeqAttentionRegressor(floor_alpha=10.0, **TINY).fit(*windows)
    loaded = round_trip(model, tmp_path)
    assert type(loaded.floor_) is Ridge
    np.testing.assert_array_equal(loaded.predict(windows[0]), model.predict(windows[0]))
