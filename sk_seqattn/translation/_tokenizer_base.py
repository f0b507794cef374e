"""What the tokenizers share: the special tokens' escaping, input checks, and
``_BaseTokenizer`` (fit, transform, inverse_transform over a vocabulary).

The public tokenizers are in :mod:`sk_seqattn.translation.tokenizers`, whose
docstring describes the special ids and how their spellings in the text are
kept apart from them.
"""

import re
from collections import Counter
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .._constants import BOS_ID, EOS_ID, PAD_ID, SPECIAL_TOKENS, UNK_ID

__all__ = ["check_texts"]


# A token spelling a special token, after any number of backslashes: the
# tokenizers store such text tokens with one more backslash (see the module
# docstring), which keeps them apart from the special tokens' own entries.
_SPECIAL_SPELLING = re.compile(
    r"\\*(?:" + "|".join(map(re.escape, SPECIAL_TOKENS)) + ")")
# Text tokens that would read as a control id; encode maps them to <unk>.
_CONTROL_TOKENS = frozenset(SPECIAL_TOKENS) - {SPECIAL_TOKENS[UNK_ID]}
_SURROGATES = re.compile("[\ud800-\udfff]")
_METASPACE = "\u2581"


def _escape(token):
    """The vocabulary form of a text token: a backslash more if it spells a special."""
    if token[-1:] == ">" and _SPECIAL_SPELLING.fullmatch(token):
        return "\\" + token
    return token


def _unescape(token):
    """The text of a vocabulary token (inverse of ``_escape``; specials unchanged)."""
    if token[:1] == "\\" and _SPECIAL_SPELLING.fullmatch(token):
        return token[1:]
    return token


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
        """One string to an int64 id array.

        Never returns the padding, begin or end id: a token that spells one
        of them is text, so it gets ``<unk>`` (1) unless the tokenizer
        escapes it into an ordinary token (see the module docstring).
        """
        vocabulary, control = self.vocabulary_, _CONTROL_TOKENS
        # The guard only matters for a subclass whose tokenize returns
        # "</s>" etc. as they are; the tokenizers here never do.
        return np.fromiter(
            (UNK_ID if token in control else vocabulary.get(token, UNK_ID)
             for token in self.tokenize(text)),
            dtype=np.int64,
        )

    def surface_tokens(self, text):
        """The text of each token of ``text``, one for one with :meth:`encode`'s ids.

        Where ``encode`` gives ``<unk>``, this keeps what the text said (the
        unseen word, character or symbol), in the tokenizer's own token
        form: what ``replace_unk`` copies to the output. Without lowercasing
        it is the token as written; with it, the original case where the
        tokenization allows.
        """
        # Default: the tokens themselves (escaped forms stay escaped, so
        # that detokenize treats them as it treats tokens).
        return self.tokenize(text)

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


def _object_array(items):
    # np.array on equal-length sequences would build a 2-D array.
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out
