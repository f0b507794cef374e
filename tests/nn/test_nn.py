import pytest
import torch

from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from sk_seqattn.nn import (
    AttentionDecoder, Encoder, Seq2SeqRegressionNetwork, map_state,
)

ATTENTIONS = ["dot", "general", "concat", "location", "none"]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("attention", ATTENTIONS)
def test_batched_decoder_equals_the_step_loop(attention, cell):
    # The vectorised path (one RNN call over the whole target, batched
    # attention) must be the step loop computed differently, nothing else.
    torch.manual_seed(0)
    encoder = Encoder(3, 16, num_layers=2, cell=cell)
    decoder = AttentionDecoder(4, 16, num_layers=2, cell=cell, attention=attention,
                               input_feeding=False, max_source_length=9).eval()
    source = torch.randn(5, 9, 3)
    inputs = torch.randn(5, 7, 4)
    memory, state = encoder(source)
    keys = decoder.prepare(memory)
    batched, batched_weights = decoder(inputs, state, memory, keys)
    stepwise, stepwise_weights = decoder.forward_stepwise(inputs, state, memory, keys)
    torch.testing.assert_close(batched, stepwise, atol=1e-5, rtol=0)
    if attention == "none":
        assert batched_weights is None and stepwise_weights is None
    else:
        torch.testing.assert_close(batched_weights, stepwise_weights, atol=1e-5, rtol=0)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_encoder_padding_never_changes_a_result(cell, bidirectional):
    torch.manual_seed(0)
    encoder = Encoder(3, 8, num_layers=2, cell=cell, bidirectional=bidirectional)
    source = torch.randn(3, 6, 3)
    lengths = torch.tensor([6, 4, 2])
    padded = source.clone()
    for row, length in enumerate(lengths.tolist()):
        padded[row, length:] = 100.0  # garbage in the padding
    memory, state = encoder(padded, lengths)
    assert memory.shape == (3, 6, 8)
    for row, length in enumerate(lengths.tolist()):
        alone_memory, alone_state = encoder(source[row:row + 1, :length])
        torch.testing.assert_close(memory[row:row + 1, :length], alone_memory)
        assert torch.all(memory[row, length:] == 0)
        for got, expected in zip(
            state if cell == "lstm" else (state,),
            alone_state if cell == "lstm" else (alone_state,),
        ):
            assert got.shape == (2, 3, 8)
            torch.testing.assert_close(got[:, row:row + 1], expected)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("lengths", [
    [3, 9, 1, 9, 5, 3, 7],            # few distinct lengths
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 9],   # more than MAX_LENGTH_GROUPS: packed if bidirectional
    [4, 2, 4, 2],                     # no row as long as the padded batch
])
def test_encoder_on_ragged_rows_matches_packing_values_and_gradients(
        cell, bidirectional, lengths):
    # The encoder avoids packing for speed; it must compute what packing
    # computes, gradients included.
    torch.manual_seed(0)
    encoder = Encoder(3, 8, num_layers=2, cell=cell, bidirectional=bidirectional)
    lengths = torch.tensor(lengths)
    source = torch.randn(len(lengths), 9, 3, requires_grad=True)
    memory, state = encoder(source, lengths)
    packed = pack_padded_sequence(source, lengths, batch_first=True, enforce_sorted=False)
    expected_memory, expected_state = encoder.rnn(packed)
    expected_memory, _ = pad_packed_sequence(expected_memory, batch_first=True, total_length=9)
    if bidirectional:
        expected_state = map_state(encoder._join_directions, expected_state)
    torch.testing.assert_close(memory, expected_memory)
    if cell == "gru":  # one state tensor instead of (h, c)
        state, expected_state = (state,), (expected_state,)
    for got, expected in zip(state, expected_state):
        torch.testing.assert_close(got, expected)
    loss = memory.pow(2).sum() + sum(s.pow(2).sum() for s in state)
    expected_loss = expected_memory.pow(2).sum() + sum(s.pow(2).sum() for s in expected_state)
    inputs = [source, *encoder.parameters()]
    for got, expected in zip(torch.autograd.grad(loss, inputs),
                             torch.autograd.grad(expected_loss, inputs)):
        torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-4)


def test_bidirectional_state_joins_the_two_directions_per_layer():
    torch.manual_seed(0)
    encoder = Encoder(2, 6, num_layers=2, cell="gru", bidirectional=True)
    source = torch.randn(4, 5, 2)
    _, joined = encoder(source)
    _, raw = encoder.rnn(source)  # (layers * 2, batch, 3)
    torch.testing.assert_close(joined[1], torch.cat([raw[2], raw[3]], dim=-1))
    with pytest.raises(ValueError, match="even"):
        Encoder(2, 5, bidirectional=True)


def test_input_feeding_widens_the_decoder_input_and_feeds_attentional_state():
    decoder = AttentionDecoder(4, 16, attention="dot", input_feeding=True)
    assert decoder.rnn.input_size == 4 + 16
    assert AttentionDecoder(4, 16, attention="none", input_feeding=True).rnn.input_size == 4


@pytest.mark.parametrize("input_feeding", [False, True])
@pytest.mark.parametrize("with_base", [False, True])
def test_regression_network_teacher_forced_equals_free_running_on_its_own_outputs(
    input_feeding, with_base
):
    # Teacher forcing with the network's own free-running predictions as
    # the "truth" must reproduce the free-running predictions.
    torch.manual_seed(0)
    net = Seq2SeqRegressionNetwork(
        n_features=2, n_targets=1, horizon=5, n_steps=8, target_features=[1],
        hidden_size=12, attention="general", input_feeding=input_feeding,
    ).eval()
    X = torch.randn(4, 8, 2)
    base = torch.randn(4, 5, 1) if with_base else None
    free, free_weights = net(X, base=base)
    forced, forced_weights = net(X, target=free, base=base)
    if with_base:  # the base shifts the forecast; the network adds a correction
        assert not torch.allclose(free, net(X)[0])
    assert free.shape == (4, 5, 1) and free_weights.shape == (4, 5, 8)
    torch.testing.assert_close(free, forced, atol=1e-5, rtol=0)
    torch.testing.assert_close(free_weights, forced_weights, atol=1e-5, rtol=0)


@pytest.mark.parametrize("n_quantiles", [1, 3])
@pytest.mark.parametrize("input_feeding", [False, True])
def test_regression_network_future_features_step_loop_equals_batched(input_feeding, n_quantiles):
    # The step loop fed the truth at every step equals the batched decoder,
    # known-future features and quantile heads included.
    torch.manual_seed(0)
    net = Seq2SeqRegressionNetwork(
        n_features=3, n_targets=1, horizon=5, n_steps=8, hidden_size=12,
        attention="general", input_feeding=input_feeding, n_future_features=2,
        n_quantiles=n_quantiles, median_index=n_quantiles // 2,
    ).eval()
    X, target, future = torch.randn(4, 8, 3), torch.randn(4, 5, 1), torch.randn(4, 5, 2)
    batched, batched_weights = net(X, target=target, future=future)
    memory, state = net.encoder(X)
    stepwise, stepwise_weights = net._decode_stepwise(
        X[:, -1, :1], state, memory, net.decoder.prepare(memory), target, future
    )  # teacher_forcing=1.0: the truth at every step
    expected = (4, 5, 1) if n_quantiles == 1 else (4, 5, 1, n_quantiles)
    assert batched.shape == expected
    torch.testing.assert_close(batched, stepwise, atol=1e-5, rtol=0)
    torch.testing.assert_close(batched_weights, stepwise_weights, atol=1e-5, rtol=0)
    # The future reaches the output.
    assert not torch.allclose(net(X, future=future + 1)[0], net(X, future=future)[0])


def test_regression_network_refuses_a_missing_or_unexpected_future():
    net = Seq2SeqRegressionNetwork(n_features=1, n_targets=1, horizon=3, n_steps=4,
                                   hidden_size=4, n_future_features=1)
    with pytest.raises(ValueError, match="known-future"):
        net(torch.randn(2, 4, 1))
    plain = Seq2SeqRegressionNetwork(n_features=1, n_targets=1, horizon=3, n_steps=4,
                                     hidden_size=4)
    with pytest.raises(ValueError, match="known-future"):
        plain(torch.randn(2, 4, 1), future=torch.randn(2, 3, 1))


def test_pinball_loss_matches_its_definition():
    from sk_seqattn.training.net import PinballLoss
    prediction = torch.tensor([[[[0.0, 1.0, 2.0]]]])  # (1, 1, 1, 3)
    target = torch.tensor([[[1.5]]])
    loss = PinballLoss([0.1, 0.5, 0.9])(prediction, target)
    expected = (0.1 * 1.5 + 0.5 * 0.5 + 0.1 * 0.5) / 3
    assert loss.item() == pytest.approx(expected)


def test_translation_network_uniform_init_keeps_padding_zero():
    from sk_seqattn.nn import Seq2SeqTranslationNetwork
    network = Seq2SeqTranslationNetwork(10, 12, 8, embedding_dim=6, hidden_size=8,
                                        attention="concat", init_scale=0.1)
    for name, parameter in network.named_parameters():
        assert parameter.abs().max() <= 0.1, name
    assert network.source_embedding.weight[0].abs().sum() == 0
    assert network.target_embedding.weight[0].abs().sum() == 0


@pytest.mark.parametrize("input_feeding", [False, True])
@pytest.mark.parametrize("attention", ATTENTIONS)
def test_translation_network_row_alone_equals_row_in_a_padded_batch(attention, input_feeding):
    # Alone, a source is unpadded (no attention mask at all); in a batch
    # with a longer source it is padded and masked. Same logits either way.
    from sk_seqattn.nn import Seq2SeqTranslationNetwork
    torch.manual_seed(0)
    network = Seq2SeqTranslationNetwork(10, 12, 8, embedding_dim=6, hidden_size=8,
                                        attention=attention, input_feeding=input_feeding,
                                        init_scale=0.1).eval()
    source = torch.tensor([[4, 5, 6, 7, 3], [8, 9, 3, 0, 0]])
    lengths = torch.tensor([5, 3])
    target = torch.tensor([[5, 4, 3], [6, 3, 0]])
    assert network.encode(source, lengths)[2] is not None
    assert network.encode(source[1:, :3], lengths[1:])[2] is None
    logits, weights = network(source, lengths, target=target)
    alone_logits, alone_weights = network(source[1:, :3], lengths[1:], target=target[1:])
    torch.testing.assert_close(logits[1:], alone_logits)
    torch.testing.assert_close(weights[1:, :, :3], alone_weights)
    assert torch.all(weights[1:, :, 3:] == 0)


# -- local attention in the decoders ---------------------------------------------------
LOCAL = [("local-m", "dot"), ("local-m", "concat"), ("local-p", "general"), ("local-p", "dot")]


@pytest.mark.parametrize("alignment, attention", LOCAL)
def test_local_batched_decoder_equals_the_step_loop(alignment, attention):
    # The batched path numbers the target steps from 0; the step loop passes
    # t to each step. A target longer than the source plus the window gives
    # local-m empty windows at the end.
    torch.manual_seed(0)
    encoder = Encoder(3, 16, cell="gru")
    decoder = AttentionDecoder(4, 16, cell="gru", attention=attention, input_feeding=False,
                               alignment=alignment, local_width=2).eval()
    memory, state = encoder(torch.randn(5, 6, 3))
    inputs = torch.randn(5, 10, 4)
    keys = decoder.prepare(memory)
    batched, batched_weights = decoder(inputs, state, memory, keys)
    stepwise, stepwise_weights = decoder.forward_stepwise(inputs, state, memory, keys)
    torch.testing.assert_close(batched, stepwise, atol=1e-6, rtol=0)
    torch.testing.assert_close(batched_weights, stepwise_weights, atol=1e-6, rtol=0)
    if alignment == "local-m":  # step t attends to [t - 2, t + 2] only
        window = (torch.arange(6)[None, :] - torch.arange(10)[:, None]).abs() <= 2
        assert torch.all(stepwise_weights[:, ~window] == 0)
        assert torch.all(stepwise_weights[:, window] > 0)


def test_decoder_local_alignment_refuses_location_and_is_ignored_without_attention():
    with pytest.raises(ValueError, match="'location' cannot be combined with local"):
        AttentionDecoder(4, 8, attention="location", alignment="local-m", max_source_length=5)
    assert AttentionDecoder(4, 8, attention="none", alignment="local-p").attention is None
    assert AttentionDecoder(4, 8, alignment="global").attention.__class__.__name__ \
        == "GlobalAttention"


@pytest.mark.parametrize("alignment", ["local-m", "local-p"])
@pytest.mark.parametrize("input_feeding, with_base", [(False, False), (False, True), (True, False)])
def test_regression_network_local_paths_agree(alignment, input_feeding, with_base):
    # Free-running (step loop, t passed) fed back as the truth (batched path
    # unless input feeding) gives the same forecast and attention.
    torch.manual_seed(0)
    net = Seq2SeqRegressionNetwork(
        n_features=2, n_targets=1, horizon=6, n_steps=8, target_features=[1],
        hidden_size=12, attention="general", input_feeding=input_feeding,
        alignment=alignment, local_width=1,
    ).eval()
    X = torch.randn(4, 8, 2)
    base = torch.randn(4, 6, 1) if with_base else None
    free, free_weights = net(X, base=base)
    memory, state = net.encoder(X)
    stepwise, stepwise_weights = net._decode_stepwise(
        X[:, -1, 1:], state, memory, net.decoder.prepare(memory), target=free, future=None,
    )
    forced, forced_weights = net(X, target=free)
    if not with_base:
        torch.testing.assert_close(free, forced, atol=1e-6, rtol=0)
        torch.testing.assert_close(free_weights, forced_weights, atol=1e-6, rtol=0)
        torch.testing.assert_close(free, stepwise, atol=1e-6, rtol=0)
    torch.testing.assert_close(forced_weights, stepwise_weights, atol=1e-6, rtol=0)
    if alignment == "local-m":
        window = (torch.arange(8)[None, :] - torch.arange(6)[:, None]).abs() <= 1
        assert torch.all(free_weights[:, ~window] == 0)


@pytest.mark.parametrize("input_feeding", [False, True])
@pytest.mark.parametrize("alignment", ["local-m", "local-p"])
def test_translation_network_local_row_alone_equals_row_in_a_padded_batch(
        alignment, input_feeding):
    from sk_seqattn.nn import Seq2SeqTranslationNetwork
    torch.manual_seed(0)
    network = Seq2SeqTranslationNetwork(10, 12, 8, embedding_dim=6, hidden_size=8,
                                        attention="dot", input_feeding=input_feeding,
                                        init_scale=0.1, alignment=alignment,
                                        local_width=1).eval()
    source = torch.tensor([[4, 5, 6, 7, 3], [8, 9, 3, 0, 0]])
    lengths = torch.tensor([5, 3])
    target = torch.tensor([[5, 4, 3], [6, 3, 0]])
    logits, weights = network(source, lengths, target=target)
    alone_logits, alone_weights = network(source[1:, :3], lengths[1:], target=target[1:])
    torch.testing.assert_close(logits[1:], alone_logits)
    torch.testing.assert_close(weights[1:, :, :3], alone_weights)
    assert torch.all(weights[1:, :, 3:] == 0)
    # Free-running greedy (the step loop) agrees with teacher forcing on its output.
    free_logits, free_weights = network(source, lengths, max_length=4)
    forced_logits, forced_weights = network(source, lengths, target=free_logits.argmax(-1))
    torch.testing.assert_close(free_logits, forced_logits, atol=1e-6, rtol=0)
    torch.testing.assert_close(free_weights, forced_weights, atol=1e-6, rtol=0)
