"""The attentional encoder-decoder over token ids."""

import torch
from torch import nn

from .._constants import BOS_ID, PAD_ID, UNK_ID
from .copy import CopySwitch, copy_log_probs
from .decoder import AttentionDecoder
from .encoder import Encoder

__all__ = ["Seq2SeqTranslationNetwork"]


class Seq2SeqTranslationNetwork(nn.Module):
    """Attentional encoder-decoder over token ids (Luong et al., 2015).

    Embeddings feed the encoder and decoder; ``p(y_t | y_<t, x) =
    softmax(W_s ~h_t)`` is the generator. The decoder's first input is the
    begin-of-sequence id; every target ends with the end-of-sequence id.

    With ``copy_attention`` the output is the pointer-generator mixture of
    generating and copying a source position (:mod:`sk_seqattn.nn.copy`):
    every call then takes ``copy_ids`` (each source token's id in the
    target vocabulary, or an extended id ``>= target_vocab_size`` for a
    word outside it) and returns log-probabilities over the target
    vocabulary and the batch's extended ids, where it otherwise returns
    logits; an extended id fed back to the decoder reads as ``<unk>``.

    Parameters
    ----------
    source_vocab_size, target_vocab_size : int
    max_source_length : int
        Longest source (end marker included) seen in ``fit``: the
        "location" attention's range.
    embedding_dim : int
    hidden_size, num_layers, cell, bidirectional, dropout, attention,
    input_feeding, alignment, local_width : see :class:`AttentionDecoder`
        and :class:`Encoder`.
    teacher_forcing : float in [0, 1]
        Probability, per sample and step, of feeding the true previous
        token in training; otherwise the network's own argmax.
    init_scale : float or None
        Initialise every weight uniformly in [-init_scale, init_scale], as
        Luong et al. and OpenNMT-py do (0.1); None keeps PyTorch's defaults.
    copy_attention : bool, default=False
        Pointer-generator copying over the source positions (needs
        attention other than "none").
    """

    def __init__(self, source_vocab_size, target_vocab_size, max_source_length,
                 embedding_dim=64, hidden_size=128, num_layers=1, cell="lstm",
                 bidirectional=False, dropout=0.0, attention="dot", input_feeding=True,
                 teacher_forcing=1.0, init_scale=None, alignment="global", local_width=10,
                 copy_attention=False):
        super().__init__()
        if copy_attention and attention == "none":
            raise ValueError("copy_attention=True needs attention over the source; got "
                             "attention='none'.")
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
            input_feeding, max_source_length=max_source_length, alignment=alignment,
            local_width=local_width,
        )
        self.generator = nn.Linear(hidden_size, target_vocab_size)
        self.copy_switch = CopySwitch(hidden_size) if copy_attention else None
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

    def inference_weights(self, rows):
        """What every decoding step reuses (:meth:`AttentionDecoder.inference_weights`).

        Build it once before a decoding loop and pass it to every
        :meth:`step` (``inference=``); None where the decoder's steps do not
        use it. ``rows``: about how many tokens the loop will feed (rows
        times steps); where the target vocabulary is no larger, every
        token's share of the first gates is computed once instead of once
        per step.
        """
        embedding = self.target_embedding
        return self.decoder.inference_weights(
            embedding if embedding.num_embeddings <= rows else None)

    def step(self, tokens, state, feed, memory, keys, memory_mask, *, t, copy_ids=None,
             inference=None):
        """One decoder step from the previous tokens.

        Parameters
        ----------
        tokens : LongTensor of shape (batch,)
            Extended ids (copies) read as ``<unk>``.
        t : int
            The target step (0-based) being decoded, for local-m attention.
        copy_ids : LongTensor of shape (batch, src_len) or None
            Required with ``copy_attention``, ignored without.
        inference : InferenceWeights or None
            :meth:`inference_weights`, built once per decoding loop.

        Returns
        -------
        scores : Tensor of shape (batch, target_vocab_size [+ n_extra])
            Logits, or with ``copy_attention`` log-probabilities over the
            extended vocabulary.
        weights : Tensor of shape (batch, src_len) or None
        state, feed : for the next step
        """
        scores, weights, _, state, feed = self.copy_step(
            tokens, state, feed, memory, keys, memory_mask, t=t, copy_ids=copy_ids,
            inference=inference)
        return scores, weights, state, feed

    def copy_step(self, tokens, state, feed, memory, keys, memory_mask, *, t, copy_ids=None,
                  inference=None):
        """:meth:`step`, also returning the copy probability.

        Returns
        -------
        scores, weights : as :meth:`step`
        p_copy : Tensor of shape (batch,), or None without ``copy_attention``
            The probability mass of copying (:func:`~sk_seqattn.nn.copy.copy_log_probs`).
        state, feed : for the next step
        """
        if inference is not None and inference.input_table is not None:
            decoder_input = self._known(tokens)  # the decoder looks their gates up
        else:
            decoder_input = self.embedding_dropout(self.target_embedding(self._known(tokens)))
        output, weights, state, feed = self.decoder.step(
            decoder_input, state, feed, memory, keys, memory_mask, t=t, inference=inference
        )  # output: (batch, hidden)
        scores, p_copy = self._scores(output, weights, copy_ids)
        return scores, weights, p_copy, state, feed

    def _known(self, tokens):
        # Extended ids (copied words outside the target vocabulary) read as <unk>.
        if self.copy_switch is None:
            return tokens
        return tokens.masked_fill(tokens >= self.target_embedding.num_embeddings, UNK_ID)

    def _scores(self, output, weights, copy_ids):
        # Logits, or the copy mixture's log-probabilities, and p_copy.
        logits = self.generator(output)  # (batch, [tgt_len,] vocab)
        if self.copy_switch is None:
            return logits, None
        if copy_ids is None:
            raise ValueError("copy_ids is required by a network with copy_attention=True.")
        return copy_log_probs(logits, weights, self.copy_switch(output), copy_ids)

    def forward(self, source, source_lengths, target=None, max_length=None, copy_ids=None):
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
        copy_ids : LongTensor of shape (batch, src_len) or None
            Required with ``copy_attention``; ``target`` may then hold
            extended ids.

        Returns
        -------
        logits : Tensor of shape (batch, tgt_len, target_vocab_size)
            With ``copy_attention``: log-probabilities, of shape (batch,
            tgt_len, target_vocab_size + n_extra).
        weights : Tensor of shape (batch, tgt_len, src_len); (batch, tgt_len, 0)
            for attention "none"
        """
        memory, keys, memory_mask, state = self.encode(source, source_lengths)
        batch = source.size(0)
        if target is not None and (self.teacher_forcing >= 1.0 or not self.training):
            begin = target.new_full((batch, 1), BOS_ID)
            inputs = self.embedding_dropout(
                self.target_embedding(self._known(torch.cat([begin, target[:, :-1]], dim=1)))
            )  # (batch, tgt_len, emb)
            outputs, weights = self.decoder(inputs, state, memory, keys, memory_mask)
            logits, _ = self._scores(outputs, weights, copy_ids)  # (batch, tgt_len, vocab[+])
        else:
            steps = target.size(1) if target is not None else max_length
            feed = self.decoder.initial_feed(memory)
            inference = self.inference_weights(rows=batch * steps)  # None in training
            tokens = source.new_full((batch,), BOS_ID)
            logits, weights = [], []
            for t in range(steps):
                step_logits, step_weights, state, feed = self.step(
                    tokens, state, feed, memory, keys, memory_mask, t=t, copy_ids=copy_ids,
                    inference=inference,
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
