"""The per-sentence extended vocabulary of copy attention.

Copy attention (:mod:`sk_seqattn.nn.copy`) reads, for each source token, its
*copy id*: its id in the target vocabulary where that vocabulary holds it,
otherwise ``V + k`` for the ``k``-th distinct source word of the sentence
that the target vocabulary lacks (``V`` the target vocabulary's size). The
source's end marker copies as the target's end marker.

Tokens are matched as the two tokenizers write them: a source token and a
target token are the same word when their token strings are equal (so both
tokenizers should lowercase alike). An unknown piece of a BPE tokenizer
(``<unk>``, one unseen character) is matched by the character itself. A
copied word outside the target vocabulary is written as the source wrote it
(``surface_tokens``), as ``replace_unk`` writes it.
"""

import numpy as np

from .tokenizers import BOS_ID, EOS_ID, PAD_ID, SPECIAL_TOKENS, UNK_ID

__all__ = []

_UNK = SPECIAL_TOKENS[UNK_ID]
_SPECIAL_IDS = (PAD_ID, UNK_ID, BOS_ID, EOS_ID)


def _keys(tokenizer, text):
    # Each token's matching key: the token, or for an unknown piece the text it stands for.
    tokens = tokenizer.tokenize(text)
    surface = tokenizer.surface_tokens(text)
    return [s if t == _UNK else t for t, s in zip(tokens, surface)], surface


def source_copy_ids(source_tokenizer, target_vocabulary, texts):
    """Copy ids of each source and the words its extended ids stand for.

    Parameters
    ----------
    source_tokenizer : fitted tokenizer
    target_vocabulary : dict of str to int
    texts : list of str

    Returns
    -------
    copy_ids : list of int64 arrays, one id per source token (no end marker)
    extra : list of list of str
        Per source: the surface word of extended id ``V + k`` at ``k``.
    lookup : list of dict of str to int
        Per source: matching key to extended id, for the targets in ``fit``.
    """
    size = len(target_vocabulary)
    copy_ids, extra, lookup = [], [], []
    for text in texts:
        keys, surface = _keys(source_tokenizer, text)
        ids, words, extended = np.empty(len(keys), dtype=np.int64), [], {}
        for position, (key, written) in enumerate(zip(keys, surface)):
            known = target_vocabulary.get(key)
            if known is not None and known not in _SPECIAL_IDS:
                ids[position] = known
                continue
            if key not in extended:
                extended[key] = size + len(words)
                words.append(written)
            ids[position] = extended[key]
        copy_ids.append(ids)
        extra.append(words)
        lookup.append(extended)
    return copy_ids, extra, lookup


def target_ids_with_copies(target_tokenizer, texts, lookup):
    """Target ids where each ``<unk>`` whose word the source holds is its extended id.

    Parameters
    ----------
    target_tokenizer : fitted tokenizer
    texts : list of str
    lookup : list of dict, as :func:`source_copy_ids` returns

    Returns
    -------
    ids : list of int64 arrays (no end marker)
    """
    out = []
    for text, extended in zip(texts, lookup):
        ids = target_tokenizer.encode(text)
        if extended and (ids == UNK_ID).any():
            keys, _ = _keys(target_tokenizer, text)
            for position in np.flatnonzero(ids == UNK_ID):
                ids[position] = extended.get(keys[position], UNK_ID)
        out.append(ids)
    return out


def output_tokens(target_tokenizer, ids, extra):
    """The token strings of output ids, one for one; extended ids give their source word.

    Parameters
    ----------
    target_tokenizer : fitted tokenizer
    ids : int array of output ids
    extra : list of str or None
        The sentence's extended words (None: no copy attention).
    """
    ids = np.asarray(ids, dtype=np.int64)
    if extra is None:
        return target_tokenizer.convert_ids(ids)
    size = len(target_tokenizer.vocabulary_)
    copied = ids >= size
    tokens = target_tokenizer.convert_ids(np.where(copied, UNK_ID, ids))
    for position in np.flatnonzero(copied):
        tokens[position] = extra[ids[position] - size]
    return tokens
