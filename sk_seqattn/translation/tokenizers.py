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

Text is text: a special token's spelling in the data (``"</s>"`` typed by a
user, ``"<unk>"`` in a pre-processed corpus) is never read as that token, so
``transform`` never returns the padding, begin or end id, for any string.
Per tokenizer:

* ``CharTokenizer``: ``"</s>"`` is the four characters ``<``, ``/``, ``s``,
  ``>``, like any other text.
* ``WordTokenizer`` and ``BPETokenizer``: a word or subword that spells a
  special token is an ordinary token, learned in ``fit`` like any other (and
  ``<unk>`` when unseen). In the vocabulary and in ``tokenize`` output it
  carries one extra leading backslash (``"\\</s>"``) so that it cannot clash
  with the special token's entry; a token that is backslashes followed by a
  special token's spelling gets one more too, so the escape is reversible.
  ``detokenize`` removes it, so ``inverse_transform`` gives the text back.

``inverse_transform`` writes the ``<unk>`` id as the text ``"<unk>"``.
"""

import re
from collections import Counter
from numbers import Integral

from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .._constants import BOS_ID, EOS_ID, PAD_ID, SPECIAL_TOKENS, UNK_ID
from .._optional import require
from ._tokenizer_base import _METASPACE, _SURROGATES, _BaseTokenizer, _escape, _unescape, \
    check_texts

__all__ = [
    "PAD_ID", "UNK_ID", "BOS_ID", "EOS_ID", "SPECIAL_TOKENS",
    "CharTokenizer", "WordTokenizer", "BPETokenizer", "check_texts",
]


class CharTokenizer(_BaseTokenizer):
    """One token per character (Unicode code point).

    Any string round-trips: ``inverse_transform(transform(x)) == x`` when
    every character of ``x`` was kept in ``fit`` (and ``x`` is lowercase
    with ``lowercase=True``); an unseen character maps to ``<unk>`` (1),
    which ``inverse_transform`` writes as ``"<unk>"``. A special token's
    spelling in the text, such as ``"</s>"``, is just its characters.

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

    def __init__(self, *, lowercase=False, min_frequency=1, max_vocab_size=None):
        self.lowercase = lowercase
        self.min_frequency = min_frequency
        self.max_vocab_size = max_vocab_size

    def tokenize(self, text):
        return list(text.lower() if self.lowercase else text)

    def surface_tokens(self, text):
        # The original characters, unless lowercasing changed the length
        # (e.g. "İ" lowercases to two code points).
        tokens = self.tokenize(text)
        return list(text) if len(tokens) == len(text) else tokens

    def detokenize(self, tokens):
        # Unescaping is a no-op for characters; it matters for escaped words
        # a translator copies from another tokenizer's source (replace_unk).
        return "".join(map(_unescape, tokens))


class WordTokenizer(_BaseTokenizer):
    """Words: split on whitespace, or on a regular expression.

    ``detokenize`` joins with single spaces, so the round trip
    ``inverse_transform(transform(x)) == x`` holds for text whose tokens are
    separated by single spaces (and lowercase with ``lowercase=True``). With
    the default ``pattern=None`` whitespace is normalised: for any ``x`` whose
    words were all kept in ``fit``, the round trip gives
    ``" ".join(x.split())`` (runs of any Unicode whitespace become one space,
    leading and trailing whitespace is dropped). Unseen words map to
    ``<unk>`` (1).

    A word that spells a special token (``"</s>"``, ``"<unk>"``, ...) is an
    ordinary word: learned in ``fit`` like any other, stored in
    ``vocabulary_`` with an extra leading backslash (``"\\</s>"``) and
    written back as ``"</s>"`` by ``inverse_transform``.

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

    def __init__(self, *, pattern=None, lowercase=False, min_frequency=1, max_vocab_size=None):
        self.pattern = pattern
        self.lowercase = lowercase
        self.min_frequency = min_frequency
        self.max_vocab_size = max_vocab_size

    def tokenize(self, text):
        if self.lowercase:
            text = text.lower()
        return [_escape(word) for word in self._words(text)]

    def _words(self, text):
        if self.pattern is None:
            return text.split()
        # Whole matches (findall would return a pattern's groups).
        return [match.group() for match in re.finditer(self.pattern, text)]

    def surface_tokens(self, text):
        # The words as written (case kept), if they split as the lowercased
        # text does.
        tokens = self.tokenize(text)
        words = [_escape(word) for word in self._words(text)]
        return words if len(words) == len(tokens) else tokens

    def detokenize(self, tokens):
        return " ".join(map(_unescape, tokens))


class BPETokenizer(_BaseTokenizer):
    """Byte-pair-encoding subwords, trained in ``fit`` with HuggingFace ``tokenizers``.

    Words keep their leading space as "▁" (SentencePiece's Metaspace
    scheme), so ``inverse_transform(transform(x)) == x`` for text over the
    fitted characters that does not start with a space and has no "▁"
    (U+2581) of its own: a leading space is dropped, and a "▁" in the text
    comes back as a space. Other whitespace (tabs, newlines) is kept as
    characters. An unseen character maps to ``<unk>`` (1), one per
    character (so do lone surrogates, which are not valid text for
    ``tokenizers``; in ``fit`` they are left out, splitting their word).

    The special tokens are not registered with ``tokenizers`` (which would
    match ``"</s>"`` anywhere in the input and encode it as the end id): its
    model only learns the text, and this class puts the 4 special tokens in
    front of its vocabulary. A subword that spells a special token is stored
    with an extra leading backslash (``"\\</s>"``), see the module docstring.

    Needs the ``bpe`` extra: ``pip install 'sk_seqattn[bpe]'``.

    Parameters
    ----------
    vocab_size : int, default=1000
        Most tokens in the vocabulary, the 4 special tokens included (the BPE
        counterpart of ``max_vocab_size``). When the training texts have
        more distinct characters than fit, the most frequent are kept (ties
        by code point; "▁" always) and the others map to ``<unk>``.
    min_frequency : int, default=2
        A merge must occur this often.

    Attributes
    ----------
    vocabulary_ : dict of str to int
    bpe_ : tokenizers.Tokenizer
        The trained subword model, without special tokens (its own unknown
        token is a private-use character that is not in the training texts).
    """

    _parameter_constraints = {
        "vocab_size": [Interval(Integral, len(SPECIAL_TOKENS) + 1, None, closed="left")],
        "min_frequency": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, *, vocab_size=1000, min_frequency=2):
        self.vocab_size = vocab_size
        self.min_frequency = min_frequency

    def _fit_vocabulary(self, texts):
        hf = require("tokenizers", "bpe", "BPETokenizer")
        counts = Counter()
        for text in texts:
            counts.update(text)
        # The model's unknown token: one character that is not in the texts,
        # so no merge can produce it and no training word holds it.
        unk = _unused_character(counts)
        # The alphabet, chosen here because the trainer's limit_alphabet
        # breaks ties at random. "▁" (every space, and each word's start)
        # always stays; a space is "▁" to the model.
        budget = self.vocab_size - len(SPECIAL_TOKENS) - 1
        ranked = sorted(
            (char for char in counts
             if char not in (" ", _METASPACE) and not _SURROGATES.match(char)),
            key=lambda char: (-counts[char], char),
        )
        dropped = ranked[budget:] + [char for char in counts if _SURROGATES.match(char)]
        if dropped:
            # Left-out characters become the unknown character, which the
            # training pre-tokenizer cuts out: the model then learns the text
            # around them as it will see it in encode, where they are <unk>.
            table = dict.fromkeys(map(ord, dropped), unk)
            texts = [text.translate(table) for text in texts]
        metaspace = hf.pre_tokenizers.Metaspace(prepend_scheme="always")
        trainee = hf.Tokenizer(hf.models.BPE(unk_token=unk))
        trainee.pre_tokenizer = hf.pre_tokenizers.Sequence(
            [metaspace, hf.pre_tokenizers.Split(unk, "removed")])
        trainer = hf.trainers.BpeTrainer(
            # Its vocabulary: the unknown character, the alphabet, the merges.
            vocab_size=self.vocab_size - len(SPECIAL_TOKENS) + 1,
            min_frequency=self.min_frequency, special_tokens=[unk], show_progress=False,
        )
        trainee.train_from_iterator(texts, trainer)
        # A fresh Tokenizer around the trained model: the trainer registered
        # `unk` as an added token, which would split words around it.
        self.bpe_ = hf.Tokenizer(trainee.model)
        self.bpe_.pre_tokenizer = metaspace
        vocabulary = trainee.get_vocab()
        learned = sorted((token for token in vocabulary if token != unk), key=vocabulary.get)
        return list(SPECIAL_TOKENS) + [_escape(token) for token in learned]

    def tokenize(self, text):
        check_is_fitted(self, "bpe_")
        unk = self.bpe_.model.unk_token
        try:
            pieces = self.bpe_.encode(text).tokens
        except TypeError:  # lone surrogates cannot be passed to tokenizers
            pieces = self.bpe_.encode(_SURROGATES.sub(unk, text)).tokens
        return [SPECIAL_TOKENS[UNK_ID] if piece == unk else _escape(piece) for piece in pieces]

    def surface_tokens(self, text):
        # An unknown piece is one unseen character: take it from the text
        # through the encoding's offsets.
        tokens = self.tokenize(text)
        if SPECIAL_TOKENS[UNK_ID] not in tokens or _SURROGATES.search(text):
            return tokens
        offsets = self.bpe_.encode(text).offsets
        if len(offsets) != len(tokens):
            return tokens
        return [text[start:end] if token == SPECIAL_TOKENS[UNK_ID] and end > start else token
                for token, (start, end) in zip(tokens, offsets)]

    def detokenize(self, tokens):
        text = "".join(map(_unescape, tokens)).replace(_METASPACE, " ")
        return text[1:] if text.startswith(" ") else text


def _unused_character(counts):
    # The first private-use character (BMP, then planes 15 and 16) not in counts.
    for start, stop in ((0xE000, 0xF900), (0xF0000, 0xFFFFE), (0x100000, 0x10FFFE)):
        for code in range(start, stop):
            if chr(code) not in counts:
                return chr(code)
    raise ValueError("The texts use every private-use character; no unknown token is left.")
