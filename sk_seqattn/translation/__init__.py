"""Translation: strings in, strings out.

- :mod:`.tokenizers`: character, word and BPE tokenizers (scikit-learn
  transformers from strings to id sequences and back).
- :mod:`.translator`: :class:`Seq2SeqAttentionTranslator` and
  :class:`AttentionMap`.
- :mod:`.decoding`: greedy and beam search over a trained network.
"""

from .tokenizers import BPETokenizer, CharTokenizer, WordTokenizer
from .translator import AttentionMap, Seq2SeqAttentionTranslator

__all__ = ["AttentionMap", "BPETokenizer", "CharTokenizer", "Seq2SeqAttentionTranslator",
           "WordTokenizer"]
