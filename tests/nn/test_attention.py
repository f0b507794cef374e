import pytest
import torch

from sk_seqattn.nn.attention import ATTENTION_SCORES, GlobalAttention

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
    _assert_padding_is_ignored(_attention(score))


def _assert_padding_is_ignored(attention):
    # Zero weight on padding, and each row as if its source stood alone.
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


# -- local attention (local-m, local-p) ----------------------------------------------
from sk_seqattn.nn.local_attention import LocalAttention  # noqa: E402

CONTENT_SCORES = ("dot", "general", "concat")


def _local(score, alignment, width):
    torch.manual_seed(0)
    return LocalAttention(HIDDEN, score, alignment, width)


def _masked_softmax(score, keep):
    return torch.softmax(score.masked_fill(~keep, float("-inf")), dim=-1)


@pytest.mark.parametrize("score", CONTENT_SCORES)
@pytest.mark.parametrize("first_step", [0, 3])
def test_local_m_attends_to_the_window_around_its_step(score, first_step):
    width = 1
    attention = _local(score, "local-m", width)
    query, memory = _inputs()
    hidden, weights = attention(query, memory, attention.prepare(memory), first_step=first_step)
    steps = torch.arange(first_step, first_step + TGT)[:, None]  # (tgt, 1)
    window = (torch.arange(SRC)[None, :] - steps).abs() <= width  # (tgt, src)
    assert window.any(-1).all()  # first_step + TGT - 1 = 6 <= SRC - 1 + width
    assert torch.all(weights[:, ~window] == 0)
    assert torch.all(weights[:, window] > 0)
    # Inside the window: the global scores' softmax over the window alone.
    full = GlobalAttention(HIDDEN, score)
    full.load_state_dict(attention.state_dict())
    expected = _masked_softmax(full._scores(query, full.prepare(memory), SRC), window)
    torch.testing.assert_close(weights, expected)


def test_local_m_past_the_source_end_has_zero_weights_and_context():
    attention = _local("general", "local-m", 2)
    query, memory = _inputs()
    first_step = SRC + 2 - (TGT - 2)  # the last two steps are past SRC - 1 + width
    hidden, weights = attention(query, memory, attention.prepare(memory), first_step=first_step)
    assert torch.all(weights[:, -2:] == 0)
    torch.testing.assert_close(weights[:, :-2].sum(-1), torch.ones(BATCH, TGT - 2))
    # ~h_t = tanh(W_c [0; h_t]) for the empty windows.
    expected = torch.tanh(torch.cat([torch.zeros_like(query), query], -1)
                          @ attention.output_proj.weight.T)
    torch.testing.assert_close(hidden[:, -2:], expected[:, -2:])
    hidden.sum().backward()  # no NaN through the empty windows
    assert all(torch.isfinite(p.grad).all() for p in attention.parameters())


def test_local_m_width_zero_is_hard_monotonic():
    attention = _local("dot", "local-m", 0)
    query, memory = _inputs()
    _, weights = attention(query, memory, attention.prepare(memory))
    torch.testing.assert_close(weights, torch.eye(TGT, SRC).expand(BATCH, -1, -1))


@pytest.mark.parametrize("score", CONTENT_SCORES)
def test_local_p_follows_the_equations_on_the_true_source_length(score):
    width = 2
    attention = _local(score, "local-p", width)
    query, memory = _inputs()
    lengths = torch.tensor([SRC, 4, 2])
    mask = torch.arange(SRC)[None, :] < lengths[:, None]  # (batch, src)
    _, weights = attention(query, memory, attention.prepare(memory), mask)
    W_p, v_p = attention.position_proj.weight, attention.position_v.weight
    # p_t = S * sigmoid(v_p . tanh(W_p h_t)), S the TRUE length of each row.
    p = lengths[:, None] * torch.sigmoid(torch.tanh(query @ W_p.T) @ v_p[0])  # (batch, tgt)
    torch.testing.assert_close(attention.aligned_positions(query, lengths), p)
    assert torch.all(p >= 0) and torch.all(p < lengths[:, None])
    offset = torch.arange(SRC)[None, None, :] - p[..., None]  # (batch, tgt, src)
    window = (offset.abs() <= width) & mask[:, None, :]
    full = GlobalAttention(HIDDEN, score)
    full.load_state_dict(attention.state_dict(), strict=False)
    align = _masked_softmax(full._scores(query, full.prepare(memory), SRC), window)
    sigma = width / 2
    expected = align * torch.exp(-offset ** 2 / (2 * sigma ** 2))  # not renormalised
    torch.testing.assert_close(weights, expected)
    assert torch.all(weights[~window] == 0) and torch.all(weights[window] > 0)
    assert torch.all(weights.sum(-1) < 1)


def test_local_p_gradient_reaches_the_position_parameters():
    attention = _local("general", "local-p", 3)
    query, memory = _inputs()
    hidden, _ = attention(query, memory, attention.prepare(memory))
    hidden.pow(2).sum().backward()
    for parameter in (attention.position_proj.weight, attention.position_v.weight):
        assert torch.isfinite(parameter.grad).all() and parameter.grad.abs().sum() > 0


@pytest.mark.parametrize("score", CONTENT_SCORES)
@pytest.mark.parametrize("alignment", ["local-m", "local-p"])
def test_local_padding_does_not_change_the_result(score, alignment):
    _assert_padding_is_ignored(_local(score, alignment, 2))


def test_local_bad_configuration():
    with pytest.raises(ValueError, match="'location' cannot be combined with local"):
        LocalAttention(HIDDEN, "location", "local-p")
    with pytest.raises(ValueError, match="alignment must be one of"):
        LocalAttention(HIDDEN, "dot", "global")
    with pytest.raises(ValueError, match=r"width must be >= 1 for alignment='local-p'"):
        LocalAttention(HIDDEN, "dot", "local-p", width=0)
    with pytest.raises(ValueError, match=r"width must be >= 0"):
        LocalAttention(HIDDEN, "dot", "local-m", width=-1)
