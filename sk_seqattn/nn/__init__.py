"""The PyTorch networks: encoder, attentional decoder, and the two models.

One module per concern: :mod:`.encoder` (the RNN over the source),
:mod:`.decoder` (the Luong decoder step and its batched form;
:mod:`.fused_decoder`, its teacher-forced input-feeding loop as one
autograd function),
:mod:`.forecasting` and :mod:`.translation` (the networks the estimators
train). The attention layers themselves are :mod:`sk_seqattn.nn.attention`
(global) and :mod:`sk_seqattn.nn.local_attention` (local-m, local-p).
"""

from .decoder import AttentionDecoder
from .encoder import Encoder, map_state
from .forecasting import Seq2SeqRegressionNetwork
from .translation import Seq2SeqTranslationNetwork

__all__ = [
    "Encoder", "AttentionDecoder", "Seq2SeqRegressionNetwork", "Seq2SeqTranslationNetwork",
    "map_state",
]
