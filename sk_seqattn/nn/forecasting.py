"""The attentional encoder-decoder for numeric sequences."""

import torch
from torch import nn

from ._amp import at_least_fp32, fp32_region
from .decoder import AttentionDecoder
from .encoder import Encoder

__all__ = ["Seq2SeqRegressionNetwork"]


class Seq2SeqRegressionNetwork(nn.Module):
    """Attentional encoder-decoder for multi-step forecasting.

    The encoder reads the input window ``X`` (all features, past
    covariates included). The decoder's input at step ``t`` is the target
    value of step ``t - 1`` (the true one under teacher forcing, the
    network's own prediction otherwise); step 0 gets the last observed
    value of the target features. A linear head maps ``~h_t`` to the
    targets.

    Given a ``base`` forecast (a linear model's), the network corrects it
    instead: the decoder reads the base forecast, step by step, in place of
    the previous values, and the head's output is added to it. Nothing
    then depends on the truth of earlier steps, so training and prediction
    see the same inputs (no exposure bias; a decoder fed the true previous
    value learns to correct the base from the base's own error one step
    earlier, which it never sees when forecasting), and the decoder runs
    in one batched call.

    Parameters
    ----------
    n_features : int
        Features per input step.
    n_targets : int
        Targets per output step.
    horizon : int
        Output steps.
    n_steps : int
        Input steps (the "location" attention's source length).
    target_features : sequence of int
        Indices of the features of ``X`` that are the targets' history.
    hidden_size, num_layers, cell, bidirectional, dropout, attention,
    input_feeding, alignment, local_width : see :class:`AttentionDecoder`
        and :class:`Encoder`. Local-m aligns forecast step ``t`` with input
        step ``t``, counted from the window's oldest step.
    teacher_forcing : float in [0, 1]
        Probability, per sample and step, that training feeds the true
        previous target rather than the network's prediction. 1.0 with no
        input feeding uses the batched decoder.
    n_future_features : int, default=0
        Covariates known for every output step (calendar, holidays, planned
        prices): the decoder's input at step ``t`` also carries those of
        step ``t`` (``future=`` in :meth:`forward`).
    n_quantiles : int, default=1
        Outputs per target and step. With more than one, the prediction
        has a last axis of quantiles (trained with a pinball loss), and the
        value fed back to the decoder is the ``median_index``-th.
    median_index : int, default=0
        The quantile fed back to the decoder when decoding free-running.
    """

    def __init__(self, n_features, n_targets, horizon, n_steps, target_features=(0,),
                 hidden_size=64, num_layers=1, cell="lstm", bidirectional=False,
                 dropout=0.0, attention="dot", input_feeding=False,
                 teacher_forcing=1.0, n_future_features=0, n_quantiles=1, median_index=0,
                 alignment="global", local_width=10):
        super().__init__()
        self.horizon = horizon
        self.n_targets = n_targets
        self.teacher_forcing = teacher_forcing
        self.n_future_features = n_future_features
        self.n_quantiles = n_quantiles
        self.median_index = median_index
        self.register_buffer(
            "target_features", torch.as_tensor(list(target_features), dtype=torch.long),
            persistent=False,
        )
        self.encoder = Encoder(n_features, hidden_size, num_layers, cell,
                               bidirectional, dropout)
        self.decoder = AttentionDecoder(
            n_targets + n_future_features, hidden_size, num_layers, cell, dropout,
            attention, input_feeding, max_source_length=n_steps, alignment=alignment,
            local_width=local_width,
        )
        self.head = nn.Linear(hidden_size, n_targets * n_quantiles)

    def forward(self, X, target=None, base=None, future=None):
        """Forecast ``horizon`` steps.

        Parameters
        ----------
        X : Tensor of shape (batch, n_steps, n_features)
        target : Tensor of shape (batch, horizon, n_targets) or None
            The truth, for teacher forcing in training. None decodes
            free-running.
        base : Tensor of shape (batch, horizon, n_targets) or None
            A forecast the network corrects: the decoder's inputs, and the
            prediction is ``base`` plus the head's output. ``target`` is
            then not needed.
        future : Tensor of shape (batch, horizon, n_future_features) or None
            The known-future covariates of each output step; needed when
            ``n_future_features > 0``.

        Returns
        -------
        prediction : Tensor of shape (batch, horizon, n_targets), or
            (batch, horizon, n_targets, n_quantiles) with quantiles
        weights : Tensor of shape (batch, horizon, n_steps); (batch, horizon, 0)
            for attention "none"
        """
        batch = X.size(0)
        if (future is None) != (self.n_future_features == 0):
            raise ValueError(
                f"The network was built for {self.n_future_features} known-future "
                f"feature(s) but got future={'None' if future is None else 'a tensor'}."
            )
        memory, state = self.encoder(X)  # (batch, n_steps, hidden)
        keys = self.decoder.prepare(memory)
        start = X[:, -1, self.target_features]  # (batch, n_targets)
        if base is not None:
            outputs, weights = self.decoder(self._with_future(base, future), state,
                                            memory, keys)
            # (batch, horizon, n_targets[, n_quantiles])
            prediction = self._head(outputs) + self._as_quantiles(base)
        elif target is not None and (self.teacher_forcing >= 1.0 or not self.training):
            # Fully teacher-forced: inputs are [start, y_0, ..., y_{T-2}].
            inputs = torch.cat([start.unsqueeze(1), target[:, :-1]], dim=1)
            outputs, weights = self.decoder(self._with_future(inputs, future), state,
                                            memory, keys)
            prediction = self._head(outputs)  # (batch, horizon, n_targets[, n_quantiles])
        else:
            prediction, weights = self._decode_stepwise(start, state, memory, keys, target,
                                                        future)
        if weights is None:
            weights = X.new_zeros(batch, self.horizon, 0)
        return prediction, weights

    def _with_future(self, inputs, future):
        # (batch, steps, n_targets) -> (batch, steps, n_targets + n_future_features)
        if future is None:
            return inputs
        return torch.cat([inputs, future], dim=-1)

    def _head(self, outputs):
        # (batch, ..., hidden) -> (batch, ..., n_targets[, n_quantiles])
        with fp32_region(outputs):  # forecasts are not rounded to bf16 under autocast
            prediction = self.head(at_least_fp32(outputs))
        if self.n_quantiles == 1:
            return prediction
        return prediction.unflatten(-1, (self.n_targets, self.n_quantiles))

    def _as_quantiles(self, values):
        # A point forecast broadcast to every quantile.
        return values if self.n_quantiles == 1 else values.unsqueeze(-1)

    def _point(self, prediction):
        # The value fed back to the decoder: the median quantile.
        return prediction if self.n_quantiles == 1 else prediction[..., self.median_index]

    def _decode_stepwise(self, start, state, memory, keys, target, future):
        # Free-running (target None) or scheduled sampling (teacher_forcing < 1).
        feed = self.decoder.initial_feed(memory)
        inference = self.decoder.inference_weights()  # None in training
        input_t = start
        predictions, weights = [], []
        for t in range(self.horizon):
            if future is not None:
                input_t = torch.cat([input_t, future[:, t]], dim=-1)  # (batch, n_in)
            output, step_weights, state, feed = self.decoder.step(
                input_t, state, feed, memory, keys, t=t, inference=inference
            )
            prediction_t = self._head(output)  # (batch, n_targets[, n_quantiles])
            predictions.append(prediction_t)
            weights.append(step_weights)
            input_t = self._point(prediction_t)  # (batch, n_targets)
            if target is not None:
                use_truth = (
                    torch.rand(target.size(0), 1, device=target.device)
                    < self.teacher_forcing
                )  # (batch, 1)
                input_t = torch.where(use_truth, target[:, t], input_t)
        predictions = torch.stack(predictions, dim=1)  # (batch, horizon, n_targets[, n_q])
        if weights[0] is None:
            return predictions, None
        return predictions, torch.stack(weights, dim=1)  # (batch, horizon, n_steps)
