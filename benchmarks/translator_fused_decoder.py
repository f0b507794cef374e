"""The fused input-feeding decoder loop timed against the step loop (issue 10).

A plain training step (translator_profile.step) on the reference task's
shapes (batch 64, 18..22 tokens, MODEL of translator_speed.py, input
feeding) alternates between the decoder's autograd step loop and
:class:`~sk_seqattn.nn.fused_decoder.FusedFeedingLoop`, --steps times
each, on the same fitted module; the minimum and median of each are
printed, after the largest differences of the logits and of the gradients
between the two (on the timed batch, whose sources are padded, and on one
whose sources all have the same length, i.e. without a memory mask).

Then decoding: the network's free-running greedy pass (``module(source,
lengths, max_length=21)`` in evaluation mode without gradients, the step
that greedy and beam search call), on the batch of 64 and on it repeated 5
times (320 rows, as beam 5 decodes), alternating between the step and
:func:`~sk_seqattn.nn.fused_decoder.inference_step`, --steps times each.

    python benchmarks/translator_fused_decoder.py [--threads 1] [--steps 40]
"""

import argparse
import statistics
import time

import torch
from _report import print_header
from translator_profile import fitted_reference_batch, step

from sk_seqattn.translation.translator import _pad_with_end


def gradients(module, criterion, batch):
    module.zero_grad()
    logits, _ = module(batch[0], batch[1], target=batch[2])
    criterion(logits, batch[2]).backward()
    return logits.detach(), {n: p.grad.clone() for n, p in module.named_parameters()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    print_header("fused decoder loop vs step loop; plain training steps, input feeding, "
                 "batch 64")

    model, X, y, batch = fitted_reference_batch(args.threads)
    net = model.net_
    module, criterion, optimizer = net.module_, net.criterion_, net.optimizer_
    decoder = module.decoder
    lengths, target = batch[1], batch[2]
    print(f"source lengths {int(lengths.min())}..{int(lengths.max())} (padded), "
          f"target length {target.shape[1]}")

    # the same check on a batch without padded sources (no memory_mask)
    same = [i for i, s in enumerate(X) if len(s.split()) == 20][:64]
    unpadded = [model.source_tokenizer_.encode(X[i]) for i in same]
    unpadded = (*_pad_with_end(unpadded),
                _pad_with_end([model.target_tokenizer_.encode(y[i]) for i in same])[0])
    unpadded = tuple(torch.as_tensor(a, dtype=torch.long) for a in unpadded)

    module.train()
    for name, checked in (("padded sources", batch), ("unpadded sources", unpadded)):
        results = {}
        for fused in (False, True):
            decoder._fused = fused
            results[fused] = gradients(module, criterion, checked)
        (logits0, grads0), (logits1, grads1) = results[False], results[True]
        rels = {n: ((grads1[n] - grads0[n]).norm() / grads0[n].norm()).item() for n in grads0}
        worst = max(rels, key=rels.get)
        print(f"{name}: largest difference of the logits "
              f"{(logits0 - logits1).abs().max().item():.2e}, largest relative gradient "
              f"difference {rels[worst]:.2e} ({worst})")

    for fused in (False, True):  # warm-up
        decoder._fused = fused
        for _ in range(3):
            step(module, criterion, optimizer, batch)
    times = {"step loop": [], "fused": []}
    for _ in range(args.steps):
        for label in times:
            decoder._fused = label == "fused"
            start = time.perf_counter()
            step(module, criterion, optimizer, batch)
            times[label].append(time.perf_counter() - start)
    decoder._fused = True
    print(f"{'decoder':<12} {'min ms':>8} {'median ms':>10}")
    for label, seconds in times.items():
        print(f"{label:<12} {min(seconds) * 1e3:>8.2f} {statistics.median(seconds) * 1e3:>10.2f}")
    loop, fused = (statistics.median(s) for s in times.values())
    print(f"median speed-up: {loop / fused:.2f}x (min: "
          f"{min(times['step loop']) / min(times['fused']):.2f}x)")
    time_decoding(module, batch, args.steps)


def time_decoding(module, batch, repeats, steps=21):
    """Free-running greedy passes, step against inference_step, alternating."""
    module.eval()
    decoder = module.decoder
    print(f"\ndecoding: {steps} free-running greedy steps, evaluation mode, no gradients")
    print(f"{'rows':>5} {'step':<16} {'min ms':>8} {'median ms':>10} {'largest logit diff':>20}")
    with torch.no_grad():
        for copies in (1, 5):
            source, lengths = (t.repeat(copies, *[1] * (t.dim() - 1)) for t in batch[:2])
            times, logits = {"step": [], "inference_step": []}, {}
            for _ in range(repeats + 2):  # the first two rounds warm up
                for label in times:
                    decoder._fused = label == "inference_step"
                    start = time.perf_counter()
                    logits[label], _ = module(source, lengths, max_length=steps)
                    times[label].append(time.perf_counter() - start)
            decoder._fused = True
            diff = (logits["step"] - logits["inference_step"]).abs().max().item()
            for label, seconds in times.items():
                seconds = seconds[2:]
                print(f"{len(source):>5} {label:<16} {min(seconds) * 1e3:>8.2f} "
                      f"{statistics.median(seconds) * 1e3:>10.2f} {diff:>20.2e}")
            slow, fast = (statistics.median(s[2:]) for s in times.values())
            print(f"{len(source):>5} median speed-up: {slow / fast:.2f}x")


if __name__ == "__main__":
    main()
