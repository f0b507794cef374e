"""Test MASE on the tourism competition's monthly panel (366 series, horizon 24).

The competition's protocol (Athanasopoulos, Hyndman, Song and Wu 2011):
each series is forecast 24 months ahead from the end of its official
training part; its MASE is the mean absolute error over those 24 points
divided by the in-sample seasonal-naive (m=12) MAE of its training part;
the panel's figure is the mean over the series. Per-series baselines
(seasonal naive, ETS, Theta), a pooled Ridge on lags and
``Seq2SeqAttentionRegressor``, trained once on the pooled windows of all
series, in the same run; and ``LookbackEnsemble``, the mean of one such
regressor per input length in ``--lookbacks`` (on windows of the longest; a
series shorter than that is forecast by the members it covers).

    python benchmarks/forecast_panel.py [--methods snaive ets theta ridge ridge-log regressor
        lookbacks] [--max-series 20] [--seeds 3] [--n-in 36] [--lookbacks 36 48 60]
        [--param max_epochs=20 ...] [--ablation]
"""

import argparse
import time
import warnings

import numpy as np
import statsmodels
from _report import parse_params, print_header, standardise_windows
from sklearn.linear_model import Ridge
from skorch.callbacks import EarlyStopping
from skorch.utils import noop
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.forecasting.theta import ThetaModel
from statsmodels.tsa.holtwinters import ExponentialSmoothing

from sk_seqattn import (LookbackEnsemble, Seq2SeqAttentionRegressor, SeedEnsemble, last_windows,
                        make_windows)
from sk_seqattn.datasets import load_tourism
from sk_seqattn.metrics import mean_absolute_scaled_error, seasonal_naive

HORIZON, M = 24, 12
RIDGE_N_IN = 36
METHODS = ("snaive", "ets", "theta", "ridge", "ridge-log", "regressor", "lookbacks")


def forecast_snaive(train):
    return [seasonal_naive(values[None, :], HORIZON, M)[0] for values in train]


def forecast_ets(train, counts=None):
    """Holt-Winters per series, the lowest-AICc of up to 9 (trend x seasonal) forms.

    ``counts`` (a dict), if given, gets the number of fits and of those
    that warned of non-convergence (the warnings themselves are silenced).
    """
    counts = {} if counts is None else counts
    counts.update(fits=0, not_converged=0)
    forecasts = []
    for values in train:
        best = None
        for trend, damped in ((None, False), ("add", False), ("add", True)):
            for seasonal in (None, "add", "mul"):
                if seasonal == "mul" and not values.min() > 0:
                    continue
                try:
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always")
                        result = ExponentialSmoothing(
                            values, trend=trend, damped_trend=damped, seasonal=seasonal,
                            seasonal_periods=M if seasonal else None,
                        ).fit()
                except (ValueError, np.linalg.LinAlgError):
                    continue
                counts["fits"] += 1
                counts["not_converged"] += any(
                    issubclass(w.category, ConvergenceWarning) for w in caught)
                if np.isfinite(result.aicc) and (best is None or result.aicc < best.aicc):
                    best = result
        forecasts.append(np.asarray(best.forecast(HORIZON), dtype=np.float64))
    return forecasts


def forecast_theta(train):
    return [np.asarray(ThetaModel(values, period=M, deseasonalize=True).fit()
                       .forecast(HORIZON), dtype=np.float64) for values in train]


def forecast_ridge(train, log=False):
    """One Ridge for all series, on per-window standardised windows (of log1p values)."""
    forward, inverse = (np.log1p, np.expm1) if log else (np.asarray, np.asarray)
    X, y = make_windows(train, RIDGE_N_IN, HORIZON)
    X, mean, scale = standardise_windows(forward(X))
    ridge = Ridge(alpha=1.0).fit(X, (forward(y) - mean) / scale)
    X, mean, scale = standardise_windows(forward(last_windows(train, RIDGE_N_IN)[0]))
    return list(inverse(ridge.predict(X) * scale + mean))


def ablation():
    """One lever changed at a time: {label: (parameters that change, wrapper or None)}.

    A wrapper takes the regressor (with its seed) and returns the model to fit.
    """
    return {
        "floor=None": ({"floor": None}, None),
        "target_transform=None": ({"target_transform": None}, None),
        "loss='mae'": ({"loss": "mae"}, None),
        "attention='none'": ({"attention": "none"}, None),
        "SeedEnsemble(n_estimators=3)": ({}, lambda reg: SeedEnsemble(
            estimator=reg, n_estimators=3, random_state=reg.random_state)),
        # The validation tail is the last 10% of the pooled windows, after a
        # gap of horizon - 1 windows (the regressor's, fixed): the windows are
        # in time order across the panel, so its first targets overlap the
        # training part's last ones.
        "EarlyStopping, validation_fraction=0.1": ({
            "callbacks": [("early_stopping", EarlyStopping(
                monitor="valid_loss", patience=10, load_best=True, sink=noop))],
            "validation_fraction": 0.1, "max_epochs": 30}, None),
    }


def panel_mase(train, test, forecasts):
    return float(np.mean([mean_absolute_scaled_error(y_true, y_pred, y_train, m=M)
                          for y_train, y_true, y_pred in zip(train, test, forecasts)]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--max-series", type=int, default=None, metavar="N",
                        help="only the first N series (quick development runs)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n-in", type=int, default=36,
                        help="the regressor's input window")
    parser.add_argument("--lookbacks", type=int, nargs="+", default=[36, 48, 60],
                        help="the LookbackEnsemble's input lengths")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a non-default regressor parameter (Python literal value)")
    parser.add_argument("--ablation", action="store_true",
                        help="also run the regressor with each lever changed, one at a time")
    args = parser.parse_args(argv)
    params = parse_params(args.param)

    data = load_tourism("monthly")
    train, test = data.train, data.test
    n_total = len(train)
    if args.max_series is not None:
        train, test = train[:args.max_series], test[:args.max_series]
    n_series = len(train)
    subset = (f"SUBSET: the first {n_series} of {n_total} series" if n_series < n_total
              else f"all {n_total} series")
    panel = ("tourism monthly" if n_series == n_total
             else f"tourism monthly, SUBSET {n_series}/{n_total}")

    lines = [f"data: tourism competition, monthly, {subset}; horizon {HORIZON}, "
             f"MASE scale: in-sample seasonal naive m={M}; panel MASE = mean over series",
             f"statsmodels {statsmodels.__version__} (ETS: holtwinters ExponentialSmoothing, "
             "lowest AICc; Theta: ThetaModel)",
             "time s: wall-clock of the whole method (fit and forecast, all series); "
             "regressor: mean fit time per seed"]
    if {"regressor", "lookbacks"} & set(args.methods):
        lines.append(f"regressor: n_in={args.n_in}, default parameters"
                     f"{', ' if params else ''}"
                     f"{', '.join(f'{k}={v!r}' for k, v in params.items())}; random_state "
                     f"0..{args.seeds - 1}; MASE mean +- std over seeds, fit s: mean per seed")
    if "lookbacks" in args.methods:
        lines.append(f"LookbackEnsemble: the same regressor on lookbacks {args.lookbacks} "
                     f"(windows of {max(args.lookbacks)} steps), forecasts averaged; a series "
                     "shorter than the longest lookback: last_windows(fill_value=nan), "
                     "forecast by the members whose lookbacks it covers")
    print_header("\n".join(lines))

    print(f"{'panel':<32} {'method':<40} {'test MASE':>16} {'time s':>8}")

    def row(label, mase, seconds):
        print(f"{panel:<32} {label:<40} {mase:>16} {seconds:>8.1f}", flush=True)

    ets_counts = {}
    baselines = {
        "snaive": ("seasonal naive (m=12)", forecast_snaive),
        "ets": ("ETS per series (holtwinters, AICc)",
                lambda series: forecast_ets(series, ets_counts)),
        "theta": ("Theta per series", forecast_theta),
        "ridge": (f"Ridge pooled, L={RIDGE_N_IN}, per-window std.", forecast_ridge),
        "ridge-log": ("same, on log1p values", lambda series: forecast_ridge(series, log=True)),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # scipy's finite differences during the ETS and Theta optimisations.
        warnings.simplefilter("ignore", RuntimeWarning)
        for method in args.methods:
            if method not in baselines:
                continue
            label, forecast = baselines[method]
            start = time.perf_counter()
            forecasts = forecast(train)
            seconds = time.perf_counter() - start
            row(label, f"{panel_mase(train, test, forecasts):.3f}", seconds)

    def learned_rows(n_in, variants, build):
        # One model for the panel: the windows of all series, pooled in
        # time order (the latest windows of every series last).
        X, y = make_windows(train, n_in, HORIZON)
        # A series shorter than n_in is left-padded with NaN: LookbackEnsemble
        # forecasts it with the members whose lookbacks it covers.
        X_last, _ = last_windows(train, n_in, fill_value=np.nan)
        for label, (change, wrap) in variants.items():
            errors, seconds = [], []
            for seed in range(args.seeds):
                start = time.perf_counter()
                model = Seq2SeqAttentionRegressor(random_state=seed, **{**params, **change})
                model = build(model if wrap is None else wrap(model))
                model.fit(X, y)
                seconds.append(time.perf_counter() - start)
                errors.append(panel_mase(train, test, list(model.predict(X_last))))
            row(label, f"{np.mean(errors):.3f} +- {np.std(errors):.3f}", np.mean(seconds))

    if "regressor" in args.methods:
        variants = {f"Seq2SeqAttentionRegressor, L={args.n_in}": ({}, None)}
        if args.ablation:
            variants.update({f"  {label}": variant for label, variant in ablation().items()})
        learned_rows(args.n_in, variants, lambda reg: reg)
    if "lookbacks" in args.methods:
        label = f"LookbackEnsemble, L={','.join(map(str, args.lookbacks))}"
        learned_rows(max(args.lookbacks), {label: ({}, None)},
                     lambda reg: LookbackEnsemble(estimator=reg, lookbacks=args.lookbacks))

    print()
    if ets_counts:
        print(f"ETS: {ets_counts['fits']} fits, {ets_counts['not_converged']} of them "
              "warned of non-convergence (silenced; kept in the AICc choice).")


if __name__ == "__main__":
    main()
