"""``score`` for forecasters whose ``y`` has a horizon (and target) axis."""

import numpy as np
from sklearn.metrics import r2_score

__all__ = []


class _StepwiseR2:
    """``score`` for forecasters whose ``y`` has a horizon (and target) axis."""

    def score(self, X, y, sample_weight=None):
        """R^2 over all horizons and targets, uniformly averaged.

        Parameters
        ----------
        X : array-like, as for :meth:`predict`
        y : array-like, as in :meth:`fit`
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        y_pred = self.predict(X)
        y = np.asarray(y, dtype=np.float64)
        n_samples = y_pred.shape[0]
        return r2_score(
            y.reshape(n_samples, -1), y_pred.reshape(n_samples, -1),
            sample_weight=sample_weight,
        )
