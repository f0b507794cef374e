"""
The floor, a seed ensemble and calibrated intervals on sunspots
===============================================================

:class:`~sk_seqattn.Seq2SeqAttentionRegressor` corrects the forecast of a
:class:`~sk_seqattn.LinearFloorRegressor`, which is a forecaster on its
own. Wrappers work around either: :class:`~sk_seqattn.SeedEnsemble`
combines networks that differ by their seed, and
:class:`~sk_seqattn.ConformalForecaster` turns a forecaster into 80%
intervals calibrated on the latest training windows. The script compares
the floor alone, the regressor and the ensemble by test MASE, then checks
how often the calibrated interval covers the test values.

Run it from the repository root (``--quick``: a few epochs only)::

    pip install -e '.[datasets,plots]'
    python examples/forecast_parts_wrappers.py
"""

# %%
# Settings
# --------
# ``--quick``, or ``SK_SEQATTN_DOCS_QUICK=1`` (which the documentation build
# sets), trains for a few epochs only: the test suite's and the docs' run.
import argparse
import os

parser = argparse.ArgumentParser(description="The floor, a seed ensemble, intervals.")
parser.add_argument("--quick", action="store_true", help="a few epochs only")
args = parser.parse_args()
quick = args.quick or os.environ.get("SK_SEQATTN_DOCS_QUICK") == "1"

# %%
# The floor alone, the regressor, and three seeds of it
# -----------------------------------------------------
import matplotlib.pyplot as plt

from sk_seqattn import (ConformalForecaster, LinearFloorRegressor, SeedEnsemble,
                        Seq2SeqAttentionRegressor)
from sk_seqattn.datasets import forecasting_split, load_sunspots
from sk_seqattn.metrics import interval_coverage, mean_absolute_scaled_error
from sk_seqattn.plotting import plot_forecast

split = forecasting_split(load_sunspots(), n_in=44, n_out=11)


def mase(forecast):
    return mean_absolute_scaled_error(split.y_test, forecast, split.train, m=11)


regressor = Seq2SeqAttentionRegressor(max_epochs=2 if quick else 100, random_state=0)
models = {
    "linear floor alone": LinearFloorRegressor(),
    "regressor (floor + network)": regressor,
    "SeedEnsemble of 3 regressors": SeedEnsemble(estimator=regressor, n_estimators=3,
                                                 random_state=0),
}
for name, model in models.items():
    model.fit(split.X_train, split.y_train)
    print(f"{name:<30} test MASE {mase(model.predict(split.X_test)):.3f}")
floor = models["regressor (floor + network)"].floor_
print(f"the floor reads the last {floor.lookback_} of 44 years")

# %%
# Calibrated 80% intervals
# ------------------------
# The regressor learns the 10% and 90% quantiles with the pinball loss;
# the wrapper holds out the latest 10% of the training windows and shifts
# each quantile by what it missed there.
conformal = ConformalForecaster(
    estimator=Seq2SeqAttentionRegressor(quantiles=(0.1, 0.9), max_epochs=2 if quick else 100,
                                        random_state=0),
    calibration_fraction=0.2,
).fit(split.X_train, split.y_train)
y_quantiles = conformal.predict_quantiles(split.X_test)
print(f"coverage of the calibrated 10%-90% interval on the test part: "
      f"{interval_coverage(split.y_test, y_quantiles):.2f} (nominal 0.80)")

ax = plot_forecast(split.X_test[-1], split.y_test[-1], conformal.predict(split.X_test[-1:])[0],
                   y_quantiles=y_quantiles[-1])
ax.set_title("Yearly sunspots: 11 years ahead with a calibrated 80% interval")
plt.show()
