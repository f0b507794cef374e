"""The attentional RNN decoder (Luong et al., 2015).

The data flow of one decoder step follows Luong et al. (2015)::

    h_t = RNN(input_t [; ~h_{t-1} if input feeding], state_{t-1})
    ~h_t, a_t = attention(h_t, encoder states[, t])     (~h_t = h_t for "none")
    output_t = head(dropout(~h_t))

Because ``h_t`` does not depend on the attention of step ``t`` (unlike
Bahdanau), a teacher-forced decoder without input feeding computes every
``h_t`` in ONE RNN call and all attention in batched matrix products
(:meth:`AttentionDecoder.forward`). Input feeding makes step ``t`` depend on
``~h_{t-1}``, which forces the step loop (:meth:`AttentionDecoder.step`).
The attention is global (:class:`~sk_seqattn.nn.attention.GlobalAttention`) or
local (:class:`~sk_seqattn.nn.local_attention.LocalAttention`); local-m centres
its window on the target step ``t``, so the step loop passes ``t`` to every
step, and the batched path numbers its steps from 0.

In training, the teacher-forced loop of the common configuration (one-layer
LSTM, input feeding, global "dot" or "general" attention, no dropout) runs
as one hand-written autograd function instead
(:mod:`~sk_seqattn.nn.fused_decoder`): the same numbers, without ~30 small
autograd nodes per step and with the weight gradients in a few large
matrix products (benchmarks/translator_fused_decoder.py times it). In
decoding (evaluation mode, gradients off) a step of a one-layer LSTM with
global "dot" or "general" attention runs as
:func:`~sk_seqattn.nn.fused_decoder.inference_step`: the same numbers in
fewer, in-place kernels, with the weights laid out once per decoding loop
(:meth:`AttentionDecoder.inference_weights`).
"""

import torch
from torch import nn

from .attention import GlobalAttention
from .local_attention import LocalAttention
from .encoder import RNN_CELLS
from .fused_decoder import fused_feeding_forward, inference_step, inference_weights

__all__ = ["AttentionDecoder"]


class AttentionDecoder(nn.Module):
    """RNN decoder with Luong global or local attention and optional input feeding.

    Parameters
    ----------
    input_size : int
        Width of the per-step decoder input (an embedding or target values).
    hidden_size : int
    num_layers : int
    cell : {"lstm", "gru"}
    dropout : float
        Between RNN layers and on ``~h_t`` before the output head.
    attention : {"dot", "general", "concat", "location", "none"}
        "none" is the plain encoder-decoder: the output is ``h_t``.
    input_feeding : bool
        Concatenate ``~h_{t-1}`` to the input of step ``t``.
    max_source_length : int or None
        Needed by "location" attention.
    alignment : {"global", "local-m", "local-p"}, default="global"
        Global attention, or Luong's local attention (see
        :mod:`sk_seqattn.nn.local_attention`). Ignored for attention "none".
    local_width : int, default=10
        The local window's half-width ``D``.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, cell="lstm",
                 dropout=0.0, attention="dot", input_feeding=True,
                 max_source_length=None, alignment="global", local_width=10):
        super().__init__()
        self.hidden_size = hidden_size
        self.input_feeding = input_feeding and attention != "none"
        self.rnn = RNN_CELLS[cell](
            input_size + (hidden_size if self.input_feeding else 0),
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        if attention == "none":
            self.attention = None
        elif alignment == "global":
            self.attention = GlobalAttention(hidden_size, attention, max_source_length)
        else:
            self.attention = LocalAttention(hidden_size, attention, alignment, local_width)
        self.dropout = nn.Dropout(dropout)
        # Private switch: False keeps the autograd step loop even where the
        # fused loop applies (tests compare the two).
        self._fused = True

    def prepare(self, memory):
        """Per-sequence attention keys (None for "none"/"location")."""
        return None if self.attention is None else self.attention.prepare(memory)

    def initial_feed(self, memory):
        """``~h_0``: zeros of shape (batch, hidden), or None without input feeding."""
        if not self.input_feeding:
            return None
        return memory.new_zeros(memory.size(0), self.hidden_size)

    def forward(self, inputs, state, memory, keys, memory_mask=None):
        """Decode a whole teacher-forced target.

        Without input feeding: one RNN call and batched attention (target
        steps numbered from 0). With input feeding: the step loop, or in
        training its fused form where :meth:`_fused_applies`. All give the
        same result for the same weights.

        Parameters
        ----------
        inputs : Tensor of shape (batch, tgt_len, input_size)
        state : encoder final state, (num_layers, batch, hidden) per tensor
        memory : Tensor of shape (batch, src_len, hidden)
        keys : ``self.prepare(memory)``
        memory_mask : BoolTensor of shape (batch, src_len) or None

        Returns
        -------
        outputs : Tensor of shape (batch, tgt_len, hidden), after dropout
        weights : Tensor of shape (batch, tgt_len, src_len), or None for "none"
        """
        if self.input_feeding:
            if self._fused_applies(state):
                return fused_feeding_forward(self, inputs, state, memory, keys, memory_mask)
            return self.forward_stepwise(inputs, state, memory, keys, memory_mask)
        hidden, _ = self.rnn(inputs, state)  # (batch, tgt_len, hidden)
        weights = None
        if self.attention is not None:
            hidden, weights = self.attention(hidden, memory, keys, memory_mask)
        return self.dropout(hidden), weights

    def _fused_applies(self, state):
        """Whether :meth:`forward` runs the fused loop (:mod:`.fused_decoder`).

        In training, for a one-layer LSTM with input feeding, global "dot"
        or "general" attention and no dropout (the fused loop computes
        exactly that); otherwise the step loop. In evaluation the step loop
        runs (decoding needs it anyway, and without backward there is less
        to gain). ``self._fused = False`` turns the fused loop off.
        """
        return (self.training and self.input_feeding and self.dropout.p == 0
                and self._fast_path_fits(state))

    def _inference_step_applies(self, state):
        """Whether :meth:`step` runs :func:`~.fused_decoder.inference_step`.

        With gradients off in evaluation mode (decoding, validation), for a
        one-layer LSTM with global "dot" or "general" attention, with or
        without input feeding (dropout is then a no-op), outside autocast
        (it is written for fp32). ``self._fused = False`` turns it off, as
        it does the fused training loop.
        """
        return (not self.training and not torch.is_grad_enabled() and self._fast_path_fits(state)
                and not torch.is_autocast_enabled(self.rnn.weight_hh_l0.device.type))

    def inference_weights(self, embedding=None):
        """What every decoding step reuses, or None where :meth:`step` does not use it.

        Build it once before a decoding loop and pass it to every
        :meth:`step` (``inference=``); see
        :func:`~sk_seqattn.nn.fused_decoder.inference_weights`. None unless
        :meth:`step` runs :func:`~sk_seqattn.nn.fused_decoder.inference_step`
        (evaluation mode, gradients off, outside autocast, a one-layer LSTM
        with global "dot" or "general" attention). With ``embedding``, steps
        then take token ids instead of their embeddings.
        """
        lstm_state = (None, None)  # what _fast_path_fits checks: an LSTM's (h, c)
        if not isinstance(self.rnn, nn.LSTM) or not self._inference_step_applies(lstm_state):
            return None
        return inference_weights(self, embedding)

    def _fast_path_fits(self, state):
        # What both fast paths compute: a one-layer LSTM with global "dot" or
        # "general" attention, unless switched off. getattr: a decoder
        # pickled before the fused loop has no _fused.
        return (getattr(self, "_fused", True) and isinstance(state, tuple)
                and self.rnn.num_layers == 1 and type(self.attention) is GlobalAttention
                and self.attention.score in ("dot", "general"))

    def forward_stepwise(self, inputs, state, memory, keys, memory_mask=None):
        """:meth:`forward` computed one step at a time (same signature)."""
        feed = self.initial_feed(memory)
        inference = self.inference_weights()  # None where the steps do not use it
        outputs, weights = [], []
        for t in range(inputs.size(1)):
            output, step_weights, state, feed = self.step(
                inputs[:, t], state, feed, memory, keys, memory_mask, t=t, inference=inference
            )
            outputs.append(output)
            weights.append(step_weights)
        outputs = torch.stack(outputs, dim=1)  # (batch, tgt_len, hidden)
        if self.attention is None:
            return outputs, None
        return outputs, torch.stack(weights, dim=1)  # (batch, tgt_len, src_len)

    def step(self, input_t, state, feed, memory, keys, memory_mask=None, *, t,
             inference=None):
        """One decoder step.

        Parameters
        ----------
        input_t : Tensor of shape (batch, input_size)
        state : RNN state of the previous step
        feed : Tensor of shape (batch, hidden) or None
            ``~h_{t-1}`` when input feeding, else None.
        memory, keys, memory_mask : as in :meth:`forward`
        t : int
            The target step (0-based) this step decodes: local-m attention
            centres its window on it. Required, so that no loop forgets it.
        inference : InferenceWeights or None
            :meth:`inference_weights`, built once per decoding loop (None:
            built in the step where it applies). With an ``input_table``,
            ``input_t`` is a LongTensor of token ids, shape (batch,).

        Returns
        -------
        output : Tensor of shape (batch, hidden), after dropout
        weights : Tensor of shape (batch, src_len) or None
        state : the new RNN state
        feed : ``~h_t`` for the next step (None without input feeding)
        """
        if inference is not None or self._inference_step_applies(state):
            return inference_step(self, input_t, state, feed, memory, keys, memory_mask,
                                  inference)
        if self.input_feeding:
            input_t = torch.cat([input_t, feed], dim=-1)  # (batch, input + hidden)
        hidden, state = self._rnn_step(input_t, state)  # (batch, hidden)
        weights = None
        if self.attention is not None:
            hidden, weights = self.attention(hidden.unsqueeze(1), memory, keys, memory_mask,
                                             first_step=t)
            weights = weights.squeeze(1)  # (batch, src_len)
            hidden = hidden.squeeze(1)  # (batch, hidden)
        # Input feeding passes ~h_t itself on, before output dropout.
        feed = hidden if self.input_feeding else None
        return self.dropout(hidden), weights, state, feed


    def _rnn_step(self, input_t, state):
        """``self.rnn`` over one time step, through torch's cell functions.

        The cell functions compute exactly what the RNN does, but a step
        costs about two thirds of what a one-step ``nn.LSTM`` call costs
        on the CPU (that call sets up the fused sequence kernel every
        time). Dropout between layers as in ``nn.LSTM``.

        Parameters
        ----------
        input_t : Tensor of shape (batch, input_size)
        state : (num_layers, batch, hidden) per tensor

        Returns
        -------
        hidden : Tensor of shape (batch, hidden), the top layer's output
        state : the new state, shaped as ``state``
        """
        rnn, is_lstm = self.rnn, isinstance(state, tuple)
        hidden, new_h, new_c = input_t, [], []
        for layer in range(rnn.num_layers):
            if layer and rnn.dropout:
                hidden = nn.functional.dropout(hidden, rnn.dropout, self.training)
            weights = [getattr(rnn, f"{name}_l{layer}")
                       for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
            if is_lstm:
                hidden, cell = torch.lstm_cell(hidden, (state[0][layer], state[1][layer]),
                                               *weights)  # (batch, hidden) each
                new_c.append(cell)
            else:
                hidden = torch.gru_cell(hidden, state[layer], *weights)  # (batch, hidden)
            new_h.append(hidden)
        new_h = torch.stack(new_h)  # (num_layers, batch, hidden)
        return hidden, ((new_h, torch.stack(new_c)) if is_lstm else new_h)
