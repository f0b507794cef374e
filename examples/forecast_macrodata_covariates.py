"""
Past covariates: US unemployment four quarters ahead
====================================================

``X`` holds 12 past quarters of unemployment and of inflation, the T-bill
rate and real GDP growth (past covariates); ``y`` is unemployment only.
The first input feature is the target's history (``target_features=[0]``).
The script fits :class:`~sk_seqattn.Seq2SeqAttentionRegressor` with and
without the covariates and prints both test errors beside carrying the
last value forward. With about 150 training windows, more inputs are not
necessarily better: compare the two errors.

Run it from the repository root (``--quick``: a few epochs only)::

    pip install -e '.[datasets,plots]'
    python examples/forecast_macrodata_covariates.py
"""

# %%
# Settings
# --------
# ``--quick``, or ``SK_SEQATTN_DOCS_QUICK=1`` (which the documentation build
# sets), trains for a few epochs only: the test suite's and the docs' run.
import argparse
import os

parser = argparse.ArgumentParser(description="US unemployment with covariates.")
parser.add_argument("--quick", action="store_true", help="a few epochs only")
args = parser.parse_args()
quick = args.quick or os.environ.get("SK_SEQATTN_DOCS_QUICK") == "1"

# %%
# Windows of four series, one target
# ----------------------------------
import matplotlib.pyplot as plt
import numpy as np

from sk_seqattn import Seq2SeqAttentionRegressor, make_windows
from sk_seqattn.datasets import load_macrodata

frame = load_macrodata()
frame = frame.assign(gdp_growth=np.log(frame["realgdp"]).diff() * 400).dropna()
columns = ["unemp", "infl", "tbilrate", "gdp_growth"]
X, y = make_windows(frame[columns], n_in=12, n_out=4, target="unemp")
print(f"X {X.shape} (windows, quarters, features), y {y.shape} (windows, horizon)")

n_test = 40  # the last 10 years of forecast origins
X_train, y_train, X_test, y_test = X[:-n_test], y[:-n_test], X[-n_test:], y[-n_test:]

# %%
# With and without the covariates
# -------------------------------
errors, forecasts = {}, {}
for name, features in (("unemployment only", [0]), ("with covariates", [0, 1, 2, 3])):
    model = Seq2SeqAttentionRegressor(
        target_features=[0], max_epochs=3 if quick else 150, random_state=0
    ).fit(X_train[:, :, features], y_train)
    forecasts[name] = model.predict(X_test[:, :, features])
    errors[name] = np.abs(forecasts[name] - y_test).mean()
naive = np.abs(X_test[:, -1:, 0] - y_test).mean()  # last value carried forward
print(f"test MAE (percentage points): last value {naive:.3f}, "
      + ", ".join(f"{k} {v:.3f}" for k, v in errors.items()))

# %%
# The one-quarter-ahead forecasts over the test decade
# ----------------------------------------------------
fig, ax = plt.subplots(figsize=(8, 3.5))
ax.plot(y_test[:, 0], color="black", label="unemployment (%)")
for name, forecast in forecasts.items():
    ax.plot(forecast[:, 0], label=f"forecast, {name}")
ax.set_xlabel("test origin (quarter)")
ax.legend()
plt.show()
