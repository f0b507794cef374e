import copy
import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from sk_seqattn import (
    AttentionMap, BPETokenizer, CharTokenizer, Seq2SeqAttentionTranslator, WordTokenizer,
)
from sk_seqattn.translation.decoding import beam_search, greedy_decode
from sk_seqattn.nn import Seq2SeqTranslationNetwork
from sk_seqattn.translation.tokenizers import EOS_ID

FAST = dict(embedding_dim=8, hidden_size=16, max_epochs=3, batch_size=16, random_state=0)


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
    _beam_of_one_is_greedy(attention=attention, input_feeding=input_feeding)


def _beam_of_one_is_greedy(**network_params):
    # A seeded network's greedy output on a padded batch, checked equal to a
    # beam of 1: (source, lengths, tokens, weights, network).
    torch.manual_seed(0)
    network = Seq2SeqTranslationNetwork(
        9, 11, max_source_length=7, embedding_dim=8, hidden_size=16, **network_params,
    ).eval()
    source = torch.randint(4, 9, (6, 7))
    lengths = torch.tensor([7, 5, 3, 7, 1, 2])
    greedy_tokens, greedy_weights = greedy_decode(network, source, lengths, max_length=12)
    beam_tokens, beam_weights = beam_search(network, source, lengths, 12, beam_size=1)
    torch.testing.assert_close(beam_tokens, greedy_tokens)
    torch.testing.assert_close(beam_weights, greedy_weights)
    return source, lengths, greedy_tokens, greedy_weights, network


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
    net, weights = model.net_, {k: v.clone() for k, v in model.net_.module_.state_dict().items()}
    beam = model.set_params(beam_size=3, length_penalty=0.6).predict(X[:5])
    assert len(beam) == 5 and all(isinstance(p, str) for p in beam)
    # The same net, its weights untouched: nothing was refitted.
    assert model.net_ is net and all(
        torch.equal(v, weights[k]) for k, v in model.net_.module_.state_dict().items())
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
    # An empty source is a sentence of just </s>, an empty target one that
    # ends at once: both train, and an empty source is translated as taught.
    X, y = ["ab", "", "ba", "b"] * 5, ["x", "", "y", ""] * 5
    model = Seq2SeqAttentionTranslator(**dict(FAST, max_epochs=40, lr=0.02)).fit(X, y)
    assert list(model.predict(["", "ab", "ba", "b"])) == ["", "x", "y", ""]
    attention = model.attention_weights([""])[0]
    assert attention.source_tokens == ["</s>"] and attention.target_tokens == ["</s>"]
    np.testing.assert_allclose(attention.weights, [[1.0]])


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
                            ({"alignment": "local"}, "'alignment' parameter"),
                            ({"local_width": -1}, "'local_width' parameter"),
                            ({"local_width": 2.5}, "'local_width' parameter"),
                            ({"attention": "location", "alignment": "local-m"},
                             "attention='location' cannot be combined with "
                             "alignment='local-m'"),
                            ({"alignment": "local-p", "local_width": 0},
                             "alignment='local-p' needs local_width >= 1"),
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


def test_cosine_lr_schedule_anneals_to_zero_over_max_epochs(reversal):
    from skorch.callbacks import LRScheduler

    X, y = reversal
    model = Seq2SeqAttentionTranslator(**dict(FAST, max_epochs=4, lr=0.01),
                                       lr_schedule="cosine").fit(X, y)
    scheduler = dict(model.net_.callbacks_)["lr_schedule"]
    assert isinstance(scheduler, LRScheduler)
    assert scheduler.policy is torch.optim.lr_scheduler.CosineAnnealingLR
    # Epoch e (from 0) trains at 0.01 * (1 + cos(pi * e / 4)) / 2, and 0 follows.
    expected = 0.01 * (1 + np.cos(np.pi * np.arange(4) / 4)) / 2
    np.testing.assert_allclose(model.history_[:, "event_lr"], expected)
    assert model.net_.optimizer_.param_groups[0]["lr"] == pytest.approx(0.0)
    assert clone(model).get_params()["lr_schedule"] == "cosine"
    constant = Seq2SeqAttentionTranslator(**dict(FAST, max_epochs=4, lr=0.01)).fit(X, y)
    assert constant.lr_schedule == "constant"
    assert "lr_schedule" not in dict(constant.net_.callbacks_)
    assert constant.net_.optimizer_.param_groups[0]["lr"] == 0.01
    assert any(not torch.equal(a, b) for a, b in
               zip(model.net_.module_.parameters(), constant.net_.module_.parameters()))
    with pytest.raises(ValueError, match="lr_schedule"):
        Seq2SeqAttentionTranslator(lr_schedule="linear").fit(X[:4], y[:4])


def test_parameters_are_keyword_only():
    with pytest.raises(TypeError, match="positional"):
        Seq2SeqAttentionTranslator("dot", 64)


def test_predict_keeps_attention_only_to_replace_unknown_tokens(fitted, monkeypatch):
    import sk_seqattn.translation.decoding as decoding_module
    asked = []

    def spy(*args, return_attention=True, **kwargs):
        asked.append(return_attention)
        return greedy_decode(*args, return_attention=return_attention, **kwargs)

    monkeypatch.setattr(decoding_module, "greedy_decode", spy)
    fitted.predict(["abc", "cab"])
    assert asked == [False]
    assert fitted.attention_weights(["abc"])[0].weights.shape[1] == 4  # 3 tokens and </s>
    assert asked[-1] is True


# -- unknown-word replacement ----------------------------------------------------
@pytest.fixture(scope="module")
def word_copier():
    # Single words copied; the rare ones (once each) are <unk> in both
    # vocabularies, so the model learns to answer an unknown word with <unk>.
    frequent = ["alpha", "beta", "gamma", "delta"] * 10
    rare = [f"name{i}" for i in range(30)]
    X = frequent + rare
    tokenizer = WordTokenizer(min_frequency=2)
    return Seq2SeqAttentionTranslator(
        source_tokenizer=tokenizer, target_tokenizer=tokenizer, **dict(FAST, max_epochs=40,
                                                                       lr=0.01),
    ).fit(X, X)


def test_replace_unk_copies_the_unseen_source_word_itself(word_copier):
    sources = ["Zorg", "beta", "X-42"]
    assert list(word_copier.predict(sources)) == ["<unk>", "beta", "<unk>"]
    replacing = copy.deepcopy(word_copier).set_params(replace_unk=True)
    # Copied as written: before, the source's own <unk> was copied.
    assert list(replacing.predict(sources)) == ["Zorg", "beta", "X-42"]
    # The attention maps are labelled with the source as written too.
    assert replacing.attention_weights(["Zorg"])[0].source_tokens == ["Zorg", "</s>"]


def test_replace_unk_leaves_the_unk_of_an_empty_source(word_copier):
    # An <unk> emitted for an empty source has no source word to copy (its
    # one source token is </s>): it stays <unk>, with and without
    # replace_unk, instead of an error or a copied "</s>".
    replacing = copy.deepcopy(word_copier).set_params(replace_unk=True)
    plain = word_copier.predict([""])[0]
    replaced = replacing.predict([""])[0]
    assert replaced == plain and "</s>" not in replaced
    assert replacing.attention_weights([""])[0].source_tokens == ["</s>"]


@pytest.mark.parametrize("attention, ids", [("none", False), ("dot", True)])
def test_replace_unk_warns_where_it_cannot_work(attention, ids):
    X = [np.array([4, 5]), np.array([5, 4])] if ids else ["ab", "ba"]
    with pytest.warns(UserWarning, match="replace_unk=True has no effect"):
        Seq2SeqAttentionTranslator(attention=attention, replace_unk=True,
                                   **dict(FAST, max_epochs=1)).fit(X, ["x", "y"])


def test_surface_tokens_are_the_tokens_as_written():
    word = WordTokenizer(lowercase=True).fit(["a b"])
    assert word.surface_tokens("A Xyz b") == ["A", "Xyz", "b"]
    assert list(word.encode("A Xyz b")) == [4, 1, 5]
    char = CharTokenizer(lowercase=True).fit(["ab"])
    assert char.surface_tokens("AbZ") == ["A", "b", "Z"]
    bpe = BPETokenizer(vocab_size=30, min_frequency=1).fit(["hello world", "low"])
    tokens = bpe.tokenize("hello Zorg")
    assert len(bpe.surface_tokens("hello Zorg")) == len(tokens) == len(bpe.encode("hello Zorg"))
    assert "<unk>" in tokens and "<unk>" not in bpe.surface_tokens("hello Zorg")


# -- unknown words inside sentences --------------------------------------------------
# A word-by-word "translation" with reordering: lexical slots (V, A, T) force
# the attention to read the source, names (N, M) and product codes (C) are
# copied. Half the names and codes are frequent (in both vocabularies), the
# rest occur once (<unk> in both): a decoder that must tell "Anna" from
# "Tom" has to attend to the name's slot, and so it does for an <unk> there
# too. "N meets M" (two names, swapped in the target) teaches alignment by
# position, which is all that tells two <unk>s of one sentence apart.
_VERB = {"call": "anrufen", "visit": "besuchen", "ask": "fragen", "thank": "danken"}
_ADV = {"now": "jetzt", "today": "heute", "later": "spaeter", "tomorrow": "morgen"}
_TRADE = {"buys": "kauft", "sells": "verkauft", "orders": "bestellt"}
_TEMPLATES = [("V N A", "N V A"), ("please V N A", "bitte A N V"), ("N T C A", "A T N C"),
              ("A N T C", "N T C A"), ("N meets M A", "A trifft M N")]
_SYLLABLES = ["ka", "lo", "mi", "ra", "ten", "vu", "zo", "bel", "dra", "fin", "gor", "sha"]


def _sentences(n=250, seed=0):
    rng = np.random.RandomState(seed)
    X, y = [], []
    for i in range(n):
        source, target = _TEMPLATES[i % len(_TEMPLATES)]
        rare = ["".join(rng.choice(_SYLLABLES, size=rng.randint(2, 4))).capitalize()
                for _ in range(2)] + [f"{rng.choice(list('QXZK'))}-{rng.randint(10, 10000)}"]
        frequent = [rng.choice(["Anna", "Tom", "Eva", "Max"]) for _ in range(2)] + [
            rng.choice(["AB-1", "CD-2", "EF-3"])]
        n_word, m_word, c_word = [f if rng.rand() < 0.5 else r for f, r in zip(frequent, rare)]
        v, a, t = rng.choice(list(_VERB)), rng.choice(list(_ADV)), rng.choice(list(_TRADE))
        fill = {"N": (n_word,) * 2, "M": (m_word,) * 2, "C": (c_word,) * 2, "V": (v, _VERB[v]),
                "A": (a, _ADV[a]), "T": (t, _TRADE[t])}
        X.append(" ".join(fill.get(w, (w,))[0] for w in source.split()))
        y.append(" ".join(fill.get(w, (w, w))[1] for w in target.split()))
    return X, y


# Unseen words at every slot and target position; the last two hold two
# unknown names each, which the target swaps. Not here: an unknown name and
# an unknown code in one sentence. Training never tells those two <unk>s
# apart (both targets are <unk>, and a known name or code is found by its
# word, not its position), so that copy is right only by chance (issue 12).
_UNSEEN = [
    ("call Zorg now", "Zorg anrufen jetzt"),
    ("please thank Quilla today", "bitte heute Quilla danken"),
    ("Anna buys QX-98 later", "spaeter kauft Anna QX-98"),
    ("tomorrow Wendel sells AB-1", "Wendel verkauft AB-1 morgen"),
    ("Zorg meets Quilla now", "jetzt trifft Quilla Zorg"),
    ("Wendel meets Ysolde today", "heute trifft Ysolde Wendel"),
]


@pytest.fixture(scope="module")
def sentence_copier():
    X, y = _sentences()
    # Bidirectional: each source state describes its own word and both
    # neighbours, which is what position-based alignment needs.
    return Seq2SeqAttentionTranslator(
        source_tokenizer=WordTokenizer(min_frequency=2),
        target_tokenizer=WordTokenizer(min_frequency=2), bidirectional=True,
        **dict(FAST, hidden_size=32, max_epochs=60, lr=0.01),
    ).fit(X, y)


def test_replace_unk_copies_unseen_words_inside_sentences(sentence_copier):
    sources, targets = map(list, zip(*_UNSEEN))
    unseen = {w for s in sources for w in s.split()} - set(
        sentence_copier.source_tokenizer_.vocabulary_)
    assert unseen == {"Zorg", "Quilla", "QX-98", "Wendel", "Ysolde"}
    assert unseen.isdisjoint(sentence_copier.target_tokenizer_.vocabulary_)
    with_unk = [" ".join("<unk>" if w in unseen else w for w in t.split()) for t in targets]
    assert list(sentence_copier.predict(sources)) == with_unk
    replacing = copy.deepcopy(sentence_copier).set_params(replace_unk=True)
    assert list(replacing.predict(sources)) == targets


def test_attention_at_each_unk_points_at_the_word_it_stands_for(sentence_copier):
    sources, targets = map(list, zip(*_UNSEEN))
    steps = 0
    for attention_map, target in zip(sentence_copier.attention_weights(sources), targets):
        for t, token in enumerate(attention_map.target_tokens):
            if token == "<unk>":
                row = attention_map.weights[t]  # (source_len + 1,)
                assert attention_map.source_tokens[int(np.argmax(row))] == target.split()[t]
                steps += 1
    assert steps == 8


def test_replace_unk_with_beam_search_and_padded_batches(sentence_copier):
    # The copy reads the attention of the hypothesis beam search returns, and
    # of each row of a padded batch: a short source next to a long one gives
    # what it gives alone.
    sources, targets = map(list, zip(*_UNSEEN))
    replacing = copy.deepcopy(sentence_copier).set_params(replace_unk=True)
    alone = [replacing.predict([s])[0] for s in sources]
    assert alone == targets
    assert list(replacing.predict(sources)) == alone  # lengths 3 to 4 in one batch
    replacing.set_params(beam_size=3, length_penalty=0.6)
    assert list(replacing.predict(sources)) == targets


# -- beam search: k live hypotheses, length penalty during the search -------------
import functools  # noqa: E402
import itertools  # noqa: E402
import types  # noqa: E402

from sk_seqattn.translation.tokenizers import BOS_ID, PAD_ID  # noqa: E402


class _TableNetwork:
    """``encode``/``step`` of a network whose next-token log-probabilities
    are ``table(sentence, prefix)`` ({token: log-probability}; other tokens
    impossible), the sentence being ``source[:, 0]``. Attention is uniform
    over the source's tokens."""

    def __init__(self, table, vocab_size=7, capacity=16):
        self.table, self.vocab_size, self.capacity = table, vocab_size, capacity
        self.decoder = types.SimpleNamespace(initial_feed=lambda memory: None)

    def encode(self, source, source_lengths):
        batch, src_len = source.shape
        mask = torch.arange(src_len)[None, :] < source_lengths[:, None]  # (batch, src_len)
        state = torch.zeros(1, batch, 2 + self.capacity, dtype=torch.long)  # sentence, n, prefix
        state[0, :, 0] = source[:, 0]
        memory = mask.float()[:, :, None]  # (batch, src_len, 1)
        return memory, None, None if bool(mask.all()) else mask, state

    def inference_weights(self, rows):
        return None  # no weights to lay out

    def step(self, tokens, state, feed, memory, keys, memory_mask, *, t, inference=None):
        state = state.clone()
        logits = torch.full((tokens.size(0), self.vocab_size), float("-inf"))
        for r, token in enumerate(tokens.tolist()):
            n = int(state[0, r, 1])
            if token != BOS_ID and n < self.capacity:
                state[0, r, 2 + n] = token
                state[0, r, 1] = n = n + 1
            prefix = tuple(state[0, r, 2: 2 + n].tolist())
            for t, log_prob in self.table(int(state[0, r, 0]), prefix).items():
                logits[r, t] = log_prob
        weights = memory[:, :, 0] / memory[:, :, 0].sum(1, keepdim=True)  # (rows, src_len)
        return logits, weights, state, feed


def _lp(length, alpha):
    return ((5 + length) / 6) ** alpha


def _trim(tokens):
    tokens = [t for t in tokens if t != PAD_ID]
    return tuple(tokens)


def test_length_penalty_reaches_a_hypothesis_pruned_without_it():
    # p(EOS) = e^-1 first; "a" (4) then EOS: e^-1.2; "b b b EOS" (5 5 5 3):
    # e^-1.35. Plain log-probability: "EOS"; with lp (alpha=1): -1.35 / 1.5
    # = -0.9 beats -1.0 and -1.2 / (7/6) = -1.03. With beam_size=2, "b"
    # (-1.2) ranks third after step 1, where "EOS" must not take its slot.
    A, B = 4, 5

    def table(sentence, prefix):
        if prefix == ():
            return {EOS_ID: -1.0, A: -1.1, B: -1.2, 6: -5.0}
        if prefix[0] == A:
            return {EOS_ID: -0.1, A: -3.0, B: -3.0}
        if prefix in [(B,), (B, B)]:
            return {B: -0.05, EOS_ID: -4.0, A: -4.0}
        return {EOS_ID: -0.05, A: -5.0, B: -5.0}

    network = _TableNetwork(table)
    source, lengths = torch.tensor([[4, 5]]), torch.tensor([2])
    plain, _ = beam_search(network, source, lengths, 6, beam_size=2, length_penalty=0.0)
    penalised, weights = beam_search(network, source, lengths, 6, beam_size=2,
                                     length_penalty=1.0)
    assert plain.tolist() == [[EOS_ID]]
    assert penalised.tolist() == [[B, B, B, EOS_ID]]
    torch.testing.assert_close(weights, torch.full((1, 4, 2), 0.5))


def _random_table(sentence, prefix, real=(4, 5, 6)):
    rng = np.random.RandomState(abs(hash((sentence,) + prefix)) % 2 ** 31)
    logits = rng.randn(len(real) + 1) * 2.0
    return dict(zip(real + (EOS_ID,), logits.tolist()))


def _log_prob_of(table, sentence, sequence, vocab_size=7):
    total = 0.0
    for t, token in enumerate(sequence):
        logits = torch.full((vocab_size,), float("-inf"))
        for k, v in table(sentence, tuple(sequence[:t])).items():
            logits[k] = v
        total += float(torch.log_softmax(logits, 0)[token])
    return total


@pytest.mark.parametrize("alpha", [0.0, 0.6, 1.0, 3.0])
def test_large_beam_finds_the_exact_best_under_the_length_penalty(alpha):
    # 3 real tokens, max_length 4: 1 + 3 + 9 + 27 sequences ending with EOS
    # and 81 cut at max_length: 121 <= beam_size.
    table = functools.lru_cache(maxsize=None)(_random_table)
    real, max_length = (4, 5, 6), 4
    sentences = [7, 8, 9]
    source = torch.tensor([[s, 4, 4] for s in sentences])
    tokens, _ = beam_search(_TableNetwork(table), source, torch.tensor([3, 2, 3]), max_length,
                            beam_size=121, length_penalty=alpha)
    for row, sentence in enumerate(sentences):
        sequences = [tuple(p) + (EOS_ID,) for n in range(max_length)
                     for p in itertools.product(real, repeat=n)]
        sequences += list(itertools.product(real, repeat=max_length))
        assert len(sequences) == 121
        best = max(sequences, key=lambda s: _log_prob_of(table, sentence, s) / _lp(len(s), alpha))
        assert _trim(tokens[row].tolist()) == best


def test_beam_larger_than_the_vocabulary_and_max_length_without_end():
    # Never an end marker: every output is cut at max_length; the beam (20)
    # holds more hypotheses than the 4 possible tokens.
    def table(sentence, prefix):  # probabilities depend on the length only
        probs = {1: 0.2, 4: 0.1, 6: 0.7} if len(prefix) == 2 else {1: 0.6, 4: 0.3, 6: 0.1}
        return {t: float(np.log(p)) for t, p in probs.items()}

    source, lengths = torch.tensor([[4, 5, 6], [5, 0, 0]]), torch.tensor([3, 1])
    for alpha in [0.0, 1.0]:
        tokens, weights = beam_search(_TableNetwork(table), source, lengths, 4, beam_size=20,
                                      length_penalty=alpha)
        assert tokens.tolist() == [[1, 1, 6, 1]] * 2
        assert weights.shape == (2, 4, 3)
        torch.testing.assert_close(weights[1], torch.tensor([[1.0, 0, 0]] * 4))
    tokens, weights = beam_search(_TableNetwork(table), source, lengths, 4, beam_size=20,
                                  return_attention=False)
    assert tokens.shape == (2, 4) and weights is None


def test_beam_larger_than_the_vocabulary_with_a_real_network():
    torch.manual_seed(0)
    network = Seq2SeqTranslationNetwork(9, 6, 5, embedding_dim=8, hidden_size=8).eval()
    source, lengths = torch.randint(4, 9, (3, 5)), torch.tensor([5, 3, 1])
    tokens, weights = beam_search(network, source, lengths, 7, beam_size=10, length_penalty=0.6)
    assert tokens.size(0) == 3 and tokens.size(1) <= 7
    assert weights.shape == (3, tokens.size(1), 5)
    for row in tokens.tolist():  # EOS at most once, then only padding
        ids = _trim(row)
        assert BOS_ID not in ids and EOS_ID not in ids[:-1]
        assert row[len(ids):] == [PAD_ID] * (len(row) - len(ids))


@pytest.mark.parametrize("cell, attention, alignment", [
    ("lstm", "general", "global"), ("gru", "none", "global"), ("lstm", "dot", "local-p"),
    ("gru", "concat", "local-m"),
])
def test_padded_sources_decode_as_each_alone(cell, attention, alignment):
    torch.manual_seed(0)
    network = Seq2SeqTranslationNetwork(9, 11, 7, embedding_dim=8, hidden_size=8, cell=cell,
                                        bidirectional=True, attention=attention,
                                        alignment=alignment, local_width=2).eval()
    lengths = torch.tensor([7, 4, 2, 5])
    source = torch.randint(4, 9, (4, 7)) * (torch.arange(7)[None] < lengths[:, None])
    tokens, weights = beam_search(network, source, lengths, 9, beam_size=3, length_penalty=0.6)
    for i, n in enumerate(lengths.tolist()):
        alone, alone_weights = beam_search(network, source[i:i + 1, :n], lengths[i:i + 1], 9,
                                           beam_size=3, length_penalty=0.6)
        width = alone.size(1)
        assert tokens[i, :width].tolist() == alone[0].tolist()
        assert (tokens[i, width:] == PAD_ID).all()
        torch.testing.assert_close(weights[i, :width, :n], alone_weights[0], atol=1e-5, rtol=1e-4)
        assert (weights[i, :, n:] == 0).all() and (weights[i, width:] == 0).all()


def test_beam_search_through_the_estimator_gru_two_layers_bidirectional(reversal):
    X, y = reversal
    model = Seq2SeqAttentionTranslator(
        cell="gru", num_layers=2, bidirectional=True, beam_size=3, length_penalty=0.6,
        **dict(FAST, hidden_size=8, max_epochs=1),
    ).fit(X[:40], y[:40])
    prediction = model.predict(X[:7])
    assert prediction.shape == (7,) and all(isinstance(p, str) for p in prediction)
    maps = model.attention_weights(X[:2])
    assert maps[0].weights.shape == (len(maps[0].target_tokens), len(X[0]) + 1)


# -- local attention ------------------------------------------------------------------
@pytest.mark.parametrize("alignment, input_feeding", [("local-m", False), ("local-p", True)])
def test_local_beam_of_one_equals_greedy_equals_teacher_forcing(alignment, input_feeding):
    # Each decoding loop passes the target step t; teacher forcing on the
    # greedy output (batched, steps numbered from 0, without input feeding)
    # must reproduce its attention, and so would fail on a wrong t.
    source, lengths, greedy_tokens, greedy_weights, network = _beam_of_one_is_greedy(
        attention="general", input_feeding=input_feeding, alignment=alignment, local_width=1,
    )
    with torch.no_grad():
        _, forced_weights = network(source, lengths, target=greedy_tokens)
    for row, tokens in enumerate(greedy_tokens.tolist()):
        n = len(_trim(tokens))  # up to the end marker
        torch.testing.assert_close(greedy_weights[row, :n], forced_weights[row, :n],
                                   atol=1e-6, rtol=0)
    if alignment == "local-m":
        steps = torch.arange(greedy_weights.size(1))[:, None]
        outside = (torch.arange(7)[None, :] - steps).abs() > 1  # (out_len, src_len)
        assert torch.all(greedy_weights[:, outside] == 0)


@pytest.mark.parametrize("alignment", ["local-m", "local-p"])
def test_local_attention_maps_are_zero_outside_the_window(reversal, alignment):
    X, y = reversal
    model = Seq2SeqAttentionTranslator(alignment=alignment, local_width=1, n_threads=1,
                                       **dict(FAST, max_epochs=1)).fit(X[:24], y[:24])
    assert model.net_.module_.decoder.attention.alignment == alignment
    for attention_map in model.attention_weights(X[:6]):
        weights = attention_map.weights  # (out_len, src_len)
        for t, row in enumerate(weights):
            inside = np.flatnonzero(row)
            if alignment == "local-m":
                expected = np.arange(max(t - 1, 0), min(t + 2, weights.shape[1]))
                np.testing.assert_array_equal(inside, expected)
                if inside.size:
                    assert row.sum() == pytest.approx(1, abs=1e-5)
            else:  # at most 2 D + 1 = 3 consecutive positions, not renormalised
                assert 1 <= inside.size <= 3 and np.all(np.diff(inside) == 1)
                assert row.sum() < 1


def test_the_default_initialisation_learns_a_reversal_that_luongs_does_not():
    # The default, PyTorch's initialisation, against Luong's uniform [-0.1, 0.1]:
    # after 4 epochs on 3,000 reversals of 4-8 symbols, about 0.95 exact match
    # against 0.00-0.03 (seeds 0-2). A default that learns slowly fails here.
    from sk_seqattn.datasets import make_reversal

    X, y = make_reversal(3200, min_length=4, max_length=8, random_state=0)
    model = Seq2SeqAttentionTranslator(max_epochs=4, random_state=0)
    assert model.init_scale is None
    assert model.fit(X[:3000], y[:3000]).score(X[3000:], y[3000:]) >= 0.8


# -- the defaults, each the best measured setting (benchmarks/translator_defaults.py) --
@pytest.fixture(scope="module")
def small_reversal():
    from sk_seqattn.datasets import make_reversal

    X, y = make_reversal(3200, min_length=4, max_length=12, random_state=0)
    return X[:3000], y[:3000], X[3000:], y[3000:]


@pytest.fixture(scope="module")
def default_reversal_score(small_reversal):
    X, y, X_test, y_test = small_reversal
    return Seq2SeqAttentionTranslator(max_epochs=4, random_state=0).fit(X, y).score(X_test,
                                                                                   y_test)


@pytest.mark.parametrize("alternative", [
    {"attention": "general"}, {"attention": "concat"}, {"input_feeding": False},
    {"num_layers": 2},
])
def test_a_default_learns_more_than_its_alternative(small_reversal, default_reversal_score,
                                                     alternative):
    # Each alternative was behind the default on the mean of the three
    # translation tasks of benchmarks/translator_defaults.py, and is on this
    # small reversal task too (4 epochs, seed 0: default about 0.7, general
    # 0.6, concat 0.35, no input feeding 0.6, two layers 0.2). A default
    # changed to one of these fails here.
    X, y, X_test, y_test = small_reversal
    name, value = next(iter(alternative.items()))
    assert Seq2SeqAttentionTranslator().get_params()[name] != value
    score = Seq2SeqAttentionTranslator(max_epochs=4, random_state=0, **alternative).fit(
        X, y).score(X_test, y_test)
    assert default_reversal_score >= 0.6
    assert default_reversal_score > score
