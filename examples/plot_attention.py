"""
Plotting attention: a date translation and a sunspots forecast
==============================================================

Both estimators expose the attention weights behind each output step
(``attention_weights``); :func:`sk_seqattn.plotting.plot_attention` draws
them as a heatmap and :func:`sk_seqattn.plotting.plot_forecast` draws a
forecast after its history.

Run it from the repository root (``--quick``: a few epochs and 300
dates; ``--output-dir``: also save the three plots as PNGs there)::

    pip install -e '.[datasets,plots]'
    python examples/plot_attention.py --output-dir /tmp
"""

# %%
# Settings
# --------
# ``--quick``, or ``SK_SEQATTN_DOCS_QUICK=1`` (which the documentation build
# sets), trains on less for fewer epochs: the test suite's and the docs' run.
import argparse
import os
from pathlib import Path

parser = argparse.ArgumentParser(description="Attention heatmaps and a forecast plot.")
parser.add_argument("--quick", action="store_true", help="fewer dates and epochs")
parser.add_argument("--output-dir", help="save the plots as PNGs here")
args = parser.parse_args()
quick = args.quick or os.environ.get("SK_SEQATTN_DOCS_QUICK") == "1"
figures = {}

# %%
# Translation: which characters each output character looked at
# ---------------------------------------------------------------
import matplotlib.pyplot as plt

from sk_seqattn import Seq2SeqAttentionRegressor, Seq2SeqAttentionTranslator
from sk_seqattn.datasets import forecasting_split, load_sunspots, make_dates
from sk_seqattn.plotting import plot_attention, plot_forecast

X, y = make_dates(300 if quick else 20000, random_state=0)
translator = Seq2SeqAttentionTranslator(max_epochs=1, random_state=0).fit(X, y)
ax = plot_attention(translator.attention_weights(["Thursday, 7 March 2024"])[0])
ax.figure.tight_layout()
figures["attention_dates.png"] = ax.figure

# %%
# Forecasting: attention over the 44 input years for each forecast year
# ----------------------------------------------------------------------
split = forecasting_split(load_sunspots(), n_in=44, n_out=11)
regressor = Seq2SeqAttentionRegressor(max_epochs=3 if quick else 100, random_state=0)
regressor.fit(split.X_train, split.y_train)
lags = [f"t-{44 - i}" for i in range(44)]
ax = plot_attention(regressor.attention_weights(split.X_test[:1])[0],
                    source_tokens=lags, target_tokens=[f"t+{h}" for h in range(11)])
ax.set_title("sunspots: attention of each forecast year over the input years")
ax.figure.tight_layout()
figures["attention_sunspots.png"] = ax.figure

# %%
# The forecast itself
# -------------------
ax = plot_forecast(split.X_test[0], split.y_test[0], regressor.predict(split.X_test[:1])[0])
ax.set_title("sunspots: 44 years in, 11 years forecast")
figures["forecast_sunspots.png"] = ax.figure

if args.output_dir:
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, figure in figures.items():
        figure.savefig(out / name, dpi=120)
    print("wrote", ", ".join(str(out / name) for name in figures))
else:
    print("plotted", ", ".join(figures))
plt.show()

# sphinx_gallery_thumbnail_number = 2
