"""The LSTM gate activations of the decoder's fast paths, old against new, interleaved.

``nn/fused_decoder.py`` activates the four gates with one sigmoid
(``_activate_gates_``: tanh(x) = 2 sigmoid(2x) - 1 for g) instead of a
sigmoid, a tanh and a sigmoid on column slices, because torch's CPU tanh
costs several times its sigmoid and more on a strided slice. Timed here,
each pair alternating in one process so both see the same load:

1. the activation alone, on (batch, 4 * hidden) gates;
2. the fused input-feeding loop's forward and backward (``FusedFeedingLoop``,
   batch x target steps of the reference task) with either activation (the
   module's ``_activate_gates_`` swapped for the slice version);
3. a greedy decoding pass of ``Seq2SeqTranslationNetwork`` (evaluation
   mode, ``inference_step``) with either activation.

The medians and minimums over --repeats rounds, and the largest difference
between the two versions' outputs.

    python benchmarks/translator_activations.py [--threads 2] [--repeats 200]
"""

import argparse
import statistics
import time

import torch
from _report import print_header

from sk_seqattn.nn import AttentionDecoder, Seq2SeqTranslationNetwork
from sk_seqattn.nn import fused_decoder
from sk_seqattn.translation.decoding import greedy_decode

NEW = fused_decoder._activate_gates_


def sliced_activation_(gates):
    """The activation before: sigmoid, tanh and sigmoid on column slices."""
    H = gates.size(-1) // 4
    gates[:, : 2 * H].sigmoid_()
    gates[:, 2 * H: 3 * H].tanh_()
    gates[:, 3 * H:].sigmoid_()
    return gates


def alternate(run, repeats):
    """``run(activation)`` for both activations, alternating; seconds per version."""
    seconds = {"slices (before)": [], "one sigmoid (now)": []}
    versions = list(zip(seconds, (sliced_activation_, NEW)))
    outputs = {}
    try:
        for r in range(repeats + 5):  # 5 warm-up rounds
            for label, activation in (versions if r % 2 else versions[::-1]):
                fused_decoder._activate_gates_ = activation
                start = time.perf_counter()
                outputs[label] = run()
                if r >= 5:
                    seconds[label].append(time.perf_counter() - start)
    finally:
        fused_decoder._activate_gates_ = NEW
    a, b = outputs.values()
    return seconds, (a - b).abs().max().item()


def report(title, seconds, diff):
    print(f"{title} (largest difference {diff:.1e})")
    for label, values in seconds.items():
        print(f"  {label:<20} median {statistics.median(values) * 1e3:8.3f} ms   "
              f"min {min(values) * 1e3:8.3f} ms")
    before, now = (statistics.median(v) for v in seconds.values())
    print(f"  speed-up of the median: {before / now:.2f}x\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)  # as fit and predict do
    B, T, S, E, H, V = 64, 21, 21, 64, 128, 34  # the reference task's batch and model
    print_header(f"batch {B}, {T} target and {S} source steps, embeddings {E}, hidden {H}, "
                 f"vocabulary {V}, 'general' attention; {args.repeats} rounds")
    torch.manual_seed(0)

    gates = torch.randn(B, 4 * H)
    report("1. the activation of (batch, 4H) gates",
           *alternate(lambda: fused_decoder._activate_gates_(gates.clone()), args.repeats))

    decoder = AttentionDecoder(E, H, attention="general", input_feeding=True).train()
    inputs = torch.randn(B, T, E, requires_grad=True)
    memory = torch.randn(B, S, H, requires_grad=True)
    state = (torch.randn(1, B, H), torch.randn(1, B, H))

    def training_pass():
        outputs, weights = fused_decoder.fused_feeding_forward(
            decoder, inputs, state, memory, decoder.prepare(memory))
        (outputs.sum() + weights.sum()).backward()
        return outputs.detach()

    report("2. fused input-feeding loop, forward and backward", *alternate(training_pass,
                                                                           args.repeats))

    network = Seq2SeqTranslationNetwork(V, V, S + 1, embedding_dim=E, hidden_size=H,
                                        attention="general").eval()
    source = torch.randint(4, V, (B, S))
    lengths = torch.full((B,), S)

    def decoding_pass():
        tokens, _ = greedy_decode(network, source, lengths, max_length=T,
                                  return_attention=False)
        return tokens.float()

    report(f"3. greedy decoding, {T} steps at most", *alternate(decoding_pass, args.repeats))


if __name__ == "__main__":
    main()
