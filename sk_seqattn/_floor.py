"""The regressor's linear floor: a ridge forecast the network corrects.

A mixin of :class:`~sk_seqattn.Seq2SeqAttentionRegressor` (parameters
``linear_floor`` and ``floor_alpha``, fitted attribute ``floor_``). The
ridge is fitted in closed form on the normalised window (its known future
and its window statistics too) before the network, and its forecast
reaches the network as the ``base`` input: the network learns the
correction.
"""

import numpy as np
from sklearn.linear_model import Ridge, RidgeCV

from ._scaling import as_float32

__all__ = []

# floor_alpha="auto": RidgeCV's efficient leave-one-out among these.
FLOOR_ALPHAS = np.logspace(-2, 4, 13)


class _LinearFloor:
    """Fit the floor (``_fit_floor``) and build the network's inputs around it."""

    def _fit_floor(self, X_net, future_net, level, y_net):
        """Set ``floor_``: None, or the ridge from the floor's inputs to ``y_net``.

        ``y_net`` is of shape (n_samples, horizon, n_targets), normalised;
        the other arguments as :meth:`_floor_inputs` takes them.
        """
        self.floor_ = None
        if self.linear_floor:
            alpha = self.floor_alpha
            self.floor_ = (
                RidgeCV(alphas=FLOOR_ALPHAS) if alpha == "auto" else Ridge(alpha=alpha)
            ).fit(self._floor_inputs(X_net, future_net, level), y_net.reshape(len(y_net), -1))

    def _floor_inputs(self, X_net, future_net, level):
        # The ridge's features: the flattened window, known future and
        # window statistics.
        parts = [X_net.reshape(len(X_net), -1)]
        if future_net is not None:
            parts.append(future_net.reshape(len(future_net), -1))
        if level is not None:
            parts.append(level)
        return np.concatenate(parts, axis=1)

    def _network_inputs(self, X_net, future_net=None, level=None):
        # The module's keyword arguments: the window (with its statistics,
        # for window_stats="all"), the known future, and the floor's forecast.
        window = self._network_window(X_net, level) if self.window_stats == "all" else X_net
        inputs = {"X": as_float32(window, "X")}
        if future_net is not None:
            inputs["future"] = as_float32(future_net, "the known-future features of X")
        if self.floor_ is not None:
            n_samples = len(X_net)
            base = self.floor_.predict(self._floor_inputs(X_net, future_net, level))
            inputs["base"] = as_float32(
                base.reshape(n_samples, self.horizon_, self.n_targets_), "the linear floor"
            )
        return inputs
