import copy
import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sk_seqattn import (
    AttentionMap, CharTokenizer, Seq2SeqAttentionTranslator, WordTokenizer,
)
from sk_seqattn.decoding import beam_search, greedy_decode
from sk_seqattn.nn import Seq2SeqTranslationNetwork
from sk_seqattn.tokenizers import EOS_ID

# Tiny networks: PyTorch's default init (scale ~1/sqrt(16)) learns faster at
# this width than the default init_scale=0.1, which suits realistic sizes.
FAST = dict(embedding_dim=8, hidden_size=16, max_epochs=3, batch_size=16, random_state=0,
            init_scale=None)


def _reversal(n=120, seed=0):
    rng = np.random.RandomState(seed)
    X = ["".join(rng.choice(list("abcdef"), size=rng.randint(2, 7))) for _ in range(n)]
    return X, [s[::-1] for s in X]


@pytest.fixture(scope="module")
def reversal():
    return _reversal()


@pytest.fixture(scope="module")
def fitted(reversal):
    X, y = reversal
    return Seq2SeqAttentionTranslator(**dict(FAST, max_epochs=30, lr=0.01)).fit(X, y)


# -- what users do ---------------------------------------------------------------
def test_it_learns_and_predicts_strings(fitted, reversal):
    X, y = reversal
    prediction = fitted.predict(X)
    assert prediction.dtype == object and prediction.shape == (len(X),)
    assert all(isinstance(p, str) for p in prediction)
    assert fitted.score(X, y) > 0.5


def test_word_pipeline():
    X = ["one two", "two three", "three one", "one one"] * 10
    y = ["eins zwei", "zwei drei", "drei eins", "eins eins"] * 10
    pipe = make_pipeline(
        WordTokenizer(), Seq2SeqAttentionTranslator(target_tokenizer=WordTokenizer(), **FAST)
    ).fit(X, y)
    prediction = pipe.predict(["one two", "two unseen"])
    assert prediction.shape == (2,) and all(isinstance(p, str) for p in prediction)
    assert pipe[-1].source_tokenizer_ is None  # ids came from the pipeline's tokenizer


def test_grid_search_over_attention_and_target_tokenizer(reversal):
    X, y = reversal
    search = GridSearchCV(
        Seq2SeqAttentionTranslator(**dict(FAST, max_epochs=1)),
        {"attention": ["dot", "general", "concat", "location", "none"],
         "target_tokenizer__max_vocab_size": [6, None]},
        cv=3, n_jobs=2,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 10
    assert search.best_estimator_.predict(X[:2]).shape == (2,)


def test_nested_tokenizer_params_work_with_the_default_tokenizer():
    model = Seq2SeqAttentionTranslator().set_params(target_tokenizer__lowercase=True)
    assert isinstance(model.target_tokenizer, CharTokenizer)
    assert model.target_tokenizer.lowercase is True
    assert Seq2SeqAttentionTranslator().target_tokenizer is None
    model.fit(["ab", "ba"], ["AB", "BA"])
    assert set(model.target_tokenizer_.vocabulary_) >= {"a", "b"}


def test_clone_pickle_and_determinism(fitted, reversal):
    X, y = reversal
    prediction = fitted.predict(X)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(fitted)).predict(X), prediction)
    refit = clone(fitted).fit(X, y)
    np.testing.assert_array_equal(refit.predict(X), prediction)
    other = clone(fitted).set_params(random_state=1).fit(X, y)
    assert other.net_.module_.generator.weight.ne(
        fitted.net_.module_.generator.weight).any()


@pytest.mark.parametrize("attention", ["dot", "general", "concat", "location", "none"])
@pytest.mark.parametrize("input_feeding", [True, False])
def test_beam_of_one_equals_greedy(attention, input_feeding):
    torch.manual_seed(0)
    network = Seq2SeqTranslationNetwork(
        9, 11, max_source_length=7, embedding_dim=8, hidden_size=16,
        attention=attention, input_feeding=input_feeding,
    ).eval()
    source = torch.randint(4, 9, (6, 7))
    lengths = torch.tensor([7, 5, 3, 7, 1, 2])
    greedy_tokens, greedy_weights = greedy_decode(network, source, lengths, max_length=12)
    beam_tokens, beam_weights = beam_search(network, source, lengths, 12, beam_size=1)
    torch.testing.assert_close(beam_tokens, greedy_tokens)
    torch.testing.assert_close(beam_weights, greedy_weights)


def test_beam_search_finds_at_least_the_greedy_log_probability():
    torch.manual_seed(0)
    network = Seq2SeqTranslationNetwork(9, 11, 7, embedding_dim=8, hidden_size=16).eval()
    source = torch.randint(4, 9, (8, 7))
    lengths = torch.full((8,), 7)

    def log_prob(tokens):
        target = tokens.clone()
        logits, _ = network(source, lengths, target=target)
        log_probs = torch.log_softmax(logits, -1).gather(-1, target[..., None])[..., 0]
        keep = torch.cumsum(target == EOS_ID, 1) - (target == EOS_ID).long() == 0
        return (log_probs * keep).sum(1)

    greedy, _ = greedy_decode(network, source, lengths, 10)
    beam, _ = beam_search(network, source, lengths, 10, beam_size=4)
    width = max(greedy.size(1), beam.size(1))
    pad = lambda t: torch.nn.functional.pad(t, (0, width - t.size(1)))  # noqa: E731
    with torch.no_grad():
        assert (log_prob(pad(beam)) >= log_prob(pad(greedy)) - 1e-4).all()


def test_decoding_options(fitted, reversal):
    X, _ = reversal
    # Decoding parameters act at predict time, without refitting.
    model = copy.deepcopy(fitted)
    assert model.set_params(beam_size=3, length_penalty=0.6).predict(X[:5]).shape == (5,)
    model.set_params(beam_size=1, max_output_length=2)
    assert all(len(p) <= 2 for p in model.predict(X))


def test_attention_weights_are_labelled_maps(fitted):
    maps = fitted.attention_weights(["abc", "fed"])
    assert len(maps) == 2 and isinstance(maps[0], AttentionMap)
    first = maps[0]
    assert first.source_tokens == ["a", "b", "c", "</s>"]
    assert first.weights.shape == (len(first.target_tokens), 4)
    np.testing.assert_allclose(first.weights.sum(1), 1.0, atol=1e-5)


def test_replace_unk_copies_the_most_attended_source_token():
    # Targets copy the source, but "q" never appears in a training target:
    # its output is <unk>, which replace_unk fills from the source.
    X = ["ab", "ba", "bb", "aa"] * 20 + ["aq", "qb"] * 4
    y = [s.replace("q", "z") for s in X]
    model = Seq2SeqAttentionTranslator(
        target_tokenizer=CharTokenizer(min_frequency=20), **dict(FAST, max_epochs=40, lr=0.02)
    ).fit(X, y)
    assert "z" not in model.target_tokenizer_.vocabulary_
    plain = model.predict(["aq"])[0]
    model.set_params(replace_unk=True)
    replaced = model.predict(["aq"])[0]
    assert plain == "a<unk>" and replaced == "aq"


def test_empty_strings():
    X, y = ["ab", "", "ba", "b"] * 5, ["x", "", "y", ""] * 5
    model = Seq2SeqAttentionTranslator(**FAST).fit(X, y)
    assert model.predict(["", "ab"]).shape == (2,)


# -- bad input -------------------------------------------------------------------
@pytest.mark.parametrize("X, y, error, message", [
    (["ab", 3], ["a", "b"], TypeError, r"X\[1\] is int; expected a string"),
    (["ab", "b"], ["a", None], ValueError, r"y\[1\] is missing"),
    (["ab", np.nan], ["a", "b"], ValueError, r"X\[1\] is missing"),
    (["ab", "b"], ["a"], ValueError, "inconsistent numbers of samples"),
    ([], [], ValueError, "empty"),
    (["ab"], None, ValueError, "requires y to be passed"),
    ("ab", ["a", "b"], TypeError, "single string"),
    ([[1.5, 2.0]], ["a"], TypeError, r"X\[0\] must be a 1-D sequence of integer"),
])
def test_bad_fit_input(X, y, error, message):
    with pytest.raises(error, match=message):
        Seq2SeqAttentionTranslator(**FAST).fit(X, y)


def test_location_rejects_sources_longer_than_fitted():
    model = Seq2SeqAttentionTranslator(attention="location", **FAST).fit(["abc", "ab"], ["x", "y"])
    assert model.predict(["cba"]).shape == (1,)
    with pytest.raises(ValueError, match=r"X\[1\] has 5 tokens, .* at most 3 tokens"):
        model.predict(["a", "abcab"])


def test_input_kind_must_match_fit(fitted):
    with pytest.raises(TypeError, match="fitted on strings"):
        fitted.predict([np.array([4, 5])])


def test_bad_parameters(reversal):
    X, y = reversal
    for params, message in [({"beam_size": 0}, "'beam_size' parameter"),
                            ({"target_tokenizer": "char"}, "'target_tokenizer' parameter"),
                            ({"attention": "local"}, "'attention' parameter"),
                            ({"loss_normalization": "batch"}, "'loss_normalization' parameter")]:
        with pytest.raises(ValueError, match=message):
            Seq2SeqAttentionTranslator(**dict(FAST, **params)).fit(X, y)


@pytest.mark.parametrize("normalization", ["sentences", "tokens"])
def test_loss_normalization_reaches_the_criterion(reversal, normalization):
    X, y = reversal
    model = Seq2SeqAttentionTranslator(**FAST).set_params(loss_normalization=normalization)
    model.fit(X, y)
    assert model.net_.criterion_.normalization == normalization


def test_validation_is_free_running_and_feeds_early_stopping(reversal):
    from skorch.callbacks import EarlyStopping

    X, y = reversal
    model = Seq2SeqAttentionTranslator(
        validation_fraction=0.25, callbacks=[EarlyStopping(patience=1, threshold=10.0)],
        **dict(FAST, max_epochs=20),
    ).fit(X, y)
    assert "valid_loss" in model.history_[-1] and len(model.history_) < 20
    assert np.isfinite(model.history_[:, "valid_loss"]).all()


def test_parameters_are_keyword_only():
    with pytest.raises(TypeError, match="positional"):
        Seq2SeqAttentionTranslator("dot", 64)


def test_predict_keeps_attention_only_to_replace_unknown_tokens(fitted, monkeypatch):
    import sk_seqattn.translator as translator_module
    asked = []

    def spy(*args, return_attention=True):
        asked.append(return_attention)
        return greedy_decode(*args, return_attention=return_attention)

    monkeypatch.setattr(translator_module, "greedy_decode", spy)
    fitted.predict(["abc", "cab"])
    assert asked == [False]
    assert fitted.attention_weights(["abc"])[0].weights.shape[1] == 4  # 3 tokens and </s>
    assert asked[-1] is True
