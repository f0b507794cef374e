"""One catalogue of bad inputs to the Python API, and what each must end in.

Every case must raise ``ValueError`` or ``TypeError`` with a one-line
message that names the argument, raised by sk_seqattn or scikit-learn's
validation (never from inside torch or numpy). The command line's bad
inputs are in test_cli.py and test_persistence.py (exit status 2 and one
line on stderr).
"""

import traceback

import numpy as np
import pandas as pd
import pytest

from sk_seqattn import (
    BPETokenizer, CharTokenizer, ConformalForecaster, LinearFloorRegressor, SeedEnsemble,
    Seq2SeqAttentionRegressor, Seq2SeqAttentionTranslator, WordTokenizer, calendar_features,
    last_windows, make_windows,
)
from sk_seqattn.metrics import (
    exact_match, interval_coverage, mean_absolute_scaled_error, mean_pinball_loss,
)

SMALL = dict(hidden_size=4, max_epochs=1, batch_size=16, random_state=0)
rng = np.random.RandomState(0)
SERIES = np.sin(np.arange(120) / 4) + 0.1 * rng.randn(120)
X_OK, Y_OK = make_windows(SERIES, 10, 3)
TEXTS = ["abc", "cab", "bca", "ab"] * 4


@pytest.fixture(scope="module")
def regressor():
    return Seq2SeqAttentionRegressor(**SMALL).fit(X_OK, Y_OK)


@pytest.fixture(scope="module")
def location_translator():
    return Seq2SeqAttentionTranslator(attention="location", embedding_dim=4, hidden_size=4,
                                      max_epochs=1, random_state=0).fit(TEXTS, TEXTS)


def _with(array, index, value):
    array = np.array(array, dtype=float)
    array[index] = value
    return array


def _fit(**params):
    return lambda X, y: Seq2SeqAttentionRegressor(**{**SMALL, **params}).fit(X, y)


def _translate(**params):
    return lambda X, y: Seq2SeqAttentionTranslator(
        **{"embedding_dim": 4, "hidden_size": 4, "max_epochs": 1, **params}).fit(X, y)


# (id, call, the argument the message must name)
CASES = [
    # regressor fit
    # NaN at a window's start is left padding (lookbacks="auto"); after an
    # observed step it is an error, and for one network anywhere.
    ("reg NaN in X", lambda: _fit()(_with(X_OK, (0, 2), np.nan), Y_OK), "X"),
    ("reg NaN in X, one network",
     lambda: _fit(lookbacks=None, classical=None)(_with(X_OK, (0, 0), np.nan), Y_OK), "X"),
    ("reg inf in X", lambda: _fit()(_with(X_OK, (1, 2), np.inf), Y_OK), "X"),
    ("reg NaN in y", lambda: _fit()(X_OK, _with(Y_OK, (0, 0), np.nan)), "y"),
    ("reg 4-D X", lambda: _fit()(X_OK[:, :, None, None], Y_OK), "X"),
    ("reg 1-D X", lambda: _fit()(X_OK[:, 0], Y_OK), "X"),
    ("reg 4-D y", lambda: _fit()(X_OK, Y_OK[:, :, None, None]), "y"),
    ("reg ragged X", lambda: _fit()([[1.0, 2.0], [1.0]], [1.0, 2.0]), "X"),
    ("reg empty X", lambda: _fit()(np.empty((0, 10)), np.empty((0, 3))), "X"),
    ("reg strings in X", lambda: _fit()(np.array([["a", "b"]] * 3), [1.0] * 3), "X"),
    ("reg X and y lengths", lambda: _fit()(X_OK, Y_OK[:-1]), "samples"),
    ("reg log of negatives", lambda: _fit(target_transform="log")(X_OK, Y_OK), "target"),
    ("reg quantile outside (0, 1)", lambda: _fit(quantiles=(0.1, 1.2))(X_OK, Y_OK), "quantiles"),
    ("reg unsorted quantiles", lambda: _fit(quantiles=(0.9, 0.1))(X_OK, Y_OK), "quantiles"),
    ("reg duplicated quantiles", lambda: _fit(quantiles=(0.1, 0.1))(X_OK, Y_OK), "quantiles"),
    ("conformal without quantiles",
     lambda: ConformalForecaster(estimator=LinearFloorRegressor()).fit(X_OK, Y_OK), "quantiles"),
    ("floor lookback past the window",
     lambda: LinearFloorRegressor(lookback=20).fit(X_OK, Y_OK), "lookback"),
    ("seed ensemble of a member without seeds",
     lambda: SeedEnsemble(estimator=LinearFloorRegressor()).fit(X_OK, Y_OK), "estimator"),
    ("reg unknown attention", lambda: _fit(attention="local")(X_OK, Y_OK), "attention"),
    ("reg odd hidden with bidirectional",
     lambda: _fit(net_params={"module__bidirectional": True}, hidden_size=5)(X_OK, Y_OK),
     "hidden_size"),
    ("reg future feature out of range",
     lambda: _fit(future_features=[3])(np.dstack([X_OK, X_OK]), Y_OK), "future_features"),
    ("reg bad floor", lambda: _fit(floor="ridge")(X_OK, Y_OK), "floor"),
    ("reg non-prefixed net_params", lambda: _fit(net_params={"lr": 1})(X_OK, Y_OK),
     "net_params"),
    ("reg cuda missing", lambda: _fit(device="cuda")(X_OK, Y_OK)
     if not __import__("torch").cuda.is_available() else _fit(hidden_size=0)(X_OK, Y_OK),
     "device"),
    # regressor predict
    ("reg predict wrong steps", lambda r: r.predict(X_OK[:, :5]), "X"),
    ("reg predict NaN", lambda r: r.predict(_with(X_OK, (0, 0), np.nan)), "X"),
    ("reg predict empty", lambda r: r.predict(np.empty((0, 10))), "X"),
    ("reg predict_quantiles without quantiles", lambda r: r.predict_quantiles(X_OK),
     "quantiles"),
    # translator fit and predict
    ("tr int item", lambda: _translate()(["ab", 3], ["a", "b"]), "X[1]"),
    ("tr missing target", lambda: _translate()(["ab", "b"], ["a", None]), "y[1]"),
    ("tr NaN source", lambda: _translate()(["ab", np.nan], ["a", "b"]), "X[1]"),
    ("tr single string", lambda: _translate()("ab", ["a", "b"]), "X"),
    ("tr 2-D array", lambda: _translate()(np.array([["a", "b"]]), ["a"]), "X"),
    ("tr DataFrame", lambda: _translate()(pd.DataFrame({"a": ["x"]}), ["a"]), "X"),
    ("tr float ids", lambda: _translate()([[1.5, 2.0]], ["a"]), "X[0]"),
    ("tr negative ids", lambda: _translate()([[1, -2]], ["a"]), "X[0]"),
    ("tr empty", lambda: _translate()([], []), "empty"),
    ("tr bad beam size", lambda: _translate(beam_size=0)(["ab"], ["a"]), "beam_size"),
    ("tr predict empty", lambda t: t.predict([]), "X"),
    ("tr predict ids after strings", lambda t: t.predict([np.array([4, 5])]), "X"),
    ("tr predict longer than location allows", lambda t: t.predict(["a", "abcabcab"]), "X[1]"),
    # tokenizers
    ("char tokenizer single string", lambda: CharTokenizer().fit("abc"), "X"),
    ("word tokenizer None item", lambda: WordTokenizer().fit(["a b", None]), "X[1]"),
    ("bpe tokenizer int item", lambda: BPETokenizer().fit(["a b", 3]), "X[1]"),
    ("char tokenizer bad vocab size", lambda: CharTokenizer(max_vocab_size=2).fit(["ab"]),
     "max_vocab_size"),
    # preprocessing and metrics
    ("windows NaN", lambda: make_windows(_with(SERIES, 3, np.nan), 10, 3), "NaN"),
    ("windows too short", lambda: make_windows(SERIES[:5], 10, 3), "series"),
    ("windows n_in 0", lambda: make_windows(SERIES, 0, 3), "n_in"),
    ("windows unknown id column",
     lambda: make_windows(pd.DataFrame({"v": SERIES}), 10, 3, id_column="store"), "store"),
    ("last windows too short", lambda: last_windows([SERIES[:3]], 10), "n_in"),
    ("calendar unknown feature",
     lambda: calendar_features(pd.date_range("2000", periods=3, freq="h"), ["week"]),
     "features"),
    ("MASE shapes", lambda: mean_absolute_scaled_error([1.0, 2.0], [1.0], SERIES), "y_pred"),
    ("pinball level count",
     lambda: mean_pinball_loss([1.0], [[1.0, 2.0]], (0.1, 0.5, 0.9)), "quantiles"),
    ("coverage one bound", lambda: interval_coverage([1.0], [[1.0]]), "y_quantiles"),
    ("exact match lengths", lambda: exact_match(["a"], ["a", "b"]), "y_pred"),
]


def _call(case, regressor, location_translator):
    _, call, _ = case
    if call.__code__.co_argcount == 0:
        return call()
    if case[0].startswith("reg"):
        return call(regressor)
    return call(location_translator)


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_bad_input_is_a_clear_one_line_error(case, regressor, location_translator):
    with pytest.raises((ValueError, TypeError)) as raised:
        _call(case, regressor, location_translator)
    message = str(raised.value)
    assert "\n" not in message.strip(), message
    assert case[2].lower() in message.lower(), message
    # Raised by our checks or scikit-learn's validation, not deep in torch.
    origin = traceback.extract_tb(raised.tb)[-1].filename
    assert "sk_seqattn" in origin or "sklearn" in origin, origin
