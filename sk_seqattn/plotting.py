"""Pictures: attention heatmaps and forecasts (matplotlib, the ``plots`` extra)."""

import numpy as np

from ._optional import require

__all__ = ["plot_attention", "plot_forecast"]


def _pyplot():
    return require("matplotlib.pyplot", "plots", "Plotting")


def plot_attention(attention, source_tokens=None, target_tokens=None, ax=None,
                   cmap="viridis", vmax=None):
    """Heatmap of attention weights: target tokens down, source tokens across.

    Parameters
    ----------
    attention : AttentionMap or array-like of shape (target_len, source_len)
        One element of ``Seq2SeqAttentionTranslator.attention_weights(X)``
        (its tokens label the axes), or a weight matrix, e.g.
        ``Seq2SeqAttentionRegressor.attention_weights(X)[i]``.
    source_tokens, target_tokens : list of str or None
        Axis labels; taken from an ``AttentionMap`` when not given.
    ax : matplotlib Axes or None
        Where to draw; None makes a new figure.
    cmap : str, default="viridis"
    vmax : float or None, default=None
        Weight at the top of the colour scale (the scale starts at 0). None:
        the largest weight, so diffuse attention (long sources) stays
        visible; 1.0 makes several plots comparable.

    Returns
    -------
    ax : matplotlib Axes
    """
    plt = _pyplot()
    weights = np.asarray(getattr(attention, "weights", attention), dtype=float)
    if weights.ndim != 2:
        raise ValueError(
            f"attention must be one (target_len, source_len) matrix; got shape {weights.shape}."
        )
    source_tokens = source_tokens or getattr(attention, "source_tokens", None)
    target_tokens = target_tokens or getattr(attention, "target_tokens", None)
    for name, tokens, size in (("source_tokens", source_tokens, weights.shape[1]),
                               ("target_tokens", target_tokens, weights.shape[0])):
        if tokens is not None and len(tokens) != size:
            raise ValueError(f"{name} has {len(tokens)} labels for {size} positions.")
    if ax is None:
        height, width = weights.shape
        _, ax = plt.subplots(figsize=(min(2 + 0.35 * width, 20), min(1.5 + 0.35 * height, 20)))
    vmax = float(weights.max()) if vmax is None else vmax
    image = ax.imshow(weights, cmap=cmap, vmin=0.0, vmax=vmax, aspect="auto")
    ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02, label="attention")
    if source_tokens is not None:
        ax.set_xticks(range(len(source_tokens)), labels=_visible(source_tokens), rotation=90)
    if target_tokens is not None:
        ax.set_yticks(range(len(target_tokens)), labels=_visible(target_tokens))
    ax.set_xlabel("source")
    ax.set_ylabel("output")
    return ax


def _visible(tokens):
    # A space token would be an empty tick label.
    return [token if token.strip() else "\u2423" for token in tokens]


def plot_forecast(history, y_true=None, y_pred=None, start=None, ax=None,
                  labels=("history", "truth", "forecast"), y_quantiles=None):
    """Plot a series' history, what followed, and a forecast of it.

    Parameters
    ----------
    history : array-like of shape (n_steps,), or pandas Series
        The input window (or any past stretch).
    y_true : array-like of shape (horizon,) or None
        What really followed.
    y_pred : array-like of shape (horizon,) or None
        The forecast, e.g. ``reg.predict(X[i:i+1])[0]``.
    start : int or None
        x position of the first history value (default 0). A pandas
        Series' index labels the ticks.
    ax : matplotlib Axes or None
    labels : tuple of 3 str
    y_quantiles : array-like of shape (horizon, n_quantiles) or None
        A quantile forecast, e.g. ``reg.predict_quantiles(X[i:i+1])[0]``:
        the interval from its first to its last quantile is drawn as a
        band (labelled by ``labels[2]``).

    Returns
    -------
    ax : matplotlib Axes
    """
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.5))
    # A pandas index labels the ticks; the x axis itself is positional.
    index = getattr(history, "index", None)
    history = np.asarray(history, dtype=float).ravel()
    start = 0 if start is None else start
    x_history = np.arange(start, start + len(history))
    ax.plot(x_history, history, color="0.3", label=labels[0])
    for values, style, label in ((y_true, dict(color="0.3", linestyle="--"), labels[1]),
                                 (y_pred, dict(color="C1", marker="o", markersize=3),
                                  labels[2])):
        if values is None:
            continue
        values = np.asarray(values, dtype=float).ravel()
        x_future = np.arange(x_history[-1] + 1, x_history[-1] + 1 + len(values))
        # Join the future line to the last observed point.
        ax.plot(np.r_[x_history[-1], x_future], np.r_[history[-1], values],
                label=label, **style)
    if y_quantiles is not None:
        y_quantiles = np.asarray(y_quantiles, dtype=float)
        if y_quantiles.ndim != 2 or y_quantiles.shape[1] < 2:
            raise ValueError(
                "y_quantiles must have shape (horizon, n_quantiles) with at least 2 "
                f"quantiles; got {y_quantiles.shape}."
            )
        x_future = np.arange(x_history[-1] + 1, x_history[-1] + 1 + len(y_quantiles))
        ax.fill_between(x_future, y_quantiles[:, 0], y_quantiles[:, -1], color="C1",
                        alpha=0.25, linewidth=0, label=f"{labels[2]} interval")
    if index is not None:
        positions = np.linspace(0, len(history) - 1, num=min(6, len(history))).astype(int)
        ax.set_xticks(x_history[positions], labels=[str(index[p]) for p in positions])
    ax.legend(loc="best")
    return ax
