"""Plot attention: a date translation heatmap and a sunspots forecast.

Writes attention_dates.png, attention_sunspots.png and forecast_sunspots.png
into --output-dir (default: the current directory).

    python examples/plot_attention.py --output-dir /tmp
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sk_seqattn import Seq2SeqAttentionRegressor, Seq2SeqAttentionTranslator  # noqa: E402
from sk_seqattn.datasets import forecasting_split, load_sunspots, make_dates  # noqa: E402
from sk_seqattn.plotting import plot_attention, plot_forecast  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--output-dir", default=".")
parser.add_argument("--quick", action="store_true", help="tiny run (the test suite's smoke test)")
args = parser.parse_args()
out = Path(args.output_dir)
out.mkdir(parents=True, exist_ok=True)

# Translation: which characters each output character looked at.
X, y = make_dates(300 if args.quick else 20000, random_state=0)
translator = Seq2SeqAttentionTranslator(max_epochs=1, random_state=0).fit(X, y)
ax = plot_attention(translator.attention_weights(["Thursday, 7 March 2024"])[0])
ax.figure.tight_layout()
ax.figure.savefig(out / "attention_dates.png", dpi=120)

# Forecasting: attention over the 44 input years for each of the 11 forecast years.
split = forecasting_split(load_sunspots(), n_in=44, n_out=11)
regressor = Seq2SeqAttentionRegressor(max_epochs=3 if args.quick else 100, random_state=0)
regressor.fit(split.X_train, split.y_train)
lags = [f"t-{44 - i}" for i in range(44)]
ax = plot_attention(regressor.attention_weights(split.X_test[:1])[0],
                    source_tokens=lags, target_tokens=[f"t+{h}" for h in range(11)])
ax.set_title("sunspots: attention of each forecast year over the input years")
ax.figure.tight_layout()
ax.figure.savefig(out / "attention_sunspots.png", dpi=120)

ax = plot_forecast(split.X_test[0], split.y_test[0], regressor.predict(split.X_test[:1])[0])
ax.set_title("sunspots: 44 years in, 11 years forecast")
ax.figure.savefig(out / "forecast_sunspots.png", dpi=120)
plt.close("all")
print("wrote", ", ".join(str(out / name) for name in
                         ("attention_dates.png", "attention_sunspots.png", "forecast_sunspots.png")))
