"""The fused teacher-forced input-feeding loop (sk_seqattn.nn.fused_decoder).

It must be the decoder's autograd step loop computed differently: same
outputs, attention weights and gradients, and it must run only where it
computes exactly what the step loop computes.
"""

import numpy as np
import pytest
import torch

from sk_seqattn import Seq2SeqAttentionRegressor, Seq2SeqAttentionTranslator, make_windows
from sk_seqattn.nn import AttentionDecoder, Encoder, Seq2SeqTranslationNetwork
from sk_seqattn.nn import decoder as decoder_module
from sk_seqattn.nn.forecasting import Seq2SeqRegressionNetwork
from sk_seqattn.translation.decoding import beam_search, greedy_decode


def _count_calls(monkeypatch, name):
    """A list that gets an entry per call of the decoder module's function ``name``."""
    calls, original = [], getattr(decoder_module, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(decoder_module, name, counted)
    return calls


def _count_fused_calls(monkeypatch):
    return _count_calls(monkeypatch, "fused_feeding_forward")


# the fast path's function and the decoder method that says whether it runs
FAST_PATHS = {"fused": ("fused_feeding_forward", "_fused_applies"),
              "inference": ("inference_step", "_inference_step_applies")}


def _with_and_without(monkeypatch, path, run):
    """``run()`` with the fast path, then with it switched off: both results."""
    function, switch = FAST_PATHS[path]
    calls = _count_calls(monkeypatch, function)
    fast = run()
    assert calls  # the fast path ran
    monkeypatch.setattr(decoder_module.AttentionDecoder, switch, lambda self, state: False)
    calls.clear()
    slow = run()
    assert not calls
    return fast, slow


def _run(decoder, fused, inputs, memory, state, mask, d_out, d_weights):
    """Outputs, weights and every gradient, through one of the two paths."""
    decoder._fused = fused
    leaves = [inputs, memory, *state]
    for tensor in leaves:
        tensor.grad = None
    decoder.zero_grad()
    outputs, weights = decoder(inputs, tuple(s.unsqueeze(0) for s in state), memory,
                               decoder.prepare(memory), mask)
    ((outputs * d_out).sum() + (weights * d_weights).sum()).backward()
    grads = {name: p.grad.clone() for name, p in decoder.named_parameters()}
    grads.update({f"input {i}": t.grad.clone() for i, t in enumerate(leaves)})
    return outputs.detach(), weights.detach(), grads


@pytest.mark.parametrize("attention", ["dot", "general"])
@pytest.mark.parametrize("padded", [False, True])
@pytest.mark.parametrize("weights_in_loss", [False, True])
def test_fused_loop_equals_the_step_loop(attention, padded, weights_in_loss):
    torch.manual_seed(0)
    batch, tgt_len, src_len, hidden = 6, 7, 9, 16
    decoder = AttentionDecoder(5, hidden, attention=attention).train()
    inputs = torch.randn(batch, tgt_len, 5, requires_grad=True)
    memory = torch.randn(batch, src_len, hidden, requires_grad=True)
    state = [torch.randn(batch, hidden, requires_grad=True) for _ in range(2)]
    mask = None
    if padded:
        lengths = torch.tensor([9, 1, 4, 9, 6, 2])
        mask = torch.arange(src_len)[None, :] < lengths[:, None]
        memory.data[~mask] = 0.0  # as the encoder leaves padding
    d_out = torch.randn(batch, tgt_len, hidden)
    d_weights = torch.randn(batch, tgt_len, src_len) * weights_in_loss
    assert decoder._fused_applies(tuple(state))
    out0, w0, g0 = _run(decoder, False, inputs, memory, state, mask, d_out, d_weights)
    out1, w1, g1 = _run(decoder, True, inputs, memory, state, mask, d_out, d_weights)
    torch.testing.assert_close(out1, out0, atol=1e-5, rtol=0)
    torch.testing.assert_close(w1, w0, atol=1e-5, rtol=0)
    if padded:
        assert torch.all(w1[~mask.unsqueeze(1).expand_as(w1)] == 0)
    assert g1.keys() == g0.keys()
    for name in g0:
        relative = (g1[name] - g0[name]).norm() / g0[name].norm().clamp_min(1e-12)
        assert relative < 1e-4, name


@pytest.mark.parametrize("batch, tgt_len", [(1, 1), (1, 3), (3, 1)])
def test_fused_loop_on_a_single_row_or_step(batch, tgt_len):
    torch.manual_seed(2)
    decoder = AttentionDecoder(2, 4, attention="general").train()
    inputs = torch.randn(batch, tgt_len, 2, requires_grad=True)
    memory = torch.randn(batch, 3, 4, requires_grad=True)
    state = [torch.randn(batch, 4, requires_grad=True) for _ in range(2)]
    d_out, d_weights = torch.randn(batch, tgt_len, 4), torch.randn(batch, tgt_len, 3)
    expected = _run(decoder, False, inputs, memory, state, None, d_out, d_weights)
    got = _run(decoder, True, inputs, memory, state, None, d_out, d_weights)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-4)


def test_fused_loop_calls_it_and_matches_in_double(monkeypatch):
    # In float64 the two paths agree to rounding: the same formulas, only
    # the order of the sums differs.
    torch.manual_seed(1)
    decoder = AttentionDecoder(3, 8, attention="general").double().train()
    encoder = Encoder(3, 8).double()
    source = torch.randn(4, 5, 3, dtype=torch.float64)
    inputs = torch.randn(4, 6, 3, dtype=torch.float64, requires_grad=True)
    calls = _count_fused_calls(monkeypatch)
    results = []
    for fused in (False, True):
        decoder._fused = fused
        encoder.zero_grad()
        decoder.zero_grad()
        inputs.grad = None
        memory, state = encoder(source)
        outputs, _ = decoder(inputs, state, memory, decoder.prepare(memory))
        outputs.pow(2).sum().backward()
        results.append([outputs.detach(), inputs.grad.clone()]
                       + [p.grad.clone() for p in [*encoder.parameters(),
                                                   *decoder.parameters()]])
    assert calls == [1]
    for got, expected in zip(*reversed(results)):
        torch.testing.assert_close(got, expected, atol=1e-12, rtol=1e-10)


@pytest.mark.parametrize("change, applies", [
    ({}, True),
    ({"attention": "dot"}, True),
    ({"eval": True}, False),
    ({"switch_off": True}, False),
    ({"cell": "gru"}, False),
    ({"num_layers": 2}, False),
    ({"attention": "concat"}, False),
    ({"attention": "location"}, False),
    ({"attention": "none"}, False),
    ({"alignment": "local-m"}, False),
    ({"alignment": "local-p"}, False),
    ({"dropout": 0.1}, False),
    ({"input_feeding": False}, False),
])
def test_fused_loop_runs_only_where_it_applies(monkeypatch, change, applies):
    change = dict(change)
    evaluate, switch_off = change.pop("eval", False), change.pop("switch_off", False)
    kwargs = dict(dict(num_layers=1, cell="lstm", attention="general",
                       max_source_length=5), **change)
    torch.manual_seed(0)
    encoder = Encoder(3, 8, kwargs["num_layers"], kwargs["cell"])
    decoder = AttentionDecoder(3, 8, **kwargs).train(not evaluate)
    decoder._fused = not switch_off
    calls = _count_fused_calls(monkeypatch)
    memory, state = encoder(torch.randn(2, 5, 3))
    outputs, _ = decoder(torch.randn(2, 4, 3), state, memory, decoder.prepare(memory))
    assert outputs.shape == (2, 4, 8)
    assert decoder._fused_applies(state) is applies
    assert calls == ([1] if applies else [])


@pytest.mark.parametrize("attention", ["dot", "general"])
def test_translator_fit_same_with_and_without_the_fused_loop(monkeypatch, attention):
    rng = np.random.RandomState(0)
    X = ["".join(rng.choice(list("abcdef"), size=rng.randint(2, 7))) for _ in range(60)]
    y = [s[::-1] for s in X]

    def fit():
        model = Seq2SeqAttentionTranslator(
            embedding_dim=8, hidden_size=16, max_epochs=4, batch_size=16, random_state=0,
            attention=attention, input_feeding=True, lr=0.01,
        ).fit(X, y)
        return np.array(model.history_[:, "train_loss"]), model.predict(X[:10])

    (fused_loss, fused_pred), (loop_loss, loop_pred) = _with_and_without(
        monkeypatch, "fused", fit)
    np.testing.assert_allclose(fused_loss, loop_loss, rtol=1e-5, atol=1e-6)
    assert list(fused_pred) == list(loop_pred)


def test_regressor_fit_same_with_and_without_the_fused_loop(monkeypatch):
    # The forecasting network's teacher-forced decoder takes the same path.
    rng = np.random.RandomState(0)
    X, y = make_windows(np.sin(np.arange(200) / 4) + 0.1 * rng.randn(200), n_in=12, n_out=4)

    def fit():
        reg = Seq2SeqAttentionRegressor(
            hidden_size=8, max_epochs=4, batch_size=16, random_state=0,
            attention="general", input_feeding=True,
        ).fit(X, y)
        return np.array(reg.history_[:, "train_loss"])

    fused_loss, loop_loss = _with_and_without(monkeypatch, "fused", fit)
    np.testing.assert_allclose(fused_loss, loop_loss, rtol=1e-5, atol=1e-6)


def test_a_decoder_pickled_before_the_fused_loop_still_runs():
    # Unpickling restores __dict__ as saved: a decoder from before the fused
    # loop has no _fused attribute, and must run (fused) all the same.
    torch.manual_seed(0)
    encoder = Encoder(3, 8, 1, "lstm")
    decoder = AttentionDecoder(3, 8, attention="dot").train()
    del decoder._fused
    memory, state = encoder(torch.randn(2, 5, 3))
    assert decoder._fused_applies(state)
    outputs, _ = decoder(torch.randn(2, 4, 3), state, memory, decoder.prepare(memory))
    assert outputs.shape == (2, 4, 8)


# -- the decoding step (fused_decoder.inference_step) ----------------------------
def _count_inference_calls(monkeypatch):
    return _count_calls(monkeypatch, "inference_step")


def _steps(decoder, fast, inputs, memory, state, mask, steps):
    # Free-running: each step's attentional output is the next step's input
    # (through a fixed projection), so differences would compound.
    decoder._fused = fast
    keys = decoder.prepare(memory)
    feed = decoder.initial_feed(memory)
    results, input_t = [], inputs
    with torch.no_grad():
        for t in range(steps):
            output, weights, state, feed = decoder.step(input_t, state, feed, memory, keys,
                                                        mask, t=t)
            results.append((output, weights, state[0], state[1], feed))
            input_t = output[:, : inputs.size(1)]
    return results


@pytest.mark.parametrize("attention", ["dot", "general"])
@pytest.mark.parametrize("input_feeding", [True, False])
@pytest.mark.parametrize("padded", [False, True])
def test_inference_step_equals_the_step(monkeypatch, attention, input_feeding, padded):
    torch.manual_seed(0)
    batch, src_len, hidden = 5, 7, 12
    decoder = AttentionDecoder(4, hidden, attention=attention,
                               input_feeding=input_feeding).eval()
    memory = torch.randn(batch, src_len, hidden)
    mask = None
    if padded:
        mask = torch.arange(src_len)[None, :] < torch.tensor([7, 1, 3, 7, 5])[:, None]
        memory[~mask] = 0.0
    state = tuple(torch.randn(1, batch, hidden) for _ in range(2))
    inputs = torch.randn(batch, 4)
    calls = _count_inference_calls(monkeypatch)
    slow = _steps(decoder, False, inputs, memory, state, mask, 6)
    assert not calls
    fast = _steps(decoder, True, inputs, memory, state, mask, 6)
    assert calls == [1] * 6
    for slow_step, fast_step in zip(slow, fast):
        for a, b in zip(slow_step, fast_step):
            if a is None:
                assert b is None
            else:
                assert b.shape == a.shape
                torch.testing.assert_close(b, a, atol=1e-5, rtol=0)
    if padded:
        assert torch.all(fast[0][1][~mask] == 0)


@pytest.mark.parametrize("change, applies", [
    ({}, True),
    ({"input_feeding": False}, True),
    ({"dropout": 0.1}, True),  # a no-op in evaluation mode
    ({"train": True}, False),
    ({"grad": True}, False),
    ({"switch_off": True}, False),
    ({"num_layers": 2}, False),
    ({"cell": "gru"}, False),
    ({"attention": "concat"}, False),
    ({"attention": "location"}, False),
    ({"attention": "none"}, False),
    ({"alignment": "local-m"}, False),
])
def test_inference_step_runs_only_where_it_applies(monkeypatch, change, applies):
    change = dict(change)
    train, grad = change.pop("train", False), change.pop("grad", False)
    switch_off = change.pop("switch_off", False)
    kwargs = dict(dict(num_layers=1, cell="lstm", attention="general",
                       max_source_length=5), **change)
    torch.manual_seed(0)
    encoder = Encoder(3, 8, kwargs["num_layers"], kwargs["cell"])
    decoder = AttentionDecoder(3, 8, **kwargs).train(train)
    decoder._fused = not switch_off
    calls = _count_inference_calls(monkeypatch)
    memory, state = encoder(torch.randn(2, 5, 3))
    with torch.set_grad_enabled(grad):
        feed = decoder.initial_feed(memory)
        output, _, _, _ = decoder.step(torch.randn(2, 3), state, feed, memory,
                                       decoder.prepare(memory), t=0)
        assert decoder._inference_step_applies(state) is applies
    assert output.shape == (2, 8)
    assert calls == ([1] if applies else [])


@pytest.mark.parametrize("attention", ["dot", "general"])
@pytest.mark.parametrize("input_feeding", [True, False])
def test_translator_predicts_the_same_with_the_inference_step(monkeypatch, attention,
                                                              input_feeding):
    rng = np.random.RandomState(0)
    X = ["".join(rng.choice(list("abcdef"), size=rng.randint(2, 7))) for _ in range(80)]
    y = [s[::-1] for s in X]
    model = Seq2SeqAttentionTranslator(
        embedding_dim=8, hidden_size=16, max_epochs=15, batch_size=16, random_state=0,
        attention=attention, input_feeding=input_feeding, lr=0.01,
    ).fit(X, y)
    sources = X[:30] + ["fedcba", "a"]  # padded batches, lengths 1..7

    def decode():
        out = {}
        for beam in (1, 3):
            model.set_params(beam_size=beam)
            out[beam] = (model.predict(sources), model.attention_weights(sources))
        return out

    fast, slow = _with_and_without(monkeypatch, "inference", decode)
    for beam in (1, 3):
        assert list(fast[beam][0]) == list(slow[beam][0])
        for a, b in zip(slow[beam][1], fast[beam][1]):
            assert b.target_tokens == a.target_tokens
            np.testing.assert_allclose(b.weights, a.weights, atol=1e-5)


def test_regressor_predicts_the_same_with_the_inference_step(monkeypatch):
    rng = np.random.RandomState(0)
    X, y = make_windows(np.sin(np.arange(200) / 4) + 0.1 * rng.randn(200), n_in=12, n_out=4)
    reg = Seq2SeqAttentionRegressor(hidden_size=8, max_epochs=3, batch_size=16,
                                    random_state=0, attention="general",
                                    input_feeding=True).fit(X, y)
    # the forecasting decoder's steps in predict take the fast step
    fast, slow = _with_and_without(monkeypatch, "inference", lambda: reg.predict(X))
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-5)


@pytest.mark.parametrize("input_feeding", [True, False])
@pytest.mark.parametrize("copy_attention", [False, True])
def test_the_input_table_gives_the_steps_of_embedded_tokens(input_feeding, copy_attention):
    # A vocabulary smaller than the rows to decode: the steps look each
    # token's gates up (input_table); the same numbers as embedding the
    # tokens, with or without the laid-out weights, and as the step loop.
    torch.manual_seed(0)
    vocab, batch, src_len = 9, 4, 6
    network = Seq2SeqTranslationNetwork(
        11, vocab, src_len, embedding_dim=5, hidden_size=8, attention="general",
        input_feeding=input_feeding, copy_attention=copy_attention).eval()
    source = torch.randint(4, 11, (batch, src_len))
    lengths = torch.tensor([6, 6, 4, 2])
    copy_ids = torch.randint(4, vocab + 3, (batch, src_len)) if copy_attention else None
    # extended ids (copies) among the fed tokens read as <unk>
    tokens = torch.randint(2, vocab + (3 if copy_attention else 0), (3, batch))

    def run(rows, fast=True):
        network.decoder._fused = fast
        with torch.no_grad():
            memory, keys, mask, state = network.encode(source, lengths)
            inference = network.inference_weights(rows=rows)
            feed = network.decoder.initial_feed(memory)
            results = []
            for t, step_tokens in enumerate(tokens):
                scores, weights, state, feed = network.step(
                    step_tokens, state, feed, memory, keys, mask, t=t, copy_ids=copy_ids,
                    inference=inference)
                results.append((scores, weights, state[0], state[1]))
        return inference, results

    table, with_table = run(rows=vocab)
    laid_out, without_table = run(rows=vocab - 1)
    none, slow = run(rows=vocab, fast=False)
    assert table.input_table.shape == (vocab, 4 * 8)
    assert laid_out.input_table is None and none is None
    for results in (without_table, slow):
        for a_step, b_step in zip(with_table, results):
            for a, b in zip(a_step, b_step):
                torch.testing.assert_close(a, b, atol=1e-5, rtol=0)


@pytest.mark.parametrize("loop", ["decoder", "forecast base", "forecast free-running",
                                  "translation free-running", "greedy", "beam"])
def test_a_decoding_loop_lays_the_weights_out_once(monkeypatch, loop):
    # Every step loop in evaluation builds InferenceWeights once, not once
    # per step (a step without them builds its own).
    built = _count_calls(monkeypatch, "inference_weights")
    steps = _count_calls(monkeypatch, "inference_step")
    torch.manual_seed(0)
    with torch.no_grad():
        if loop == "decoder":
            decoder = AttentionDecoder(3, 8, attention="general").eval()
            memory = torch.randn(2, 5, 8)
            state = tuple(torch.randn(1, 2, 8) for _ in range(2))
            decoder(torch.randn(2, 4, 3), state, memory, decoder.prepare(memory))
        elif loop.startswith("forecast"):
            network = Seq2SeqRegressionNetwork(1, 1, 4, 6, hidden_size=8, attention="general",
                                               input_feeding=True).eval()
            X = torch.randn(2, 6, 1)
            network(X, base=torch.randn(2, 4, 1) if loop == "forecast base" else None)
        else:
            network = Seq2SeqTranslationNetwork(9, 9, 6, embedding_dim=4, hidden_size=8,
                                                attention="general").eval()
            source, lengths = torch.randint(4, 9, (2, 6)), torch.tensor([6, 4])
            if loop == "translation free-running":
                network(source, lengths, max_length=4)
            elif loop == "greedy":
                greedy_decode(network, source, lengths, max_length=4)
            else:
                beam_search(network, source, lengths, max_length=4, beam_size=2)
    assert len(steps) >= 2
    assert built == [1]
