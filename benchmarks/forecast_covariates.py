"""Known-future calendar covariates on Taylor's half-hourly electricity demand.

One day (48 half-hours) ahead from one week (336) back. The windows whose
48 targets all fall in the first 80% of the series train; every window
whose first target falls in the last 20% is a test forecast (one per
half-hour origin). MASE over all test forecasts, scaled by the seasonal-naive
(m=336) MAE of the training part. In one run: seasonal naive with m=48 (the
same half-hour yesterday) and m=336 (the same half-hour a week ago), a Ridge
on the per-window standardised window (with and without the calendar), and
``Seq2SeqAttentionRegressor`` with and without the calendar as known-future
covariates (mean +- std over seeds).

    python benchmarks/forecast_covariates.py [--seeds 3] [--param max_epochs=20 ...]
"""

import argparse
import time

import numpy as np
import pandas as pd
from _report import parse_params, print_header, standardise_windows
from sklearn.linear_model import Ridge

from sk_seqattn import Seq2SeqAttentionRegressor, calendar_features, make_windows
from sk_seqattn.datasets import load_taylor
from sk_seqattn.metrics import mean_absolute_scaled_error, seasonal_naive

N_IN, HORIZON, M = 336, 48, 336
TEST_FRACTION = 0.2
CALENDAR = ("hour", "dayofweek")
# Settings for a few thousand long windows; others tried, one seed each, are
# in benchmarks/results/forecast_covariates_exploration.txt.
DEFAULTS = dict(max_epochs=10, batch_size=64, lr=1e-3)


def windows(with_calendar):
    """(X, y, first target's position) for every window of the series."""
    demand = load_taylor()
    if not with_calendar:
        X, y, index = make_windows(demand, N_IN, HORIZON, return_index=True)
        return X, y, index, demand
    frame = pd.concat([demand, calendar_features(demand.index, CALENDAR)], axis=1)
    X, y, index = make_windows(frame, N_IN, HORIZON, target="demand",
                               future_covariates=list(frame.columns[1:]),
                               return_index=True)
    return X, y, index, demand


def ridge(X_train, y_train, X_test, with_calendar):
    """Ridge on each window standardised by its own demand statistics."""
    def features(X):
        demand = X[:, :N_IN, 0] if X.ndim == 3 else X
        standard, mean, scale = standardise_windows(demand)
        if X.ndim == 3:  # calendar of the window and of the forecast day
            standard = np.concatenate([standard, X[:, :, 1:].reshape(len(X), -1)], axis=1)
        return standard, mean, scale
    features_train, mean, scale = features(X_train)
    model = Ridge(alpha=1.0).fit(features_train, (y_train - mean) / scale)
    features_test, mean, scale = features(X_test)
    return model.predict(features_test) * scale + mean


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a regressor parameter (Python literal value)")
    args = parser.parse_args(argv)
    params = {**DEFAULTS, **parse_params(args.param)}

    X_plain, y, index, demand = windows(False)
    X_calendar, _, _, _ = windows(True)
    split = int(round(len(demand) * (1 - TEST_FRACTION)))
    first = index["time"].map(demand.index.get_loc).to_numpy()  # position of the first target
    train = first + HORIZON <= split
    test = first >= split
    y_train_series = demand.to_numpy()[:split]

    print_header(
        f"data: taylor (half-hourly demand, England and Wales, 5 June - 27 August 2000), "
        f"{len(demand)} steps; input {N_IN} steps, horizon {HORIZON}; "
        f"train: the {train.sum()} windows whose targets end before step {split}; "
        f"test: the {test.sum()} windows whose first target is at or after it "
        f"(last {TEST_FRACTION:.0%})\n"
        f"MASE: mean absolute error over all test forecasts / in-sample seasonal-naive "
        f"(m={M}) MAE of the training part\n"
        f"calendar: calendar_features {list(CALENDAR)} (sin, cos), known for the forecast "
        f"day (future_features) and read over the input week\n"
        f"regressor: default parameters, {', '.join(f'{k}={v!r}' for k, v in params.items())}; "
        f"random_state 0..{args.seeds - 1}; MASE mean +- std over seeds, fit s: mean per seed"
    )
    print(f"{'method':<52} {'test MASE':>16} {'fit s':>8}")

    def row(label, mase, seconds=0.0):
        print(f"{label:<52} {mase:>16} {seconds:>8.1f}", flush=True)

    def mase(y_pred):
        return mean_absolute_scaled_error(y[test], y_pred, y_train_series, m=M)

    for m in (48, 336):
        row(f"seasonal naive (m={m})", f"{mase(seasonal_naive(X_plain[test], HORIZON, m)):.3f}")
    for label, X, with_calendar in (("Ridge, per-window std.", X_plain, False),
                                    ("Ridge, per-window std., with calendar", X_calendar, True)):
        start = time.perf_counter()
        y_pred = ridge(X[train], y[train], X[test], with_calendar)
        row(label, f"{mase(y_pred):.3f}", time.perf_counter() - start)

    n_features = X_calendar.shape[2]
    variants = (
        ("Seq2SeqAttentionRegressor", X_plain, {}),
        ("Seq2SeqAttentionRegressor, calendar known ahead", X_calendar,
         {"future_features": list(range(1, n_features))}),
    )
    for label, X, extra in variants:
        errors, seconds = [], []
        for seed in range(args.seeds):
            start = time.perf_counter()
            reg = Seq2SeqAttentionRegressor(random_state=seed, **params, **extra)
            reg.fit(X[train], y[train])
            seconds.append(time.perf_counter() - start)
            errors.append(mase(reg.predict(X[test])))
        row(label, f"{np.mean(errors):.3f} +- {np.std(errors):.3f}", np.mean(seconds))


if __name__ == "__main__":
    main()
