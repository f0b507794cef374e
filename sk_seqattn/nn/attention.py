"""Luong et al. (2015) global attention.

At decoder step ``t`` the top-layer decoder state ``h_t`` attends over the
encoder states ``hbar_s``::

    a_t(s) = softmax_s( score(h_t, hbar_s) )        padded s get -inf
    score(h_t, hbar_s) = h_t . hbar_s                 "dot"
                       = h_t . (W_a hbar_s)           "general"
                       = v_a . tanh(W_a [h_t; hbar_s])  "concat"
    a_t = softmax( W_a h_t )[:S]                      "location"
    c_t = sum_s a_t(s) hbar_s                         context vector
    ~h_t = tanh( W_c [c_t; h_t] )                     attentional hidden state

"location" depends on ``h_t`` only: ``W_a`` maps to a fixed maximum source
length, a shorter source uses the first ``S`` logits and the softmax over
them renormalises. None of the weight matrices has a bias, as in the paper.

The module takes ``query`` with any number of target steps ``T``: ``T = 1``
in a step-by-step decoder loop, ``T = tgt_len`` when the whole teacher-forced
target is decoded in one RNN call (no input feeding). Both give the same
numbers; only the batching differs.

Local attention (local-m, local-p), which reuses this module's scores over
a window of source positions, is :mod:`sk_seqattn.nn.local_attention`.
"""

import torch
from torch import nn

from ._amp import at_least_fp32

__all__ = ["ATTENTION_SCORES", "GlobalAttention"]

ATTENTION_SCORES = ("dot", "general", "concat", "location")


class GlobalAttention(nn.Module):
    """Global attention with one of Luong's four score functions.

    Parameters
    ----------
    hidden_size : int
        Width of the decoder state ``h_t`` and of the encoder states
        ``hbar_s`` (they must agree; a bidirectional encoder provides
        ``hidden_size // 2`` per direction, concatenated).
    score : {"dot", "general", "concat", "location"}
        The score function.
    max_source_length : int or None
        Required for ``score="location"``: the number of source positions
        ``W_a`` maps to. Longer sources raise ``ValueError``.
    """

    def __init__(self, hidden_size, score="dot", max_source_length=None):
        super().__init__()
        if score not in ATTENTION_SCORES:
            raise ValueError(
                f"score must be one of {ATTENTION_SCORES}, got {score!r}."
            )
        if score == "location" and not max_source_length:
            raise ValueError("score='location' needs a positive max_source_length.")
        self.hidden_size = hidden_size
        self.score = score
        self.max_source_length = max_source_length

        if score == "general":
            # W_a of h_t . (W_a hbar_s); applied to the memory once per
            # sequence (prepare), not once per decoder step.
            self.memory_proj = nn.Linear(hidden_size, hidden_size, bias=False)
        elif score == "concat":
            # W_a [h_t; hbar_s] = W_q h_t + W_k hbar_s: split so the memory
            # half is computed once per sequence.
            self.query_proj = nn.Linear(hidden_size, hidden_size, bias=False)
            self.memory_proj = nn.Linear(hidden_size, hidden_size, bias=False)
            self.v = nn.Linear(hidden_size, 1, bias=False)
        elif score == "location":
            self.location_proj = nn.Linear(hidden_size, max_source_length, bias=False)
        # W_c of ~h_t = tanh(W_c [c_t; h_t])
        self.output_proj = nn.Linear(2 * hidden_size, hidden_size, bias=False)

    def prepare(self, memory):
        """Per-sequence part of the score, computed once before decoding.

        Parameters
        ----------
        memory : Tensor of shape (batch, src_len, hidden)

        Returns
        -------
        keys : Tensor of shape (batch, src_len, hidden) or None
        """
        if self.score == "dot":
            return memory
        if self.score in ("general", "concat"):
            return self.memory_proj(memory)  # (batch, src_len, hidden)
        return None  # location does not look at the memory to score

    def forward(self, query, memory, keys, memory_mask=None, first_step=0):
        """Attend from ``query`` over ``memory``.

        Parameters
        ----------
        query : Tensor of shape (batch, tgt_len, hidden)
            Top-layer decoder states ``h_t``.
        memory : Tensor of shape (batch, src_len, hidden)
            Encoder states ``hbar_s``.
        keys : Tensor or None
            ``self.prepare(memory)``.
        memory_mask : BoolTensor of shape (batch, src_len) or None
            True at real source positions, False at padding.
        first_step : int, default=0
            Target step of ``query[:, 0]``. Global attention does not
            depend on it; :class:`~sk_seqattn.nn.local_attention.LocalAttention`
            (local-m) does, so every decoder passes it.

        Returns
        -------
        attentional_hidden : Tensor of shape (batch, tgt_len, hidden)
        weights : Tensor of shape (batch, tgt_len, src_len)
        """
        score = self._scores(query, keys, memory.size(1))  # (batch, tgt_len, src_len)
        if memory_mask is not None:
            # The one place padding is handled: -inf gives exactly 0 weight.
            score = score.masked_fill(~memory_mask.unsqueeze(1), float("-inf"))
        # In fp32 under autocast (a no-op otherwise): bf16 would round the weights.
        weights = torch.softmax(at_least_fp32(score), dim=-1)  # (batch, tgt_len, src_len)
        return self._attentional_hidden(weights, memory, query), weights

    def _scores(self, query, keys, src_len):
        """``score(h_t, hbar_s)`` for every target and source step, unmasked.

        Parameters
        ----------
        query : Tensor of shape (batch, tgt_len, hidden)
        keys : ``self.prepare(memory)``
        src_len : int

        Returns
        -------
        score : Tensor of shape (batch, tgt_len, src_len)
        """
        if self.score in ("dot", "general"):
            return torch.bmm(query, keys.transpose(1, 2))  # (batch, tgt_len, src_len)
        if self.score == "concat":
            projected_query = self.query_proj(query)  # (batch, tgt_len, hidden)
            # (batch, tgt_len, 1, hidden) + (batch, 1, src_len, hidden)
            energy = torch.tanh(projected_query.unsqueeze(2) + keys.unsqueeze(1))
            return self.v(energy).squeeze(-1)  # (batch, tgt_len, src_len)
        # location
        if src_len > self.max_source_length:
            raise ValueError(
                f"'location' attention was fitted for sources of at most "
                f"{self.max_source_length} steps; got {src_len}."
            )
        # (batch, tgt_len, max_source_length) -> first src_len logits
        return self.location_proj(query)[..., :src_len]

    def _attentional_hidden(self, weights, memory, query):
        """``~h_t = tanh(W_c [c_t; h_t])`` with ``c_t = sum_s a_t(s) hbar_s``.

        Parameters
        ----------
        weights : Tensor of shape (batch, tgt_len, src_len)
        memory : Tensor of shape (batch, src_len, hidden)
        query : Tensor of shape (batch, tgt_len, hidden)

        Returns
        -------
        attentional_hidden : Tensor of shape (batch, tgt_len, hidden)
        """
        context = torch.bmm(weights, memory)  # (batch, tgt_len, hidden)
        return torch.tanh(
            self.output_proj(torch.cat([context, query], dim=-1))
        )  # (batch, tgt_len, hidden)
