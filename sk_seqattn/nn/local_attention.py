"""Luong et al. (2015) local attention: local-m and local-p.

At target step ``t`` (0-based) the decoder state ``h_t`` attends only to
the source positions ``s`` (integers, ``0 <= s < S``, ``S`` the true
length of the source, padding excluded) inside a window of half-width
``D`` around an aligned position ``p_t``::

    window_t = { s : |s - p_t| <= D,  0 <= s < S }
    p_t = t                                             "local-m" (monotonic)
    p_t = S * sigmoid( v_p . tanh(W_p h_t) )            "local-p" (predictive)
    align_t(s) = softmax_{s in window_t}( score(h_t, hbar_s) )   0 outside
    a_t(s) = align_t(s)                                 local-m
    a_t(s) = align_t(s) * exp( -(s - p_t)^2 / (2 sigma^2) ),  sigma = D / 2
                                                        local-p
    c_t, ~h_t as in global attention

``score`` is any of Luong's content scores "dot", "general" and "concat",
computed by :class:`~sk_seqattn.nn.attention.GlobalAttention`'s code. The
"location" score, ``softmax(W_a h_t)`` over absolute source positions, is
refused: the paper does not combine it with a window, and a window would
only cut a distribution over positions that already ignores the content.

Choices where the paper is silent, or where it would be undefined:

- local-p: ``p_t`` lies in ``(0, S)`` (the sigmoid's range). ``W_p`` and
  ``v_p`` have no bias, as the paper writes them. The gradient reaches them
  through the Gaussian (the window itself is a hard cut). Following the
  paper, the weights are NOT renormalised after the Gaussian: they sum to
  less than 1, and the context vector shrinks where the window is far from
  ``p_t``. ``D >= 1`` is required (``sigma = D / 2`` must be positive); the
  window then always holds ``floor(p_t)``, a real source position.
- local-m: a target step past the source's end (``t > S - 1 + D``) has an
  empty window: its weights are all 0 and its context vector is 0 (no
  NaN). ``D = 0`` attends to position ``t`` alone.

The window and the padding are one boolean mask, applied once before the
softmax (-inf: exactly 0 weight outside the window). ``query`` may hold any
number of target steps, starting at ``first_step``: the whole teacher-forced
target in one call, or one step of a decoder loop (``first_step=t``).
"""

import torch
from torch import nn

from ._amp import at_least_fp32
from .attention import GlobalAttention

__all__ = ["ALIGNMENTS", "LocalAttention"]

ALIGNMENTS = ("global", "local-m", "local-p")


class LocalAttention(GlobalAttention):
    """Local attention over a window of ``2 * width + 1`` source positions.

    Parameters
    ----------
    hidden_size : int
        Width of ``h_t`` and ``hbar_s``, as in :class:`GlobalAttention`.
    score : {"dot", "general", "concat"}
        The content score inside the window.
    alignment : {"local-m", "local-p"}
        How the window's centre ``p_t`` is found.
    width : int, default=10
        The window's half-width ``D`` (10 in the paper); at least 1 for
        "local-p".

    Examples
    --------
    >>> import torch
    >>> from sk_seqattn.nn.local_attention import LocalAttention
    >>> attention = LocalAttention(4, "dot", "local-m", width=1)
    >>> query, memory = torch.randn(1, 3, 4), torch.randn(1, 5, 4)
    >>> _, weights = attention(query, memory, attention.prepare(memory))
    >>> (weights > 0).int()
    tensor([[[1, 1, 0, 0, 0],
             [1, 1, 1, 0, 0],
             [0, 1, 1, 1, 0]]], dtype=torch.int32)
    """

    def __init__(self, hidden_size, score="dot", alignment="local-p", width=10):
        if alignment not in ALIGNMENTS[1:]:
            raise ValueError(
                f"alignment must be one of {ALIGNMENTS[1:]}, got {alignment!r}."
            )
        if score == "location":
            raise ValueError(
                "score='location' cannot be combined with local attention: it scores "
                "absolute source positions from h_t alone, which the paper does not "
                "combine with a window."
            )
        if width < 0 or (alignment == "local-p" and width < 1):
            raise ValueError(
                f"width must be >= {1 if alignment == 'local-p' else 0} for "
                f"alignment={alignment!r} (local-p's Gaussian has sigma = width / 2); "
                f"got {width}."
            )
        super().__init__(hidden_size, score)
        self.alignment = alignment
        self.width = width
        if alignment == "local-p":
            # p_t = S * sigmoid(v_p . tanh(W_p h_t)); no biases, as in the paper.
            self.position_proj = nn.Linear(hidden_size, hidden_size, bias=False)  # W_p
            self.position_v = nn.Linear(hidden_size, 1, bias=False)  # v_p

    def aligned_positions(self, query, lengths, first_step=0):
        """The window centres ``p_t``.

        Parameters
        ----------
        query : Tensor of shape (batch, tgt_len, hidden)
        lengths : Tensor of shape (batch,)
            True source lengths ``S``.
        first_step : int
            Target step of ``query[:, 0]``.

        Returns
        -------
        positions : float Tensor of shape (batch, tgt_len)
        """
        batch, tgt_len, _ = query.shape
        if self.alignment == "local-m":
            steps = torch.arange(first_step, first_step + tgt_len, device=query.device,
                                 dtype=query.dtype)  # (tgt_len,)
            return steps.expand(batch, tgt_len)  # (batch, tgt_len)
        gate = self.position_v(torch.tanh(self.position_proj(query)))  # (batch, tgt_len, 1)
        # fp32 under autocast too: bf16 would round p_t by up to S / 256.
        gate = at_least_fp32(gate.squeeze(-1))  # (batch, tgt_len)
        return lengths.to(gate.dtype)[:, None] * torch.sigmoid(gate)

    def forward(self, query, memory, keys, memory_mask=None, first_step=0):
        """Attend from ``query`` over the window of each step.

        Parameters and returns as :meth:`GlobalAttention.forward`; the
        weights are exactly 0 outside each step's window and at padding.
        """
        batch, src_len = memory.shape[:2]
        if memory_mask is None:
            lengths = torch.full((batch,), src_len, device=memory.device)  # (batch,)
        else:
            lengths = memory_mask.sum(-1)  # (batch,)
        positions = self.aligned_positions(query, lengths, first_step)  # (batch, tgt_len)
        source = torch.arange(src_len, device=memory.device, dtype=positions.dtype)
        offset = source - positions.unsqueeze(-1)  # (batch, tgt_len, src_len): s - p_t
        window = offset.abs() <= self.width  # (batch, tgt_len, src_len)
        if memory_mask is not None:
            window = window & memory_mask.unsqueeze(1)  # (batch, tgt_len, src_len)
        # local-m past the source's end: an empty window. Its row is left
        # unmasked (no all--inf softmax, no NaN) and zeroed after the softmax.
        empty = ~window.any(-1, keepdim=True)  # (batch, tgt_len, 1)

        score = self._scores(query, keys, src_len)  # (batch, tgt_len, src_len)
        # The one place window and padding are handled: -inf gives exactly 0 weight.
        score = score.masked_fill(~(window | empty), float("-inf"))
        weights = torch.softmax(at_least_fp32(score), dim=-1)  # (batch, tgt_len, src_len), fp32
        weights = weights.masked_fill(empty, 0.0)  # (batch, tgt_len, src_len)
        if self.alignment == "local-p":
            sigma = self.width / 2
            # Not renormalised, as in the paper: rows sum to less than 1.
            weights = weights * torch.exp(-offset.square() / (2 * sigma ** 2))
        return self._attentional_hidden(weights, memory, query), weights
