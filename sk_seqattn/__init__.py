"""sk_seqattn: Luong-attention sequence-to-sequence models as scikit-learn estimators."""

from .ensemble import LookbackEnsemble
from .persistence import load, save
from .preprocessing import calendar_features, forecasts_to_frame, last_windows, make_windows
from .regressor import Seq2SeqAttentionRegressor
from .tokenizers import BPETokenizer, CharTokenizer, WordTokenizer
from .translator import AttentionMap, Seq2SeqAttentionTranslator

__all__ = [
    "AttentionMap",
    "BPETokenizer",
    "CharTokenizer",
    "LookbackEnsemble",
    "Seq2SeqAttentionRegressor",
    "Seq2SeqAttentionTranslator",
    "WordTokenizer",
    "calendar_features",
    "forecasts_to_frame",
    "last_windows",
    "load",
    "make_windows",
    "save",
]
__version__ = "0.1.0"
