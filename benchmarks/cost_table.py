"""Cost table: seconds per training epoch, by size and attention score.

Translator (defaults: input feeding, embeddings 64, batch 64): one factor
at a time moves from a base of source length 50, target length 50, hidden
128, 2,000 pairs (random symbol strings; content does not change the cost).
Regressor: the co2 protocol (L=104, H=52, 1,672 windows), with and without
input feeding. Each cell is skorch's duration of one epoch (tokenization and
set-up excluded), the median of --repeats fits.

    python benchmarks/cost_table.py [--repeats 1] [--threads 2]
"""

import argparse
import statistics

import numpy as np
import torch
from _report import print_header

from sk_seqattn import Seq2SeqAttentionRegressor, Seq2SeqAttentionTranslator
from sk_seqattn.datasets import forecasting_split, load_co2

ATTENTIONS = ["dot", "general", "concat", "location", "none"]
BASE = {"source length": 50, "target length": 50, "hidden": 128, "samples": 2000}
FACTORS = {
    "source length": [10, 50, 200],
    "target length": [10, 50, 200],
    "hidden": [64, 128, 256],
    "samples": [1000, 2000, 4000],
}


def strings(rng, n, length):
    letters = np.array(list("abcdefghijklmnopqrst"))
    return ["".join(row) for row in letters[rng.randint(20, size=(n, length))]]


def epoch_seconds(model, X, y, repeats):
    durations = []
    for _ in range(repeats):
        model.fit(X, y)
        durations.append(model.history_[-1, "dur"])
    return statistics.median(durations)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args(argv)
    print_header(f"seconds per epoch; median of {args.repeats} fit(s); "
                 f"n_threads={args.threads}")
    rng = np.random.RandomState(0)
    cache = {}

    print("Seq2SeqAttentionTranslator, input_feeding=True; base " + str(BASE))
    print(f"{'factor':<14} {'value':>6} " + "".join(f"{a:>9}" for a in ATTENTIONS))
    for factor, values in FACTORS.items():
        for value in values:
            config = dict(BASE, **{factor: value})
            key = tuple(config.values())
            if key not in cache:
                X = strings(rng, config["samples"], config["source length"])
                y = strings(rng, config["samples"], config["target length"])
                cache[key] = [
                    epoch_seconds(Seq2SeqAttentionTranslator(
                        attention=attention, hidden_size=config["hidden"], max_epochs=1,
                        max_output_length=1, n_threads=args.threads, random_state=0,
                    ), X, y, args.repeats)
                    for attention in ATTENTIONS
                ]
            print(f"{factor:<14} {value:>6} " + "".join(f"{s:>9.2f}" for s in cache[key]),
                  flush=True)

    # The regressor has no thread parameter: it uses torch's thread count.
    torch.set_num_threads(args.threads)
    split = forecasting_split(load_co2(), 104, 52)
    print(f"\nSeq2SeqAttentionRegressor, co2 L=104 H=52, {len(split.X_train)} windows, "
          "hidden 64, batch 32")
    print(f"{'input feeding':<21} " + "".join(f"{a:>9}" for a in ATTENTIONS))
    for feeding in (False, True):
        seconds = [
            epoch_seconds(Seq2SeqAttentionRegressor(
                attention=attention, input_feeding=feeding, max_epochs=1, random_state=0,
            ), split.X_train, split.y_train, args.repeats)
            for attention in ATTENTIONS
        ]
        print(f"{str(feeding):<21} " + "".join(f"{s:>9.2f}" for s in seconds), flush=True)


if __name__ == "__main__":
    main()
