"""The regressor's linear floor alone, fitted in other ways, on sunspots, co2 and AirPassengers.

Issue 9 asks the default regressor to beat AR on sunspots and Ridge on raw
lags on co2, and never to do worse than a linear model on a single series.
The network adds little to the floor on these series (compare
forecast_accuracy.txt), so this script asks how other ways of fitting the
floor would do. Each row is the
floor alone (no network; deterministic, so one run), test MASE on the
protocols of forecast_accuracy.py:

- the whole window: ``RidgeCV`` over ``FLOOR_ALPHAS``
  (sk_seqattn/forecasting/floor.py) by leave-one-out, on the normalised
  window and the window's statistics, without an intercept (the regressor's
  floor, ``LinearFloorRegressor(lookback=None)``);
  every ridge below is fitted without an intercept too, as the regressor's
  is; the row "with an intercept" is the floor before that (a constant in
  normalised units, i.e. a multiple of the window's spread in the series'
  units);
- the regressor's default floor, ``LinearFloorRegressor()`` (``lookback="auto"``):
  the whole window, its last half or quarter by a time-ordered split of the
  training windows and the one-standard-error rule (sk_seqattn/forecasting/floor.py);
- "weighted": each window weighted by its target scale squared (normalised
  to mean 1), so the squared error is in the series' own units, as a Ridge
  on raw lags has it;
- alpha chosen by a time-ordered split (``TimeSeriesSplit(k)``, gap
  ``horizon - 1``, so no validation target is a training target) instead of
  leave-one-out, which overlapping windows flatter;
- the floor on the last ``k`` steps of the window only, normalised over
  those ``k`` steps (what a ``LookbackEnsemble`` member's floor sees); the
  rows per ``k`` are scored on the test part, so choosing among them there
  would be choosing on the test part: the two rows after them choose ``k``
  (and alpha) on the training part with a time-ordered split, by the
  normalised squared error or by the mean absolute error in the series'
  units;
- the mean of the floors on the last quarter, half and whole window;
- "recency": windows weighted by ``0.5 ** (age / half_life)`` (discounted
  least squares; age in windows from the last training window), with the
  half-life a fraction of the training windows. Each row also gives what a
  time-ordered split of the training windows alone says of it (mean gain in
  MAE per fold over the unweighted floor, its standard error, and the gain
  in each fold, earliest first), which is what a default would have to
  choose it by;
- the whole window's floor fitted without the last 10% or 20% of the
  training windows (and a gap of ``horizon - 1``), as the regressor's is
  with ``validation_fraction`` 0.1 or 0.2 (early stopping): how much the
  forecast depends on the most recent windows.

    python benchmarks/forecast_floor_variants.py [--series sunspots co2 airpassengers]
"""

import argparse

import numpy as np
from _report import print_header
from forecast_accuracy import PROTOCOLS, airline_model, ar_max_lags, autoregression, ridge_raw
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.model_selection import TimeSeriesSplit

from sk_seqattn import LinearFloorRegressor
from sk_seqattn.datasets import forecasting_split
from sk_seqattn.forecasting.floor import FLOOR_ALPHAS
from sk_seqattn.metrics import mean_absolute_scaled_error


class Floor:
    """The regressor's floor features for windows of the last ``k`` steps."""

    def __init__(self, X_train, y_train, k):
        self.k = k
        # Only the fitted normalisation (per window, with the window
        # statistics) of the floor on the last k steps is used.
        self.scaler = LinearFloorRegressor(lookback=None).fit(X_train[:, -k:], y_train).scaler_
        self.F, self.mean, self.scale = self.features(X_train)
        self.Y = (y_train - self.mean) / self.scale  # normalised targets

    def features(self, X):
        # The floor's features: the normalised window, then each window's
        # 1 / scale and mean / scale.
        scaled = self.scaler.transform(X[:, -self.k:, None])
        F = np.concatenate([scaled.window.reshape(len(X), -1), scaled.level], axis=1)
        return F, scaled.mean[:, :, 0], scaled.scale[:, :, 0]

    def weights(self, rows=slice(None)):
        w = self.scale[rows, 0] ** 2
        return w / w.mean()

    def forecast(self, model, X):
        F, mean, scale = self.features(X)
        return model.predict(F) * scale + mean


def recency_weights(n, half_life_fraction):
    """``0.5 ** (age / half_life)`` for ``n`` time-ordered windows, mean 1."""
    age = n - 1 - np.arange(n)
    weights = 0.5 ** (age / (half_life_fraction * n))
    return weights / weights.mean()


def fold_errors(floor, y_train, horizon, half_life_fraction=None):
    """The floor's MAE (series' units) per fold of TimeSeriesSplit(5, gap=horizon - 1)."""
    errors = []
    for train, valid in TimeSeriesSplit(5, gap=horizon - 1).split(floor.F):
        weights = (None if half_life_fraction is None
                   else recency_weights(len(train), half_life_fraction))
        ridge = RidgeCV(alphas=FLOOR_ALPHAS, fit_intercept=False).fit(floor.F[train], floor.Y[train],
                                                 sample_weight=weights)
        raw = ridge.predict(floor.F[valid]) * floor.scale[valid] + floor.mean[valid]
        errors.append(np.mean(np.abs(raw - y_train[valid])))
    return np.array(errors)


def time_ordered_alpha(floor, y_train, horizon, n_splits, weighted=False, criterion="mse"):
    """(error, alpha) of the best alpha on a time-ordered split."""
    errors = np.zeros(len(FLOOR_ALPHAS))
    for train, valid in TimeSeriesSplit(n_splits, gap=horizon - 1).split(floor.F):
        for i, alpha in enumerate(FLOOR_ALPHAS):
            ridge = Ridge(alpha=alpha, fit_intercept=False).fit(floor.F[train], floor.Y[train],
                                           sample_weight=floor.weights(train) if weighted else None)
            normalised = ridge.predict(floor.F[valid])
            if criterion == "mse":
                errors[i] += np.mean((normalised - floor.Y[valid]) ** 2)
            else:  # mean absolute error in the series' units
                raw = normalised * floor.scale[valid] + floor.mean[valid]
                errors[i] += np.mean(np.abs(raw - y_train[valid]))
    best = int(errors.argmin())
    return errors[best], FLOOR_ALPHAS[best]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", nargs="+", default=list(PROTOCOLS), choices=PROTOCOLS)
    args = parser.parse_args(argv)
    print_header("the linear floor alone (no network), test MASE; deterministic")
    print(f"{'series':<13} {'floor':<70} {'MASE':>6}  chosen")
    for name in args.series:
        loader, n_in, horizon, m = PROTOCOLS[name]
        values = loader()
        split = forecasting_split(values, n_in=n_in, n_out=horizon)

        def row(label, forecast, chosen=""):
            score = mean_absolute_scaled_error(split.y_test, forecast, split.train, m=m)
            print(f"{name:<13} {label:<70} {score:>6.3f}  {chosen}", flush=True)

        row("(reference) Ridge on the raw lag window, alpha 1", ridge_raw(split))
        max_lag = ar_max_lags(len(split.train), n_in)["Schwert"]
        forecast, order = autoregression(split, horizon, max_lag)
        row(f"(reference) AR(p), p <= {max_lag} (Schwert) by AIC", forecast, f"p {order}")
        if name == "airpassengers":
            row("(reference) SARIMA(0,1,1)(0,1,1)12 on log values",
                airline_model(values, split, horizon, m))
        floors = {k: Floor(split.X_train, split.y_train, k)
                  for k in sorted({n_in // 4, n_in // 2, 3 * n_in // 4, n_in})}
        whole = floors[n_in]
        loo = RidgeCV(alphas=FLOOR_ALPHAS, fit_intercept=False).fit(whole.F, whole.Y)
        row("whole window, leave-one-out alpha", whole.forecast(loo, split.X_test),
            f"alpha {loo.alpha_:g}")
        with_intercept = RidgeCV(alphas=FLOOR_ALPHAS).fit(whole.F, whole.Y)
        row("whole window, leave-one-out alpha, with an intercept",
            whole.forecast(with_intercept, split.X_test), f"alpha {with_intercept.alpha_:g}")
        auto = LinearFloorRegressor().fit(split.X_train, split.y_train)  # lookback="auto"
        row('lookback="auto" (the default)', auto.predict(split.X_test),
            f"k {auto.lookback_}, alpha {auto.ridge_.alpha_:g}")
        loo_w = RidgeCV(alphas=FLOOR_ALPHAS, fit_intercept=False).fit(whole.F, whole.Y, sample_weight=whole.weights())
        row("weighted by scale^2, leave-one-out alpha", whole.forecast(loo_w, split.X_test),
            f"alpha {loo_w.alpha_:g}")
        for n_splits in (3, 5):
            for weighted in (False, True):
                _, alpha = time_ordered_alpha(whole, split.y_train, horizon, n_splits, weighted)
                ridge = Ridge(alpha=alpha, fit_intercept=False).fit(whole.F, whole.Y,
                                               sample_weight=whole.weights() if weighted else None)
                row(f"{'weighted, ' if weighted else ''}alpha by TimeSeriesSplit({n_splits})",
                    whole.forecast(ridge, split.X_test), f"alpha {alpha:g}")
        forecasts = {}
        for k, floor in floors.items():
            ridge = RidgeCV(alphas=FLOOR_ALPHAS, fit_intercept=False).fit(floor.F, floor.Y)
            forecasts[k] = floor.forecast(ridge, split.X_test)
            row(f"last {k} steps, leave-one-out alpha (chosen on test: not a method)",
                forecasts[k], f"alpha {ridge.alpha_:g}")
        for criterion in ("mse", "mae"):
            _, alpha, k = min(
                time_ordered_alpha(floor, split.y_train, horizon, 3, criterion=criterion) + (k,)
                for k, floor in floors.items()
            )
            ridge = Ridge(alpha=alpha, fit_intercept=False).fit(floors[k].F, floors[k].Y)
            row(f"last k steps, k and alpha by TimeSeriesSplit(3), {criterion}",
                floors[k].forecast(ridge, split.X_test), f"k {k}, alpha {alpha:g}")
        combo = (n_in // 4, n_in // 2, n_in)
        row(f"mean of the floors on the last {combo} steps",
            np.mean([forecasts[k] for k in combo], axis=0))
        # Recency weighting, on the lookback the default chooses.
        floor = floors.get(auto.lookback_) or Floor(split.X_train, split.y_train,
                                                    auto.lookback_)
        unweighted = fold_errors(floor, split.y_train, horizon)
        for fraction in (1.0, 0.5, 0.25):
            ridge = RidgeCV(alphas=FLOOR_ALPHAS, fit_intercept=False).fit(
                floor.F, floor.Y, sample_weight=recency_weights(len(floor.F), fraction))
            gains = unweighted - fold_errors(floor, split.y_train, horizon, fraction)
            standard_error = gains.std(ddof=1) / np.sqrt(len(gains))
            row(f"last {floor.k} steps, recency half-life {fraction:g} x the windows",
                floor.forecast(ridge, split.X_test),
                f"split gain {gains.mean():.4f} (se {standard_error:.4f}): "
                + " ".join(f"{gain:.4f}" for gain in gains))
        for held_out in (0.1, 0.2):
            end = int(len(whole.F) * (1 - held_out)) - (horizon - 1)
            ridge = RidgeCV(alphas=FLOOR_ALPHAS, fit_intercept=False).fit(whole.F[:end], whole.Y[:end])
            row(f"whole window, last {held_out:.0%} of the windows (and a gap) left out",
                whole.forecast(ridge, split.X_test), f"alpha {ridge.alpha_:g}")


if __name__ == "__main__":
    main()
