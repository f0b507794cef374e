"""Seq2SeqAttentionRegressor: multi-step forecasting with Luong attention."""

from numbers import Integral

import numpy as np
import torch
from skorch.callbacks import EarlyStopping
from skorch.utils import noop
from sklearn.base import RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._base import FITTED_NET_DOC, NETWORK_PARAMS_DOC, TRAINING_PARAMS_DOC, \
    _BaseSeq2SeqAttention
from .nn import Seq2SeqRegressionNetwork
from ._regressor_checks import _RegressorInputChecks
from ._conformal import conformal_offsets
from ._floor import FLOOR_CONSTRAINTS, FLOOR_FITTED_DOC, FLOOR_PARAMS_DOC, _LinearFloor
from ._quantiles import QUANTILE_CONSTRAINTS, QUANTILE_FITTED_DOC, QUANTILE_PARAMS_DOC, \
    _QuantileForecasts
from ._scoring import _StepwiseR2
from ._scaling import SCALING_CONSTRAINTS, SCALING_FITTED_DOC, SCALING_PARAMS_DOC, \
    TRANSFORMS, _WindowScaling, as_float32, denormalize, normalize_targets
from .net import PinballLoss, TailSplit

__all__ = ["Seq2SeqAttentionRegressor"]

_LOSSES = {"mse": torch.nn.MSELoss, "mae": torch.nn.L1Loss, "huber": torch.nn.HuberLoss}


class Seq2SeqAttentionRegressor(_StepwiseR2, RegressorMixin, _RegressorInputChecks,
                                _LinearFloor, _QuantileForecasts, _WindowScaling,
                                _BaseSeq2SeqAttention):
    __doc__ = """Forecast the next ``horizon`` steps of a series from a window of its past.

    An RNN encoder reads the input window (the target's history and any
    past covariates); an attentional RNN decoder (Luong et al., 2015)
    produces the horizon. By default a ridge regression on the normalised
    window and the window's level and spread forecasts first and the
    decoder, reading that forecast step by step, learns its correction;
    with ``linear_floor=False`` the decoder feeds each step's value to the
    next instead.

    The defaults are the settings that did best on public series: the
    linear floor with the window statistics (it keeps short series from
    doing worse than a linear autoregression of the raw values and improves
    a panel's forecast), reading a shorter part of the window only where a
    time-ordered split of the training windows clearly prefers it (as an
    autoregression chooses its order), a small network
    (``hidden_size=32``) and ``lr=3e-4`` (larger or faster ones overfit a
    few hundred windows). For a panel of thousands of windows, a larger
    ``batch_size`` (256), ``lr=1e-3`` and about 10 epochs do better; for
    multiplicative seasons, ``target_transform="log"`` (or "log1p"). The
    mean of regressors over several window lengths
    (:class:`~sk_seqattn.LookbackEnsemble`) does better than one.

    Parameters
    ----------
{network}
{scaling}
{floor}
    loss : {{"mse", "mae", "huber"}}, default="mse"
        Training loss on the normalised targets. "mae" estimates the
        median, which suits MAE-based scores such as MASE.

    ensemble_size : int, default=1
        Train this many networks with different seeds in one ``fit`` and
        forecast their median (as N-BEATS does). Fit and predict cost
        grow linearly with it.

    early_stopping : bool, default=False
        Hold out the time-ordered tail of the samples (``validation_fraction``,
        0.1 if None), stop when its free-running loss has not improved for
        ``n_iter_no_change`` epochs, and restore the best epoch's weights.

    n_iter_no_change : int, default=10
        Patience of ``early_stopping``, in epochs.

    validation_gap : int or "auto", default="auto"
        Samples left out between the training part and the validation
        tail, so that no validation target is also a training target.
        "auto": ``horizon - 1``, right for the windows of one series cut
        with step 1. For a panel pooled by :func:`make_windows` (ordered by
        time across the series), use ``(horizon - 1) * n_series``.

{quantiles}
    future_features : int, list of int or None, default=None
        Features of a 3-D ``X`` known in advance for the forecast steps
        (calendar, holidays, planned prices). ``X`` then spans ``n_in +
        horizon`` steps: the first ``n_in`` are the input window, and at
        each of the last ``horizon`` steps the decoder (and the linear
        floor) also reads these features. The other features of those
        steps are not used and may be NaN, as :func:`make_windows` with
        ``future_covariates`` leaves them. A target feature cannot be one.

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
        Input window length (without the known-future steps).

    n_input_features_ : int
        Features per input step (1 for 2-D ``X``).

    horizon_ : int
        Output steps.

    n_targets_ : int
        Targets per output step.

    target_features_ : ndarray of int
        Positions of the targets' history among the input features.

    future_features_ : ndarray of int or None
        Positions of the known-future features.

{quantile_fitted}
{scaling_fitted}
{floor_fitted}
    nets_ : list of sk_seqattn.net.Seq2SeqNet
        The ``ensemble_size`` trained nets; ``net_`` is the first.

    See Also
    --------
    sk_seqattn.make_windows : Cut a series into ``(X, y)`` windows.
    sk_seqattn.LookbackEnsemble : Regressors over several window lengths, averaged.

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
        network=NETWORK_PARAMS_DOC.format(hidden_size=32, input_feeding=False),
        training=TRAINING_PARAMS_DOC.format(max_epochs=100, batch_size=32, lr=0.0003),
        fitted=FITTED_NET_DOC,
        scaling=SCALING_PARAMS_DOC,
        floor=FLOOR_PARAMS_DOC,
        quantiles=QUANTILE_PARAMS_DOC,
        quantile_fitted=QUANTILE_FITTED_DOC,
        scaling_fitted=SCALING_FITTED_DOC,
        floor_fitted=FLOOR_FITTED_DOC,
    )

    # Models fitted before window_stats existed read no window statistics.
    _parameters_added_later = {**_BaseSeq2SeqAttention._parameters_added_later,
                               "window_stats": None, "floor_lookback": None}

    _parameter_constraints = {
        **_BaseSeq2SeqAttention._parameter_constraints,
        **SCALING_CONSTRAINTS,
        **FLOOR_CONSTRAINTS,
        "loss": [StrOptions(set(_LOSSES))],
        "ensemble_size": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "validation_gap": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
        **QUANTILE_CONSTRAINTS,
        "future_features": [Interval(Integral, 0, None, closed="left"), "array-like", None],
        "target_features": [Interval(Integral, 0, None, closed="left"), "array-like", None],
    }

    def __init__(
        self,
        *,
        attention="dot",
        alignment="global",
        local_width=10,
        hidden_size=32,
        num_layers=1,
        cell="lstm",
        bidirectional=False,
        dropout=0.0,
        input_feeding=False,
        teacher_forcing=1.0,
        normalize="window",
        target_transform=None,
        season_length=None,
        linear_floor=True,
        floor_alpha="auto",
        floor_lookback="auto",
        window_stats="floor",
        loss="mse",
        ensemble_size=1,
        early_stopping=False,
        n_iter_no_change=10,
        validation_gap="auto",
        quantiles=None,
        conformal=False,
        future_features=None,
        target_features=None,
        max_epochs=100,
        batch_size=32,
        lr=0.0003,
        lr_schedule="constant",
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
        self.alignment = alignment
        self.local_width = local_width
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.cell = cell
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.input_feeding = input_feeding
        self.teacher_forcing = teacher_forcing
        self.normalize = normalize
        self.target_transform = target_transform
        self.season_length = season_length
        self.linear_floor = linear_floor
        self.floor_alpha = floor_alpha
        self.floor_lookback = floor_lookback
        self.window_stats = window_stats
        self.loss = loss
        self.ensemble_size = ensemble_size
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.validation_gap = validation_gap
        self.quantiles = quantiles
        self.conformal = conformal
        self.future_features = future_features
        self.target_features = target_features
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.lr_schedule = lr_schedule
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
        self._forget_fit()  # an interrupted or failed fit leaves it unfitted
        self._check_network_params()
        X = self._check_X(X, reset=True)
        y, self._y_ndim = self._check_y(X, y)
        self.horizon_, self.n_targets_ = y.shape[1], y.shape[2]
        self.n_input_features_ = X.shape[2]
        self.target_features_ = self._resolve_target_features()
        self.future_features_ = self._resolve_future_features(X.shape[1])
        self.n_steps_in_ = X.shape[1] - (0 if self.future_features_ is None else self.horizon_)
        self._check_future_part(X)
        levels = self._resolve_quantiles()
        if self.conformal and levels is None:
            raise ValueError(
                "conformal=True calibrates quantiles; set quantiles as well, e.g. "
                "quantiles=(0.1, 0.9)."
            )
        if self.season_length is not None and self.season_length > self.n_steps_in_:
            raise ValueError(
                f"season_length={self.season_length} is longer than the input window "
                f"({self.n_steps_in_} steps); it needs at least one whole season."
            )

        # The held-out tail (early stopping, conformal calibration) is kept
        # out of everything fitted: the normalisation's statistics, the floor.
        split = self._train_split()
        train, valid = (slice(None), None) if split is None else split.indices(len(y))
        X, future = self._transformed(X, fit=True, fit_rows=train)
        X_net, future_net, undo, level = self._normalized_inputs(X, future)
        y = self._transform_targets(y, in_X=False)
        y_net = normalize_targets(y, undo)  # (n_samples, horizon, n_targets)
        self._fit_floor(X[train], None if future is None else future[train], y[train])

        inputs = self._network_inputs(X_net, future_net, level, self._base(X, future, undo))
        module_params = {
            # The window's features (and its statistics, with window_stats="all").
            "n_features": inputs["X"].shape[2],
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
            "alignment": self.alignment,
            "local_width": self.local_width,
            "input_feeding": self.input_feeding,
            "teacher_forcing": self.teacher_forcing,
            "n_future_features": 0 if future_net is None else future_net.shape[2],
            "n_quantiles": 1 if levels is None else len(levels),
            "median_index": 0 if levels is None else levels.index(0.5),
        }
        criterion, criterion_params = _LOSSES[self.loss], None
        if levels is not None:
            criterion, criterion_params = PinballLoss, {"quantiles": levels}
        y_net = as_float32(y_net, "y")
        self.nets_ = [
            self._fit_net(
                self._build_net(Seq2SeqRegressionNetwork, module_params, criterion,
                                criterion_params),
                inputs, y_net, seed=seed,
            )
            for seed in self._seeds(self.ensemble_size)
        ]
        self.quantile_offsets_ = None
        if self.conformal:
            self.quantile_offsets_ = conformal_offsets(
                y_net[valid],
                self._ensemble_forward({name: part[valid] for name, part in inputs.items()})[0],
                levels,
            )
        self.net_ = self.nets_[0]
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
            An empty ``X`` is a ``ValueError``, as for the translator.
        """
        prediction, _ = self._forward_normalized(X, attention=False)
        if self._levels is not None:  # the median
            prediction = prediction[..., self._levels.index(0.5)]
        return self._as_y_rank(prediction)

    def attention_weights(self, X):
        """Attention over the input steps for every forecast step.

        Parameters
        ----------
        X : array-like, as for :meth:`predict`

        Returns
        -------
        weights : ndarray of shape (n_samples, horizon_, n_steps_in_)
            How much each input step contributed to the context of that
            forecast step. Each row sums to 1 with global attention; with a
            local ``alignment`` the weights are exactly 0 outside the
            step's window, and local-p's rows sum to less than 1.
        """
        check_is_fitted(self)
        if self.attention == "none":
            raise ValueError("attention='none' has no attention weights.")
        return self._forward_normalized(X, attention=True)[1]

    # -- helpers ---------------------------------------------------------------
    def _as_y_rank(self, prediction):
        # (n, horizon, n_targets[, n_quantiles]) -> the rank of y in fit
        # (and the quantile axis, if any).
        if self._y_ndim == 1:  # horizon and targets of 1
            return prediction.reshape(len(prediction), *prediction.shape[3:])
        if self._y_ndim == 2:  # one target
            return prediction[:, :, 0]
        return prediction

    def _forward_normalized(self, X, attention):
        # Predictions in the original units, float64: the median forecast
        # of the ensemble, and its mean attention if asked (else None). With
        # quantiles the predictions have a last axis of levels, sorted.
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        self._check_future_part(X)
        X, future = self._transformed(X)
        X_net, future_net, undo, level = self._normalized_inputs(X, future)
        prediction, weights = self._ensemble_forward(
            self._network_inputs(X_net, future_net, level, self._base(X, future, undo)),
            attention,
        )
        if self._levels is not None:
            if self.quantile_offsets_ is not None:
                prediction = np.sort(prediction + self.quantile_offsets_, axis=-1)
            # (n, horizon, n_targets, n_levels): the same undo for every level.
            undo = tuple(np.expand_dims(part, -1) if np.ndim(part) else part for part in undo)
        prediction = denormalize(prediction, undo)
        if self.target_transform is not None:
            # Monotone, so quantiles stay quantiles and stay sorted.
            with np.errstate(over="ignore"):
                prediction = TRANSFORMS[self.target_transform][1](prediction)
        return prediction, weights

    def _ensemble_forward(self, inputs, attention=False):
        # The ensemble's median forecast in normalised units (quantile
        # levels sorted, so they never cross) and its mean attention (or None).
        outputs = [self._forward(inputs, net, outputs=[0, 1] if attention else [0])
                   for net in self.nets_]
        prediction = np.median(np.stack([out[0] for out in outputs]), axis=0).astype(np.float64)
        if self._levels is not None:
            prediction = np.sort(prediction, axis=-1)  # (n, horizon, n_targets, n_levels)
        if not attention:
            return prediction, None
        return prediction, np.mean(np.stack([out[1] for out in outputs]), axis=0).astype(np.float64)

    def _own_callbacks(self):
        callbacks = super()._own_callbacks()
        if self.early_stopping:
            callbacks.append(("early_stopping", EarlyStopping(
                monitor="valid_loss", patience=self.n_iter_no_change, load_best=True,
                sink=print if self.verbose else noop,
            )))
        return callbacks

    def _train_split(self):
        fraction = self.validation_fraction
        if fraction is None and (self.early_stopping or self.conformal):
            fraction = 0.1
        if fraction is None:
            return None
        gap = self.horizon_ - 1 if self.validation_gap == "auto" else self.validation_gap
        return TailSplit(fraction, gap)
