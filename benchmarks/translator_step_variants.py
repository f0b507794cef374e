"""Prototypes of faster decoder steps, timed against the package's step (issue 10).

Kept as it ran, so that the figures in results/translator_step_variants.txt
can be reproduced. Each variant monkeypatches the package for the duration
of its timed steps (the package itself is unchanged), on the reference
task's shapes (batch 64, 18..22 tokens, MODEL of translator_speed.py, input
feeding, the step loop: the fused loop is switched off): a plain training
step (translator_profile.step) alternates between the package's code and
the variant, --steps times each, and the
minimum and median of each are printed.

- ``broadcast``: attention of a single decoder step by broadcast multiply
  and sum instead of ``bmm`` (scores and context), and ``W_c`` applied as
  two halves instead of to ``cat([c, h])``.
- ``trim``: a one-layer step without ``torch.stack`` of the new state
  (``unsqueeze`` views) and without calling dropout when p = 0.
- ``compile``: ``torch.compile(AttentionDecoder.step, dynamic=True)``.

    python benchmarks/translator_step_variants.py --variant broadcast [--threads 1] [--steps 40]
"""

import argparse
import statistics
import time

import torch
from _report import print_header
from torch.nn import functional as F
from translator_profile import fitted_reference_batch, step

from sk_seqattn.nn.attention import GlobalAttention
from sk_seqattn.nn import decoder as decoder_module


def broadcast_scores(original):
    def scores(self, query, keys, src_len):
        if query.size(1) == 1 and self.score in ("dot", "general"):
            return (keys * query).sum(-1).unsqueeze(1)  # (batch, 1, src_len)
        return original(self, query, keys, src_len)
    return scores


def broadcast_hidden(self, weights, memory, query):
    if query.size(1) == 1:
        context = (weights.transpose(1, 2) * memory).sum(1, keepdim=True)  # (batch, 1, hidden)
    else:
        context = torch.bmm(weights, memory)
    half = query.size(-1)
    W = self.output_proj.weight
    return torch.tanh(F.linear(context, W[:, :half]) + F.linear(query, W[:, half:]))


def trimmed_step(self, input_t, state, feed, memory, keys, memory_mask=None, *, t):
    if self.input_feeding:
        input_t = torch.cat([input_t, feed], dim=-1)
    hidden, state = self._rnn_step(input_t, state)
    weights = None
    if self.attention is not None:
        hidden, weights = self.attention(hidden.unsqueeze(1), memory, keys, memory_mask,
                                         first_step=t)
        weights, hidden = weights.squeeze(1), hidden.squeeze(1)
    feed = hidden if self.input_feeding else None
    return (self.dropout(hidden) if self.dropout.p else hidden), weights, state, feed


def trimmed_rnn_step(original):
    def rnn_step(self, input_t, state):
        rnn = self.rnn
        if rnn.num_layers == 1 and isinstance(state, tuple):
            h, c = torch.lstm_cell(input_t, (state[0][0], state[1][0]), rnn.weight_ih_l0,
                                   rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0)
            return h, (h.unsqueeze(0), c.unsqueeze(0))
        return original(self, input_t, state)
    return rnn_step


def variant_patches(name):
    """[(owner, attribute, replacement)] for the variant."""
    if name == "broadcast":
        return [(GlobalAttention, "_scores", broadcast_scores(GlobalAttention._scores)),
                (GlobalAttention, "_attentional_hidden", broadcast_hidden)]
    decoder = decoder_module.AttentionDecoder
    if name == "trim":
        return [(decoder, "step", trimmed_step),
                (decoder, "_rnn_step", trimmed_rnn_step(decoder._rnn_step))]
    return [(decoder, "step", torch.compile(decoder.step, dynamic=True))]


class Patched:
    def __init__(self, patches):
        self.patches = patches
        self.originals = [(owner, attr, getattr(owner, attr)) for owner, attr, _ in patches]

    def __enter__(self):
        for owner, attr, replacement in self.patches:
            setattr(owner, attr, replacement)

    def __exit__(self, *exc):
        for owner, attr, original in self.originals:
            setattr(owner, attr, original)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=["broadcast", "trim", "compile"], required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    print_header(f"variant: {args.variant}; plain training steps, input feeding, batch 64")

    model, _, _, batch = fitted_reference_batch(args.threads)
    net = model.net_
    module, criterion, optimizer = net.module_, net.criterion_, net.optimizer_
    # The variants change the step loop; training now takes the fused loop
    # (nn/fused_decoder.py, measured by translator_fused_decoder.py) instead.
    module.decoder._fused = False
    patched = Patched(variant_patches(args.variant))

    module.eval()
    with torch.no_grad():
        reference = module(batch[0], batch[1], target=batch[2])[0]
        with patched:
            changed = module(batch[0], batch[1], target=batch[2])[0]
    print(f"largest difference of the logits: {(reference - changed).abs().max().item():.2e}")
    module.train()
    start = time.perf_counter()
    with patched:  # warm-up (compilation for "compile")
        for _ in range(2):
            step(module, criterion, optimizer, batch)
    print(f"variant warm-up: {time.perf_counter() - start:.1f} s")
    times = {"package": [], args.variant: []}
    for _ in range(args.steps):
        for label in times:
            with (patched if label == args.variant else Patched([])):
                start = time.perf_counter()
                step(module, criterion, optimizer, batch)
                times[label].append(time.perf_counter() - start)
    print(f"{'step':<12} {'min ms':>8} {'median ms':>10}")
    for label, seconds in times.items():
        print(f"{label:<12} {min(seconds) * 1e3:>8.2f} {statistics.median(seconds) * 1e3:>10.2f}")


if __name__ == "__main__":
    main()
