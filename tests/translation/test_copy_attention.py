"""Copy attention: the pointer-generator mixture, its extended vocabulary, decoding,
persistence and bad input."""

import copy
import math
import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from sk_seqattn import (
    BPETokenizer, CharTokenizer, Seq2SeqAttentionTranslator, WordTokenizer, load, save,
)
from sk_seqattn.datasets import make_names
from sk_seqattn.nn import Seq2SeqTranslationNetwork
from sk_seqattn.nn.copy import copy_log_probs
from sk_seqattn.translation._copy import output_tokens, source_copy_ids, \
    target_ids_with_copies
from sk_seqattn.translation.decoding import beam_search, greedy_decode
from sk_seqattn.translation.tokenizers import EOS_ID, UNK_ID

TINY = dict(embedding_dim=8, hidden_size=16, max_epochs=2, batch_size=16, random_state=0)


def _word_translator(**params):
    return Seq2SeqAttentionTranslator(
        source_tokenizer=WordTokenizer(min_frequency=2),
        target_tokenizer=WordTokenizer(min_frequency=2), copy_attention=True, **params)


@pytest.fixture(scope="module")
def names():
    X, y = make_names(1100, random_state=0)
    return X[:1000], y[:1000], X[1000:], y[1000:]


@pytest.fixture(scope="module")
def name_copier(names):
    X, y, _, _ = names
    return _word_translator(embedding_dim=32, hidden_size=32, max_epochs=15, lr=0.01,
                            batch_size=32, random_state=0).fit(X, y)


# -- the mixture ----------------------------------------------------------------------
def test_copy_log_probs_mix_generation_and_the_attention_over_copy_ids():
    # Vocabulary of 5; the source is [word 4, an extra word (id 5), word 4, </s>].
    logits = torch.tensor([[0.0, 0.0, 0.0, math.log(2.0), 0.0]])  # softmax: 1/6 ... 2/6 ...
    weights = torch.tensor([[0.5, 0.25, 0.25, 0.0]])
    copy_ids = torch.tensor([[4, 5, 4, EOS_ID]])
    p_copy = torch.tensor([0.4])
    log_probs, copied = copy_log_probs(logits, weights, p_copy, copy_ids)
    probs = log_probs.exp()[0]
    assert float(copied) == pytest.approx(0.4)
    generated = torch.softmax(logits, -1)[0] * 0.6
    expected = torch.cat([generated, torch.zeros(1)])
    expected[4] += 0.4 * 0.75  # two positions copy word 4
    expected[5] += 0.4 * 0.25
    torch.testing.assert_close(probs, expected)
    assert float(probs.sum()) == pytest.approx(1.0)
    # Local weights that sum to less than 1 leave the rest to generating.
    log_probs, copied = copy_log_probs(logits, weights / 2, p_copy, copy_ids)
    assert float(copied) == pytest.approx(0.2)
    assert float(log_probs.exp().sum()) == pytest.approx(1.0)


@pytest.mark.parametrize("attention, alignment", [
    ("dot", "global"), ("general", "global"), ("concat", "global"), ("location", "global"),
    ("general", "local-m"), ("dot", "local-p"),
])
def test_the_network_gives_a_distribution_over_the_extended_vocabulary(attention, alignment):
    torch.manual_seed(0)
    network = Seq2SeqTranslationNetwork(9, 7, max_source_length=6, embedding_dim=4,
                                        hidden_size=6, attention=attention, alignment=alignment,
                                        copy_attention=True, local_width=1)
    source = torch.tensor([[5, 6, 7, 8, 3], [4, 5, 3, 0, 0]])
    lengths = torch.tensor([5, 3])
    copy_ids = torch.tensor([[7, 8, 5, 4, 3], [9, 4, 3, 0, 0]])  # extended ids 7, 8, 9
    target = torch.tensor([[8, 4, 9, 3], [9, 9, 3, 0]])  # extended ids in the target too
    log_probs, weights = network(source, lengths, target=target, copy_ids=copy_ids)
    assert log_probs.shape == (2, 4, 10)
    torch.testing.assert_close(log_probs.exp().sum(-1), torch.ones(2, 4))
    # Free-running: extended ids fed back read as <unk>.
    network.eval()
    with torch.no_grad():
        free, _ = network(source, lengths, max_length=5, copy_ids=copy_ids)
    torch.testing.assert_close(free.exp().sum(-1), torch.ones(2, 5))
    with pytest.raises(ValueError, match="copy_ids is required"):
        network(source, lengths, target=target)


def test_the_fused_training_loop_and_the_step_loop_agree_with_copies():
    torch.manual_seed(0)
    network = Seq2SeqTranslationNetwork(9, 7, max_source_length=5, embedding_dim=4,
                                        hidden_size=6, copy_attention=True)
    source = torch.tensor([[5, 6, 7, 3], [4, 5, 3, 0]])
    lengths = torch.tensor([4, 3])
    copy_ids = torch.tensor([[7, 8, 5, 3], [4, 7, 3, 0]])
    target = torch.tensor([[8, 4, 3], [7, 3, 0]])
    fused, _ = network(source, lengths, target=target, copy_ids=copy_ids)
    network.decoder._fused = False
    stepwise, _ = network(source, lengths, target=target, copy_ids=copy_ids)
    torch.testing.assert_close(fused, stepwise)


def test_a_network_without_copy_attention_refuses_none_attention_with_it():
    with pytest.raises(ValueError, match="copy_attention=True needs attention"):
        Seq2SeqTranslationNetwork(9, 7, 5, attention="none", copy_attention=True)


# -- the extended vocabulary -------------------------------------------------------------
def test_copy_ids_use_the_target_vocabulary_and_number_the_other_words():
    target = WordTokenizer().fit(["a b c"])
    source = WordTokenizer(lowercase=True).fit(["A x"])
    vocabulary = target.vocabulary_
    V = len(vocabulary)
    ids, extra, lookup = source_copy_ids(source, vocabulary, ["B Zed b Ygg zed", ""])
    # "B" lowercases to "b" (in the target vocabulary); "zed" twice is one extended id.
    assert list(ids[0]) == [vocabulary["b"], V, vocabulary["b"], V + 1, V]
    assert extra[0] == ["Zed", "Ygg"]  # as written, at the first occurrence
    assert lookup[0] == {"zed": V, "ygg": V + 1}
    assert ids[1].size == 0 and extra[1] == []
    targets = target_ids_with_copies(target, ["zed a Ygg q", "zed"], lookup)
    # Matched as the tokenizers write them: "Ygg" is not the source's "ygg".
    assert list(targets[0]) == [V, vocabulary["a"], UNK_ID, UNK_ID]
    assert list(targets[1]) == [UNK_ID]  # the second source holds no word
    assert output_tokens(target, np.array([V + 1, vocabulary["c"], EOS_ID]), extra[0]) == [
        "Ygg", "c", "</s>"]


def test_an_unknown_bpe_piece_is_matched_by_its_character():
    pytest.importorskip("tokenizers")
    tokenizer = BPETokenizer(vocab_size=40, min_frequency=1).fit(["abc abd", "cab"])
    ids, extra, lookup = source_copy_ids(tokenizer, tokenizer.vocabulary_, ["abz"])
    assert "z" in extra[0] and "z" in lookup[0]
    targets = target_ids_with_copies(tokenizer, ["zab"], lookup)
    assert lookup[0]["z"] in targets[0]


# -- the estimator -----------------------------------------------------------------------
def test_names_never_seen_are_copied(names, name_copier):
    _, _, X_test, y_test = names
    assert name_copier.score(X_test, y_test) >= 0.95
    beam = copy.deepcopy(name_copier).set_params(beam_size=5)
    assert beam.score(X_test, y_test) >= 0.95


def test_beam_search_of_one_beam_is_greedy_with_copies(names, name_copier):
    _, _, X_test, _ = names
    module = name_copier.net_.module_.eval()
    sources = [name_copier.source_tokenizer_.encode(text) for text in X_test[:20]]
    ids, _, _ = source_copy_ids(name_copier.source_tokenizer_,
                                name_copier.target_tokenizer_.vocabulary_, list(X_test[:20]))
    width = max(map(len, sources)) + 1
    source = torch.zeros(20, width, dtype=torch.long)
    copy_ids = torch.zeros(20, width, dtype=torch.long)
    for row, (s, c) in enumerate(zip(sources, ids)):
        source[row, : len(s) + 1] = torch.tensor(list(s) + [EOS_ID])
        copy_ids[row, : len(c) + 1] = torch.tensor(list(c) + [EOS_ID])
    lengths = (source != 0).sum(1)
    greedy, greedy_weights = greedy_decode(module, source, lengths, 12, copy_ids=copy_ids)
    beam, beam_weights = beam_search(module, source, lengths, 12, beam_size=1,
                                     copy_ids=copy_ids)
    assert torch.equal(greedy, beam)
    assert greedy_weights.shape[-1] == width + 1  # the copy probability's column
    torch.testing.assert_close(greedy_weights, beam_weights)
    assert int(greedy.max()) >= len(name_copier.target_tokenizer_.vocabulary_)  # copies


def test_attention_maps_show_the_copy_probability(name_copier):
    [attention_map] = name_copier.attention_weights(["visit Zorgulmax now"])
    assert attention_map.target_tokens == ["visite", "Zorgulmax", "maintenant", "</s>"]
    p_copy = attention_map.copy_probability
    assert p_copy.shape == (4,) and ((0 <= p_copy) & (p_copy <= 1)).all()
    assert p_copy[1] > 0.5 > p_copy[0]  # the name is copied, the verb generated
    assert attention_map.source_tokens[int(np.argmax(attention_map.weights[1]))] == "Zorgulmax"
    plain = Seq2SeqAttentionTranslator(**TINY).fit(["ab", "ba"], ["x", "y"])
    assert plain.attention_weights(["ab"])[0].copy_probability is None


def test_a_padded_batch_gives_what_each_source_gives_alone(names, name_copier):
    _, _, X_test, _ = names
    sources = ["please ask Quorvantel", "tomorrow Ab and Quistafel paints a boat",
               "the car of Xu is new"]
    alone = [name_copier.predict([s])[0] for s in sources]
    assert list(name_copier.predict(sources)) == alone
    assert alone[0] == "Quorvantel demande stp"


def test_save_load_and_pickle_keep_the_copies(tmp_path, names, name_copier):
    _, _, X_test, _ = names
    expected = name_copier.predict(X_test[:30])
    save(name_copier, tmp_path / "copier.skm")
    restored = load(tmp_path / "copier.skm")
    assert restored.copy_attention is True
    np.testing.assert_array_equal(restored.predict(X_test[:30]), expected)
    np.testing.assert_allclose(restored.attention_weights(X_test[:2])[0].copy_probability,
                               name_copier.attention_weights(X_test[:2])[0].copy_probability)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(name_copier)).predict(X_test[:30]),
                                  expected)


def test_copy_attention_is_a_grid_searchable_parameter(names):
    X, y, _, _ = names
    search = GridSearchCV(_word_translator(**TINY), {"copy_attention": [False, True]}, cv=2)
    search.fit(X[:120], y[:120])
    assert set(search.cv_results_["param_copy_attention"]) == {False, True}
    assert clone(_word_translator()).get_params()["copy_attention"] is True


@pytest.mark.parametrize("params", [
    dict(alignment="local-p", attention="general"), dict(attention="concat"),
    dict(attention="location"), dict(teacher_forcing=0.5), dict(validation_fraction=0.2),
    dict(bidirectional=True, num_layers=2, dropout=0.1, input_feeding=False),
])
def test_copy_attention_trains_and_decodes_with_other_settings(names, params):
    X, y, X_test, _ = names
    model = _word_translator(**{**TINY, **params}).fit(X[:80], y[:80])
    out = model.predict(X_test[:5])
    assert out.shape == (5,) and all(isinstance(text, str) for text in out)
    assert model.set_params(beam_size=3).predict(X_test[:5]).shape == (5,)


def test_characters_never_seen_are_copied_with_a_char_tokenizer():
    # Copy every string; each training string holds a character seen once
    # (<unk> under min_frequency=2), the test strings characters never seen.
    rng = np.random.RandomState(0)
    X = []
    for i in range(400):
        letters = list(rng.choice(list("abcdefgh"), size=rng.randint(2, 6)))
        letters.insert(rng.randint(len(letters) + 1), chr(0x400 + i))  # Cyrillic and on
        X.append("".join(letters))
    tokenizer = CharTokenizer(min_frequency=2)
    model = Seq2SeqAttentionTranslator(copy_attention=True, source_tokenizer=tokenizer,
                                       target_tokenizer=tokenizer, embedding_dim=16,
                                       hidden_size=32, max_epochs=12, lr=0.01, batch_size=32,
                                       random_state=0)
    model.fit(X, X)
    assert "x" not in model.target_tokenizer_.vocabulary_
    assert list(model.predict(["axb", "cbxh"])) == ["axb", "cbxh"]


def test_fitted_network_decides_whether_predict_copies(names):
    X, y, X_test, _ = names
    plain = _word_translator(**TINY).set_params(copy_attention=False).fit(X[:60], y[:60])
    expected = plain.predict(X_test[:5])
    np.testing.assert_array_equal(plain.set_params(copy_attention=True).predict(X_test[:5]),
                                  expected)


@pytest.mark.parametrize("X, params, reason", [
    (["a b", "b a"], dict(attention="none"), "attention='none'"),
    ([np.array([4, 5]), np.array([5, 4])], {}, "id-sequence input"),
])
def test_copy_attention_needs_attention_and_source_text(X, params, reason):
    model = Seq2SeqAttentionTranslator(copy_attention=True, **params, **TINY)
    with pytest.raises(ValueError, match=f"copy_attention=True cannot be used with {reason}"):
        model.fit(X, ["x", "y"])
    assert not hasattr(model, "net_")
