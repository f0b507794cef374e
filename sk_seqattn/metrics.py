"""Metrics: forecast errors, quantiles and baselines; translation exact match, BLEU and chrF.

BLEU and chrF come from sacrebleu (the ``metrics`` extra), the reference
implementation whose scores are comparable across papers and tools.
The ``*_scorer`` objects plug into ``GridSearchCV(scoring=...)``.
"""

import numpy as np
from sklearn.metrics import accuracy_score, make_scorer

from ._optional import require
from .translation.tokenizers import check_texts

__all__ = [
    "mean_absolute_scaled_error", "seasonal_naive", "mean_pinball_loss", "interval_coverage",
    "neg_mean_pinball_loss_scorer", "interval_coverage_scorer", "exact_match", "corpus_bleu",
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


def _check_quantile_forecast(y_true, y_quantiles):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_quantiles = np.asarray(y_quantiles, dtype=np.float64)
    if y_quantiles.shape[:-1] != y_true.shape or y_quantiles.ndim < 1:
        raise ValueError(
            f"y_quantiles must have y_true's shape {y_true.shape} plus a last axis of "
            f"quantiles; got {y_quantiles.shape}."
        )
    if y_true.size == 0:
        raise ValueError("y_true is empty.")
    if not (np.isfinite(y_true).all() and np.isfinite(y_quantiles).all()):
        raise ValueError("y_true and y_quantiles must be finite (no NaN or infinity).")
    return y_true, y_quantiles


def mean_pinball_loss(y_true, y_quantiles, quantiles):
    """Pinball (quantile) loss, averaged over every value and quantile.

    For level ``q`` and error ``e = y - y_q`` the loss is ``max(q e, (q - 1) e)``;
    at ``q = 0.5`` it is half the absolute error. Divide by a series' scale
    (e.g. its in-sample seasonal-naive MAE) for a scaled pinball loss.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, ...)
    y_quantiles : array-like of shape (n_samples, ..., n_quantiles)
        As :meth:`Seq2SeqAttentionRegressor.predict_quantiles` returns.
    quantiles : array-like of shape (n_quantiles,)
        The levels of ``y_quantiles``' last axis, in (0, 1).

    Returns
    -------
    loss : float

    Examples
    --------
    >>> from sk_seqattn.metrics import mean_pinball_loss
    >>> round(mean_pinball_loss([1.0, 2.0], [[0.0, 2.0], [1.0, 3.0]], [0.1, 0.9]), 6)
    0.1
    """
    y_true, y_quantiles = _check_quantile_forecast(y_true, y_quantiles)
    quantiles = np.asarray(quantiles, dtype=np.float64).ravel()
    if len(quantiles) != y_quantiles.shape[-1]:
        raise ValueError(
            f"quantiles has {len(quantiles)} levels but y_quantiles' last axis "
            f"{y_quantiles.shape[-1]}."
        )
    if not np.all((quantiles > 0) & (quantiles < 1)):
        raise ValueError(f"quantiles must lie strictly between 0 and 1, got {quantiles.tolist()}.")
    error = y_true[..., None] - y_quantiles
    return float(np.mean(np.maximum(quantiles * error, (quantiles - 1) * error)))


def interval_coverage(y_true, y_quantiles):
    """Share of the true values inside the outermost interval of a quantile forecast.

    The interval runs from the first to the last quantile (both
    included): for quantiles (0.1, 0.5, 0.9), the 80% interval, whose
    coverage should be near 0.8.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, ...)
    y_quantiles : array-like of shape (n_samples, ..., n_quantiles)

    Returns
    -------
    coverage : float in [0, 1]

    Examples
    --------
    >>> from sk_seqattn.metrics import interval_coverage
    >>> interval_coverage([1.0, 5.0], [[0.0, 2.0], [1.0, 3.0]])
    0.5
    """
    y_true, y_quantiles = _check_quantile_forecast(y_true, y_quantiles)
    if y_quantiles.shape[-1] < 2:
        raise ValueError(
            "y_quantiles needs at least 2 quantiles (a lower and an upper bound) on its "
            f"last axis; got {y_quantiles.shape[-1]}."
        )
    lower, upper = y_quantiles[..., 0], y_quantiles[..., -1]
    return float(np.mean((y_true >= lower) & (y_true <= upper)))


def _fitted_quantiles(estimator):
    # quantiles_ of the estimator, or of a Pipeline's last step.
    final = estimator[-1] if hasattr(estimator, "steps") else estimator
    quantiles = getattr(final, "quantiles_", None)
    if quantiles is None:
        raise ValueError(
            "The quantile scorers need an estimator fitted with quantiles "
            "(Seq2SeqAttentionRegressor(quantiles=...))."
        )
    return quantiles


def _predict_quantiles(estimator, X):
    # A Pipeline has no predict_quantiles: transform, then ask its last step.
    if hasattr(estimator, "steps") and not hasattr(estimator, "predict_quantiles"):
        for _, step in estimator.steps[:-1]:
            if step is not None and step != "passthrough":
                X = step.transform(X)
        estimator = estimator[-1]
    return estimator.predict_quantiles(X)


def neg_mean_pinball_loss_scorer(estimator, X, y):
    """``GridSearchCV(scoring=...)``: minus :func:`mean_pinball_loss` of ``predict_quantiles``.

    The levels are the estimator's own ``quantiles_`` (also as a
    Pipeline's last step). Negated, so that greater is better.
    """
    quantiles = _fitted_quantiles(estimator)
    return -mean_pinball_loss(y, _predict_quantiles(estimator, X), quantiles)


def interval_coverage_scorer(estimator, X, y):
    """:func:`interval_coverage` of ``predict_quantiles``, for ``cross_validate``.

    A report, not a criterion to maximise: the widest interval covers most.
    """
    _fitted_quantiles(estimator)
    return interval_coverage(y, _predict_quantiles(estimator, X))


def _texts(y_true, y_pred):
    y_true, y_pred = check_texts(y_true, "y_true"), check_texts(y_pred, "y_pred")
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true and y_pred have different lengths: {len(y_true)} and {len(y_pred)}."
        )
    return y_true, y_pred


def exact_match(y_true, y_pred, *, sample_weight=None):
    """Fraction of predicted strings identical to the reference.

    ``sklearn.metrics.accuracy_score`` on the strings: sample weights and
    length checks as there; empty input is a ``ValueError``, not NaN.

    Examples
    --------
    >>> from sk_seqattn.metrics import exact_match
    >>> exact_match(["1999-01-02", "2000-03-04"], ["1999-01-02", "2000-04-03"])
    0.5
    """
    y_true, y_pred = _texts(y_true, y_pred)
    if not y_true:
        raise ValueError("y_true and y_pred are empty: exact match is undefined.")
    return float(accuracy_score(np.asarray(y_true, dtype=object),
                                np.asarray(y_pred, dtype=object), sample_weight=sample_weight))


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
