"""What the regressor's "auto" settings become, decided in ``fit`` from the training windows.

Two regimes, told apart by the number of training windows:

- few windows (one series, typically): one network on the whole window,
  32 windows a batch, a learning rate of 3e-4, at most 100 epochs (several
  networks, for windows left-padded with NaN: the step budget below);
- many windows (at least :data:`MANY_WINDOWS`, a panel, typically): 256
  windows a batch, a learning rate of 1e-3 and at most as many epochs (at
  most :data:`MAX_EPOCHS_MANY`, at least 1) as make about :data:`STEP_BUDGET`
  optimizer steps,
  so that training time follows the steps, not the panel's size.

Within that budget the number of epochs is chosen on the time-ordered tail
of every series (:func:`epochs_on_tail`), and the networks are then
trained on every window.

With many windows, or windows left-padded with NaN (cut for networks of
several lookbacks), and point forecasts: an ensemble of networks over
lookbacks of 1.5, 2, 3 and 4 horizons (those within the window), each
trained on every window that covers its own lookback, combined with a
classical forecast of each window (:class:`~sk_seqattn.ThetaWindowRegressor`,
at the regressor's ``classical_weight``).

The log transform: ``log1p`` when every value of the targets and their
history is positive, or, for a panel (many windows, or several networks),
at least 0.
"""

import warnings

import numpy as np
from sklearn.base import clone
from sklearn.utils import Bunch
from skorch.callbacks import Callback

from ._checks import observed_steps
from ._tail import validation_rows

__all__ = []

# Windows from which the regressor treats its data as a panel.
MANY_WINDOWS = 4096
FEW_WINDOWS_TRAINING = {"batch_size": 32, "lr": 3e-4, "max_epochs": 100}
MANY_WINDOWS_TRAINING = {"batch_size": 256, "lr": 1e-3}
MAX_EPOCHS_MANY = 10
# (2500: the probe of max_epochs="auto" and the four networks of
# lookbacks="auto" fit tourism monthly, 78,900 windows, in 5 minutes on 2 cores.)
STEP_BUDGET = 2500
# lookbacks="auto": the members' lookbacks, in horizons.
LOOKBACK_HORIZONS = (1.5, 2, 3, 4)
# max_epochs="auto": each series' share of windows in the validation tail
# (the network trained on the rest has the shortest lookback: it covers the
# most windows, every series', and costs the least).
VALIDATION_FRACTION = 0.1
# ... or fewer, as long as all the series' tails hold this many windows.
VALIDATION_WINDOWS = 256
# An epoch whose tail loss is within this share of the lowest, or within
# NOISE_MULTIPLE times the curve's epoch-to-epoch noise, is as good: fit
# trains for the last such epoch (a flat, noisy curve is no reason to stop
# early; a rising one is).
TAIL_TOLERANCE = 0.01
NOISE_MULTIPLE = 2
# The probe stops once this share of its budget (at least PROBE_PATIENCE_MIN
# epochs) in a row has been above that band.
PROBE_PATIENCE = 0.2
PROBE_PATIENCE_MIN = 5


def plan(regressor, X, y, n_windows=None, one_network=False):
    """The settings ``fit`` resolves: a Bunch of ``target_transform``, ``loss``,
    ``batch_size``, ``lr``, ``max_epochs``, ``lookbacks`` (ndarray of int) and ``classical`` (an
    unfitted estimator or None), for validated ``X`` (n, steps, features) and ``y``
    (n, horizon, targets): all the training windows, or a sample of ``n_windows``.
    ``one_network``: "auto" makes one network on the whole window, no classical
    member."""
    n_windows = len(X) if n_windows is None else n_windows
    many = n_windows >= MANY_WINDOWS
    settings = Bunch()
    point_forecasts = regressor.quantiles is None
    # Left-padded windows are cut for networks of several lookbacks: the
    # composite, whatever their number.
    composite = (many or bool(np.isnan(X[:, : regressor.n_steps_in_]).any())) \
        and point_forecasts and not one_network
    lookbacks = regressor.lookbacks
    if lookbacks is None or (lookbacks == "auto" and not composite):
        settings.lookbacks = np.array([regressor.n_steps_in_])
    elif lookbacks == "auto":
        settings.lookbacks = auto_lookbacks(regressor.horizon_, regressor.n_steps_in_)
    else:
        settings.lookbacks = explicit_lookbacks(lookbacks, regressor.n_steps_in_)
        if len(settings.lookbacks) > 1 and not point_forecasts:
            raise ValueError("lookbacks of several lengths need point forecasts: they "
                             "cannot be combined with quantiles (wrap the regressor in "
                             "ConformalForecaster instead).")
    classical = regressor.classical
    if classical == "auto":
        classical = _default_classical() if composite else None
    elif classical is not None and not point_forecasts:
        raise ValueError("classical needs point forecasts: it cannot be combined with "
                         "quantiles (wrap the regressor in ConformalForecaster instead).")
    settings.classical = None if classical is None \
        else regressor._told_window_features(clone(classical))

    settings.target_transform = regressor.target_transform
    if settings.target_transform == "auto":
        # Zeros are taken (log1p) for a panel, not for one series on one
        # network: a series with zeros is often additive near them.
        panel = many or is_composite(settings, regressor.n_steps_in_)
        settings.target_transform = auto_target_transform(
            X[:, : regressor.n_steps_in_, regressor.target_features_], y,
            allow_zeros=panel)

    settings.loss = regressor.loss
    if settings.loss == "auto":
        # The median (MAE) for the networks of a composite, the mean (MSE) for
        # one network: measured on the panels' backtests and the single series.
        settings.loss = "mae" if is_composite(settings, regressor.n_steps_in_) else "mse"

    defaults = MANY_WINDOWS_TRAINING if many else FEW_WINDOWS_TRAINING
    for name in ("batch_size", "lr"):
        value = getattr(regressor, name)
        settings[name] = defaults[name] if value == "auto" else value
    settings.max_epochs = regressor.max_epochs
    if settings.max_epochs == "auto":
        # One network on few windows: the single-series setting. Otherwise
        # (many windows, or several networks to train) a budget of steps.
        single = is_composite(settings, regressor.n_steps_in_) is False
        settings.max_epochs = FEW_WINDOWS_TRAINING["max_epochs"] if single and not many \
            else epochs_for_budget(n_windows, settings.batch_size)
    return settings


def epochs_on_tail(regressor, X, y, settings):
    """The epochs to train for, chosen on each series' time-ordered tail: a Bunch of
    ``epochs`` and ``losses`` (the validation loss after each epoch; None when no
    tail could be held out, and ``epochs`` is then ``settings.max_epochs``).

    One network (the shortest lookback, on the windows covering it) is
    trained for ``settings.max_epochs`` epochs on the windows before each
    series' tail (:func:`~sk_seqattn.forecasting._tail.validation_rows`), and
    validated on the tail after each epoch, until PROBE_PATIENCE of the budget
    in a row is worse than the lowest loss; ``epochs`` is the last epoch as
    good as the lowest (:func:`epochs_within_tolerance`). ``fit`` then trains
    on every window for that many.
    """
    n_steps, horizon = regressor.n_steps_in_, regressor.horizon_
    length = int(settings.lookbacks[0])
    window = X[:, :n_steps]
    rows = np.flatnonzero(observed_steps(window) >= length)
    train, valid = validation_rows(window[rows], y[rows], horizon, VALIDATION_FRACTION,
                                   enough=VALIDATION_WINDOWS)
    if len(train) == 0 or len(valid) == 0:
        return Bunch(epochs=settings.max_epochs, losses=None)
    probe = clone(regressor).set_params(
        lookbacks=None, classical=None, target_transform=settings.target_transform,
        batch_size=settings.batch_size, lr=settings.lr, max_epochs=settings.max_epochs,
        loss=settings.loss,
        validation_fraction=None, callbacks=list(regressor.callbacks or []) + [
            ("probe_stopping", _AboveBandStopping(
                max(PROBE_PATIENCE_MIN, int(PROBE_PATIENCE * settings.max_epochs))))])
    probe._validation_rows = (train, valid)
    # The lookback's last steps, and the known-future steps after them.
    probe.fit(X[rows, n_steps - length:], y[rows])
    losses = np.asarray(probe.history_[:, "valid_loss"], dtype=np.float64)
    return Bunch(epochs=epochs_within_tolerance(losses), losses=losses)


def as_good_as_the_lowest(losses):
    """The highest loss as good as the lowest of ``losses``: the lowest plus
    TAIL_TOLERANCE of it or NOISE_MULTIPLE times the curve's noise, whichever is
    larger. The noise is a robust estimate of one loss's standard deviation from
    the differences of consecutive losses (their median absolute value, scaled
    as for a normal distribution), which a trend barely moves."""
    losses = np.asarray(losses, dtype=np.float64)
    lowest = losses.min()
    steps = np.abs(np.diff(losses))
    noise = 1.4826 * np.median(steps) / np.sqrt(2) if len(steps) >= 2 else 0.0
    return lowest + max(TAIL_TOLERANCE * abs(lowest), NOISE_MULTIPLE * noise)


def epochs_within_tolerance(losses):
    """The last epoch (from 1) whose loss is as good as the lowest
    (:func:`as_good_as_the_lowest`)."""
    losses = np.asarray(losses, dtype=np.float64)
    return int(np.flatnonzero(losses <= as_good_as_the_lowest(losses))[-1]) + 1


class _AboveBandStopping(Callback):
    """Stops training once ``patience`` epochs in a row have a validation loss worse
    than the lowest (:func:`as_good_as_the_lowest`; skorch's way: ``KeyboardInterrupt``)."""

    def __init__(self, patience):
        self.patience = patience

    def on_epoch_end(self, net, **kwargs):
        losses = np.asarray(net.history[:, "valid_loss"], dtype=np.float64)
        band = as_good_as_the_lowest(losses)
        if len(losses) > self.patience and (losses[-self.patience:] > band).all():
            raise KeyboardInterrupt


def epochs_for_budget(n_windows, batch_size):
    """Epochs of ``n_windows`` in batches of ``batch_size`` making about STEP_BUDGET steps,
    between 1 and MAX_EPOCHS_MANY."""
    steps_per_epoch = -(-n_windows // batch_size)
    return int(np.clip(round(STEP_BUDGET / steps_per_epoch), 1, MAX_EPOCHS_MANY))


def auto_target_transform(history, y, allow_zeros):
    """"log1p" when the targets' observed history and ``y`` are all positive (at least 0
    with ``allow_zeros``), else None."""
    observed = history[~np.isnan(history)]
    smallest = min(observed.min(initial=np.inf), y.min(initial=np.inf))
    return "log1p" if smallest > 0 or (allow_zeros and smallest == 0) else None


def auto_lookbacks(horizon, n_steps):
    """The lookbacks of LOOKBACK_HORIZONS horizons within ``n_steps`` (at least 2 steps);
    the whole window when none is."""
    lengths = sorted({int(round(f * horizon)) for f in LOOKBACK_HORIZONS})
    lengths = [length for length in lengths if 2 <= length <= n_steps]
    return np.array(lengths or [n_steps])


def explicit_lookbacks(lookbacks, n_steps):
    """``lookbacks`` given as ints: sorted, unique, each within ``n_steps``."""
    values = np.unique(np.ravel(np.asarray(lookbacks)))
    if values.size == 0 or not np.issubdtype(values.dtype, np.integer) \
            or values.min() < 1 or values.max() > n_steps:
        raise ValueError(f"lookbacks must be ints from 1 to the window's {n_steps} steps, "
                         f"got {lookbacks!r}.")
    return values.astype(int)


def _default_classical():
    from .classical import ThetaWindowRegressor
    return ThetaWindowRegressor()


def is_composite(settings, n_steps):
    """Whether the settings make a composite (several networks, or a classical member)
    rather than one network on the whole window."""
    return settings.classical is not None or settings.lookbacks.tolist() != [n_steps]


def fit_composite(regressor, X, y, settings):
    """The fitted composite: networks over ``settings.lookbacks`` (a LookbackEnsemble
    of single-network clones of ``regressor`` with the resolved settings), combined
    with ``settings.classical`` where there is one."""
    from .combination import ForecastCombination
    from .ensemble import LookbackEnsemble

    member = clone(regressor).set_params(
        lookbacks=None, classical=None, target_transform=settings.target_transform,
        batch_size=settings.batch_size, lr=settings.lr, max_epochs=settings.max_epochs,
        loss=settings.loss)
    networks = LookbackEnsemble(estimator=member, lookbacks=settings.lookbacks.tolist(),
                                random_state=regressor.random_state)
    model = networks
    if settings.classical is not None:
        model = ForecastCombination(
            estimators=[("networks", networks), ("classical", settings.classical)],
            weights=[1 - regressor.classical_weight, regressor.classical_weight])
    return model.fit(X, y)


def composite_predict(composite, classical, X):
    """The composite's forecast of validated ``X``, float64: a window that observes
    fewer steps than the shortest lookback is forecast by the classical member alone,
    with a warning naming it (without one, the networks' ValueError stands)."""
    networks = composite_networks(composite)
    short = networks._observed_steps(X) < networks.lookbacks_[0]  # (n,)
    if classical is None or not short.any():
        return np.asarray(composite.predict(X), dtype=np.float64)
    rows = np.flatnonzero(short)
    shown = ", ".join(map(str, rows[:10])) + (", ..." if len(rows) > 10 else "")
    warnings.warn(
        f"{len(rows)} window(s) of X (rows {shown}) observe fewer steps than the shortest "
        f"lookback, {networks.lookbacks_[0]}: they are forecast by the classical member "
        f"({type(classical).__name__}) alone.", UserWarning, stacklevel=3)
    classical_forecast = np.asarray(classical.predict(X[rows]), dtype=np.float64)
    forecast = np.empty((len(X), *classical_forecast.shape[1:]))
    forecast[rows] = classical_forecast
    if (~short).any():
        forecast[~short] = composite.predict(X[~short])
    return forecast


def composite_networks(composite):
    """The fitted LookbackEnsemble inside a composite."""
    return getattr(composite, "named_estimators_", {}).get("networks", composite)


def composite_attention(composite, X, n_steps):
    """The mean attention of a composite's networks over the ``n_steps`` input steps:
    (n, horizon, n_steps); each network's weights on the steps before its lookback are
    0, and a window's mean is over the networks that cover it."""
    networks = composite_networks(composite)
    observed = networks._observed_steps(X)  # (n,)
    total, count = None, np.zeros(len(X))
    for member, length in zip(networks.estimators_, networks.lookbacks_):
        rows = observed >= length
        if not rows.any():
            continue
        weights = member.attention_weights(networks._last_steps(X[rows], length))
        if total is None:
            total = np.zeros((len(X), weights.shape[1], n_steps))
        total[rows, :, n_steps - length:] += weights
        count[rows] += 1
    return total / count[:, None, None]
