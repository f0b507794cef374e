"""A weighted combination of different forecasters on the same windows."""

import numpy as np
from sklearn.base import MetaEstimatorMixin, RegressorMixin, _fit_context, clone
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.metaestimators import _BaseComposition
from sklearn.utils.validation import check_is_fitted, validate_data

from ._scoring import _StepwiseR2

__all__ = ["ForecastCombination"]


class ForecastCombination(_StepwiseR2, MetaEstimatorMixin, RegressorMixin, _BaseComposition):
    """The weighted mean of several forecasters, each fitted on the same windows.

    Forecasts of different kinds (a global network and a per-window
    statistical method) make different errors, and a fixed weighted mean
    of them is a robust way to keep the strengths of both: the best methods
    of the M3 and M4 competitions were such combinations (Makridakis et
    al., 2020). Where :class:`~sk_seqattn.LookbackEnsemble` averages one
    forecaster over window lengths, this averages different forecasters.
    It is scikit-learn's ``VotingRegressor`` for forecasters whose ``y``
    has a horizon (and targets), which ``VotingRegressor`` does not take.

    ``X`` is passed to every member as given (a NaN left padding included,
    for members that take it, such as :class:`~sk_seqattn.LookbackEnsemble`
    and :class:`~sk_seqattn.ThetaWindowRegressor`).

    Parameters
    ----------
    estimators : list of (str, estimator) tuples
        The members, each with ``fit(X, y)`` and ``predict(X)``, by name (as
        for ``VotingRegressor``): ``set_params(<name>__<param>=...)``
        reaches them, so ``GridSearchCV`` can tune them.

    weights : array-like of shape (n_estimators,) or None, default=None
        Non-negative weights of the members' forecasts, normalised to sum
        to 1; None: equal weights.

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted members, in the order of ``estimators``.

    named_estimators_ : dict
        The fitted members by name.

    weights_ : ndarray of shape (n_estimators,)
        The normalised weights.

    n_features_in_ : int
        Columns of ``X`` as scikit-learn counts them: its steps (axis 1).

    See Also
    --------
    sk_seqattn.LookbackEnsemble : One forecaster over several window lengths.
    sk_seqattn.ThetaWindowRegressor : A classical member.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_seqattn import (ForecastCombination, LinearFloorRegressor,
    ...                         ThetaWindowRegressor, make_windows)
    >>> X, y = make_windows(10 + np.sin(np.arange(200) / 4), n_in=24, n_out=6)
    >>> combination = ForecastCombination(
    ...     estimators=[("ridge", LinearFloorRegressor()), ("theta", ThetaWindowRegressor())],
    ...     weights=[3, 1]).fit(X, y)
    >>> combination.weights_.tolist(), combination.predict(X[:2]).shape
    ([0.75, 0.25], (2, 6))
    """

    _parameter_constraints = {
        "estimators": [list],
        "weights": ["array-like", None],
    }

    def __init__(self, *, estimators, weights=None):
        self.estimators = estimators
        self.weights = weights

    def get_params(self, deep=True):
        return self._get_params("estimators", deep=deep)

    def set_params(self, **params):
        self._set_params("estimators", **params)
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        members = [est.__sklearn_tags__() for _, est in self._members()]
        tags.input_tags.three_d_array = all(
            getattr(t.input_tags, "three_d_array", False) for t in members)
        tags.input_tags.allow_nan = all(t.input_tags.allow_nan for t in members)
        tags.target_tags.single_output = all(t.target_tags.single_output for t in members)
        tags.target_tags.multi_output = all(t.target_tags.multi_output for t in members)
        tags.regressor_tags.poor_score = any(t.regressor_tags.poor_score for t in members)
        return tags

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit a clone of every member on ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps) or (n_samples, n_steps, n_features)
            Windows, as the members take them.
        y : array-like
            What the members take as ``y``.

        Returns
        -------
        self : ForecastCombination
        """
        members = self._members()
        self.weights_ = self._resolve_weights(len(members))
        X = validate_data(self, X, reset=True, allow_nd=True, ensure_all_finite=False,
                          dtype=None)
        self.estimators_ = [clone(estimator).fit(X, y) for _, estimator in members]
        self.named_estimators_ = {name: fitted for (name, _), fitted
                                  in zip(members, self.estimators_)}
        return self

    def predict(self, X):
        """The weighted mean of the members' forecasts.

        Parameters
        ----------
        X : array-like, as in :meth:`fit`

        Returns
        -------
        y_pred : ndarray of float64, of the members' ``predict`` shape
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, allow_nd=True, ensure_all_finite=False,
                          dtype=None)
        forecasts = [np.asarray(member.predict(X), dtype=np.float64)
                     for member in self.estimators_]
        shapes = {forecast.shape for forecast in forecasts}
        if len(shapes) != 1:
            raise ValueError(f"The members forecast different shapes: {sorted(shapes)}.")
        return np.tensordot(self.weights_, np.stack(forecasts), axes=1)

    def _members(self):
        """``estimators`` checked: a non-empty list of (unique name, forecaster)."""
        if not self.estimators or not all(
                isinstance(item, tuple) and len(item) == 2 for item in self.estimators):
            raise ValueError("estimators must be a non-empty list of (name, estimator) tuples, "
                             f"got {self.estimators!r}.")
        self._validate_names([name for name, _ in self.estimators])
        for name, estimator in self.estimators:
            if not HasMethods(["fit", "predict"]).is_satisfied_by(estimator):
                raise TypeError(f"estimators: {name!r} must have fit and predict, "
                                f"got {estimator!r}.")
        return list(self.estimators)

    def _resolve_weights(self, n_members):
        if self.weights is None:
            return np.full(n_members, 1 / n_members)
        weights = np.asarray(self.weights, dtype=np.float64)
        if weights.shape != (n_members,) or not np.isfinite(weights).all() \
                or (weights < 0).any() or weights.sum() <= 0:
            raise ValueError(f"weights must be {n_members} non-negative numbers, not all 0 "
                             f"(one per estimator), got {self.weights!r}.")
        return weights / weights.sum()
