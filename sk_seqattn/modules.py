"""Encoder, attentional decoder and the networks built from them.

The data flow of one decoder step follows Luong et al. (2015)::

    h_t = RNN(input_t [; ~h_{t-1} if input feeding], state_{t-1})
    ~h_t, a_t = GlobalAttention(h_t, encoder states)    (~h_t = h_t for "none")
    output_t = head(dropout(~h_t))

Because ``h_t`` does not depend on the attention of step ``t`` (unlike
Bahdanau), a teacher-forced decoder without input feeding computes every
``h_t`` in ONE RNN call and all attention in batched matrix products
(:meth:`AttentionDecoder.forward`). Input feeding makes step ``t`` depend on
``~h_{t-1}``, which forces the step loop (:meth:`AttentionDecoder.step`).
"""

import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .attention import GlobalAttention
from .tokenizers import BOS_ID, PAD_ID

__all__ = [
    "Encoder", "AttentionDecoder", "Seq2SeqRegressionNetwork", "Seq2SeqTranslationNetwork",
]

RNN_CELLS = {"lstm": nn.LSTM, "gru": nn.GRU}
# Up to this many distinct source lengths in a batch, the bidirectional
# encoder runs one unpacked call per length instead of packing the batch.
MAX_LENGTH_GROUPS = 8


def map_state(fn, state):
    """Apply ``fn`` to an RNN state: a tensor (GRU) or an (h, c) tuple (LSTM)."""
    if isinstance(state, tuple):
        return tuple(fn(s) for s in state)
    return fn(state)


class Encoder(nn.Module):
    """Multi-layer (bi)RNN over the source.

    With ``bidirectional=True`` each direction has ``hidden_size // 2`` units
    so that the concatenated states have the decoder's width, which ``dot``
    attention requires (as OpenNMT-py does). ``hidden_size`` must then be even.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, cell="lstm",
                 bidirectional=False, dropout=0.0):
        super().__init__()
        if bidirectional and hidden_size % 2:
            raise ValueError(
                f"hidden_size must be even with bidirectional=True, got {hidden_size}."
            )
        self.bidirectional = bidirectional
        self.num_layers = num_layers
        self.rnn = RNN_CELLS[cell](
            input_size,
            hidden_size // 2 if bidirectional else hidden_size,
            num_layers=num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,
            bidirectional=bidirectional,
        )

    def forward(self, inputs, lengths=None):
        """Encode a batch.

        Parameters
        ----------
        inputs : Tensor of shape (batch, src_len, input_size)
        lengths : LongTensor of shape (batch,) or None
            True source lengths; None when no row is padded. Padding never
            reaches the final state, and ``memory`` is zero at padded
            positions.

        Returns
        -------
        memory : Tensor of shape (batch, src_len, hidden_size)
        state : final state, (num_layers, batch, hidden_size) per tensor
        """
        src_len = inputs.size(1)
        if lengths is not None:
            lengths = lengths.cpu()
            if bool((lengths == src_len).all()):
                lengths = None  # nothing padded: one fused RNN call
        if lengths is None:
            memory, state = self.rnn(inputs)
        elif inputs.device.type == "cpu" and not self.bidirectional:
            memory, state = self._forward_segments(inputs, lengths)
        elif inputs.device.type == "cpu" and len(set(lengths.tolist())) <= MAX_LENGTH_GROUPS:
            memory, state = self._forward_groups(inputs, lengths)
        else:  # cuDNN runs packed sequences natively
            packed = pack_padded_sequence(inputs, lengths, batch_first=True,
                                          enforce_sorted=False)
            memory, state = self.rnn(packed)
            memory, _ = pad_packed_sequence(
                memory, batch_first=True, total_length=src_len
            )  # (batch, src_len, hidden_size)
        if self.bidirectional:
            state = map_state(self._join_directions, state)
        return memory, state

    def _forward_segments(self, inputs, lengths):
        """Unidirectional RNN over rows of different lengths, exactly.

        Same result as packing, but faster on CPU: torch runs a packed
        sequence one time step at a time through small autograd ops, while
        an unpacked call takes the fused (oneDNN) kernel. Forward and
        backward of a 64 x 30 batch with two lengths (hidden 128): 24 ms
        packed, 8 ms here. Rows sorted by length, longest
        first; between two consecutive distinct lengths every row still
        running is real, so each such segment is one unpacked call, and
        the state carries over to the rows that continue. Length-bucketed
        batches hold one or two distinct lengths.
        """
        batch, src_len = inputs.shape[:2]
        sorted_lengths, order = lengths.sort(descending=True)
        inputs = inputs.index_select(0, order.to(inputs.device))
        # running[t]: how many rows are longer than t, i.e. still real at step t
        running = (sorted_lengths.numpy()[None, :] > np.arange(src_len + 1)[:, None]).sum(1)
        outputs, finals, state, start = [], [], None, 0
        for end in sorted(set(sorted_lengths.tolist())):
            active = int(running[start])  # rows longer than `start`: a prefix
            if state is not None:
                state = map_state(lambda s: s[:, :active], state)
            output, state = self.rnn(inputs[:active, start:end], state)
            # (active, end - start, hidden) -> (batch, end - start, hidden), zeros below
            outputs.append(nn.functional.pad(output, (0, 0, 0, 0, 0, batch - active)))
            # rows of length `end` are the last ones of the prefix; they stop here
            finals.append(map_state(lambda s: s[:, int(running[end]):active], state))
            start = end
        memory = torch.cat(outputs, dim=1)  # (batch, max_length, hidden)
        memory = nn.functional.pad(memory, (0, 0, 0, src_len - start))  # (batch, src_len, hidden)
        # finals run from the shortest rows to the longest: reverse to the sorted order
        if isinstance(state, tuple):
            state = tuple(torch.cat([f[i] for f in reversed(finals)], dim=1)
                          for i in range(len(state)))
        else:
            state = torch.cat(finals[::-1], dim=1)  # (num_layers, batch, hidden)
        restore = order.argsort().to(inputs.device)
        return memory.index_select(0, restore), map_state(lambda s: s.index_select(1, restore), state)

    def _forward_groups(self, inputs, lengths):
        """RNN over rows of different lengths: one unpacked call per length.

        For the bidirectional encoder, whose backward direction starts at
        each row's own end, so the segments of :meth:`_forward_segments`
        do not apply. Faster than packing up to about 10 distinct lengths:
        forward and backward of a batch of 64 x 30 steps (hidden 128) took
        9 ms against 23 ms packed with 2 lengths, 35 ms against 22 ms with
        21 lengths. Used up to ``MAX_LENGTH_GROUPS`` lengths.
        """
        batch, src_len = inputs.shape[:2]
        memory, state = None, None
        for length in sorted(set(lengths.tolist())):
            rows = (lengths == length).nonzero().squeeze(1).to(inputs.device)
            output, final = self.rnn(inputs.index_select(0, rows)[:, :length])
            output = nn.functional.pad(output, (0, 0, 0, src_len - length))
            if memory is None:
                memory = output.new_zeros(batch, src_len, output.size(-1))
                state = map_state(lambda s: s.new_zeros(s.size(0), batch, s.size(2)), final)
            memory = memory.index_copy(0, rows, output)  # (batch, src_len, hidden)
            if isinstance(state, tuple):
                state = tuple(s.index_copy(1, rows, f) for s, f in zip(state, final))
            else:
                state = state.index_copy(1, rows, final)  # (layers * 2, batch, hidden / 2)
        return memory, state

    def _join_directions(self, state):
        # (num_layers * 2, batch, hidden/2) -> (num_layers, batch, hidden):
        # the decoder layer l starts from [forward_l; backward_l].
        layers2, batch, half = state.shape
        state = state.view(layers2 // 2, 2, batch, half)
        return torch.cat([state[:, 0], state[:, 1]], dim=-1)


class AttentionDecoder(nn.Module):
    """RNN decoder with Luong global attention and optional input feeding.

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
    """

    def __init__(self, input_size, hidden_size, num_layers=1, cell="lstm",
                 dropout=0.0, attention="dot", input_feeding=True,
                 max_source_length=None):
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
        self.attention = (
            None if attention == "none"
            else GlobalAttention(hidden_size, attention, max_source_length)
        )
        self.dropout = nn.Dropout(dropout)

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

        Without input feeding: one RNN call and batched attention. With
        input feeding: the step loop. Both give the same result for the
        same weights.

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
            return self.forward_stepwise(inputs, state, memory, keys, memory_mask)
        hidden, _ = self.rnn(inputs, state)  # (batch, tgt_len, hidden)
        weights = None
        if self.attention is not None:
            hidden, weights = self.attention(hidden, memory, keys, memory_mask)
        return self.dropout(hidden), weights

    def forward_stepwise(self, inputs, state, memory, keys, memory_mask=None):
        """:meth:`forward` computed one step at a time (same signature)."""
        feed = self.initial_feed(memory)
        outputs, weights = [], []
        for t in range(inputs.size(1)):
            output, step_weights, state, feed = self.step(
                inputs[:, t], state, feed, memory, keys, memory_mask
            )
            outputs.append(output)
            weights.append(step_weights)
        outputs = torch.stack(outputs, dim=1)  # (batch, tgt_len, hidden)
        if self.attention is None:
            return outputs, None
        return outputs, torch.stack(weights, dim=1)  # (batch, tgt_len, src_len)

    def step(self, input_t, state, feed, memory, keys, memory_mask=None):
        """One decoder step.

        Parameters
        ----------
        input_t : Tensor of shape (batch, input_size)
        state : RNN state of the previous step
        feed : Tensor of shape (batch, hidden) or None
            ``~h_{t-1}`` when input feeding, else None.
        memory, keys, memory_mask : as in :meth:`forward`

        Returns
        -------
        output : Tensor of shape (batch, hidden), after dropout
        weights : Tensor of shape (batch, src_len) or None
        state : the new RNN state
        feed : ``~h_t`` for the next step (None without input feeding)
        """
        if self.input_feeding:
            input_t = torch.cat([input_t, feed], dim=-1)  # (batch, input + hidden)
        hidden, state = self._rnn_step(input_t, state)  # (batch, hidden)
        weights = None
        if self.attention is not None:
            hidden, weights = self.attention(hidden.unsqueeze(1), memory, keys, memory_mask)
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
    input_feeding : see :class:`AttentionDecoder` and :class:`Encoder`.
    teacher_forcing : float in [0, 1]
        Probability, per sample and step, that training feeds the true
        previous target rather than the network's prediction. 1.0 with no
        input feeding uses the batched decoder.
    """

    def __init__(self, n_features, n_targets, horizon, n_steps, target_features=(0,),
                 hidden_size=64, num_layers=1, cell="lstm", bidirectional=False,
                 dropout=0.0, attention="dot", input_feeding=False,
                 teacher_forcing=1.0):
        super().__init__()
        self.horizon = horizon
        self.n_targets = n_targets
        self.teacher_forcing = teacher_forcing
        self.register_buffer(
            "target_features", torch.as_tensor(list(target_features), dtype=torch.long),
            persistent=False,
        )
        self.encoder = Encoder(n_features, hidden_size, num_layers, cell,
                               bidirectional, dropout)
        self.decoder = AttentionDecoder(
            n_targets, hidden_size, num_layers, cell, dropout, attention,
            input_feeding, max_source_length=n_steps,
        )
        self.head = nn.Linear(hidden_size, n_targets)

    def forward(self, X, target=None, base=None):
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

        Returns
        -------
        prediction : Tensor of shape (batch, horizon, n_targets)
        weights : Tensor of shape (batch, horizon, n_steps); (batch, horizon, 0)
            for attention "none"
        """
        batch = X.size(0)
        memory, state = self.encoder(X)  # (batch, n_steps, hidden)
        keys = self.decoder.prepare(memory)
        start = X[:, -1, self.target_features]  # (batch, n_targets)
        if base is not None:
            outputs, weights = self.decoder(base, state, memory, keys)
            prediction = self.head(outputs) + base  # (batch, horizon, n_targets)
        elif target is not None and (self.teacher_forcing >= 1.0 or not self.training):
            # Fully teacher-forced: inputs are [start, y_0, ..., y_{T-2}].
            inputs = torch.cat([start.unsqueeze(1), target[:, :-1]], dim=1)
            outputs, weights = self.decoder(inputs, state, memory, keys)
            prediction = self.head(outputs)  # (batch, horizon, n_targets)
        else:
            prediction, weights = self._decode_stepwise(start, state, memory, keys, target)
        if weights is None:
            weights = X.new_zeros(batch, self.horizon, 0)
        return prediction, weights

    def _decode_stepwise(self, start, state, memory, keys, target):
        # Free-running (target None) or scheduled sampling (teacher_forcing < 1).
        feed = self.decoder.initial_feed(memory)
        input_t = start
        predictions, weights = [], []
        for t in range(self.horizon):
            output, step_weights, state, feed = self.decoder.step(
                input_t, state, feed, memory, keys
            )
            prediction_t = self.head(output)  # (batch, n_targets)
            predictions.append(prediction_t)
            weights.append(step_weights)
            input_t = prediction_t
            if target is not None:
                use_truth = (
                    torch.rand(target.size(0), 1, device=target.device)
                    < self.teacher_forcing
                )  # (batch, 1)
                input_t = torch.where(use_truth, target[:, t], prediction_t)
        predictions = torch.stack(predictions, dim=1)  # (batch, horizon, n_targets)
        if weights[0] is None:
            return predictions, None
        return predictions, torch.stack(weights, dim=1)  # (batch, horizon, n_steps)


class Seq2SeqTranslationNetwork(nn.Module):
    """Attentional encoder-decoder over token ids (Luong et al., 2015).

    Embeddings feed the encoder and decoder; ``p(y_t | y_<t, x) =
    softmax(W_s ~h_t)`` is the generator. The decoder's first input is the
    begin-of-sequence id; every target ends with the end-of-sequence id.

    Parameters
    ----------
    source_vocab_size, target_vocab_size : int
    max_source_length : int
        Longest source (end marker included) seen in ``fit``: the
        "location" attention's range.
    embedding_dim : int
    hidden_size, num_layers, cell, bidirectional, dropout, attention,
    input_feeding : see :class:`AttentionDecoder` and :class:`Encoder`.
    teacher_forcing : float in [0, 1]
        Probability, per sample and step, of feeding the true previous
        token in training; otherwise the network's own argmax.
    init_scale : float or None
        Initialise every weight uniformly in [-init_scale, init_scale], as
        Luong et al. and OpenNMT-py do (0.1); None keeps PyTorch's defaults.
    """

    def __init__(self, source_vocab_size, target_vocab_size, max_source_length,
                 embedding_dim=64, hidden_size=128, num_layers=1, cell="lstm",
                 bidirectional=False, dropout=0.0, attention="dot", input_feeding=True,
                 teacher_forcing=1.0, init_scale=None):
        super().__init__()
        self.teacher_forcing = teacher_forcing
        self.source_embedding = nn.Embedding(source_vocab_size, embedding_dim,
                                             padding_idx=PAD_ID)
        self.target_embedding = nn.Embedding(target_vocab_size, embedding_dim,
                                             padding_idx=PAD_ID)
        self.embedding_dropout = nn.Dropout(dropout)
        self.encoder = Encoder(embedding_dim, hidden_size, num_layers, cell,
                               bidirectional, dropout)
        self.decoder = AttentionDecoder(
            embedding_dim, hidden_size, num_layers, cell, dropout, attention,
            input_feeding, max_source_length=max_source_length,
        )
        self.generator = nn.Linear(hidden_size, target_vocab_size)
        if init_scale:
            for parameter in self.parameters():
                nn.init.uniform_(parameter, -init_scale, init_scale)
            with torch.no_grad():  # padding embeddings stay zero
                self.source_embedding.weight[PAD_ID].zero_()
                self.target_embedding.weight[PAD_ID].zero_()

    def encode(self, source, source_lengths):
        """Encoder pass and what every decoder step needs.

        Parameters
        ----------
        source : LongTensor of shape (batch, src_len), padded with 0
        source_lengths : LongTensor of shape (batch,)

        Returns
        -------
        memory : Tensor of shape (batch, src_len, hidden)
        keys : attention keys (``decoder.prepare(memory)``)
        memory_mask : BoolTensor of shape (batch, src_len), or None
            None when no source is padded (as in most length-bucketed
            batches): every decoder step then skips the masking.
        state : encoder final state
        """
        src_len = source.size(1)
        memory_mask = (
            torch.arange(src_len, device=source.device)[None, :] < source_lengths[:, None]
        )  # (batch, src_len)
        if bool(memory_mask.all()):
            memory_mask, source_lengths = None, None  # nothing padded
        embedded = self.embedding_dropout(self.source_embedding(source))
        memory, state = self.encoder(embedded, source_lengths)
        return memory, self.decoder.prepare(memory), memory_mask, state

    def step(self, tokens, state, feed, memory, keys, memory_mask):
        """One decoder step from the previous tokens.

        Parameters
        ----------
        tokens : LongTensor of shape (batch,)

        Returns
        -------
        logits : Tensor of shape (batch, target_vocab_size)
        weights : Tensor of shape (batch, src_len) or None
        state, feed : for the next step
        """
        embedded = self.embedding_dropout(self.target_embedding(tokens))  # (batch, emb)
        output, weights, state, feed = self.decoder.step(
            embedded, state, feed, memory, keys, memory_mask
        )
        return self.generator(output), weights, state, feed

    def forward(self, source, source_lengths, target=None, max_length=None):
        """Logits for every target step.

        Parameters
        ----------
        source : LongTensor of shape (batch, src_len)
        source_lengths : LongTensor of shape (batch,)
        target : LongTensor of shape (batch, tgt_len) or None
            Target ids ending with the end marker, padded with 0. Given:
            teacher forcing (fully, or mixed with the network's own
            argmax when ``teacher_forcing < 1`` in training). None:
            free-running greedy decoding for ``max_length`` steps.
        max_length : int or None
            Steps to decode without a target.

        Returns
        -------
        logits : Tensor of shape (batch, tgt_len, target_vocab_size)
        weights : Tensor of shape (batch, tgt_len, src_len); (batch, tgt_len, 0)
            for attention "none"
        """
        memory, keys, memory_mask, state = self.encode(source, source_lengths)
        batch = source.size(0)
        if target is not None and (self.teacher_forcing >= 1.0 or not self.training):
            begin = target.new_full((batch, 1), BOS_ID)
            inputs = self.embedding_dropout(
                self.target_embedding(torch.cat([begin, target[:, :-1]], dim=1))
            )  # (batch, tgt_len, emb)
            outputs, weights = self.decoder(inputs, state, memory, keys, memory_mask)
            logits = self.generator(outputs)  # (batch, tgt_len, vocab)
        else:
            steps = target.size(1) if target is not None else max_length
            feed = self.decoder.initial_feed(memory)
            tokens = source.new_full((batch,), BOS_ID)
            logits, weights = [], []
            for t in range(steps):
                step_logits, step_weights, state, feed = self.step(
                    tokens, state, feed, memory, keys, memory_mask
                )
                logits.append(step_logits)
                weights.append(step_weights)
                tokens = step_logits.argmax(-1)
                if target is not None:
                    use_truth = (
                        torch.rand(batch, device=target.device) < self.teacher_forcing
                    )
                    tokens = torch.where(use_truth, target[:, t], tokens)
            logits = torch.stack(logits, dim=1)  # (batch, steps, vocab)
            weights = None if weights[0] is None else torch.stack(weights, dim=1)
        if weights is None:
            weights = memory.new_zeros(batch, logits.size(1), 0)
        return logits, weights
