"""Former home of the networks, now in :mod:`sk_seqattn.nn`.

Kept so that imports from ``sk_seqattn.modules`` and estimators pickled
before the move keep working.
"""

from .nn import (  # noqa: F401
    AttentionDecoder, Encoder, Seq2SeqRegressionNetwork, Seq2SeqTranslationNetwork, map_state,
)

__all__ = [
    "Encoder", "AttentionDecoder", "Seq2SeqRegressionNetwork", "Seq2SeqTranslationNetwork",
]
