"""80% prediction intervals on the tourism competition's monthly panel.

Each of the 366 series is forecast 24 months ahead from the end of its
official training part. Reported for the (10%, 90%) interval: its empirical
coverage of the test values (nominal 80%), its mean width scaled like MASE,
and the mean scaled pinball loss over the 10%, 50% and 90% quantiles (per
series divided by the in-sample seasonal-naive m=12 MAE, then averaged over
series), with the point forecast's MASE. In one run: statsmodels' ETS
(state-space ``ETSModel``, the lowest-AICc of four forms, its own
prediction intervals; its mean forecast stands in for the median) and
``Seq2SeqAttentionRegressor(quantiles=(0.1, 0.5, 0.9))`` trained once on the
pooled windows of all series (mean +- std over seeds), as trained and
wrapped in ``ConformalForecaster`` (its quantiles calibrated on the latest
10% of the windows, held out from training after a gap of ``--gap``
windows; by default ``(horizon - 1) * n_series``, so that no calibration
target is a training target). ``--backtest`` moves the forecast origin 24 months back:
the last 24 months of each training part become the test values.

    python benchmarks/forecast_intervals.py [--methods ets regressor conformal] [--seeds 3]
        [--gap N] [--backtest]
        [--max-series 20] [--n-in 36] [--param max_epochs=10 ...]
"""

import argparse
import time
import warnings

import numpy as np
import pandas as pd
import statsmodels
from _report import parse_params, print_header
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from sk_seqattn import ConformalForecaster, Seq2SeqAttentionRegressor, last_windows, make_windows
from sk_seqattn.datasets import load_tourism
from sk_seqattn.metrics import interval_coverage, mean_absolute_scaled_error, mean_pinball_loss

HORIZON, M = 24, 12
QUANTILES = (0.1, 0.5, 0.9)
# The panel settings of benchmarks/forecast_panel.py, with quantiles.
PANEL = dict(target_transform="log1p", batch_size=256, max_epochs=10, lr=1e-3)
# (error, trend, damped, seasonal); multiplicative forms only for positive series.
ETS_FORMS = (("add", None, False, "add"), ("mul", None, False, "mul"),
             ("add", "add", True, "add"), ("mul", "add", True, "mul"))


def ets_quantiles(train):
    """(n_series, horizon, 3): ETS's 10% bound, mean and 90% bound per series."""
    forecasts = []
    for values in train:
        series = pd.Series(values, index=pd.period_range("2000-01", periods=len(values),
                                                         freq="M"))
        best = None
        for error, trend, damped, seasonal in ETS_FORMS:
            if "mul" in (error, seasonal) and not values.min() > 0:
                continue
            try:
                result = ETSModel(series, error=error, trend=trend, damped_trend=damped,
                                  seasonal=seasonal, seasonal_periods=M).fit(disp=False)
            except (ValueError, np.linalg.LinAlgError):
                continue
            if np.isfinite(result.aicc) and (best is None or result.aicc < best.aicc):
                best = result
        frame = best.get_prediction(start=len(values), end=len(values) + HORIZON - 1) \
            .summary_frame(alpha=0.2)
        forecasts.append(frame[["pi_lower", "mean", "pi_upper"]].to_numpy(dtype=np.float64))
    return np.stack(forecasts)


def scores(train, test, quantiles):
    """Coverage, scaled width, scaled pinball loss and MASE of (n_series, horizon, 3)."""
    test = np.stack(test)
    scale = np.array([np.mean(np.abs(x[M:] - x[:-M])) for x in train])[:, None]
    return {
        "coverage": interval_coverage(test, quantiles[..., [0, 2]]),
        "width": float(np.mean((quantiles[..., 2] - quantiles[..., 0]) / scale)),
        "pinball": float(np.mean([mean_pinball_loss(t, q, QUANTILES) / s[0]
                                  for t, q, s in zip(test, quantiles, scale)])),
        "mase": float(np.mean([mean_absolute_scaled_error(t, q[:, 1], x, m=M)
                               for t, q, x in zip(test, quantiles, train)])),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", nargs="+", default=["ets", "regressor", "conformal"],
                        choices=["ets", "regressor", "conformal"])
    parser.add_argument("--gap", type=int, default=None,
                        help="conformal: windows left out before the calibration tail "
                             "(the pooled windows are in time order across series; "
                             "default (horizon - 1) * n_series)")
    parser.add_argument("--backtest", action="store_true",
                        help="forecast from 24 months before the end of each training part")
    parser.add_argument("--max-series", type=int, default=None, metavar="N",
                        help="only the first N series (quick development runs)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n-in", type=int, default=36)
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a regressor parameter (Python literal value)")
    args = parser.parse_args(argv)
    params = {**PANEL, **parse_params(args.param)}

    data = load_tourism("monthly")
    train, test = data.train[:args.max_series], data.test[:args.max_series]
    if args.backtest:
        train, test = [x[:-HORIZON] for x in train], [x[-HORIZON:] for x in train]
    if args.gap is None:
        args.gap = (HORIZON - 1) * len(train)
    subset = ("all" if len(train) == len(data.train)
              else f"SUBSET: the first {len(train)} of") + f" {len(data.train)} series"
    if args.backtest:
        subset += ("; BACKTEST: origin 24 months before the end of each training part, "
                   "its last 24 months as test values")
    print_header(
        f"data: tourism competition, monthly, {subset}; horizon {HORIZON}\n"
        "interval: the 10% and 90% quantiles (nominal coverage 80%); width and pinball "
        f"loss per series divided by its in-sample seasonal-naive (m={M}) MAE, then "
        "averaged over series; MASE of the point forecast (regressor: the median, ETS: "
        "the mean)\n"
        f"ETS: statsmodels {statsmodels.__version__} ETSModel, lowest AICc of "
        f"{len(ETS_FORMS)} forms (A,N,A) (M,N,M) (A,Ad,A) (M,Ad,M), its prediction "
        "intervals\n"
        f"conformal: calibration tail 10% of the windows, gap {args.gap} windows\n"
        f"regressor: n_in={args.n_in}, quantiles={QUANTILES}, "
        f"{', '.join(f'{k}={v!r}' for k, v in params.items())}; random_state "
        f"0..{args.seeds - 1}; mean +- std over seeds, time: mean fit per seed"
    )
    columns = ("coverage", "width", "pinball", "mase")
    print(f"{'method':<40} " + " ".join(f"{c:>16}" for c in
                                        ("80% coverage", "scaled width", "scaled pinball",
                                         "MASE")) + f" {'time s':>8}")

    def row(label, results, seconds):
        cells = []
        for column in columns:
            values = np.array([r[column] for r in results])
            cells.append(f"{values.mean():.3f}" if len(values) == 1
                         else f"{values.mean():.3f} +- {values.std():.3f}")
        print(f"{label:<40} " + " ".join(f"{c:>16}" for c in cells) + f" {seconds:>8.1f}",
              flush=True)

    if "ets" in args.methods:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.simplefilter("ignore", UserWarning)
            start = time.perf_counter()
            quantiles = ets_quantiles(train)
            row("ETS per series (ETSModel, AICc)", [scores(train, test, quantiles)],
                time.perf_counter() - start)
    X, y = make_windows(train, args.n_in, HORIZON)
    X_last, _ = last_windows(train, args.n_in)
    variants = {
        "regressor": ("", lambda reg: reg),
        # Calibrated on the last 10% of the windows (calibration_fraction's default).
        "conformal": (", conformal", lambda reg: ConformalForecaster(estimator=reg, gap=args.gap)),
    }
    for method in ("regressor", "conformal"):
        if method not in args.methods:
            continue
        suffix, wrap = variants[method]
        results, seconds = [], []
        for seed in range(args.seeds):
            start = time.perf_counter()
            reg = wrap(Seq2SeqAttentionRegressor(quantiles=QUANTILES, random_state=seed,
                                                 **params))
            reg.fit(X, y)
            seconds.append(time.perf_counter() - start)
            results.append(scores(train, test, reg.predict_quantiles(X_last)))
        row(f"Seq2SeqAttentionRegressor, L={args.n_in}{suffix}", results, np.mean(seconds))


if __name__ == "__main__":
    main()
