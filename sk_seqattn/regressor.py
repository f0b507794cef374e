"""Seq2SeqAttentionRegressor: multi-step forecasting with Luong attention."""

from numbers import Integral

import numpy as np
import torch
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_consistent_length, \
    check_is_fitted, validate_data

from ._base import FITTED_NET_DOC, NETWORK_PARAMS_DOC, TRAINING_PARAMS_DOC, \
    _BaseSeq2SeqAttention
from .modules import Seq2SeqRegressionNetwork

__all__ = ["Seq2SeqAttentionRegressor"]

_FLOAT32_MAX = float(np.finfo(np.float32).max)


class Seq2SeqAttentionRegressor(RegressorMixin, _BaseSeq2SeqAttention):
    __doc__ = """Forecast the next ``horizon`` steps of a series from a window of its past.

    An RNN encoder reads the input window (the target's history and any
    past covariates); an attentional RNN decoder (Luong et al., 2015)
    produces one step at a time, feeding each step's value to the next.

    Parameters
    ----------
{network}
    normalize : {{"window", "global"}} or None, default="window"
        "window": each sample's input window is standardised by its own
        mean and standard deviation (per feature), the targets by those of
        their feature, and predictions are mapped back. The largest
        accuracy lever on real series (it removes level and trend). "global":
        one mean and deviation per feature from the training windows.
        None: the values as given.

    linear_path : bool, default=False
        Add a linear map of the (normalised) input window to the output
        beside the network (an autoregressive "highway", as in LSTNet), so
        the network learns what a linear model misses. It can help on long
        trending series; on short ones its unregularised weights overfit
        (sunspots: test MASE 1.29 with it, 1.17 without, 5 seeds; see
        benchmarks/forecast_accuracy.py), hence off.

    target_features : int, list of int or None, default=None
        Which features of a 3-D ``X`` are the history of the targets
        (``y``'s last axis, in order): they start the decoder and give
        "window" normalisation its target statistics. None: the first
        ``n_targets`` features. Ignored for 2-D ``X`` (one feature).

{training}
    Attributes
    ----------
{fitted}
    n_features_in_ : int
        Columns of ``X`` as scikit-learn counts them: ``n_steps`` (axis 1).

    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame with string column names.

    n_steps_in_ : int
        Input window length.

    n_input_features_ : int
        Features per input step (1 for 2-D ``X``).

    horizon_ : int
        Output steps.

    n_targets_ : int
        Targets per output step.

    target_features_ : ndarray of int
        Positions of the targets' history among the input features.

    feature_mean_, feature_scale_ : ndarray of shape (n_input_features,)
        Per-feature statistics when ``normalize="global"``.

    See Also
    --------
    sk_seqattn.make_windows : Cut a series into ``(X, y)`` windows.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_seqattn import Seq2SeqAttentionRegressor, make_windows
    >>> series = np.sin(np.arange(300) / 5)
    >>> X, y = make_windows(series, n_in=20, n_out=5)
    >>> reg = Seq2SeqAttentionRegressor(max_epochs=5, random_state=0).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2, 5)
    >>> reg.attention_weights(X[:2]).shape
    (2, 5, 20)
    """.format(
        network=NETWORK_PARAMS_DOC.format(hidden_size=64, input_feeding=False),
        training=TRAINING_PARAMS_DOC.format(max_epochs=100, batch_size=32, lr=0.001),
        fitted=FITTED_NET_DOC,
    )

    _parameter_constraints = {
        **_BaseSeq2SeqAttention._parameter_constraints,
        "normalize": [StrOptions({"window", "global"}), None],
        "linear_path": ["boolean"],
        "target_features": [Interval(Integral, 0, None, closed="left"), "array-like", None],
    }

    def __init__(
        self,
        attention="dot",
        hidden_size=64,
        num_layers=1,
        cell="lstm",
        bidirectional=False,
        dropout=0.0,
        input_feeding=False,
        teacher_forcing=1.0,
        normalize="window",
        linear_path=False,
        target_features=None,
        max_epochs=100,
        batch_size=32,
        lr=0.001,
        optimizer="adam",
        max_grad_norm=5.0,
        callbacks=None,
        validation_fraction=None,
        device="cpu",
        n_threads=None,
        random_state=None,
        verbose=0,
        net_params=None,
    ):
        self.attention = attention
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.cell = cell
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.input_feeding = input_feeding
        self.teacher_forcing = teacher_forcing
        self.normalize = normalize
        self.linear_path = linear_path
        self.target_features = target_features
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.max_grad_norm = max_grad_norm
        self.callbacks = callbacks
        self.validation_fraction = validation_fraction
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose
        self.net_params = net_params

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.single_output = True
        tags.target_tags.multi_output = True
        # Tiny default fits in the generic checks are not meant to score well.
        tags.regressor_tags.poor_score = True
        return tags

    # -- fit / predict -------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train on windows ``X`` and their futures ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps) or \
(n_samples, n_steps, n_features)
            Input windows: one series (2-D), or several features per step
            (3-D: the targets' history and past covariates).
        y : array-like of shape (n_samples,), (n_samples, horizon) or \
(n_samples, horizon, n_targets)
            What follows each window. ``predict`` returns the same rank.

        Returns
        -------
        self : Seq2SeqAttentionRegressor
        """
        if self.bidirectional and self.hidden_size % 2:
            raise ValueError(
                f"hidden_size must be even with bidirectional=True, got {self.hidden_size}."
            )
        X = self._check_X(X, reset=True)
        y, self._y_ndim = self._check_y(X, y)
        self.n_steps_in_, self.n_input_features_ = X.shape[1], X.shape[2]
        self.horizon_, self.n_targets_ = y.shape[1], y.shape[2]
        self.target_features_ = self._resolve_target_features()

        if self.normalize == "global":
            self.feature_mean_ = X.mean(axis=(0, 1))
            self.feature_scale_ = _nonzero_scale(X.std(axis=(0, 1)), self.feature_mean_)
        mean, scale = self._normalization(X)
        X_net = _as_float32((X - mean) / scale, "X")
        y_net = _as_float32(
            (y - mean[..., self.target_features_]) / scale[..., self.target_features_], "y"
        )

        module_params = {
            "n_features": self.n_input_features_,
            "n_targets": self.n_targets_,
            "horizon": self.horizon_,
            "n_steps": self.n_steps_in_,
            "target_features": self.target_features_.tolist(),
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "cell": self.cell,
            "bidirectional": self.bidirectional,
            "dropout": self.dropout,
            "attention": self.attention,
            "input_feeding": self.input_feeding,
            "teacher_forcing": self.teacher_forcing,
            "linear_path": self.linear_path,
        }
        net = self._build_net(Seq2SeqRegressionNetwork, module_params, torch.nn.MSELoss)
        self.net_ = self._fit_net(net, X_net, y_net)
        return self

    def predict(self, X):
        """Forecast ``horizon_`` steps after each window.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps_in_) or \
(n_samples, n_steps_in_, n_input_features_)

        Returns
        -------
        y_pred : ndarray of float64, of ``y``'s rank in ``fit``
            (n_samples,), (n_samples, horizon) or (n_samples, horizon, n_targets).
        """
        prediction, _ = self._forward_normalized(X)
        if self._y_ndim == 1:
            return prediction.reshape(-1)
        if self._y_ndim == 2:
            return prediction[..., 0]
        return prediction

    def attention_weights(self, X):
        """Attention over the input steps for every forecast step.

        Parameters
        ----------
        X : array-like, as for :meth:`predict`

        Returns
        -------
        weights : ndarray of shape (n_samples, horizon_, n_steps_in_)
            Each row sums to 1: how much each input step contributed to the
            context of that forecast step.
        """
        check_is_fitted(self)
        if self.attention == "none":
            raise ValueError("attention='none' has no attention weights.")
        return self._forward_normalized(X)[1]

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

    # -- helpers ---------------------------------------------------------------
    def _forward_normalized(self, X):
        # Predictions and attention weights in the original units, float64.
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        mean, scale = self._normalization(X)
        prediction, weights = self._forward(_as_float32((X - mean) / scale, "X"))
        target_mean = mean[..., self.target_features_]
        target_scale = scale[..., self.target_features_]
        prediction = prediction.astype(np.float64) * target_scale + target_mean
        return prediction, weights.astype(np.float64)

    def _check_X(self, X, reset):
        X = validate_data(
            self, X, reset=reset, allow_nd=True, dtype=[np.float64, np.float32],
        )
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 2:
            X = X[:, :, None]  # (n_samples, n_steps, 1)
        elif X.ndim != 3:
            raise ValueError(
                "X must be 2-D (n_samples, n_steps) or 3-D (n_samples, n_steps, "
                f"n_features); got an array of shape {X.shape}."
            )
        if X.shape[2] == 0:
            raise ValueError("X has 0 features per step; at least 1 is required.")
        if not reset and X.shape[2] != self.n_input_features_:
            raise ValueError(
                f"X has {X.shape[2]} features per step, but "
                f"{type(self).__name__} was fitted with {self.n_input_features_}."
            )
        return X

    def _check_y(self, X, y):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        y = check_array(
            y, ensure_2d=False, allow_nd=True, dtype=np.float64, input_name="y",
        )
        check_consistent_length(X, y)
        if y.ndim not in (1, 2, 3):
            raise ValueError(
                "y must be 1-D (n_samples,), 2-D (n_samples, horizon) or 3-D "
                f"(n_samples, horizon, n_targets); got an array of shape {y.shape}."
            )
        if y.ndim > 1 and 0 in y.shape[1:]:
            raise ValueError(f"y of shape {y.shape} has an empty horizon or target axis.")
        return y.reshape(y.shape[0], y.shape[1] if y.ndim > 1 else 1, -1), y.ndim

    def _resolve_target_features(self):
        n_features = self.n_input_features_
        if self.target_features is None or n_features == 1:
            if self.n_targets_ > n_features:
                raise ValueError(
                    f"y has {self.n_targets_} targets per step but X has only "
                    f"{n_features} feature(s) per step; the targets' history must "
                    "be among X's features (see target_features)."
                )
            return np.arange(self.n_targets_)
        positions = np.atleast_1d(np.asarray(self.target_features))
        if positions.ndim != 1 or not np.issubdtype(positions.dtype, np.integer):
            raise ValueError(
                "target_features must be an int or a list of ints, got "
                f"{self.target_features!r}."
            )
        if len(positions) != self.n_targets_:
            raise ValueError(
                f"target_features names {len(positions)} feature(s) but y has "
                f"{self.n_targets_} target(s) per step."
            )
        if positions.min() < 0 or positions.max() >= n_features:
            raise ValueError(
                f"target_features {positions.tolist()} is out of range for X with "
                f"{n_features} features per step."
            )
        return positions

    def _normalization(self, X):
        # (mean, scale) broadcastable to X: (n_samples, 1, F) per window,
        # (F,) global, or the identity.
        if self.normalize == "window":
            mean = X.mean(axis=1, keepdims=True)
            return mean, _nonzero_scale(X.std(axis=1, keepdims=True), mean)
        if self.normalize == "global":
            return self.feature_mean_, self.feature_scale_
        ones = np.ones(X.shape[2])
        return 0.0 * ones, ones


def _nonzero_scale(std, mean):
    # A constant window (or feature) keeps scale 1 instead of dividing by ~0.
    constant = std <= 10 * np.finfo(np.float64).eps * np.maximum(np.abs(mean), 1.0)
    return np.where(constant, 1.0, std)


def _as_float32(values, name):
    if np.abs(values).max(initial=0.0) > _FLOAT32_MAX:
        raise ValueError(
            f"{name} has values beyond float32's range after normalisation; "
            "rescale the data or use normalize='window'."
        )
    return values.astype(np.float32)
