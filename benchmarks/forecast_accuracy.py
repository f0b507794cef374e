"""Test MASE on the real-series protocols of shared/docs/anchors.md, and AirPassengers.

Default ``Seq2SeqAttentionRegressor`` (each ``attention`` value) over
several seeds, next to seasonal naive, Ridge on the raw lag window, Ridge
on per-window-standardised windows and an AR(p) with p chosen by AIC, all
on the same windows in one run. AirPassengers (Box and Jenkins' series G,
the issue's held-out monthly series, on the same protocol with L=36, H=12)
also gets the airline model, SARIMA(0,1,1)(0,1,1)12 on log values, fitted
once on the training part and run forward, without refitting, to each
origin. With ``--lookback-search``, also a
``LookbackEnsemble`` of the default regressor whose lookbacks a
``GridSearchCV`` with ``TimeSeriesSplit(3)`` picks on the training windows
alone, among the whole window, its last half and whole, and its last
quarter, half and whole.

    python benchmarks/forecast_accuracy.py [--seeds 5] [--series sunspots co2 airpassengers]
        [--attention dot none] [--param floor=None ...]
        [--lookback-search sunspots]
"""

import argparse
import time

import numpy as np
from _report import parse_params, print_header, standardise_windows
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from statsmodels.tsa.ar_model import AutoReg, ar_select_order
from statsmodels.tsa.statespace.sarimax import SARIMAX

from sk_seqattn import LookbackEnsemble, Seq2SeqAttentionRegressor
from sk_seqattn.datasets import forecasting_split, load_airpassengers, load_co2, load_sunspots
from sk_seqattn.metrics import mean_absolute_scaled_error, seasonal_naive

PROTOCOLS = {  # name: (loader, L, H, m)
    "sunspots": (load_sunspots, 44, 11, 11),
    "co2": (load_co2, 104, 52, 52),
    "airpassengers": (load_airpassengers, 36, 12, 12),
}


def ridge_raw(split):
    return Ridge(alpha=1.0).fit(split.X_train, split.y_train).predict(split.X_test)


def autoregression(split, horizon, max_lag):
    """AR(p) fitted once on the training part, p <= max_lag by AIC; recursive forecasts."""
    lags = ar_select_order(split.train, maxlag=max_lag, ic="aic").ar_lags
    p = 0 if lags is None else max(lags)
    params = AutoReg(split.train, lags=p).fit().params  # const, lag 1..p
    history = list(split.X_test.T[-p:]) if p else []  # p arrays of shape (n_test,)
    forecasts = []
    for _ in range(horizon):
        step = params[0] + sum(params[k] * history[-k] for k in range(1, p + 1))
        forecasts.append(step)
        history.append(step)
    return np.stack(forecasts, axis=1), p


def airline_model(values, split, horizon, m):
    """SARIMA(0,1,1)(0,1,1)m on log values, fitted on the training part;
    each test origin's forecast from the same parameters on the data up to it."""
    log = np.log(np.asarray(values, dtype=np.float64))
    fitted = SARIMAX(log[: len(split.train)], order=(0, 1, 1),
                     seasonal_order=(0, 1, 1, m)).fit(disp=False)
    origins = len(split.train) + np.arange(len(split.X_test))  # first target of each window
    return np.stack([np.exp(fitted.apply(log[:origin]).forecast(horizon)) for origin in origins])


def ar_max_lags(n_train, n_in):
    """Largest orders tried: the window, and Schwert's rule 12 (n / 100)^(1/4)."""
    return {"window": n_in, "Schwert": min(n_in, int(12 * (n_train / 100) ** 0.25))}


def ridge_per_window(split):
    X, mean, scale = standardise_windows(split.X_train)
    ridge = Ridge(alpha=1.0).fit(X, (split.y_train - mean) / scale)
    X, mean, scale = standardise_windows(split.X_test)
    return ridge.predict(X) * scale + mean


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--series", nargs="+", default=list(PROTOCOLS), choices=PROTOCOLS)
    parser.add_argument("--attention", nargs="+",
                        default=["dot", "general", "concat", "location", "none"])
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a non-default regressor parameter (Python literal value)")
    parser.add_argument("--lookback-search", nargs="*", default=[], choices=PROTOCOLS,
                        metavar="SERIES", help="series to add the searched LookbackEnsemble to")
    args = parser.parse_args(argv)
    params = parse_params(args.param)

    print_header(f"regressor: default parameters{', ' if params else ''}"
                 f"{', '.join(f'{k}={v!r}' for k, v in params.items())}; random_state "
                 f"0..{args.seeds - 1}; MASE mean +- std over seeds")
    print(f"{'series':<13} {'method':<38} {'test MASE':>16} {'fit s/seed':>10}"
          "   (searched: fit s includes the search)")
    for name in args.series:
        load, n_in, horizon, m = PROTOCOLS[name]
        values = load()
        split = forecasting_split(values, n_in, horizon)

        def mase(prediction):
            return mean_absolute_scaled_error(split.y_test, prediction, split.train, m=m)

        print(f"{name:<13} {'seasonal naive':<38} "
              f"{mase(seasonal_naive(split.X_test, horizon, m)):>16.3f} {'-':>10}")
        print(f"{name:<13} {'Ridge, raw lag window':<38} "
              f"{mase(ridge_raw(split)):>16.3f} {'-':>10}")
        print(f"{name:<13} {'Ridge, per-window standardised':<38} "
              f"{mase(ridge_per_window(split)):>16.3f} {'-':>10}")
        for bound, max_lag in ar_max_lags(len(split.train), n_in).items():
            forecast, p = autoregression(split, horizon, max_lag)
            label = f"AR({p}), p <= {max_lag} ({bound}) by AIC"
            print(f"{name:<13} {label:<38} {mase(forecast):>16.3f} {'-':>10}")
        if name == "airpassengers":
            print(f"{name:<13} {'SARIMA(0,1,1)(0,1,1)12 on log values':<38} "
                  f"{mase(airline_model(values, split, horizon, m)):>16.3f} {'-':>10}")
        for attention in args.attention:
            errors, seconds = [], []
            for seed in range(args.seeds):
                start = time.perf_counter()
                reg = Seq2SeqAttentionRegressor(attention=attention, random_state=seed,
                                                **params)
                reg.fit(split.X_train, split.y_train)
                seconds.append(time.perf_counter() - start)
                errors.append(mase(reg.predict(split.X_test)))
            label = f"Seq2SeqAttentionRegressor {attention}"
            print(f"{name:<13} {label:<38} {np.mean(errors):>8.3f} +- {np.std(errors):.3f} "
                  f"{np.mean(seconds):>10.1f}", flush=True)
        if name in args.lookback_search:
            candidates = [(n_in,), (n_in // 2, n_in), (n_in // 4, n_in // 2, n_in)]
            errors, seconds, chosen = [], [], []
            for seed in range(args.seeds):
                start = time.perf_counter()
                search = GridSearchCV(
                    LookbackEnsemble(estimator=Seq2SeqAttentionRegressor(random_state=seed,
                                                                         **params)),
                    {"lookbacks": candidates}, cv=TimeSeriesSplit(3),
                    scoring="neg_mean_absolute_error",
                ).fit(split.X_train, split.y_train)
                seconds.append(time.perf_counter() - start)
                chosen.append(search.best_params_["lookbacks"])
                errors.append(mase(search.predict(split.X_test)))
            print(f"{name:<13} {'LookbackEnsemble, searched':<38} {np.mean(errors):>8.3f} +- "
                  f"{np.std(errors):.3f} {np.mean(seconds):>10.1f}   chosen: {chosen}",
                  flush=True)


if __name__ == "__main__":
    main()
