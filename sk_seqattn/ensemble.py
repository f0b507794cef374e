"""Ensembles of forecasters over input-window lengths (lookbacks)."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin, _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .regressor import Seq2SeqAttentionRegressor, _StepwiseR2

__all__ = ["LookbackEnsemble"]


class LookbackEnsemble(_StepwiseR2, MetaEstimatorMixin, RegressorMixin, BaseEstimator):
    """Combine the forecasts of one forecaster fitted on several window lengths.

    Each member is a clone of ``estimator`` that reads only the last ``L``
    steps of every input window, for each ``L`` in ``lookbacks``; the
    forecast is the mean (or median) of the members'. Networks that look
    back over different lengths make different errors, so their combination
    is more accurate than any one of them, where networks that differ only
    by their seed mostly agree (N-BEATS, Oreshkin et al. 2020, ensembles
    over lookbacks for this reason). Fit and predict cost the sum of the
    members'.

    Parameters
    ----------
    estimator : estimator or None, default=None
        The forecaster to clone, with ``fit(X, y)`` and ``predict(X)`` on
        windows whose axis 1 is time. None: a default
        :class:`Seq2SeqAttentionRegressor`. With ``future_features``, ``X``
        spans ``n_in + horizon`` steps and each member gets the last ``L``
        input steps and all the known-future steps.

    lookbacks : array-like of int or float, default=(0.6, 0.8, 1.0)
        The members' input lengths: an int is a number of steps (at most the
        window's), a float in (0, 1] a fraction of the window, rounded to
        at least one step. Duplicates after rounding are fitted once.

    combine : {"mean", "median"}, default="mean"
        How the members' forecasts are combined.

    random_state : int, RandomState instance or None, default=None
        Draws each member's own ``random_state`` (for members that have
        one). None leaves the estimator's ``random_state`` to every member.

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted members, in the order of ``lookbacks_``.

    lookbacks_ : ndarray of int
        The members' input lengths, increasing.

    n_features_in_ : int
        Columns of ``X`` as scikit-learn counts them: its steps (axis 1).

    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame with string column names.

    See Also
    --------
    Seq2SeqAttentionRegressor : The default member.
    sk_seqattn.make_windows : Cut series into windows of the longest lookback.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_seqattn import LookbackEnsemble, Seq2SeqAttentionRegressor, make_windows
    >>> X, y = make_windows(np.sin(np.arange(300) / 5), n_in=20, n_out=5)
    >>> ensemble = LookbackEnsemble(
    ...     estimator=Seq2SeqAttentionRegressor(max_epochs=5, random_state=0),
    ...     lookbacks=[10, 20]).fit(X, y)
    >>> ensemble.lookbacks_.tolist(), ensemble.predict(X[:2]).shape
    ([10, 20], (2, 5))
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "lookbacks": ["array-like"],
        "combine": [StrOptions({"mean", "median"})],
        "random_state": ["random_state"],
    }

    def __init__(self, *, estimator=None, lookbacks=(0.6, 0.8, 1.0), combine="mean",
                 random_state=None):
        self.estimator = estimator
        self.lookbacks = lookbacks
        self.combine = combine
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        member_tags = self._template().__sklearn_tags__()
        tags.input_tags.three_d_array = getattr(member_tags.input_tags, "three_d_array", False)
        tags.input_tags.allow_nan = member_tags.input_tags.allow_nan
        tags.target_tags.single_output = member_tags.target_tags.single_output
        tags.target_tags.multi_output = member_tags.target_tags.multi_output
        tags.regressor_tags.poor_score = member_tags.regressor_tags.poor_score
        return tags

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit one clone of ``estimator`` per lookback.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps) or (n_samples, n_steps, n_features)
            Windows of the longest lookback (plus the known-future steps).
        y : array-like
            What the member estimator takes as ``y``.

        Returns
        -------
        self : LookbackEnsemble
        """
        X = validate_data(self, X, reset=True, allow_nd=True, ensure_all_finite=False,
                          dtype=None)
        estimator = self._template()
        self._n_future_steps = 0
        if getattr(estimator, "future_features", None) is not None:
            shape = np.shape(y)
            self._n_future_steps = shape[1] if len(shape) > 1 else 1
        self.lookbacks_ = self._resolve_lookbacks(X.shape[1] - self._n_future_steps)
        self.estimators_ = []
        random_state = check_random_state(self.random_state)
        for length in self.lookbacks_:
            member = clone(estimator)
            if self.random_state is not None and "random_state" in member.get_params():
                member.set_params(random_state=random_state.randint(np.iinfo(np.int32).max))
            self.estimators_.append(member.fit(self._last_steps(X, length), y))
        return self

    def predict(self, X):
        """The members' forecasts, combined.

        Parameters
        ----------
        X : array-like, as in :meth:`fit`

        Returns
        -------
        y_pred : ndarray, of the members' ``predict`` shape
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, allow_nd=True, ensure_all_finite=False,
                          dtype=None)
        # (n_members, n_samples, ...)
        forecasts = np.stack([member.predict(self._last_steps(X, length))
                              for member, length in zip(self.estimators_, self.lookbacks_)])
        return np.mean(forecasts, axis=0) if self.combine == "mean" else np.median(forecasts, 0)

    def _template(self):
        # The estimator the members are cloned from.
        return Seq2SeqAttentionRegressor() if self.estimator is None else self.estimator

    def _last_steps(self, X, length):
        # The last `length` input steps, and the known-future steps after them.
        start = X.shape[1] - self._n_future_steps - length
        return X[:, start:]

    def _resolve_lookbacks(self, n_steps):
        """``lookbacks`` as sorted unique step counts within the window of ``n_steps``."""
        values = np.ravel(np.asarray(self.lookbacks, dtype=object))
        if values.size == 0:
            raise ValueError("lookbacks must hold at least one length, got none.")
        lengths = set()
        for value in values:
            if isinstance(value, Integral) and not isinstance(value, bool):
                length = int(value)
            elif isinstance(value, Real) and 0 < value <= 1:
                length = max(1, int(round(value * n_steps)))
            else:
                raise ValueError(
                    "lookbacks must hold ints (steps) or floats in (0, 1] (fractions of "
                    f"the window), got {value!r}."
                )
            if not 1 <= length <= n_steps:
                raise ValueError(
                    f"lookbacks must lie within the input window of {n_steps} steps, "
                    f"got {length}."
                )
            lengths.add(length)
        return np.array(sorted(lengths))
