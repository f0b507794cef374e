"""The teacher-forced input-feeding decoder loop as one autograd function,
and a decoding step in fewer kernels (:func:`inference_step`).

With input feeding, step ``t`` of the decoder needs ``~h_{t-1}``, so a
teacher-forced target is decoded in a Python step loop. Recorded by
autograd, every step adds about thirty small nodes to the graph, each with
its own backward call, and every weight gradient becomes one small matrix
product per step. :class:`FusedFeedingLoop` computes the same numbers with
the loop's forward and backward written out by hand: per step only what is
sequential, and the weight, memory and key gradients in a few large matrix
products after the backward loop.

Notation (one-layer LSTM, hidden ``H``, batch ``B``, ``T`` target and ``S``
source steps; rows are batch rows)::

    z_t   = [~h_{t-1}; h_{t-1}]                         (B, 2H), ~h_{-1} = 0
    g_t   = pre_t + z_t W_rec^T                         (B, 4H), gates i, f, g, o
            pre_t = x_t W_ix^T + b_ih + b_hh            (all t at once, by autograd)
            W_rec = [W_if, W_hh]                        (4H, 2H); W_ih = [W_ix, W_if]
    c_t   = sigmoid(f) * c_{t-1} + sigmoid(i) * tanh(g)
    h_t   = sigmoid(o) * tanh(c_t)
    s_t   = h_t . k_s    (keys k = hbar for "dot", W_a hbar for "general")
    a_t   = softmax_s(s_t), padded s get -inf
    ctx_t = sum_s a_t(s) hbar_s                         (B, H)
    ~h_t  = tanh(u_t),  u_t = [ctx_t; h_t] W_c^T        (B, H)

Backward, for t = T-1 .. 0, with ``d~h_t`` = the output's gradient plus the
feed's (from ``dz_{t+1}``)::

    du_t   = d~h_t * (1 - ~h_t^2)
    [dctx_t; dh_t] = du_t W_c        (+ dh from dz_{t+1}'s second half)
    da_t   = dctx_t . hbar_s         (+ the weights' own gradient)
    ds_t   = a_t * (da_t - sum_s a_t da_t)
    dh_t  += ds_t k
    LSTM cell backward -> dg_t (pre-activation gates), dc_{t-1}
    dz_t   = dg_t W_rec

and after the loop, each over all ``T * B`` rows at once::

    dW_rec = sum_t dg_t^T z_t        dW_c = sum_t du_t^T [ctx_t; h_t]
    dhbar  = sum_t a_t^T dctx_t      dk   = sum_t ds_t^T h_t   (one bmm each)
    dpre_t = dg_t

:func:`fused_feeding_forward` builds ``pre``, ``W_rec`` and the keys with
ordinary autograd ops around the function, so the embedding half of
``W_ih``, the biases, ``W_a`` and everything before the decoder get their
gradients from autograd.
"""

from typing import NamedTuple, Optional

import torch
from torch.autograd.function import once_differentiable
from torch.nn import functional as F

from ._amp import at_least_fp32, fp32_region

__all__ = ["FusedFeedingLoop", "fused_feeding_forward", "InferenceWeights",
           "inference_weights", "inference_step"]


def _activate_gates_(gates):
    """The LSTM's activations in place: sigmoid of i, f, o and tanh of g.

    ``gates``: (batch, 4H), the pre-activations of i, f, g, o. tanh(x) is
    computed as ``2 sigmoid(2x) - 1`` so that one sigmoid covers all four
    gates: on the CPU torch's tanh costs several times its sigmoid, and
    more again on a column slice such as g's (equal up to rounding, about
    1e-7).
    """
    H = gates.size(-1) // 4
    g = gates[:, 2 * H: 3 * H]
    g.mul_(2)
    gates.sigmoid_()
    g.mul_(2).sub_(1)
    return gates


class FusedFeedingLoop(torch.autograd.Function):
    """Teacher-forced LSTM + global attention + input feeding, forward and backward.

    Inputs
    ------
    pre : Tensor of shape (tgt_len, batch, 4 * hidden)
        The input half of the gates plus both biases, for every step
        (time-major: step ``t`` is the contiguous ``pre[t]``).
    h0, c0 : Tensor of shape (batch, hidden)
        The initial state.
    memory : Tensor of shape (batch, src_len, hidden)
    keys : Tensor of shape (batch, src_len, hidden)
    memory_mask : BoolTensor of shape (batch, src_len) or None
    W_rec : Tensor of shape (4 * hidden, 2 * hidden)
        ``[W_if, W_hh]``: the feed half of ``W_ih`` and ``W_hh``.
    W_c : Tensor of shape (hidden, 2 * hidden)

    Outputs
    -------
    outputs : Tensor of shape (batch, tgt_len, hidden), ``~h_t``
    weights : Tensor of shape (batch, tgt_len, src_len), ``a_t``
    """

    @staticmethod
    def forward(ctx, pre, h0, c0, memory, keys, memory_mask, W_rec, W_c):
        T, B, H4 = pre.shape
        H = H4 // 4
        S = memory.size(1)
        keys_t = keys.transpose(1, 2)  # (B, H, S)
        W_rec_t, W_c_t = W_rec.t(), W_c.t()
        unmask = None if memory_mask is None else ~memory_mask.unsqueeze(1)  # (B, 1, S)
        # Time-major buffers: one contiguous (B, .) slice per step. Forward
        # writes in place into them; nothing here is recorded by autograd.
        Z = pre.new_empty(T + 1, B, 2 * H)  # z_t = [~h_{t-1}; h_{t-1}]; Z[T] = [~h; h] last
        Z[0, :, :H].zero_()
        Z[0, :, H:].copy_(h0)
        gates = pre.clone()  # (T, B, 4H): pre_t, then the activated i, f, g, o
        C = pre.new_empty(T + 1, B, H)  # c_{t-1} at C[t]
        C[0].copy_(c0)
        tanh_c = pre.new_empty(T, B, H)
        A = pre.new_empty(T, B, S)  # a_t
        CH = pre.new_empty(T, B, 2 * H)  # [ctx_t; h_t]
        for t in range(T):
            z, g = Z[t], gates[t]
            g.addmm_(z, W_rec_t)  # (B, 4H)
            _activate_gates_(g)  # i, f, g, o
            c = C[t + 1]
            torch.mul(g[:, H: 2 * H], C[t], out=c)
            c.addcmul_(g[:, :H], g[:, 2 * H: 3 * H])  # c_t = f c_{t-1} + i g
            torch.tanh(c, out=tanh_c[t])
            h = CH[t, :, H:]
            torch.mul(g[:, 3 * H:], tanh_c[t], out=h)  # h_t = o tanh(c_t)
            score = torch.bmm(h.unsqueeze(1), keys_t)  # (B, 1, S)
            if unmask is not None:
                score.masked_fill_(unmask, float("-inf"))
            a = torch.softmax(score, dim=-1)  # (B, 1, S)
            A[t] = a.squeeze(1)
            # (an out= into the strided slice makes bmm loop over the batch)
            CH[t, :, :H] = torch.bmm(a, memory).squeeze(1)  # ctx_t (B, H)
            # ~h_t, activated contiguous: tanh is several times slower on a column slice
            Z[t + 1, :, :H] = torch.mm(CH[t], W_c_t).tanh_()
            Z[t + 1, :, H:] = h
        ctx.save_for_backward(memory, keys, W_rec, W_c)
        ctx.buffers = (Z, gates, C, tanh_c, A, CH)
        ctx.set_materialize_grads(False)
        # Copies, never views of the buffers that backward reads.
        outputs = Z[1:, :, :H].transpose(0, 1).clone(memory_format=torch.contiguous_format)
        weights = A.transpose(0, 1).clone(memory_format=torch.contiguous_format)
        return outputs, weights  # (B, T, H), (B, T, S)

    @staticmethod
    @once_differentiable
    def backward(ctx, d_outputs, d_weights):
        memory, keys, W_rec, W_c = ctx.saved_tensors
        Z, gates, C, tanh_c, A, CH = ctx.buffers
        needs = ctx.needs_input_grad
        T, B, H2 = CH.shape
        H = H2 // 2
        d_out = None if d_outputs is None else d_outputs.transpose(0, 1)  # (T, B, H)
        d_a_in = None if d_weights is None else d_weights.transpose(0, 1)  # (T, B, S)
        DG = Z.new_empty(T, B, 4 * H)  # gradient of the gate pre-activations
        DU = Z.new_empty(T, B, H)  # gradient of u_t
        DCTX = Z.new_empty(T, B, H)
        DS = Z.new_empty(T, B, A.size(2))  # gradient of the scores
        memory_t = memory.transpose(1, 2)  # (B, H, S)
        dz = Z.new_zeros(B, 2 * H)  # dz_{t+1}
        dc = Z.new_zeros(B, H)  # dc_t from step t+1
        for t in range(T - 1, -1, -1):
            # ~h_t = tanh(u_t)
            d_feed = dz[:, :H]
            dht = d_feed if d_out is None else d_out[t] + d_feed
            ht = Z[t + 1, :, :H]
            du = DU[t]
            torch.mul(ht, ht, out=du)
            du.neg_().add_(1).mul_(dht)  # (1 - ~h^2) d~h
            dch = torch.mm(du, W_c)  # (B, 2H) = [dctx; dh]
            DCTX[t] = dch[:, :H]
            dh = dch[:, H:].add_(dz[:, H:])
            # ctx_t = a_t hbar
            # (B, 1, H) @ (B, H, S): bmm of (B, S, H) @ (B, H, 1) loops over the batch
            da = torch.bmm(dch[:, :H].unsqueeze(1), memory_t).squeeze(1)  # (B, S)
            if d_a_in is not None:
                da.add_(d_a_in[t])
            a = A[t]
            ds = DS[t]
            torch.mul(a, da, out=ds)
            ds.sub_(a * ds.sum(-1, keepdim=True))  # a (da - sum a da)
            dh.add_(torch.bmm(ds.unsqueeze(1), keys).squeeze(1))  # (B, H)
            # LSTM cell: h = o tanh(c), c = f c_prev + i g
            act = gates[t]
            i, f, g, o = act[:, :H], act[:, H: 2 * H], act[:, 2 * H: 3 * H], act[:, 3 * H:]
            tc = tanh_c[t]
            dg = DG[t]
            torch.mul(dh, tc, out=dg[:, 3 * H:])  # do
            dc.addcmul_(dh * o, 1 - tc * tc)
            torch.mul(dc, g, out=dg[:, :H])  # di
            torch.mul(dc, C[t], out=dg[:, H: 2 * H])  # df
            torch.mul(dc, i, out=dg[:, 2 * H: 3 * H])  # dg
            dc = dc * f  # dc_{t-1}
            deriv = act * (1 - act)  # sigmoid'
            deriv[:, 2 * H: 3 * H] = 1 - g * g  # tanh'
            dg.mul_(deriv)
            dz = torch.mm(dg, W_rec)  # (B, 2H)
        # Everything that is a sum over steps, each in one product over T * B rows.
        TB = T * B
        d_pre = DG  # (T, B, 4H)
        dh0, dc0 = dz[:, H:], dc
        dW_rec = dW_c = d_memory = d_keys = None
        if needs[6]:  # dW_rec = sum_t dg_t^T z_t, (4H, 2H)
            dW_rec = torch.mm(DG.view(TB, 4 * H).t(), Z[:T].reshape(TB, 2 * H))
        if needs[7]:  # dW_c = sum_t du_t^T [ctx_t; h_t], (H, 2H)
            dW_c = torch.mm(DU.view(TB, H).t(), CH.view(TB, 2 * H))
        if needs[3]:  # dhbar = sum_t a_t^T dctx_t: (B, S, T) @ (B, T, H)
            d_memory = torch.bmm(A.permute(1, 2, 0), DCTX.transpose(0, 1))
        if needs[4]:  # dk = sum_t ds_t^T h_t: (B, S, T) @ (B, T, H)
            d_keys = torch.bmm(DS.permute(1, 2, 0), CH[:, :, H:].transpose(0, 1))
        return d_pre, dh0, dc0, d_memory, d_keys, None, dW_rec, dW_c


def fused_feeding_forward(decoder, inputs, state, memory, keys, memory_mask=None):
    """``decoder.forward`` through :class:`FusedFeedingLoop` (same numbers).

    Only for a one-layer LSTM decoder with input feeding, global "dot" or
    "general" attention and no dropout
    (:meth:`~sk_seqattn.nn.decoder.AttentionDecoder._fused_applies`).
    ``pre`` and ``W_rec`` are built here by autograd ops, so the gradients
    of the embedding half of ``W_ih``, of both biases and of ``inputs``
    come from autograd.

    Parameters
    ----------
    inputs : Tensor of shape (batch, tgt_len, input_size)
    state : (h, c), each of shape (1, batch, hidden)
    memory, keys : Tensor of shape (batch, src_len, hidden)
    memory_mask : BoolTensor of shape (batch, src_len) or None

    Returns
    -------
    outputs : Tensor of shape (batch, tgt_len, hidden)
    weights : Tensor of shape (batch, tgt_len, src_len)
    """
    rnn = decoder.rnn
    E = inputs.size(-1)
    W_ih = rnn.weight_ih_l0  # (4H, E + H): [W_ix, W_if]
    # The loop is written for fp32: under autocast, its inputs come back to it.
    with fp32_region(inputs):
        # time-major (T, B, 4H); the copy is of the narrow (T, B, E) inputs
        pre = F.linear(at_least_fp32(inputs.transpose(0, 1)), W_ih[:, :E],
                       rnn.bias_ih_l0 + rnn.bias_hh_l0)
        W_rec = torch.cat([W_ih[:, E:], rnn.weight_hh_l0], dim=1)  # (4H, 2H)
        h0, c0 = at_least_fp32(state[0][0]), at_least_fp32(state[1][0])
        return FusedFeedingLoop.apply(pre, h0, c0, at_least_fp32(memory), at_least_fp32(keys),
                                      memory_mask, W_rec, decoder.attention.output_proj.weight)


class InferenceWeights(NamedTuple):
    """The decoder's weights as :func:`inference_step` uses them.

    Built once per decoding loop by :func:`inference_weights`, so that no
    step repeats the bias sum, or embeds its tokens where a table of every
    token's share of the gates is cheaper.
    """

    bias: torch.Tensor  # (4H,): b_ih + b_hh
    input_weight: torch.Tensor  # (E, 4H): W_ix^T
    input_table: Optional[torch.Tensor]  # (vocab, 4H): bias + embedding W_ix^T, or None
    feed_weight: Optional[torch.Tensor]  # (H, 4H): W_if^T; None without input feeding
    hidden_weight: torch.Tensor  # (H, 4H): W_hh^T
    context_weight: torch.Tensor  # (H, H): the context's columns of W_c, transposed
    query_weight: torch.Tensor  # (H, H): h_t's columns of W_c, transposed


def inference_weights(decoder, embedding=None):
    """:class:`InferenceWeights` of ``decoder``.

    Parameters
    ----------
    decoder : AttentionDecoder
        A one-layer LSTM decoder with global "dot" or "general" attention.
    embedding : nn.Embedding or None
        The embedding the decoder's inputs come from. Given, every token's
        share of the gates, ``bias + embedding W_ix^T``, is computed once
        (``input_table``) and the steps take token ids: worth it where the
        vocabulary has fewer rows than the decoding loop embeds tokens
        (characters, small word vocabularies).

    Returns
    -------
    InferenceWeights
    """
    rnn = decoder.rnn
    H = rnn.hidden_size
    W_ih = rnn.weight_ih_l0  # (4H, E [+ H]): [W_ix, W_if]
    E = W_ih.size(1) - (H if decoder.input_feeding else 0)
    W_c = decoder.attention.output_proj.weight  # (H, 2H): [c; h] columns
    bias = rnn.bias_ih_l0 + rnn.bias_hh_l0  # (4H,)
    table = None
    if embedding is not None:
        table = torch.addmm(bias, embedding.weight, W_ih[:, :E].t())  # (vocab, 4H)
    return InferenceWeights(
        bias=bias, input_weight=W_ih[:, :E].t(), input_table=table,
        feed_weight=W_ih[:, E:].t() if decoder.input_feeding else None,
        hidden_weight=rnn.weight_hh_l0.t(),
        context_weight=W_c[:, :H].t(), query_weight=W_c[:, H:].t(),
    )


def inference_step(decoder, input_t, state, feed, memory, keys, memory_mask=None,
                   weights=None):
    """``decoder.step`` without autograd, in fewer kernels (same numbers up to rounding).

    For decoding (evaluation mode, gradients off, outside autocast) with a
    one-layer LSTM and global "dot" or "general" attention, with or
    without input feeding
    (:meth:`~sk_seqattn.nn.decoder.AttentionDecoder._inference_step_applies`).
    A decoding step is bound by its gate products and by the number of
    small kernels it launches: this one writes the gates in place with one
    product per input (no ``cat`` of the input and the feed, no
    ``lstm_cell`` chunking, no state ``stack``), splits ``W_c [c; h]`` into
    two products instead of concatenating ``[c; h]``, and with an
    ``input_table`` looks the input's share of the gates up instead of
    embedding the tokens and multiplying; one sigmoid activates all four
    gates (:func:`_activate_gates_`).

    Parameters and returns as :meth:`~sk_seqattn.nn.decoder.AttentionDecoder.step`
    (state as ``(h, c)``, each of shape (1, batch, hidden)), and:

    weights : InferenceWeights or None
        From :func:`inference_weights` (built here when None). With an
        ``input_table``, ``input_t`` is a LongTensor of token ids, shape (batch,).
    """
    if weights is None:
        weights = inference_weights(decoder)
    H = decoder.rnn.hidden_size
    h, c = state[0][0], state[1][0]  # (batch, H) each
    # gates = x W_ix^T + ~h_{t-1} W_if^T + h_{t-1} W_hh^T + b_ih + b_hh   (batch, 4H)
    if weights.input_table is not None:
        gates = weights.input_table.index_select(0, input_t)
    else:
        gates = torch.addmm(weights.bias, input_t, weights.input_weight)
    if feed is not None:
        gates.addmm_(feed, weights.feed_weight)
    gates.addmm_(h, weights.hidden_weight)
    _activate_gates_(gates)  # i, f, g, o
    c = torch.addcmul(gates[:, H: 2 * H] * c, gates[:, :H], gates[:, 2 * H: 3 * H])
    h = gates[:, 3 * H:] * torch.tanh(c)  # (batch, H)
    score = torch.bmm(h.unsqueeze(1), keys.transpose(1, 2))  # (batch, 1, src_len)
    if memory_mask is not None:
        score.masked_fill_(~memory_mask.unsqueeze(1), float("-inf"))
    attention = torch.softmax(score, dim=-1)  # (batch, 1, src_len)
    context = torch.bmm(attention, memory).squeeze(1)  # (batch, H)
    # ~h_t = tanh(W_c [c_t; h_t]) without building [c_t; h_t]
    attentional_hidden = torch.mm(context, weights.context_weight).addmm_(
        h, weights.query_weight).tanh_()  # (batch, H)
    new_feed = attentional_hidden if decoder.input_feeding else None
    return attentional_hidden, attention.squeeze(1), (h.unsqueeze(0), c.unsqueeze(0)), new_feed
