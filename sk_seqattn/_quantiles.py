"""The regressor's quantile forecasts: ``predict_quantiles`` and the levels trained.

A mixin of :class:`~sk_seqattn.Seq2SeqAttentionRegressor` (parameters
``quantiles`` and ``conformal``, fitted attributes ``quantiles_`` and
``quantile_offsets_``): the networks output the median and every level in
``quantiles_`` (pinball loss), ``predict`` returns the median.
"""

from sklearn.utils.validation import check_is_fitted

__all__ = []

# The regressor's parameters and fitted attributes this module serves: their
# documentation (assembled into Seq2SeqAttentionRegressor's) and constraints.
QUANTILE_PARAMS_DOC = """\
    quantiles : array-like of float in (0, 1), or None, default=None
        Forecast these quantiles as well as the point forecast, e.g.
        ``(0.1, 0.9)`` for an 80% interval: the networks are trained with
        the pinball loss on all of them and on the median (added if
        missing), and ``loss`` is not used. ``predict`` then returns the
        median, :meth:`predict_quantiles` the quantiles. Must be strictly
        increasing.

    conformal : bool, default=False
        Calibrate ``quantiles`` on held-out windows (split conformal
        quantile regression): the time-ordered tail of the samples
        (``validation_fraction``, 0.1 if None, after ``validation_gap``) is
        kept out of training, and each quantile level ``q`` other than the
        median is shifted, per forecast step and target, by the
        finite-sample ``q`` quantile of the tail's residuals (in the
        normalised units the networks predict), so that about a fraction
        ``q`` of such windows' values fall below it. The median, and so
        ``predict``, is unchanged. Needs ``quantiles``. The tail also
        serves ``early_stopping`` when that is on.
"""
QUANTILE_FITTED_DOC = """\
    quantiles_ : ndarray of float or None
        The quantiles :meth:`predict_quantiles` returns.

    quantile_offsets_ : ndarray of shape (horizon_, n_targets_, n_levels) or None
        With ``conformal=True``: the shift of each level the networks
        output (``quantiles_`` and the median, in increasing order; 0 for
        the median), in normalised units.
"""
QUANTILE_CONSTRAINTS = {
    "quantiles": ["array-like", None],
    "conformal": ["boolean"],
}


class _QuantileForecasts:
    """``predict_quantiles`` and ``_levels``."""

    def predict_quantiles(self, X):
        """Forecast the quantiles ``quantiles_`` of the ``horizon_`` steps after each window.

        Parameters
        ----------
        X : array-like, as for :meth:`predict`

        Returns
        -------
        y_quantiles : ndarray of float64
            ``predict``'s shape plus a last axis of ``len(quantiles_)``:
            (n_samples, n_quantiles), (n_samples, horizon, n_quantiles) or
            (n_samples, horizon, n_targets, n_quantiles), in the original
            units and sorted along the last axis (quantiles never cross).
        """
        check_is_fitted(self)
        if self._levels is None:
            raise ValueError(
                "predict_quantiles needs the estimator to be fitted with quantiles, "
                "e.g. Seq2SeqAttentionRegressor(quantiles=(0.1, 0.9))."
            )
        prediction, _ = self._forward_normalized(X, attention=False)
        # prediction: (n, horizon, n_targets, n_levels)
        positions = [self._levels.index(q) for q in self.quantiles_.tolist()]
        return self._as_y_rank(prediction[..., positions])

    @property
    def _levels(self):
        # The quantile levels the networks output (quantiles_ and the median), or None.
        if getattr(self, "quantiles_", None) is None:
            return None
        return sorted(set(self.quantiles_.tolist()) | {0.5})
