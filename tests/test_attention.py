import pytest
import torch

from sk_seqattn.attention import ATTENTION_SCORES, GlobalAttention

BATCH, TGT, SRC, HIDDEN = 3, 4, 6, 5


def _inputs(seed=0):
    generator = torch.Generator().manual_seed(seed)
    query = torch.randn(BATCH, TGT, HIDDEN, generator=generator)
    memory = torch.randn(BATCH, SRC, HIDDEN, generator=generator)
    return query, memory


def _attention(score):
    torch.manual_seed(0)
    return GlobalAttention(HIDDEN, score, max_source_length=SRC + 2)


@pytest.mark.parametrize("score", ATTENTION_SCORES)
def test_shapes_and_weights_are_distributions(score):
    attention = _attention(score)
    query, memory = _inputs()
    hidden, weights = attention(query, memory, attention.prepare(memory))
    assert hidden.shape == (BATCH, TGT, HIDDEN)
    assert weights.shape == (BATCH, TGT, SRC)
    torch.testing.assert_close(weights.sum(-1), torch.ones(BATCH, TGT))
    assert (hidden.abs() <= 1).all()  # tanh output


@pytest.mark.parametrize("score", ATTENTION_SCORES)
def test_padding_gets_zero_weight_and_does_not_change_the_result(score):
    attention = _attention(score)
    query, memory = _inputs()
    lengths = torch.tensor([SRC, 3, 1])
    mask = torch.arange(SRC)[None, :] < lengths[:, None]  # (batch, src_len)
    # Garbage in the padding must not matter.
    noisy = memory.masked_fill(~mask.unsqueeze(-1), 1e3)
    hidden, weights = attention(query, noisy, attention.prepare(noisy), mask)
    assert torch.all(weights[~mask.unsqueeze(1).expand_as(weights)] == 0)
    for row, length in enumerate(lengths.tolist()):
        alone = memory[row:row + 1, :length]
        expected_hidden, expected_weights = attention(
            query[row:row + 1], alone, attention.prepare(alone)
        )
        torch.testing.assert_close(hidden[row:row + 1], expected_hidden)
        torch.testing.assert_close(weights[row:row + 1, :, :length], expected_weights)


def test_dot_and_general_follow_the_equations():
    query, memory = _inputs()
    dot = _attention("dot")
    hidden, weights = dot(query, memory, dot.prepare(memory))
    expected_weights = torch.softmax(query @ memory.transpose(1, 2), dim=-1)
    context = expected_weights @ memory
    expected_hidden = torch.tanh(
        torch.cat([context, query], -1) @ dot.output_proj.weight.T
    )
    torch.testing.assert_close(weights, expected_weights)
    torch.testing.assert_close(hidden, expected_hidden)

    general = _attention("general")
    _, weights = general(query, memory, general.prepare(memory))
    W_a = general.memory_proj.weight
    torch.testing.assert_close(
        weights, torch.softmax(query @ (memory @ W_a.T).transpose(1, 2), dim=-1)
    )


def test_concat_follows_the_equation():
    query, memory = _inputs()
    concat = _attention("concat")
    _, weights = concat(query, memory, concat.prepare(memory))
    # v_a . tanh(W_a [h_t; hbar_s]) with W_a = [W_q, W_k]
    W_a = torch.cat([concat.query_proj.weight, concat.memory_proj.weight], dim=1)
    pairs = torch.cat([
        query.unsqueeze(2).expand(-1, -1, SRC, -1),
        memory.unsqueeze(1).expand(-1, TGT, -1, -1),
    ], dim=-1)  # (batch, tgt, src, 2 hidden)
    score = torch.tanh(pairs @ W_a.T) @ concat.v.weight.squeeze(0)
    torch.testing.assert_close(weights, torch.softmax(score, dim=-1))


def test_location_uses_the_first_positions_renormalised_and_ignores_memory():
    query, memory = _inputs()
    location = _attention("location")
    _, weights = location(query, memory, location.prepare(memory))
    logits = query @ location.location_proj.weight.T  # (batch, tgt, max_len)
    torch.testing.assert_close(weights, torch.softmax(logits[..., :SRC], dim=-1))
    _, other = location(query, memory * 5, None)
    torch.testing.assert_close(weights, other)


def test_location_rejects_a_longer_source():
    attention = GlobalAttention(HIDDEN, "location", max_source_length=SRC - 1)
    query, memory = _inputs()
    with pytest.raises(ValueError, match=f"at most {SRC - 1} steps; got {SRC}"):
        attention(query, memory, None)


def test_bad_configuration():
    with pytest.raises(ValueError, match="score must be one of"):
        GlobalAttention(HIDDEN, "bilinear")
    with pytest.raises(ValueError, match="max_source_length"):
        GlobalAttention(HIDDEN, "location")
