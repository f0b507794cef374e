"""Batched decoding for :class:`~sk_seqattn.nn.Seq2SeqTranslationNetwork`.

Both decoders run every sentence of a batch (and, for beam search, every
beam of every sentence) as one tensor per step, and stop after
``max_length`` steps at the latest, so decoding always ends.

Padding and begin-of-sequence are never predicted: their log-probability
is set to -inf before the argmax/top-k, in both decoders, which (with no
length penalty) makes beam search with ``beam_size=1`` exactly greedy
decoding. Both return attention weights of zero past a sentence's end marker.

With ``copy_ids`` (a network with copy attention) both decode over the
target vocabulary and each sentence's extended ids, and each step's
weights carry one more column, the step's copy probability (zero past the
end marker, like the attention), so that beam search keeps it with its
hypotheses as it keeps their attention.

:func:`decode_batches` runs one of the two over padded id arrays in
length-sorted batches, as the translator's ``predict`` and
``attention_weights`` do;
:class:`AttentionMap` is what ``attention_weights`` returns per sample.
"""

from dataclasses import dataclass

import numpy as np
import torch

from ..nn import map_state
from .tokenizers import BOS_ID, EOS_ID, PAD_ID

__all__ = ["AttentionMap", "decode_batches", "greedy_decode", "beam_search"]


@dataclass
class AttentionMap:
    """Attention of one translated sample, ready to plot.

    Attributes
    ----------
    weights : ndarray of shape (len(target_tokens), len(source_tokens))
        Row ``t``: how output token ``t`` attended over the source.
    source_tokens : list of str
        The source's tokens and its end marker.
    target_tokens : list of str
        The predicted tokens, with the end marker when one was produced.
    copy_probability : ndarray of shape (len(target_tokens),) or None
        With ``copy_attention``: at each output token, the probability
        that the model copies from the source rather than generates (the
        attention row says from where). None without copy attention.
    """

    weights: np.ndarray
    source_tokens: list
    target_tokens: list
    copy_probability: np.ndarray = None


def decode_batches(network, source_ids, source_lengths, *, batch_size, max_length,
                   beam_size=1, length_penalty=0.0, attention=True, copy_ids=None,
                   device="cpu"):
    """Decode padded sources in batches of similar length.

    Sources are sorted longest first and cut into batches, so that a batch
    holds little padding; the results come back in the sources' order.

    Parameters
    ----------
    network : Seq2SeqTranslationNetwork, in eval mode
    source_ids : int ndarray of shape (n, src_len)
        Padded with 0, each source ending with the end marker.
    source_lengths : int ndarray of shape (n,)
    batch_size : int
    max_length : int
        Most output steps (end marker included).
    beam_size : int, default=1
        1: :func:`greedy_decode`; more: :func:`beam_search`.
    length_penalty : float, default=0.0
        Beam search's length penalty.
    attention : bool, default=True
        Keep each output token's attention over its source.
    copy_ids : int ndarray of shape (n, src_len) or None
        For a network with copy attention: each source token's copy id.
    device : str or torch.device
        The network's device.

    Returns
    -------
    tokens : list of int64 ndarrays
        The output ids of each source, padded after the end marker.
    weights : list of float ndarrays of shape (out_len, source length), or
        of None without ``attention``
    copy_probability : list of float ndarrays of shape (out_len,), or of
        None without ``copy_ids``
    """
    n = len(source_lengths)
    order = np.argsort(-source_lengths, kind="stable")  # long first: little padding
    tokens, weights, p_copies = [None] * n, [None] * n, [None] * n
    # Copying keeps the copy probability among the weights' columns.
    keep = attention or copy_ids is not None

    def tensor(array):
        return torch.as_tensor(array, dtype=torch.long, device=device)

    for start in range(0, n, batch_size):
        rows = order[start: start + batch_size]
        lengths = source_lengths[rows]
        width = lengths.max()
        batch_copy_ids = None if copy_ids is None else tensor(copy_ids[rows, :width])
        source, lengths_t = tensor(source_ids[rows, :width]), tensor(lengths)
        if beam_size == 1:
            out, att = greedy_decode(network, source, lengths_t, max_length,
                                     return_attention=keep, copy_ids=batch_copy_ids)
        else:
            out, att = beam_search(network, source, lengths_t, max_length, beam_size,
                                   length_penalty, return_attention=keep,
                                   copy_ids=batch_copy_ids)
        out = out.cpu().numpy()  # (rows, out_len)
        att = None if att is None else att.float().cpu().numpy()  # (rows, out_len, width [+ 1])
        for i, row in enumerate(rows):
            tokens[row] = out[i]
            if copy_ids is not None:
                p_copies[row] = att[i, :, -1]
            if attention:
                weights[row] = att[i, :, : lengths[i]]
    return tokens, weights, p_copies


def _next_log_probs(network, tokens, state, feed, memory, keys, memory_mask, t, copy_ids,
                    inference):
    # t: the 0-based target step of every row (local-m attention's window centre).
    if copy_ids is None:
        logits, weights, state, feed = network.step(tokens, state, feed, memory, keys,
                                                    memory_mask, t=t, inference=inference)
    else:
        logits, weights, p_copy, state, feed = network.copy_step(
            tokens, state, feed, memory, keys, memory_mask, t=t, copy_ids=copy_ids,
            inference=inference)
        weights = torch.cat([weights, p_copy[:, None].to(weights.dtype)], dim=-1)
    log_probs = torch.log_softmax(logits, dim=-1)  # (rows, vocab)
    log_probs[:, PAD_ID] = float("-inf")
    log_probs[:, BOS_ID] = float("-inf")
    return log_probs, weights, state, feed


def _no_weights(memory, steps):
    return memory.new_zeros(memory.size(0), steps, memory.size(1))


@torch.no_grad()
def greedy_decode(network, source, source_lengths, max_length, return_attention=True,
                  copy_ids=None):
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
    copy_ids : LongTensor of shape (batch, src_len) or None
        For a network with copy attention: each source token's copy id.

    Returns
    -------
    tokens : LongTensor of shape (batch, out_len)
        Ending with the end marker where one was produced, then padding.
    weights : Tensor of shape (batch, out_len, src_len) or None
        Attention of each output step (zeros for attention "none", and past
        the end marker); with ``copy_ids``, of shape (batch, out_len,
        src_len + 1), the last column the copy probability.
    """
    memory, keys, memory_mask, state = network.encode(source, source_lengths)
    batch = source.size(0)
    inference = network.inference_weights(rows=batch * max_length)
    feed = network.decoder.initial_feed(memory)
    tokens = source.new_full((batch,), BOS_ID)
    finished = torch.zeros(batch, dtype=torch.bool, device=source.device)
    all_tokens, all_weights = [], []
    for t in range(max_length):
        log_probs, weights, state, feed = _next_log_probs(
            network, tokens, state, feed, memory, keys, memory_mask, t, copy_ids, inference
        )
        tokens = log_probs.argmax(-1).masked_fill(finished, PAD_ID)  # (batch,)
        all_tokens.append(tokens)
        if return_attention:
            if weights is not None:  # zero past the end marker, as beam search
                weights = weights.masked_fill(finished[:, None], 0.0)  # (batch, src_len)
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
                length_penalty=0.0, return_attention=True, copy_ids=None):
    """Beam search over all sentences of the batch at once, k live beams each.

    Every sentence keeps ``beam_size`` live hypotheses and, apart from
    them, its best finished one. At each step the ``2 * beam_size`` best
    one-token extensions of the live hypotheses are ranked by raw
    log-probability; those of the first ``beam_size`` that end with the end
    marker are finished: their score is normalised by GNMT's length penalty
    ``lp = ((5 + length) / 6) ** length_penalty`` (length counting the end
    marker; ``length_penalty=0``: plain log-probability) and the best of
    them enters the sentence's finished pool if it beats the pool's best
    (only that best is ever returned, so only it is kept). The next live
    hypotheses are the ``beam_size`` best extensions, by raw
    log-probability, that did not end, so the beam never shrinks as
    hypotheses finish (as OpenNMT-py and fairseq do).

    A sentence stops once no live hypothesis can beat its best finished
    one. Log-probabilities only decrease, so a live hypothesis with raw
    score ``s <= 0`` ends, at a length ``L`` in ``(t, max_length]``, with a
    normalised score at most ``s / lp(L) <= s / max(lp(t + 1),
    lp(max_length))``. The search stops when this bound for the best live
    score is at most the best finished score: for ``length_penalty=0`` when
    the best live raw score is no higher than the best finished score.
    This bound is safe (unlike OpenNMT-py's, which stops when the top
    hypothesis finishes): pruning aside, the result is the best hypothesis
    under the penalty, and a beam at least as large as the number of
    possible outputs finds the exact best. After ``max_length`` steps the
    live hypotheses are finished as they are (without end marker),
    normalised by ``lp(max_length)``.

    With ``beam_size=1`` and ``length_penalty=0`` this is exactly
    :func:`greedy_decode`.

    Parameters
    ----------
    network : Seq2SeqTranslationNetwork, in eval mode
    source : LongTensor of shape (batch, src_len)
    source_lengths : LongTensor of shape (batch,)
    max_length : int
    beam_size : int
    length_penalty : float
    return_attention : bool, default=True
    copy_ids : LongTensor of shape (batch, src_len) or None

    Returns
    -------
    tokens, weights : as in :func:`greedy_decode`, for the best hypothesis
        (weights are zero past its end).
    """
    memory, keys, memory_mask, state = network.encode(source, source_lengths)
    batch, beams = source.size(0), beam_size
    rows = batch * beams
    device = source.device

    def lp(length):
        return ((5.0 + length) / 6.0) ** length_penalty

    def expand(tensor):  # (batch, ...) -> (batch * beams, ...), beams adjacent
        return None if tensor is None else tensor.repeat_interleave(beams, dim=0)

    sentence_memory = memory  # (batch, src_len, hidden)
    memory, keys, memory_mask = expand(memory), expand(keys), expand(memory_mask)
    copy_ids = expand(copy_ids)  # (rows, src_len) or None
    inference = network.inference_weights(rows=rows * max_length)
    state = map_state(lambda s: s.repeat_interleave(beams, dim=1), state)
    feed = network.decoder.initial_feed(memory)

    # Live hypotheses: row b * beams + j is beam j of sentence b.
    tokens = source.new_full((rows,), BOS_ID)  # (rows,) last token of each
    scores = torch.zeros(batch, beams, device=device)  # raw log-probabilities
    scores[:, 1:] = float("-inf")  # all beams start identical: keep one
    history = source.new_zeros(rows, 0)  # (rows, steps)
    weight_history = None  # (rows, steps, src_len), once a step gives weights to keep
    row_offsets = (torch.arange(batch, device=device) * beams)[:, None]  # (batch, 1)

    # Best finished hypothesis of each sentence.
    best_scores = torch.full((batch,), float("-inf"), device=device)  # normalised
    best_tokens = source.new_full((batch, max_length), PAD_ID)  # (batch, max_length)
    best_lengths = source.new_zeros(batch)  # (batch,)
    best_weights = None  # (batch, max_length, src_len), likewise
    done = torch.zeros(batch, dtype=torch.bool, device=device)  # (batch,)

    def keep_best(candidate_scores, origin, last_tokens, last_weights, length):
        # A hypothesis per sentence, of ``length`` tokens: the live row
        # ``origin`` (batch,) extended by ``last_tokens`` (batch,) (or by
        # nothing when None), scored ``candidate_scores`` (batch,)
        # (normalised). It replaces the best finished one where better.
        nonlocal best_scores, best_tokens, best_lengths, best_weights
        better = (candidate_scores > best_scores) & ~done  # (batch,)
        if not bool(better.any()):
            return
        best_scores = torch.where(better, candidate_scores, best_scores)
        best_lengths = torch.where(better, torch.full_like(best_lengths, length), best_lengths)
        new = history.index_select(0, origin)  # (batch, steps)
        if last_tokens is not None:
            new = torch.cat([new, last_tokens[:, None]], dim=1)  # (batch, length)
        new = torch.nn.functional.pad(new, (0, max_length - length), value=PAD_ID)
        best_tokens = torch.where(better[:, None], new, best_tokens)  # (batch, max_length)
        if weight_history is not None:
            new = weight_history.index_select(0, origin)  # (batch, steps, src_len)
            if last_weights is not None:
                new = torch.cat([new, last_weights[:, None]], dim=1)  # (batch, length, src_len)
            new = torch.nn.functional.pad(new, (0, 0, 0, max_length - length))
            best_weights = torch.where(better[:, None, None], new, best_weights)

    step = 0  # steps decoded
    for step in range(1, max_length + 1):  # hypotheses have ``step`` tokens after it
        # Every live hypothesis has ``step - 1`` tokens: it decodes target step ``step - 1``.
        log_probs, weights, state, feed = _next_log_probs(
            network, tokens, state, feed, memory, keys, memory_mask, step - 1, copy_ids,
            inference)  # (rows, vocab); weights (rows, src_len [+ 1]) or None
        vocab = log_probs.size(1)
        if weights is None or not return_attention:
            weights = None
        elif weight_history is None:  # first step
            weight_history = weights.new_zeros(rows, 0, weights.size(1))
            best_weights = weights.new_zeros(batch, max_length, weights.size(1))
        candidates = (scores.view(rows, 1) + log_probs).view(batch, beams * vocab)
        top_scores, top_index = candidates.topk(2 * beams, dim=1)  # (batch, 2 * beams), best first
        top_origin = row_offsets + top_index // vocab  # (batch, 2 * beams) live row extended
        top_tokens = top_index % vocab  # (batch, 2 * beams)
        ends = top_tokens == EOS_ID  # (batch, 2 * beams)

        # Finished: end markers among the first ``beams`` candidates. All
        # have ``step`` tokens, so the best raw score is the best normalised.
        finishing = ends.clone()
        finishing[:, beams:] = False
        finishing &= torch.isfinite(top_scores)
        finished_scores = top_scores.masked_fill(~finishing, float("-inf"))
        finished_best, position = finished_scores.max(dim=1)  # (batch,)
        origin = top_origin.gather(1, position[:, None])[:, 0]  # (batch,)
        keep_best(
            finished_best / lp(step), origin, top_tokens.gather(1, position[:, None])[:, 0],
            None if weights is None else weights.index_select(0, origin),
            step,
        )

        # Live: the ``beams`` best candidates that did not end, best first
        # (at most ``beams`` of the ``2 * beams`` end: one per live row).
        keep = torch.sort(ends.to(torch.uint8), dim=1, stable=True).indices
        keep = keep[:, :beams]  # (batch, beams) positions in the candidates
        scores = top_scores.gather(1, keep)  # (batch, beams)
        scores = scores.masked_fill(done[:, None], float("-inf"))  # stopped: no live beams
        origin = top_origin.gather(1, keep).view(rows)  # (rows,) source row of each new beam
        tokens = top_tokens.gather(1, keep).view(rows)  # (rows,)

        state = map_state(lambda s: s.index_select(1, origin), state)
        if feed is not None:
            feed = feed.index_select(0, origin)
        history = torch.cat([history.index_select(0, origin), tokens[:, None]], dim=1)
        # history: (rows, step)
        if weights is not None:
            weight_history = torch.cat(
                [weight_history.index_select(0, origin), weights.index_select(0, origin)[:, None]],
                dim=1,
            )  # (rows, step, src_len)

        if step == max_length:
            break
        # Stop a sentence when its best live hypothesis cannot beat its best
        # finished one (see the docstring for the bound).
        bound = scores.max(dim=1).values / max(lp(step + 1), lp(max_length))  # (batch,)
        done |= bound <= best_scores
        if bool(done.all()):
            break

    if step == max_length and not bool(done.all()):
        # Out of steps: the live hypotheses finish as they are.
        live_best, position = scores.max(dim=1)  # (batch,)
        origin = row_offsets[:, 0] + position  # (batch,)
        keep_best(live_best / lp(max_length), origin, None, None, max_length)

    out_len = int(best_lengths.max()) if batch else 0
    tokens = best_tokens[:, :out_len]  # (batch, out_len)
    if not return_attention:
        return tokens, None
    if best_weights is None:
        return tokens, _no_weights(sentence_memory, out_len)
    return tokens, best_weights[:, :out_len]  # (batch, out_len, src_len)
