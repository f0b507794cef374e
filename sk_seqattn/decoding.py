"""Batched decoding for :class:`~sk_seqattn.nn.Seq2SeqTranslationNetwork`.

Both decoders run every sentence of a batch (and, for beam search, every
beam of every sentence) as one tensor per step, and stop after
``max_length`` steps at the latest, so decoding always ends.

Padding and begin-of-sequence are never predicted: their log-probability
is set to -inf before the argmax/top-k, in both decoders, which makes beam
search with ``beam_size=1`` exactly greedy decoding.
"""

import torch

from .nn import map_state
from .tokenizers import BOS_ID, EOS_ID, PAD_ID

__all__ = ["greedy_decode", "beam_search"]


def _next_log_probs(network, tokens, state, feed, memory, keys, memory_mask):
    logits, weights, state, feed = network.step(tokens, state, feed, memory, keys, memory_mask)
    log_probs = torch.log_softmax(logits, dim=-1)  # (rows, vocab)
    log_probs[:, PAD_ID] = float("-inf")
    log_probs[:, BOS_ID] = float("-inf")
    return log_probs, weights, state, feed


def _no_weights(memory, steps):
    return memory.new_zeros(memory.size(0), steps, memory.size(1))


@torch.no_grad()
def greedy_decode(network, source, source_lengths, max_length, return_attention=True):
    """Most probable token at each step.

    Parameters
    ----------
    network : Seq2SeqTranslationNetwork, in eval mode
    source : LongTensor of shape (batch, src_len)
    source_lengths : LongTensor of shape (batch,)
    max_length : int
        Most output steps (end marker included).
    return_attention : bool, default=True
        Keep each step's attention; without it ``weights`` is None and
        decoding keeps no (batch, out_len, src_len) tensor.

    Returns
    -------
    tokens : LongTensor of shape (batch, out_len)
        Ending with the end marker where one was produced, then padding.
    weights : Tensor of shape (batch, out_len, src_len) or None
        Attention of each output step (zeros for attention "none").
    """
    memory, keys, memory_mask, state = network.encode(source, source_lengths)
    batch = source.size(0)
    feed = network.decoder.initial_feed(memory)
    tokens = source.new_full((batch,), BOS_ID)
    finished = torch.zeros(batch, dtype=torch.bool, device=source.device)
    all_tokens, all_weights = [], []
    for _ in range(max_length):
        log_probs, weights, state, feed = _next_log_probs(
            network, tokens, state, feed, memory, keys, memory_mask
        )
        tokens = log_probs.argmax(-1).masked_fill(finished, PAD_ID)  # (batch,)
        all_tokens.append(tokens)
        if return_attention:
            all_weights.append(weights)
        finished |= tokens == EOS_ID
        if finished.all():
            break
    tokens = torch.stack(all_tokens, dim=1)  # (batch, out_len)
    if not return_attention:
        return tokens, None
    if all_weights[0] is None:
        return tokens, _no_weights(memory, tokens.size(1))
    return tokens, torch.stack(all_weights, dim=1)  # (batch, out_len, src_len)


@torch.no_grad()
def beam_search(network, source, source_lengths, max_length, beam_size=5,
                length_penalty=0.0, return_attention=True):
    """Beam search over all sentences of the batch at once.

    A beam that has produced the end marker stays in the beam with its
    score frozen (it can only be extended by padding at no cost), so it
    competes with the live beams until the end. The best beam is chosen by
    ``score / lp(length)`` with GNMT's ``lp = ((5 + length) / 6) **
    length_penalty`` (``length_penalty=0``: plain log-probability).

    Parameters
    ----------
    network : Seq2SeqTranslationNetwork, in eval mode
    source : LongTensor of shape (batch, src_len)
    source_lengths : LongTensor of shape (batch,)
    max_length : int
    beam_size : int
    length_penalty : float
    return_attention : bool, default=True

    Returns
    -------
    tokens, weights : as in :func:`greedy_decode`, for the best beam.
    """
    memory, keys, memory_mask, state = network.encode(source, source_lengths)
    batch, beams = source.size(0), beam_size
    rows = batch * beams

    def expand(tensor):  # (batch, ...) -> (batch * beams, ...), beams adjacent
        return None if tensor is None else tensor.repeat_interleave(beams, dim=0)

    memory, keys, memory_mask = expand(memory), expand(keys), expand(memory_mask)
    state = map_state(lambda s: s.repeat_interleave(beams, dim=1), state)
    feed = network.decoder.initial_feed(memory)
    device = source.device

    tokens = source.new_full((rows,), BOS_ID)
    scores = torch.zeros(batch, beams, device=device)
    scores[:, 1:] = float("-inf")  # all beams start identical: keep one
    finished = torch.zeros(rows, dtype=torch.bool, device=device)
    lengths = torch.zeros(rows, dtype=torch.long, device=device)
    history = source.new_zeros(rows, 0)  # (rows, steps)
    weight_history = memory.new_zeros(rows, 0, memory.size(1))  # (rows, steps, src_len)
    row_offsets = (torch.arange(batch, device=device) * beams)[:, None]  # (batch, 1)

    for _ in range(max_length):
        log_probs, weights, state, feed = _next_log_probs(
            network, tokens, state, feed, memory, keys, memory_mask
        )  # (rows, vocab)
        vocab = log_probs.size(1)
        # A finished beam continues only with padding, at no cost.
        log_probs[finished] = float("-inf")
        log_probs[finished, PAD_ID] = 0.0
        candidates = (scores.view(rows, 1) + log_probs).view(batch, beams * vocab)
        scores, flat_index = candidates.topk(beams, dim=1)  # (batch, beams)
        origin = (row_offsets + flat_index // vocab).view(rows)  # source row of each new beam
        tokens = (flat_index % vocab).view(rows)

        state = map_state(lambda s: s.index_select(1, origin), state)
        if feed is not None:
            feed = feed.index_select(0, origin)
        finished = finished.index_select(0, origin)
        lengths = lengths.index_select(0, origin) + (~finished).long()
        history = torch.cat([history.index_select(0, origin), tokens[:, None]], dim=1)
        if weights is not None and return_attention:
            weight_history = torch.cat(
                [weight_history.index_select(0, origin), weights.index_select(0, origin)[:, None]],
                dim=1,
            )
        finished = finished | (tokens == EOS_ID)
        if finished.all():
            break

    final = scores.view(rows)
    if length_penalty:
        final = final / ((5.0 + lengths.float()) / 6.0) ** length_penalty
    best = row_offsets.view(batch) + final.view(batch, beams).argmax(dim=1)  # (batch,)
    tokens = history.index_select(0, best)
    if not return_attention:
        return tokens, None
    if weight_history.size(1) == 0:
        return tokens, _no_weights(memory[:batch], tokens.size(1))
    return tokens, weight_history.index_select(0, best)
