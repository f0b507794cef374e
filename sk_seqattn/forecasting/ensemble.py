"""Ensembles of forecasters: over input-window lengths (lookbacks) and over seeds."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin, _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils._available_if import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from ._checks import observed_steps
from ._scoring import _StepwiseR2
from .regressor import Seq2SeqAttentionRegressor

__all__ = ["LookbackEnsemble", "SeedEnsemble"]


def _rows(y, rows):
    # y's rows where the boolean mask `rows` holds, for arrays and pandas alike.
    return y.iloc[rows] if hasattr(y, "iloc") else np.asarray(y)[rows]


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

    A window may begin with NaN: steps before its series started, as
    ``last_windows(..., fill_value=np.nan)`` pads a series shorter than
    the longest lookback. Each member then fits and forecasts only the
    windows whose observed steps cover its lookback, and a window's
    forecast combines the members that cover it, so a panel's short series
    are forecast by the shorter lookbacks instead of being dropped. (An
    ``estimator`` that accepts NaN itself gets every window as it is.)
    Training windows cut by ``make_windows(..., fill_value=np.nan,
    min_observed=shortest lookback)`` give each member every window that
    covers its own lookback, the short series' included; windows of the
    longest lookback alone would leave the shorter members only the series
    long enough for the longest.

    Parameters
    ----------
    estimator : estimator or None, default=None
        The forecaster to clone, with ``fit(X, y)`` and ``predict(X)`` on
        windows whose axis 1 is time. None:
        ``Seq2SeqAttentionRegressor(lookbacks=None, classical=None)``, one
        network per member (the regressor's own ``lookbacks="auto"`` would
        make each member an ensemble of its own on many windows). With ``future_features``, ``X``
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
        # The members' answer: NaN as left padding only (see the class
        # docstring) is not "allow_nan", which means NaN anywhere.
        return _member_tags(super().__sklearn_tags__(), self._template().__sklearn_tags__())

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit one clone of ``estimator`` per lookback.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps) or (n_samples, n_steps, n_features)
            Windows of the longest lookback (plus the known-future steps),
            possibly left-padded with NaN.
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
        observed = self._observed_steps(X)  # (n_samples,)
        self.estimators_ = []
        random_state = check_random_state(self.random_state)
        for length in self.lookbacks_:
            member = clone(estimator)
            if self.random_state is not None and "random_state" in member.get_params():
                member.set_params(random_state=random_state.randint(np.iinfo(np.int32).max))
            rows = observed >= length
            if not rows.any():
                raise ValueError(
                    f"X: no window has {length} observed steps after its NaN padding, so "
                    f"the member of lookback {length} has nothing to fit; the longest "
                    f"window observes {observed.max()}."
                )
            X_member, y_member = (X, y) if rows.all() else (X[rows], _rows(y, rows))
            self.estimators_.append(member.fit(self._last_steps(X_member, length), y_member))
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
        observed = self._observed_steps(X)  # (n_samples,)
        shortest = self.lookbacks_[0]
        if (observed < shortest).any():
            row = int(np.argmax(observed < shortest))
            raise ValueError(
                f"X: row {row} has {observed[row]} observed steps after its NaN padding, "
                f"fewer than the shortest lookback, {shortest}; no member can forecast it."
            )
        # The shortest lookback's member covers every row; the others only
        # the rows whose observed steps reach their lookback, NaN elsewhere.
        first = np.asarray(self.estimators_[0].predict(self._last_steps(X, shortest)))
        forecasts = np.full((len(self.estimators_), *first.shape), np.nan)
        forecasts[0] = first  # (n_members, n_samples, ...)
        for k, (member, length) in enumerate(zip(self.estimators_[1:], self.lookbacks_[1:]), 1):
            rows = observed >= length
            if rows.any():
                forecasts[k, rows] = member.predict(self._last_steps(X[rows], length))
        # Every row has at least the first member's forecast, so no all-NaN slice.
        return np.nanmean(forecasts, 0) if self.combine == "mean" else np.nanmedian(forecasts, 0)

    def _template(self):
        # The estimator the members are cloned from: by default one network
        # each (the ensemble is the lookbacks).
        return Seq2SeqAttentionRegressor(lookbacks=None, classical=None) \
            if self.estimator is None else self.estimator

    def _last_steps(self, X, length):
        # The last `length` input steps, and the known-future steps after them.
        start = X.shape[1] - self._n_future_steps - length
        return X[:, start:]

    def _observed_steps(self, X):
        """Per window, its input steps after the left padding: ``(n_samples,)`` ints.

        A step is padding if any of its values is NaN; padding must come
        before every observed step. Members that accept NaN see no padding.
        """
        n_steps = X.shape[1] - self._n_future_steps
        if self._template().__sklearn_tags__().input_tags.allow_nan or not (
                np.issubdtype(X.dtype, np.floating)):
            return np.full(len(X), n_steps)
        return observed_steps(X[:, :n_steps])

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


class SeedEnsemble(_StepwiseR2, MetaEstimatorMixin, RegressorMixin, BaseEstimator):
    """Combine clones of one forecaster that differ only by their ``random_state``.

    Each member is a clone of ``estimator`` with its own seed; the forecast
    is the median (or mean) of the members', as N-BEATS combines its
    members. Quantile forecasts (``predict_quantiles``) are combined level
    by level and sorted, so they never cross; attention weights
    (``attention_weights``) are averaged. Fit and predict cost the sum of
    the members'.

    Parameters
    ----------
    estimator : estimator or None, default=None
        The forecaster to clone, with a ``random_state`` parameter. None: a
        default :class:`Seq2SeqAttentionRegressor`.

    n_estimators : int, default=3
        The number of members.

    combine : {"median", "mean"}, default="median"
        How the members' forecasts are combined.

    random_state : int, RandomState instance or None, default=None
        Draws each member's ``random_state``.

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted members.

    quantiles_ : ndarray of float or None
        The members' quantile levels (None for point forecasters).

    See Also
    --------
    LookbackEnsemble : Members that differ by the window length they read.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_seqattn import SeedEnsemble, Seq2SeqAttentionRegressor, make_windows
    >>> X, y = make_windows(np.sin(np.arange(200) / 5), n_in=20, n_out=5)
    >>> ensemble = SeedEnsemble(estimator=Seq2SeqAttentionRegressor(max_epochs=2),
    ...                         n_estimators=2, random_state=0).fit(X, y)
    >>> ensemble.predict(X[:2]).shape
    (2, 5)
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "combine": [StrOptions({"mean", "median"})],
        "random_state": ["random_state"],
    }

    def __init__(self, *, estimator=None, n_estimators=3, combine="median", random_state=None):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.combine = combine
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        return _member_tags(tags, self._template().__sklearn_tags__())

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit ``n_estimators`` clones of ``estimator``, each with its own seed.

        Parameters
        ----------
        X : array-like
            What the member estimator takes as ``X``.
        y : array-like
            What the member estimator takes as ``y``.

        Returns
        -------
        self : SeedEnsemble
        """
        random_state = check_random_state(self.random_state)
        template = self._template()
        if "random_state" not in template.get_params():
            raise ValueError(
                f"estimator: SeedEnsemble needs a member with a random_state parameter; "
                f"{type(template).__name__} has none."
            )
        self.estimators_ = [
            clone(template).set_params(random_state=random_state.randint(np.iinfo(np.int32).max))
            .fit(X, y)
            for _ in range(self.n_estimators)
        ]
        first = self.estimators_[0]
        if hasattr(first, "n_features_in_"):
            self.n_features_in_ = first.n_features_in_
        # The members' quantile levels, which predict_quantiles returns (and
        # ConformalForecaster calibrates).
        self.quantiles_ = getattr(first, "quantiles_", None)
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
        return self._combine("predict", X)

    @available_if(lambda self: hasattr(self._template(), "predict_quantiles"))
    def predict_quantiles(self, X):
        """The members' quantile forecasts, combined level by level and sorted.

        Parameters
        ----------
        X : array-like, as in :meth:`fit`

        Returns
        -------
        y_quantiles : ndarray, of the members' ``predict_quantiles`` shape
        """
        return np.sort(self._combine("predict_quantiles", X), axis=-1)

    @available_if(lambda self: hasattr(self._template(), "attention_weights"))
    def attention_weights(self, X):
        """The members' attention weights, averaged.

        Parameters
        ----------
        X : array-like, as in :meth:`fit`

        Returns
        -------
        weights : ndarray of shape (n_samples, horizon, n_steps)
        """
        check_is_fitted(self)
        return np.mean([member.attention_weights(X) for member in self.estimators_], axis=0)

    def _combine(self, method, X):
        check_is_fitted(self)
        outputs = np.stack([np.asarray(getattr(member, method)(X), dtype=np.float64)
                            for member in self.estimators_])  # (n_members, n_samples, ...)
        return np.median(outputs, 0) if self.combine == "median" else np.mean(outputs, 0)

    def _template(self):
        return Seq2SeqAttentionRegressor() if self.estimator is None else self.estimator


def _member_tags(tags, member_tags):
    """``tags`` with the input and target tags of the members' ``member_tags``."""
    tags.input_tags.three_d_array = getattr(member_tags.input_tags, "three_d_array", False)
    tags.input_tags.allow_nan = member_tags.input_tags.allow_nan
    tags.target_tags.single_output = member_tags.target_tags.single_output
    tags.target_tags.multi_output = member_tags.target_tags.multi_output
    tags.regressor_tags.poor_score = member_tags.regressor_tags.poor_score
    return tags
