"""Seq2SeqAttentionRegressor: multi-step forecasting with Luong attention."""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import RegressorMixin, _fit_context, clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..nn import Seq2SeqRegressionNetwork
from ..training.base import FITTED_NET_DOC, NETWORK_PARAMS_DOC, TRAINING_PARAMS_DOC, \
    _BaseSeq2SeqAttention, parameter_docs
from ..training.net import PinballLoss, RowSplit, TailSplit
from . import _auto, _streamed
from ._checks import _WindowInputChecks
from ._quantiles import check_quantiles, with_median
from ._scoring import _StepwiseR2
from .floor import LinearFloorRegressor
from .panel_windows import PanelWindows
from .scaling import TargetTransform, WindowScaler, as_float32

__all__ = ["Seq2SeqAttentionRegressor"]

_LOSSES = {"mse": torch.nn.MSELoss, "mae": torch.nn.L1Loss, "huber": torch.nn.HuberLoss}

_NETWORK = ("attention", "alignment", "hidden_size", "num_layers", "cell", "dropout",
            "input_feeding")
_TRAINING = ("optimizer", "callbacks", "validation_fraction", "device", "precision",
             "random_state", "verbose", "net_params")

_AUTO_DOC = """\
    lookbacks : "auto", array-like of int or None, default="auto"
        The input lengths of the networks, whose forecasts are averaged
        (a :class:`~sk_seqattn.LookbackEnsemble` of this regressor): each
        reads the last ``L`` steps of the window and trains on every window
        whose observed steps cover them (a window may begin with NaN, as
        ``make_windows(..., fill_value=np.nan, min_observed=k)`` pads the
        start of a series). "auto": with many windows (at least 4096) or
        left-padded ones, and no ``quantiles``, 1.5, 2, 3 and 4 horizons,
        those within the window; otherwise one network on the whole
        window. None: one network on the whole window. Recorded in
        ``lookbacks_``.

    classical : "auto", estimator or None, default="auto"
        A classical forecaster of each window (``fit(X, y)``,
        ``predict(X)`` on the same windows), whose forecast is averaged with
        the networks' at ``classical_weight`` (a
        :class:`~sk_seqattn.ForecastCombination`): per-series statistical
        methods and a global network make different errors. "auto": where
        ``lookbacks="auto"`` takes several, a
        :class:`~sk_seqattn.ThetaWindowRegressor`; otherwise none. None:
        the networks alone. Not with ``quantiles``.

    classical_weight : float in [0, 1], default=0.25
        The classical forecast's weight in that combination; the networks'
        is ``1 - classical_weight``. Not read without a classical member.

    max_epochs : int or "auto", default="auto"
        Passes over the training windows. "auto": chosen on the
        time-ordered tail of every series, then a refit on every window
        for that many epochs. One network (the shortest lookback) is
        trained on the windows before the tails (each series'
        latest 10% of windows, fewer when all the tails hold 256 windows;
        the ``horizon - 1`` before them left out: they share target steps)
        and validated after each epoch, until a fifth of its budget (at
        least 5 epochs) in a row is worse than its lowest loss by more than
        1% or twice the curve's epoch-to-epoch noise; the last epoch within
        that band of the lowest is kept. The budget:
        at most 100 epochs for one network on few windows; otherwise (many
        windows, or several networks) at most as many (1 to 10) as make
        about 2500 optimizer steps, so training time follows the number of
        steps rather than the panel's size. The windows of a series are
        told by their overlap (windows cut with step 1, as
        :func:`~sk_seqattn.make_windows` does; otherwise the samples' order
        is one series). Recorded in ``max_epochs_``, the tail's losses in
        ``validation_loss_``.

    batch_size : int or "auto", default="auto"
        Windows per optimizer step. "auto": 32 with few windows, 256 with
        many. Recorded in ``batch_size_``.

    lr : float or "auto", default="auto"
        Learning rate. "auto": 3e-4 with few windows, 1e-3 with many.
        Recorded in ``lr_``.
"""


class Seq2SeqAttentionRegressor(_StepwiseR2, RegressorMixin, _WindowInputChecks,
                                _BaseSeq2SeqAttention):
    __doc__ = """Forecast the next ``horizon`` steps of a series from a window of its past.

    An RNN encoder reads the input window (the target's history and any
    past covariates); an attentional RNN decoder (Luong et al., 2015)
    produces the horizon. ``fit`` chains three parts, each undone in
    reverse on the forecast:

    1. ``target_transform`` (:class:`~sk_seqattn.forecasting.scaling.TargetTransform`)
       on the targets and their history;
    2. the window normalisation (:class:`~sk_seqattn.forecasting.scaling.WindowScaler`),
       fitted on the training windows;
    3. the ``floor`` (by default a :class:`~sk_seqattn.LinearFloorRegressor`),
       fitted first: the decoder reads its forecast step by step and the
       network learns the correction. Without a floor the decoder feeds
       each step's value to the next instead.

    Intervals calibrated on held-out windows, and ensembles over seeds or
    window lengths, are wrappers around any forecaster:
    :class:`~sk_seqattn.ConformalForecaster`, :class:`~sk_seqattn.SeedEnsemble`,
    :class:`~sk_seqattn.LookbackEnsemble`.

    Parameters
    ----------
{network}
    normalize : {{"window", "global"}} or None, default="window"
        "window": each sample's input window is standardised by its own
        mean and standard deviation (per feature), the targets by those of
        their feature, and predictions are mapped back: it removes level
        and trend. "global": one mean and deviation per feature from the
        training windows. None: the values as given.

    target_transform : {{"auto", "log", "log1p"}} or None, default="auto"
        Applied to the targets and their history in ``X`` before
        normalising, and undone on the forecast (``exp``, ``expm1``): a
        multiplicative series (seasonal swings that grow with the level)
        becomes additive. "log" needs positive values, "log1p" values
        >= 0 (counts with zeros); anything else is a ``ValueError``.
        "auto": "log1p" when every value of the targets and their history
        in the training windows is positive, or, where "auto" makes a
        panel's settings (many or left-padded windows), at least 0; else
        none (recorded in ``target_transform_.kind``). A forecast window
        with a negative history is then a ``ValueError``.

    floor : "linear", estimator or None, default="linear"
        The forecast the network corrects: "linear" is a
        :class:`~sk_seqattn.LinearFloorRegressor` with its defaults; an
        estimator on windows (``fit(X, y)``, ``predict(X)``) is cloned and
        fitted on the transformed training windows (its
        ``future_features`` and ``target_features`` set to the
        regressor's, where it has them); None: no floor. A linear floor
        keeps the forecast at least as good as a linear autoregression of
        the window even when the network has too few windows to learn (an
        autoregressive "highway", as in LSTNet and DLinear).

    loss : {{"auto", "mse", "mae", "huber"}}, default="auto"
        Training loss on the normalised targets. "mae" estimates the
        median, which suits MAE-based scores such as MASE. "auto": "mae"
        for the networks of a composite (many windows, several lookbacks),
        "mse" for one network (recorded in ``loss_``).

    quantiles : array-like of float in (0, 1), or None, default=None
        Forecast these quantiles as well as the point forecast, e.g.
        ``(0.1, 0.9)`` for an 80% interval: the network is trained with
        the pinball loss on all of them and on the median (added if
        missing), and ``loss`` is not used. ``predict`` then returns the
        median, :meth:`predict_quantiles` the quantiles. Must be strictly
        increasing. :class:`~sk_seqattn.ConformalForecaster` calibrates them
        on held-out windows.

    future_features : int, list of int or None, default=None
        Features of a 3-D ``X`` known in advance for the forecast steps
        (calendar, holidays, planned prices). ``X`` then spans ``n_in +
        horizon`` steps: the first ``n_in`` are the input window, and at
        each of the last ``horizon`` steps the decoder (and the floor)
        also reads these features. The other features of those steps are
        not used and may be NaN, as :func:`make_windows` with
        ``future_covariates`` leaves them. A target feature cannot be one.

    target_features : int, list of int or None, default=None
        Which features of a 3-D ``X`` are the history of the targets
        (``y``'s last axis, in order): they start the decoder and give
        "window" normalisation its target statistics. None: the first
        ``n_targets`` features. Ignored for 2-D ``X`` (one feature).

{auto}
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

    quantiles_ : ndarray of float or None
        The quantiles :meth:`predict_quantiles` returns.

    lookbacks_ : ndarray of int
        The networks' input lengths (one: a single network on the whole window).

    classical_ : estimator or None
        The fitted classical member, if any.

    ensemble_ : estimator or None
        With several lookbacks or a classical member, the fitted composite
        that ``predict`` calls (a :class:`~sk_seqattn.LookbackEnsemble` of
        single-network regressors, inside a
        :class:`~sk_seqattn.ForecastCombination` with a classical member);
        ``net_``, ``scaler_`` and ``floor_`` are then None (each member has
        its own). None for a single network.

    max_epochs_, batch_size_, lr_ : int, int, float
        The training settings used.

    loss_ : {{"mse", "mae", "huber"}}
        The training loss used (what ``loss="auto"`` chose).

    validation_loss_ : ndarray of float or None
        With ``max_epochs="auto"``, the loss on the series' tails after each
        epoch of the network that chose ``max_epochs_``; None otherwise, or
        when the windows leave no tail.

    target_transform_ : sk_seqattn.forecasting.scaling.TargetTransform
        The transform of the targets (the identity without ``target_transform``).

    scaler_ : sk_seqattn.forecasting.scaling.WindowScaler
        The normalisation, with its statistics from the training windows
        (without a ``validation_fraction`` tail).

    floor_ : estimator or None
        The fitted floor (on the training windows, without a validation tail).

    See Also
    --------
    sk_seqattn.make_windows : Cut a series into ``(X, y)`` windows.
    sk_seqattn.LinearFloorRegressor : The floor alone.
    sk_seqattn.LookbackEnsemble : Regressors over several window lengths, averaged.

    Notes
    -----
    The network's other settings are its module's arguments, given as
    skorch-prefixed keys (``set_params`` and ``GridSearchCV`` take them
    directly; they are kept in ``net_params``): ``module__local_width``
    (the local window's half-width ``D``, default 10, at least 1 for
    "local-p"), ``module__bidirectional`` (a bidirectional encoder, default
    False; ``hidden_size`` must then be even) and ``module__teacher_forcing``
    (the probability of feeding the true previous target in training,
    default 1.0; below 1, scheduled sampling). Gradients are clipped to a
    norm of 5, as in Luong et al.
    (``callbacks__gradient_clipping__gradient_clip_value`` changes it); a
    learning-rate schedule or early stopping is a skorch callback in
    ``callbacks``.

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
        network=parameter_docs(
            NETWORK_PARAMS_DOC.format(hidden_size=32, input_feeding=False), _NETWORK),
        training=parameter_docs(
            TRAINING_PARAMS_DOC.format(max_epochs=100, batch_size=32, lr=0.0003), _TRAINING,
            more={"validation_fraction": (
                "        The tail leaves the ``horizon - 1`` samples before it out of\n"
                "        training, so that no validation target of a series is also a\n"
                "        training target.")}),
        fitted=FITTED_NET_DOC,
        auto=_AUTO_DOC,
    )

    _parameter_constraints = {
        **{name: _BaseSeq2SeqAttention._parameter_constraints[name]
           for name in _NETWORK + _TRAINING},
        "normalize": [StrOptions({"window", "global"}), None],
        "target_transform": [StrOptions({"auto", "log", "log1p"}), None],
        "lookbacks": [StrOptions({"auto"}), "array-like", None],
        "classical": [StrOptions({"auto"}), HasMethods(["fit", "predict"]), None],
        "classical_weight": [Interval(Real, 0, 1, closed="both")],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "lr": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "floor": [StrOptions({"linear"}), HasMethods(["fit", "predict"]), None],
        "loss": [StrOptions({"auto", *_LOSSES})],
        "quantiles": ["array-like", None],
        "future_features": LinearFloorRegressor._parameter_constraints["future_features"],
        "target_features": LinearFloorRegressor._parameter_constraints["target_features"],
    }

    def __init__(
        self,
        *,
        attention="dot",
        alignment="global",
        hidden_size=32,
        num_layers=1,
        cell="lstm",
        dropout=0.0,
        input_feeding=False,
        normalize="window",
        target_transform="auto",
        floor="linear",
        loss="auto",
        quantiles=None,
        future_features=None,
        target_features=None,
        lookbacks="auto",
        classical="auto",
        classical_weight=0.25,
        max_epochs="auto",
        batch_size="auto",
        lr="auto",
        optimizer="adam",
        callbacks=None,
        validation_fraction=None,
        device="cpu",
        precision="fp32",
        random_state=None,
        verbose=0,
        net_params=None,
    ):
        self.attention = attention
        self.alignment = alignment
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.cell = cell
        self.dropout = dropout
        self.input_feeding = input_feeding
        self.normalize = normalize
        self.target_transform = target_transform
        self.floor = floor
        self.loss = loss
        self.quantiles = quantiles
        self.future_features = future_features
        self.target_features = target_features
        self.lookbacks = lookbacks
        self.classical = classical
        self.classical_weight = classical_weight
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.callbacks = callbacks
        self.validation_fraction = validation_fraction
        self.device = device
        self.precision = precision
        self.random_state = random_state
        self.verbose = verbose
        self.net_params = net_params

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Tiny default fits in the generic checks are not meant to score well.
        tags.regressor_tags.poor_score = True
        return tags

    # -- fit / predict -------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train on windows ``X`` and their futures ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps) or \
(n_samples, n_steps, n_features), or PanelWindows
            Input windows: one series (2-D), or several features per step
            (3-D: the targets' history and past covariates). A
            :class:`~sk_seqattn.PanelWindows` (``y`` None): its windows,
            each batch cut from its series when trained on, each epoch the
            windows it draws; "auto" then makes one network on the whole
            window (no lookbacks or classical member), and
            ``max_epochs="auto"`` follows the step budget without a probe.
        y : array-like of shape (n_samples,), (n_samples, horizon) or \
(n_samples, horizon, n_targets), or None
            What follows each window. ``predict`` returns the same rank.
            None only with a ``PanelWindows``.

        Returns
        -------
        self : Seq2SeqAttentionRegressor
        """
        self._forget_fit()  # an interrupted or failed fit leaves it unfitted
        self._check_network_params()
        if isinstance(X, PanelWindows):
            return _streamed.fit_panel(self, X, y)
        X, y = self._validate_windows(X, y, reset=True)
        self.quantiles_ = check_quantiles(self.quantiles)
        settings = _auto.plan(self, X, y)
        self.lookbacks_ = settings.lookbacks
        composite = _auto.is_composite(settings, self.n_steps_in_)
        if not composite:
            self._check_observed(X)  # before any training, the probe's included
        self.validation_loss_ = None
        if self.max_epochs == "auto":
            chosen = _auto.epochs_on_tail(self, X, y, settings)
            settings.max_epochs, self.validation_loss_ = chosen.epochs, chosen.losses
        self._set_settings(settings)
        if composite:
            # Several networks and a classical member: each member is fitted
            # on its own, from the windows as given.
            self.ensemble_ = _auto.fit_composite(self, X, y, settings)
            self.classical_ = getattr(self.ensemble_, "named_estimators_", {}).get("classical")
            self.scaler_ = self.floor_ = None
            self.net_ = None  # last: the estimator is fitted from here on
            return self
        self.ensemble_ = self.classical_ = None
        # The validation tail is kept out of everything fitted: the
        # normalisation's statistics and the floor.
        split = self._train_split()
        X, y = self.target_transform_.transform_X(X), self.target_transform_.transform_y(y)
        self._fit_preprocessing(X, y, slice(None) if split is None else split.indices(len(y))[0])
        inputs, y_net = self._prepared(X, y)
        self.net_ = self._fit_net(self._regression_net(), inputs, y_net)
        return self

    def _set_settings(self, settings):
        """Record the resolved training settings and the target transform."""
        self.max_epochs_, self.batch_size_, self.lr_, self.loss_ = (
            settings.max_epochs, settings.batch_size, settings.lr, settings.loss)
        self.target_transform_ = TargetTransform(
            settings.target_transform, target_features=self.target_features_,
            n_steps=self.n_steps_in_)

    def _fit_preprocessing(self, X, y, train):
        """Fit the normalisation and the floor on the ``train`` rows of validated,
        transformed ``X`` and ``y``."""
        window, _ = self._split_future(X)
        self.scaler_ = WindowScaler(
            self.normalize, target_features=self.target_features_,
            future_features=self.future_features_,
        ).fit(window[train])
        # The floor sees y at the rank the user gave: its predict then answers alike.
        self.floor_ = self._fit_floor(X[train], self._as_y_rank(y[train]))

    def _prepared(self, X, y):
        """The module's inputs and float32 targets for validated, transformed ``X`` and
        ``y``."""
        scaled = self.scaler_.transform(*self._split_future(X))
        return self._network_inputs(X, scaled), \
            as_float32(self.scaler_.scale_targets(y, scaled), "y")

    def _regression_net(self, iterator_train=None):
        """A fresh skorch net for the fitted shapes and settings."""
        levels = self._levels()
        module_params = {
            "n_features": self.n_input_features_,
            "n_targets": self.n_targets_,
            "horizon": self.horizon_,
            "n_steps": self.n_steps_in_,
            "target_features": self.target_features_.tolist(),
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "cell": self.cell,
            "dropout": self.dropout,
            "attention": self.attention,
            "alignment": self.alignment,
            "input_feeding": self.input_feeding,
            "n_future_features": 0 if self.future_features_ is None
            else len(self.future_features_),
            "n_quantiles": 1 if levels is None else len(levels),
            "median_index": 0 if levels is None else levels.index(0.5),
        }
        criterion, criterion_params = _LOSSES[self.loss_], None
        if levels is not None:
            criterion, criterion_params = PinballLoss, {"quantiles": levels}
        return self._build_net(Seq2SeqRegressionNetwork, module_params, criterion,
                               criterion_params, iterator_train=iterator_train)

    def predict(self, X):
        """Forecast ``horizon_`` steps after each window.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps) or (n_samples, n_steps, n_features)
            As in :meth:`fit`: ``n_steps_in_`` input steps (plus ``horizon_``
            known-future steps with ``future_features``) of
            ``n_input_features_`` features.

        Returns
        -------
        y_pred : ndarray of float64, of ``y``'s rank in ``fit``
            (n_samples,), (n_samples, horizon) or (n_samples, horizon, n_targets).
            An empty ``X`` is a ``ValueError``, as for the translator.
        """
        check_is_fitted(self)
        if self.ensemble_ is not None:
            X, _ = self._validate_windows(X)
            return self._as_y_rank(_auto.composite_predict(self.ensemble_, self.classical_, X))
        prediction, _ = self._predict_levels(X, attention=False)
        levels = self._levels()
        if levels is not None:  # the median
            prediction = prediction[..., levels.index(0.5)]
        return self._as_y_rank(prediction)

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
        levels = self._levels()
        if levels is None:
            raise ValueError(
                "predict_quantiles needs the estimator to be fitted with quantiles, "
                "e.g. Seq2SeqAttentionRegressor(quantiles=(0.1, 0.9))."
            )
        prediction, _ = self._predict_levels(X, attention=False)
        positions = [levels.index(q) for q in self.quantiles_.tolist()]
        return self._as_y_rank(prediction[..., positions])  # (n, horizon, n_targets, n_q)

    def attention_weights(self, X):
        """Attention over the input steps for every forecast step.

        Parameters
        ----------
        X : array-like, as for :meth:`predict`

        Returns
        -------
        weights : ndarray of shape (n_samples, horizon, n_steps)
            With ``horizon_`` and ``n_steps_in_`` as fitted.
            How much each input step contributed to the context of that
            forecast step. Each row sums to 1 with global attention; with a
            local ``alignment`` the weights are exactly 0 outside the
            step's window, and local-p's rows sum to less than 1.
        """
        check_is_fitted(self)
        if self.attention == "none":
            raise ValueError("attention='none' has no attention weights.")
        if self.ensemble_ is not None:  # the networks' mean, over all input steps
            X, _ = self._validate_windows(X)
            return _auto.composite_attention(self.ensemble_, X, self.n_steps_in_)
        return self._predict_levels(X, attention=True)[1]

    # -- helpers ---------------------------------------------------------------
    # A window may begin with NaN (the steps before its series started) for
    # the networks of several lookbacks; one network reads every step.
    _nan_left_padding = True

    def _check_observed(self, X):
        """A ``ValueError`` when a single network's input windows hold NaN."""
        if self.future_features_ is None and np.isnan(X).any():
            raise ValueError(
                "Input X contains NaN. One network on the whole window reads every step; "
                "windows left-padded with NaN (a series shorter than the window) need "
                "networks of several lookbacks: lookbacks='auto', or a "
                f"list of lengths (fitted with lookbacks_={self.lookbacks_.tolist()}).")

    def _levels(self):
        # The quantile levels the network outputs (quantiles_ and the median), or None.
        return None if self.quantiles_ is None else with_median(self.quantiles_)

    def _fit_floor(self, X, y):
        """The fitted floor (None without one) on transformed windows and targets."""
        if self.floor is None:
            return None
        floor = LinearFloorRegressor() if self.floor == "linear" else clone(self.floor)
        return self._told_window_features(floor).fit(X, y)

    def _told_window_features(self, estimator):
        """``estimator`` (the floor, the classical member) set to read the windows as
        this regressor does: its ``future_features`` and ``target_features``, where
        it takes them."""
        own = estimator.get_params(deep=False)
        return estimator.set_params(**{name: value for name, value in (
            ("future_features", self.future_features_), ("target_features", self.target_features_),
        ) if name in own})

    def _network_inputs(self, X, scaled):
        """The module's keyword arguments: the normalised window, the known future
        and the floor's forecast of the transformed windows ``X``, in the network's units."""
        inputs = {"X": as_float32(scaled.window, "X")}
        if scaled.future is not None:
            inputs["future"] = as_float32(scaled.future, "the known-future features of X")
        if self.floor_ is not None:
            base = np.asarray(self.floor_.predict(X), dtype=np.float64).reshape(
                len(X), self.horizon_, self.n_targets_)
            inputs["base"] = as_float32(self.scaler_.scale_targets(base, scaled), "the floor")
        return inputs

    def _predict_levels(self, X, attention):
        """The forecast of every level in the units of ``y``, float64, of shape
        (n, horizon, n_targets[, n_levels]) (levels sorted, so they never cross),
        and the attention (n, horizon, n_steps) if asked, else None."""
        check_is_fitted(self)
        X, _ = self._validate_windows(X)
        self._check_observed(X)
        X = self.target_transform_.transform_X(X)
        scaled = self.scaler_.transform(*self._split_future(X))
        outputs = self._forward(self._network_inputs(X, scaled),
                                outputs=[0, 1] if attention else [0])
        prediction = outputs[0].astype(np.float64)
        if self.quantiles_ is not None:
            prediction = np.sort(prediction, axis=-1)
        prediction = self.target_transform_.inverse(self.scaler_.inverse(prediction, scaled))
        return prediction, (outputs[1].astype(np.float64) if attention else None)

    def _train_split(self):
        # fit's probe of max_epochs="auto" validates on its series' tails.
        rows = getattr(self, "_validation_rows", None)
        if rows is not None:
            return RowSplit(*rows)
        if self.validation_fraction is None:
            return None
        return TailSplit(self.validation_fraction, self.horizon_ - 1)
