import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from sk_seqattn import AttentionMap  # noqa: E402
from sk_seqattn.plotting import plot_attention, plot_forecast  # noqa: E402


def test_plot_attention_labels_axes_from_an_attention_map(tmp_path):
    attention = AttentionMap(np.eye(3)[:, ::-1], ["a", " ", "</s>"], ["x", "y", "</s>"])
    ax = plot_attention(attention)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "\u2423", "</s>"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x", "y", "</s>"]
    ax.figure.savefig(tmp_path / "attention.png")
    assert (tmp_path / "attention.png").stat().st_size > 1000
    plt.close("all")


def test_plot_attention_on_a_matrix_and_bad_input():
    ax = plot_attention(np.full((2, 4), 0.25))
    assert ax.images[0].get_array().shape == (2, 4)
    with pytest.raises(ValueError, match="one \\(target_len, source_len\\) matrix"):
        plot_attention(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="source_tokens has 3 labels for 4 positions"):
        plot_attention(np.zeros((2, 4)), source_tokens=["a", "b", "c"])
    plt.close("all")


def test_plot_forecast(tmp_path):
    history = pd.Series(np.arange(10.0), index=pd.period_range("2000", periods=10, freq="Y"))
    ax = plot_forecast(history, y_true=[10, 11, 12], y_pred=[10.5, 11.5, 12.5])
    assert [line.get_label() for line in ax.get_lines()] == ["history", "truth", "forecast"]
    assert ax.get_lines()[2].get_xdata()[-1] == 12  # forecast continues the x axis
    assert ax.get_xticklabels()[0].get_text() == "2000"
    ax.figure.savefig(tmp_path / "forecast.png")
    plt.close("all")


def test_plot_forecast_draws_the_interval_band(tmp_path):
    from matplotlib.collections import PolyCollection
    ax = plot_forecast(np.arange(10.0), y_pred=[10, 11, 12],
                       y_quantiles=[[9, 10, 11], [10, 11, 12], [11, 12, 13]])
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 1 and bands[0].get_label() == "forecast interval"
    ax.figure.savefig(tmp_path / "interval.png")
    with pytest.raises(ValueError, match="y_quantiles must have shape"):
        plot_forecast(np.arange(10.0), y_quantiles=[1, 2, 3])
    plt.close("all")
