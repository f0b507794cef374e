"""Copy attention: the pointer-generator output layer (See et al., 2017).

At target step ``t``, with the attentional state ``~h_t``, the attention
``a_t`` over the source positions ``j`` and the *copy id* ``c_j`` of each
source token (its id in the target vocabulary of size ``V`` where that
vocabulary holds it, otherwise ``V + k`` for the sentence's ``k``-th source
word the target vocabulary lacks: the per-sentence extended vocabulary)::

    p_copy_t = sigmoid( w_c . ~h_t + b_c ) * sum_j a_t(j)
    p_t(w)   = (1 - p_copy_t) * softmax( W_s ~h_t )[w]
               + sigmoid( w_c . ~h_t + b_c ) * sum_{j : c_j = w} a_t(j)

over the ``V`` target words and the sentence's extra words. Under global
attention ``sum_j a_t(j) = 1``; local attention's weights sum to less
(local-p's Gaussian) or to 0 (a local-m window past the source's end),
and what they leave goes to generating, so ``p_t`` always sums to 1. A word the
target vocabulary holds gets both its generated and its copied probability,
so a copy never competes with generating the same word. Trained by the
cross-entropy of this mixture, the attention at a copied word is learned:
it must point at the source position of the word, however rare.

OpenNMT-py's ``CopyGenerator`` (``-copy_attn``) computes the same mixture;
its switch reads ``~h_t`` too (See et al.'s also reads the context vector
and the decoder input, which ``~h_t`` is computed from under Luong's
attention).
"""

import torch
from torch import nn

from ._amp import at_least_fp32

__all__ = ["CopySwitch", "copy_log_probs"]

# Floor of a probability before its log: a word neither generated nor
# attended to gets log(_TINY), not -inf, so that a training target that
# the mixture cannot produce gives a large finite loss (OpenNMT-py adds 1e-20).
_TINY = 1e-20


class CopySwitch(nn.Module):
    """``p_copy_t = sigmoid(w_c . ~h_t + b_c)``, the probability of copying at each step.

    Parameters
    ----------
    hidden_size : int
    """

    def __init__(self, hidden_size):
        super().__init__()
        self.linear = nn.Linear(hidden_size, 1)

    def forward(self, hidden):
        """
        Parameters
        ----------
        hidden : Tensor of shape (batch, [tgt_len,] hidden)

        Returns
        -------
        p_copy : Tensor of shape (batch, [tgt_len])
        """
        return torch.sigmoid(self.linear(hidden)).squeeze(-1)


def copy_log_probs(logits, weights, p_copy, copy_ids):
    """Log-probabilities of the pointer-generator mixture (see the module docstring).

    Computed in fp32 at least, whatever precision autocast left the inputs in.

    Parameters
    ----------
    logits : Tensor of shape (batch, [tgt_len,] vocab)
        The generator's scores ``W_s ~h_t``.
    weights : Tensor of shape (batch, [tgt_len,] src_len)
        Attention ``a_t``; zero at padded positions.
    p_copy : Tensor of shape (batch, [tgt_len])
        The switch ``sigmoid(w_c . ~h_t + b_c)``.
    copy_ids : LongTensor of shape (batch, src_len)
        The copy id of each source position; padded positions may hold
        any id below ``vocab`` (their weight is zero).

    Returns
    -------
    log_probs : Tensor of shape (batch, [tgt_len,] vocab + n_extra)
        ``n_extra = max(copy_ids) + 1 - vocab`` when positive, else 0: the
        batch's widest extended vocabulary.
    copy_probability : Tensor of shape (batch, [tgt_len])
        ``p_copy_t``, the probability mass of copying.
    """
    vocab = logits.size(-1)
    n_extra = max(int(copy_ids.max()) + 1 - vocab, 0) if copy_ids.numel() else 0
    weights = at_least_fp32(weights)
    p_copy = at_least_fp32(p_copy).unsqueeze(-1)  # (batch, [tgt_len,] 1)
    copied = weights.sum(-1, keepdim=True) * p_copy  # (batch, [tgt_len,] 1)
    probs = torch.softmax(at_least_fp32(logits), dim=-1) * (1.0 - copied)  # (batch, [tgt_len,] vocab)
    if n_extra:
        probs = nn.functional.pad(probs, (0, n_extra))  # (batch, [tgt_len,] vocab + n_extra)
    index = copy_ids if weights.dim() == 2 else copy_ids.unsqueeze(1).expand(weights.shape)
    probs = probs.scatter_add(-1, index, weights * p_copy)
    return torch.log(probs.clamp_min(_TINY)), copied.squeeze(-1)
