"""Translator speed on OpenNMT-py's reference task (shared/docs/anchors.md).

Reverse sequences of 10..30 tokens over 30 symbols (word tokens, space
separated), 20,000 training pairs, 1,000 validation pairs; 1-layer LSTM,
embeddings 64, hidden 128, "general" attention, batch 64, Adam 1e-3,
gradient norm 5. In one run:

1. ``Seq2SeqAttentionTranslator.fit`` with input feeding for --epochs epochs
   (10 epochs = 3,130 steps, OpenNMT-py's 3,000): target tokens/s (end
   markers counted), then validation exact match and decoding time of the
   1,000 validation sources, greedy and beam 5;
2. the same with ``input_feeding=False`` for --short-epochs epochs,
   interleaved --repeats times with a plain PyTorch loop training the same
   network on the same batches (medians; fit/plain ratio);
3. the plain loop with input feeding, once, for --short-epochs epochs;
4. the padding fraction of random batches and of the length buckets used.

OpenNMT-py 3.5.1 on this machine class: 24,500 tok/s with input feeding,
97.5% exact match after 3,000 steps, greedy decoding 1.9 s, beam 5 4.4 s.

    python benchmarks/translator_speed.py [--epochs 10] [--short-epochs 2]
        [--repeats 3] [--init-scale 0.1] [--device cpu]

--init-scale A sets the translator's init_scale (weights uniform in
[-A, A]; default 0.1, Luong et al.'s and OpenNMT-py's param_init); 0 means
None, PyTorch's default initialisation.
"""

import argparse

import numpy as np
import torch
from _report import print_header, timed

from sk_seqattn import Seq2SeqAttentionTranslator, WordTokenizer
from sk_seqattn.datasets import make_reversal
from sk_seqattn.nn import Seq2SeqTranslationNetwork
from sk_seqattn.training.net import BucketBatchSampler, SequenceCrossEntropy, collate_token_batch
from sk_seqattn.translation.tokenizers import PAD_ID
from sk_seqattn.translation._token_ids import _pad_with_end

OPENNMT = {"tok/s": 24500, "exact": 0.975, "greedy s": 1.9, "beam5 s": 4.4}
MODEL = dict(attention="general", embedding_dim=64, hidden_size=128, batch_size=64,
             lr=1e-3, max_grad_norm=5.0)


def translator(input_feeding, epochs, init_scale, device="cpu"):
    return Seq2SeqAttentionTranslator(
        input_feeding=input_feeding, max_epochs=epochs, random_state=0, device=device,
        source_tokenizer=WordTokenizer(), target_tokenizer=WordTokenizer(),
        init_scale=init_scale or None, **MODEL,
    )


def padding_fraction(batches, lengths):
    return 1 - lengths.sum() / sum(len(b) * lengths[b].max() for b in batches)


def plain_fit(fitted, X, y, input_feeding, epochs, device="cpu"):
    """Plain PyTorch: same network, same bucketed batches, same optimizer."""
    src = [fitted.source_tokenizer_.encode(t) for t in X]
    tgt = [fitted.target_tokenizer_.encode(t) for t in y]
    source, source_lengths = _pad_with_end(src)
    target, target_lengths = _pad_with_end(tgt)
    torch.manual_seed(0)
    network = Seq2SeqTranslationNetwork(
        fitted.source_vocab_size_, fitted.target_vocab_size_, fitted.max_source_length_,
        embedding_dim=64, hidden_size=128, attention="general", input_feeding=input_feeding,
        init_scale=fitted.init_scale,
    ).to(device).train()
    optimizer = torch.optim.Adam(network.parameters(), lr=1e-3)
    torch.set_flush_denormal(True)  # as the estimator does inside fit
    criterion = SequenceCrossEntropy(fitted.loss_normalization, ignore_index=PAD_ID)
    sampler = BucketBatchSampler(np.stack([source_lengths, target_lengths], 1), 64, True)
    source_t, lengths_t, target_t = map(torch.from_numpy, (source, source_lengths, target))
    for _ in range(epochs):
        for batch in sampler:
            index = torch.as_tensor(batch)
            Xb, yb = collate_token_batch((
                {"source": source_t[index], "source_lengths": lengths_t[index]},
                target_t[index],
            ))
            Xb = {key: value.to(device) for key, value in Xb.items()}
            yb = yb.to(device)
            optimizer.zero_grad()
            logits, _ = network(Xb["source"], Xb["source_lengths"], target=yb)
            loss = criterion(logits, yb)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), 5.0)
            optimizer.step()
            loss.item()
    torch.set_flush_denormal(False)  # the process default, which fit restores too
    return int(target_lengths.sum()) * epochs




def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--short-epochs", type=int, default=2)
    parser.add_argument("--init-scale", type=float, default=0.1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu", help='e.g. "cuda"')
    args = parser.parse_args(argv)
    X, y = make_reversal(20000, min_length=10, max_length=30, n_symbols=30, separator=" ",
                         random_state=0)
    X_valid, y_valid = make_reversal(1000, min_length=10, max_length=30, n_symbols=30,
                                     separator=" ", exclude=X, random_state=1)
    tokens_per_epoch = sum(len(t.split()) + 1 for t in y)
    print_header(f"task: {len(X)} train / {len(X_valid)} valid pairs, {tokens_per_epoch} "
                 "target tokens per epoch (end markers counted); model: " + str(MODEL)
                 + f"; init_scale={args.init_scale or None}; device={args.device}"
                 + (f" ({torch.cuda.get_device_name()})" if args.device.startswith("cuda")
                    else ""))

    rows = []
    full, seconds = timed(lambda: translator(True, args.epochs, args.init_scale, args.device).fit(X, y))
    rows.append(("fit, input feeding", args.epochs, tokens_per_epoch * args.epochs / seconds))
    greedy, greedy_s = timed(lambda: full.predict(X_valid))
    full.set_params(beam_size=5)
    beam, beam_s = timed(lambda: full.predict(X_valid))
    # No input feeding: --repeats interleaved pairs of (fit, plain loop), so
    # that the ratio compares runs made under the same machine load.
    short_rates, plain_rates = [], []
    for _ in range(args.repeats):
        _, seconds = timed(
            lambda: translator(False, args.short_epochs, args.init_scale, args.device).fit(X, y)
        )
        short_rates.append(tokens_per_epoch * args.short_epochs / seconds)
        tokens, seconds = timed(lambda: plain_fit(full, X, y, False, args.short_epochs, args.device))
        plain_rates.append(tokens / seconds)
    tokens, seconds = timed(lambda: plain_fit(full, X, y, True, args.short_epochs, args.device))
    rows += [
        ("fit, no input feeding", args.short_epochs, np.median(short_rates)),
        ("plain loop, input feeding", args.short_epochs, tokens / seconds),
        ("plain loop, no input feeding", args.short_epochs, np.median(plain_rates)),
    ]
    pair_ratio = np.median(np.divide(short_rates, plain_rates))

    print(f"{'training':<28} {'epochs':>6} {'tgt tok/s':>10} {'vs OpenNMT-py':>14}")
    for name, epochs, rate in rows:
        print(f"{name:<28} {epochs:>6} {rate:>10.0f} {rate / OPENNMT['tok/s']:>13.2f}x")
    print(f"no input feeding: median of {args.repeats} interleaved (fit, plain loop) pairs; "
          f"fit/plain {pair_ratio:.2f}x (median of the pairs' ratios)")
    print(f"input feeding: fit/plain {rows[0][2] / rows[2][2]:.2f}x (one run each, epochs "
          f"differ: {args.epochs} vs {args.short_epochs})")

    exact = {name: np.mean(pred == y_valid) for name, pred in (("greedy", greedy), ("beam 5", beam))}
    print(f"\nvalidation exact match after {args.epochs} epochs "
          f"({args.epochs * len(BucketBatchSampler(np.zeros((len(X), 1)), 64, True))} steps): "
          f"greedy {exact['greedy']:.1%}, beam 5 {exact['beam 5']:.1%} "
          f"(OpenNMT-py {OPENNMT['exact']:.1%})")
    print(f"decoding {len(X_valid)} sources: greedy {greedy_s:.2f} s "
          f"(OpenNMT-py {OPENNMT['greedy s']} s), beam 5 {beam_s:.2f} s "
          f"(OpenNMT-py {OPENNMT['beam5 s']} s)")

    lengths = np.array([len(t.split()) + 1 for t in y])
    random_batches = np.array_split(np.random.RandomState(0).permutation(len(y)), len(y) // 64)
    torch.manual_seed(0)
    buckets = BucketBatchSampler(np.stack([lengths, lengths], 1), 64, True).batches()
    print(f"target padding: random batches {padding_fraction(random_batches, lengths):.1%}, "
          f"length buckets {padding_fraction(buckets, lengths):.1%}")


if __name__ == "__main__":
    main()
