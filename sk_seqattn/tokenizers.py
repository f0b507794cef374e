"""Tokenizers: scikit-learn transformers from strings to id sequences and back.

Every vocabulary reserves the same ids for the special tokens:

======  ==========  ==============================
id      token       use
======  ==========  ==============================
0       ``<pad>``   padding (never predicted)
1       ``<unk>``   anything outside the vocabulary
2       ``<s>``     begin of sequence (decoder start)
3       ``</s>``    end of sequence
======  ==========  ==============================

``transform`` returns a 1-D object array of int64 arrays (ragged: one per
string), so it cannot honour ``set_output(transform="pandas")``.
"""

import re
from collections import Counter
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ._constants import BOS_ID, EOS_ID, PAD_ID, SPECIAL_TOKENS, UNK_ID
from ._optional import require

__all__ = [
    "PAD_ID", "UNK_ID", "BOS_ID", "EOS_ID", "SPECIAL_TOKENS",
    "CharTokenizer", "WordTokenizer", "BPETokenizer", "check_texts",
]


def check_texts(texts, name="X"):
    """Validate a 1-D collection of strings and return it as a list.

    Raises ``TypeError`` for a lone string or a non-string item and
    ``ValueError`` for a missing (None/NaN) item or a 2-D input, naming the
    argument and the position.
    """
    if isinstance(texts, str):
        raise TypeError(
            f"{name} must be a list, array or Series of strings; got a single string."
        )
    if isinstance(texts, pd.DataFrame):
        raise ValueError(f"{name} must be 1-D (one string per sample); got a DataFrame.")
    if isinstance(texts, np.ndarray) and texts.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D (one string per sample); got an array of shape "
            f"{texts.shape}."
        )
    try:
        texts = list(texts)
    except TypeError:
        raise TypeError(
            f"{name} must be a list, array or Series of strings; got "
            f"{type(texts).__name__}."
        ) from None
    for i, text in enumerate(texts):
        if isinstance(text, str):
            continue
        if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
            raise ValueError(f"{name}[{i}] is missing ({text!r}); expected a string.")
        raise TypeError(f"{name}[{i}] is {type(text).__name__}; expected a string.")
    return texts


class _BaseTokenizer(TransformerMixin, BaseEstimator):
    """Vocabulary, id mapping and the transformer API; subclasses split text."""

    _parameter_constraints = {
        "min_frequency": [Interval(Integral, 1, None, closed="left")],
        "max_vocab_size": [Interval(Integral, len(SPECIAL_TOKENS) + 1, None,
                                    closed="left"), None],
    }

    # -- what subclasses define ---------------------------------------------
    def tokenize(self, text):
        """Split one string into tokens."""
        raise NotImplementedError

    def detokenize(self, tokens):
        """Join tokens back into one string."""
        raise NotImplementedError

    def _fit_vocabulary(self, texts):
        # Frequent tokens first (ties alphabetically, so it is deterministic).
        counts = Counter(token for text in texts for token in self.tokenize(text))
        kept = sorted(
            (token for token, count in counts.items()
             if count >= self.min_frequency and token not in SPECIAL_TOKENS),
            key=lambda token: (-counts[token], token),
        )
        if self.max_vocab_size is not None:
            kept = kept[: self.max_vocab_size - len(SPECIAL_TOKENS)]
        return list(SPECIAL_TOKENS) + kept

    # -- the transformer API -------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Build the vocabulary from the strings in ``X``.

        Parameters
        ----------
        X : list, array or Series of str
        y : ignored

        Returns
        -------
        self
        """
        texts = check_texts(X, "X")
        if not texts:
            raise ValueError("X is empty; at least one string is needed to build a vocabulary.")
        tokens = self._fit_vocabulary(texts)
        self.vocabulary_ = {token: i for i, token in enumerate(tokens)}
        self._tokens = np.asarray(tokens, dtype=object)
        return self

    def transform(self, X):
        """Strings to id sequences; unseen tokens get the ``<unk>`` id (1).

        Parameters
        ----------
        X : list, array or Series of str

        Returns
        -------
        ids : ndarray of object, shape (n_samples,)
            One int64 array per string (no begin/end markers).
        """
        check_is_fitted(self)
        return _object_array([self.encode(text) for text in check_texts(X, "X")])

    def inverse_transform(self, X):
        """Id sequences back to strings.

        Padding and begin markers are dropped and each sequence ends at its
        first end marker, so raw decoder output can be passed as is.

        Parameters
        ----------
        X : iterable of int sequences

        Returns
        -------
        texts : ndarray of object, shape (n_samples,)
        """
        check_is_fitted(self)
        return _object_array([self.detokenize(self.ids_to_tokens(ids)) for ids in X])

    def get_feature_names_out(self, input_features=None):
        """The vocabulary's tokens, in id order."""
        check_is_fitted(self)
        return self._tokens.copy()

    # -- helpers for the estimators ---------------------------------------------
    def encode(self, text):
        """One string to an int64 id array."""
        vocabulary = self.vocabulary_
        return np.fromiter(
            (vocabulary.get(token, UNK_ID) for token in self.tokenize(text)), dtype=np.int64
        )

    def ids_to_tokens(self, ids):
        """Ids to tokens, without pad/begin and up to the first end marker."""
        ids = np.asarray(ids, dtype=np.int64).ravel()
        end = np.flatnonzero(ids == EOS_ID)
        if end.size:
            ids = ids[: end[0]]
        return self.convert_ids(ids[(ids != PAD_ID) & (ids != BOS_ID)])

    def convert_ids(self, ids):
        """The token of each id, one for one (special tokens included)."""
        ids = np.asarray(ids, dtype=np.int64).ravel()
        if ids.size and (ids.min() < 0 or ids.max() >= len(self._tokens)):
            raise ValueError(
                f"ids must lie in [0, {len(self._tokens)}) for this vocabulary; "
                f"got {ids.min()}..{ids.max()}."
            )
        return self._tokens[ids].tolist()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


class CharTokenizer(_BaseTokenizer):
    """One token per character.

    Parameters
    ----------
    lowercase : bool, default=False
    min_frequency : int, default=1
        Characters seen fewer times in ``fit`` map to ``<unk>``.
    max_vocab_size : int or None, default=None
        Keep at most this many tokens, the 4 special ones included.

    Attributes
    ----------
    vocabulary_ : dict of str to int
        Token to id; ids 0-3 are ``<pad>``, ``<unk>``, ``<s>``, ``</s>``.

    Examples
    --------
    >>> from sk_seqattn import CharTokenizer
    >>> tok = CharTokenizer().fit(["abba", "cab"])
    >>> ids = tok.transform(["bad"])
    >>> ids[0]
    array([5, 4, 1])
    >>> tok.inverse_transform(tok.transform(["abc"]))
    array(['abc'], dtype=object)
    """

    _parameter_constraints = {**_BaseTokenizer._parameter_constraints, "lowercase": ["boolean"]}

    def __init__(self, lowercase=False, min_frequency=1, max_vocab_size=None):
        self.lowercase = lowercase
        self.min_frequency = min_frequency
        self.max_vocab_size = max_vocab_size

    def tokenize(self, text):
        return list(text.lower() if self.lowercase else text)

    def detokenize(self, tokens):
        return "".join(tokens)


class WordTokenizer(_BaseTokenizer):
    """Words: split on whitespace, or on a regular expression.

    ``detokenize`` joins with single spaces, so the round trip
    ``inverse_transform(transform(x)) == x`` holds for text whose tokens are
    separated by single spaces (and lowercase with ``lowercase=True``).

    Parameters
    ----------
    pattern : str or None, default=None
        A regular expression whose matches are the tokens (e.g.
        ``r"\\w+|[^\\w\\s]"`` splits punctuation off words). None splits on
        whitespace.
    lowercase : bool, default=False
    min_frequency : int, default=1
    max_vocab_size : int or None, default=None
        Keep the most frequent tokens up to this size, specials included.

    Attributes
    ----------
    vocabulary_ : dict of str to int
    """

    _parameter_constraints = {
        **_BaseTokenizer._parameter_constraints,
        "pattern": [str, None],
        "lowercase": ["boolean"],
    }

    def __init__(self, pattern=None, lowercase=False, min_frequency=1, max_vocab_size=None):
        self.pattern = pattern
        self.lowercase = lowercase
        self.min_frequency = min_frequency
        self.max_vocab_size = max_vocab_size

    def tokenize(self, text):
        if self.lowercase:
            text = text.lower()
        if self.pattern is None:
            return text.split()
        return re.findall(self.pattern, text)

    def detokenize(self, tokens):
        return " ".join(tokens)


class BPETokenizer(_BaseTokenizer):
    """Byte-pair-encoding subwords, trained in ``fit`` with HuggingFace ``tokenizers``.

    Words keep their leading space as "▁" (SentencePiece's Metaspace
    scheme), so ``inverse_transform(transform(x)) == x`` for text over the
    fitted characters that does not start with a space.

    Needs the ``bpe`` extra: ``pip install 'sk_seqattn[bpe]'``.

    Parameters
    ----------
    vocab_size : int, default=1000
        Target vocabulary size, the 4 special tokens included (the BPE
        counterpart of ``max_vocab_size``).
    min_frequency : int, default=2
        A merge must occur this often.

    Attributes
    ----------
    vocabulary_ : dict of str to int
    """

    _parameter_constraints = {
        "vocab_size": [Interval(Integral, len(SPECIAL_TOKENS) + 1, None, closed="left")],
        "min_frequency": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, vocab_size=1000, min_frequency=2):
        self.vocab_size = vocab_size
        self.min_frequency = min_frequency

    def _fit_vocabulary(self, texts):
        hf = require("tokenizers", "bpe", "BPETokenizer")
        model = hf.Tokenizer(hf.models.BPE(unk_token=SPECIAL_TOKENS[UNK_ID]))
        model.pre_tokenizer = hf.pre_tokenizers.Metaspace(prepend_scheme="always")
        model.decoder = hf.decoders.Metaspace(prepend_scheme="always")
        trainer = hf.trainers.BpeTrainer(
            vocab_size=self.vocab_size, min_frequency=self.min_frequency,
            special_tokens=list(SPECIAL_TOKENS), show_progress=False,
        )
        model.train_from_iterator(texts, trainer)
        self.bpe_ = model
        vocabulary = model.get_vocab()
        return sorted(vocabulary, key=vocabulary.get)

    def tokenize(self, text):
        check_is_fitted(self, "bpe_")
        return self.bpe_.encode(text).tokens

    def detokenize(self, tokens):
        text = "".join(tokens).replace("\u2581", " ")
        return text[1:] if text.startswith(" ") else text


def _object_array(items):
    # np.array on equal-length sequences would build a 2-D array.
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out
