"""Metrics: forecast errors and baselines; translation exact match, BLEU and chrF.

BLEU and chrF come from sacrebleu (the ``metrics`` extra), the reference
implementation whose scores are comparable across papers and tools.
The ``*_scorer`` objects plug into ``GridSearchCV(scoring=...)``.
"""

import numpy as np
from sklearn.metrics import make_scorer

from ._optional import require
from .tokenizers import check_texts

__all__ = [
    "mean_absolute_scaled_error", "seasonal_naive", "exact_match", "corpus_bleu",
    "corpus_chrf", "exact_match_scorer", "bleu_scorer", "chrf_scorer",
]


def seasonal_naive(X, horizon, m):
    """Repeat the last season of each input window.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_steps)
        Input windows, ``n_steps >= m``.
    horizon : int
    m : int
        Season length.

    Returns
    -------
    y_pred : ndarray of shape (n_samples, horizon)
        ``y_pred[:, h] = X[:, n_steps - m + h % m]``.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] < m:
        raise ValueError(f"X must be 2-D with at least m={m} steps; got shape {X.shape}.")
    return X[:, X.shape[1] - m + np.arange(horizon) % m]


def mean_absolute_scaled_error(y_true, y_pred, y_train, m=1):
    """MASE: mean absolute error over the in-sample seasonal-naive MAE.

    Parameters
    ----------
    y_true, y_pred : array-like of the same shape
    y_train : array-like of shape (n_times,)
        The training series; its lag-``m`` naive MAE is the scale.
    m : int, default=1
        Season length.

    Returns
    -------
    mase : float
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true {y_true.shape} and y_pred {y_pred.shape} differ in shape.")
    y_train = np.asarray(y_train, dtype=np.float64).ravel()
    scale = np.mean(np.abs(y_train[m:] - y_train[:-m]))
    if not scale > 0:
        raise ValueError("y_train is constant at lag m: MASE is undefined.")
    return float(np.mean(np.abs(y_true - y_pred)) / scale)


def _texts(y_true, y_pred):
    y_true, y_pred = check_texts(y_true, "y_true"), check_texts(y_pred, "y_pred")
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true and y_pred have different lengths: {len(y_true)} and {len(y_pred)}."
        )
    return y_true, y_pred


def exact_match(y_true, y_pred):
    """Fraction of predicted strings identical to the reference."""
    y_true, y_pred = _texts(y_true, y_pred)
    return float(np.mean([t == p for t, p in zip(y_true, y_pred)]))


def corpus_bleu(y_true, y_pred, tokenize="13a"):
    """Corpus BLEU (0-100) of predictions against one reference each, by sacrebleu.

    Parameters
    ----------
    y_true, y_pred : sequences of str
    tokenize : str, default="13a"
        sacrebleu's tokenizer ("13a", "char", "intl", "none", ...).
    """
    y_true, y_pred = _texts(y_true, y_pred)
    return float(require("sacrebleu", "metrics", "BLEU").corpus_bleu(y_pred, [y_true], tokenize=tokenize).score)


def corpus_chrf(y_true, y_pred, word_order=0):
    """Corpus chrF (0-100; chrF++ with ``word_order=2``), by sacrebleu."""
    y_true, y_pred = _texts(y_true, y_pred)
    return float(require("sacrebleu", "metrics", "chrF").corpus_chrf(y_pred, [y_true], word_order=word_order).score)


exact_match_scorer = make_scorer(exact_match)
bleu_scorer = make_scorer(corpus_bleu)
chrf_scorer = make_scorer(corpus_chrf)
