"""Accuracy spread over seeds on OpenNMT-py's reference task, by loss normalization.

The task and model of translator_speed.py (reverse 10..30 word tokens,
20,000 pairs; 1-layer LSTM, embeddings 64, hidden 128, "general"
attention, input feeding, batch 64, Adam 1e-3, gradient norm 5), 10 epochs
(3,130 steps, OpenNMT-py's 3,000). For each ``loss_normalization`` and
each seed (``random_state``): validation exact match, greedy, and the last
epochs' training loss. A single run says little here: late loss spikes
under Adam decide whether a run ends at 90% or 99%.

    python benchmarks/translator_seeds.py [--seeds 0 1 2] [--epochs 10]
        [--normalization sentences tokens] [--param init_scale=None ...]

--param NAME=VALUE (repeatable) sets an estimator parameter, a Python
literal, on top of the task's model, and is recorded in the header; e.g.
``--param init_scale=None`` for PyTorch's initialisation. Keep the task
(data, model size, batch, optimizer, epochs) when comparing with
OpenNMT-py: only training-recipe settings are meant to change. Seeds and
loss normalization have their own options.
"""

import argparse

import numpy as np
from _report import parse_params, print_header, timed
from translator_speed import MODEL, translator

from sk_seqattn.datasets import make_reversal


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--normalization", nargs="+", default=["sentences", "tokens"])
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="an estimator parameter (Python literal value)")
    args = parser.parse_args(argv)
    params = {"init_scale": 0.1, **parse_params(args.param)}
    for name, option in (("random_state", "--seeds"), ("loss_normalization", "--normalization")):
        if name in params:
            parser.error(f"set {name} with {option}, not --param")
    X, y = make_reversal(20000, min_length=10, max_length=30, n_symbols=30, separator=" ",
                         random_state=0)
    X_valid, y_valid = make_reversal(1000, min_length=10, max_length=30, n_symbols=30,
                                     separator=" ", exclude=X, random_state=1)
    print_header(f"model: {MODEL}, input feeding, "
                 f"{', '.join(f'{k}={v!r}' for k, v in params.items())}, {args.epochs} epochs; "
                 "OpenNMT-py 3.5.1: 97.5% after 3,000 steps")
    print(f"{'loss_normalization':<19} {'seed':>4} {'exact match':>12} {'fit s':>6}  "
          "train loss, last 3 epochs (per sentence / per token)")
    for normalization in args.normalization:
        scores = []
        for seed in args.seeds:
            model = translator(True, args.epochs, 0.1).set_params(
                **params, random_state=seed, loss_normalization=normalization)
            _, seconds = timed(lambda: model.fit(X, y))
            scores.append(np.mean(model.predict(X_valid) == y_valid))
            losses = ", ".join(f"{loss:.3f}" for loss in model.history_[-3:, "train_loss"])
            print(f"{normalization:<19} {seed:>4} {scores[-1]:>12.1%} {seconds:>6.0f}  {losses}",
                  flush=True)
        print(f"{normalization:<19} {'mean':>4} {np.mean(scores):>12.1%} "
              f"(min {min(scores):.1%}, max {max(scores):.1%})", flush=True)


if __name__ == "__main__":
    main()
