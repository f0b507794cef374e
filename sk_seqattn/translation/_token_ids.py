"""Token-id sequences: the translator's id input, end markers and padding.

The translator takes strings (its tokenizers encode them) or, for users with
their own vocabulary, sequences of integer ids; these helpers check such ids
and move between id arrays and the padded matrices the network reads.
"""

import numpy as np

from .tokenizers import EOS_ID

__all__ = []


def _is_id_input(X):
    # Id sequences: each item is a list/array of integers, not a string.
    if isinstance(X, str):
        return False
    try:
        first = next(iter(X))
    except (StopIteration, TypeError):
        return False
    return isinstance(first, (list, tuple, np.ndarray)) and not isinstance(first, str)


def _check_id_sequences(X):
    sequences = []
    for i, item in enumerate(X):
        ids = np.asarray(item)
        if ids.ndim != 1 or (ids.size and not np.issubdtype(ids.dtype, np.integer)):
            raise TypeError(
                f"X[{i}] must be a 1-D sequence of integer token ids; got "
                f"{ids.dtype} of shape {ids.shape}."
            )
        if ids.size and ids.min() < 0:
            raise ValueError(f"X[{i}] has a negative token id ({ids.min()}).")
        sequences.append(ids.astype(np.int64))
    return sequences


def _pad_with_end(sequences):
    # Each id array + the end marker, padded with 0 into one int32 matrix.
    lengths = np.fromiter((len(s) + 1 for s in sequences), dtype=np.int64,
                          count=len(sequences))
    padded = np.zeros((len(sequences), lengths.max(initial=1)), dtype=np.int32)
    for row, ids in enumerate(sequences):
        padded[row, : len(ids)] = ids
        padded[row, len(ids)] = EOS_ID
    return padded, lengths


def _until_end(ids):
    # Output ids up to and including the first end marker.
    end = np.flatnonzero(ids == EOS_ID)
    return ids[: end[0] + 1] if end.size else ids
