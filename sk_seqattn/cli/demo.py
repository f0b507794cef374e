"""``sk-seqattn demo``: both estimators on built-in data, a results table, a heatmap."""

import time
from pathlib import Path

import numpy as np

from ..datasets import forecasting_split, load_sunspots, make_dates
from ..metrics import mean_absolute_scaled_error, seasonal_naive
from ..forecasting.regressor import Seq2SeqAttentionRegressor
from ..translation.translator import Seq2SeqAttentionTranslator

__all__ = ["run_demo"]

# Sunspots as the single-series benchmark (benchmarks/forecast_accuracy.py) cuts it.
N_IN, HORIZON, SEASON = 44, 11, 11
# Dates: enough pairs and epochs for dot attention to learn the task
# (benchmarks/translator_dates.py has the learning curve).
N_TRAIN_DATES, N_TEST_DATES, DATE_EPOCHS = 20000, 1000, 5


def _forecast(random_state):
    series = load_sunspots()
    split = forecasting_split(series, n_in=N_IN, n_out=HORIZON)
    print(f"\n[1/2] Forecasting yearly sunspots ({series.index[0]}-{series.index[-1]}): "
          f"{HORIZON} years ahead from the previous {N_IN}; {len(split.X_train)} training "
          f"windows, {len(split.X_test)} test origins in the last 20%.")
    start = time.perf_counter()
    # Silent: 100 quick epochs would flood the terminal.
    model = Seq2SeqAttentionRegressor(random_state=random_state)
    model.fit(split.X_train, split.y_train)
    seconds = time.perf_counter() - start

    def mase(prediction):
        return mean_absolute_scaled_error(split.y_test, prediction, split.train, m=SEASON)

    weights = model.attention_weights(split.X_test).mean(axis=(0, 1))  # (N_IN,)
    peaks = N_IN - np.argsort(weights)[::-1][:3]
    rows = [
        ("forecast sunspots", "seasonal naive (m=11)", "test MASE",
         mase(seasonal_naive(split.X_test, HORIZON, SEASON)), None),
        ("forecast sunspots", "Seq2SeqAttentionRegressor", "test MASE",
         mase(model.predict(split.X_test)), seconds),
    ]
    note = (f"the linear floor reads the last {model.floor_.lookback_} of {N_IN} years (a solar "
            f"cycle is ~11); the network's correction attends most to lags "
            f"{', '.join(map(str, peaks))}")
    return rows, note


def _translate(random_state, verbose, output_dir):
    X_train, y_train = make_dates(N_TRAIN_DATES, random_state=random_state)
    X_test, y_test = make_dates(N_TEST_DATES, exclude=y_train, random_state=random_state + 1)
    print(f"\n[2/2] Translating dates written in 8 locales to ISO, e.g. {X_test[0]!r} -> "
          f"{y_test[0]!r}; {N_TRAIN_DATES} training dates, {N_TEST_DATES} test dates on "
          "other days.")
    rows = []
    for attention in ("none", "dot"):
        model = Seq2SeqAttentionTranslator(
            attention=attention, max_epochs=DATE_EPOCHS, random_state=random_state,
            verbose=verbose,
        )
        start = time.perf_counter()
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        rows.append(("dates -> ISO", f"Seq2SeqAttentionTranslator ({attention})",
                     "test exact match", model.score(X_test, y_test), seconds))
    picture = _heatmap(model, X_test[0], Path(output_dir))
    return rows, picture


def _heatmap(model, text, output_dir):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed: pip install 'sk_seqattn[plots]' for the heatmap"
    from ..plotting import plot_attention

    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / "demo_attention.png"
    attention = model.attention_weights([text])[0]
    ax = plot_attention(attention)
    ax.set_title(f"dot attention: {text!r} -> {''.join(attention.target_tokens[:-1])!r}")
    ax.figure.tight_layout()
    ax.figure.savefig(path, dpi=120)
    plt.close(ax.figure)
    return f"attention heatmap written to {path}"


def run_demo(output_dir=".", random_state=0, verbose=2):
    """Run the demo; returns the process exit status (0)."""
    start = time.perf_counter()
    forecast_rows, attention_note = _forecast(random_state)
    translate_rows, picture = _translate(random_state, verbose, output_dir)
    print(f"\n{'task':<18} {'model':<38} {'metric':<17} {'value':>7} {'fit s':>6}")
    print("-" * 90)
    for task, model, metric, value, seconds in forecast_rows + translate_rows:
        value = f"{value:.1%}" if metric == "test exact match" else f"{value:.3f}"
        seconds = "-" if seconds is None else f"{seconds:.1f}"
        print(f"{task:<18} {model:<38} {metric:<17} {value:>7} {seconds:>6}")
    print(f"\nForecaster: {attention_note}.")
    print(f"Translator: {picture}.")
    print(f"Total time: {time.perf_counter() - start:.0f} s.")
    return 0
