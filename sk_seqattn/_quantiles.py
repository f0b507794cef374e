"""The regressor's quantile forecasts: ``predict_quantiles`` and the levels trained.

A mixin of :class:`~sk_seqattn.Seq2SeqAttentionRegressor` (parameters
``quantiles`` and ``conformal``, fitted attributes ``quantiles_`` and
``quantile_offsets_``): the networks output the median and every level in
``quantiles_`` (pinball loss), ``predict`` returns the median.
"""

from sklearn.utils.validation import check_is_fitted

__all__ = []


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
