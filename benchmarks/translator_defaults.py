"""The translator's defaults against their alternatives, on the project's three tasks.

Each default is changed alone, on smaller versions of the translation
benchmarks: dates to ISO (``make_dates``, characters), reversal of 5 to 40
symbols (``make_reversal``, characters: the length-stress task) and
OpenNMT-py's reference task (reversal of 10 to 30 word tokens over 30
symbols, ``WordTokenizer``). A fixed small budget of epochs per task, so
that the settings that learn fastest stand out; test exact match, greedy,
seeds 0..N-1, mean and standard deviation per task, and the mean over the
tasks. The row "default" is ``Seq2SeqAttentionTranslator()`` with only the
tokenizers and ``max_epochs`` set.

    python benchmarks/translator_defaults.py [--seeds 3] [--n-train 6000]
        [--only default attention=general "lr=0.003;batch_size=32" epochs=1.5 ...]

A row may set several parameters, separated by ";"; ``epochs=F`` multiplies
every task's epochs by F (e.g. to compare settings at equal training time).
"""

import argparse
import ast

import numpy as np
from _report import print_header, timed

from sk_seqattn import CharTokenizer, Seq2SeqAttentionTranslator, WordTokenizer
from sk_seqattn.datasets import make_dates, make_reversal

# Each alternative to a default, one parameter at a time (the default in the comment).
ALTERNATIVES = [
    "default",
    "attention='general'",  # dot
    "attention='concat'",
    "alignment='local-p'",  # global
    "input_feeding=False",  # True
    "bidirectional=True",  # False
    "loss_normalization='tokens'",  # sentences
    "lr=0.003",  # 0.001
    "batch_size=32",  # 64
    "dropout=0.1",  # 0.0
    "precision='bf16'",  # fp32
]


def tasks(n_train, n_test):
    """name -> (X_train, y_train, X_test, y_test, tokenizer factory, epochs)."""
    X, y = make_dates(n_train, random_state=0)
    Xt, yt = make_dates(n_test, exclude=y, random_state=1)
    dates = (X, y, Xt, yt, lambda: CharTokenizer(lowercase=True), 2)
    X, y = make_reversal(n_train + n_test, min_length=5, max_length=40, random_state=0)
    length = (X[:n_train], y[:n_train], X[n_train:], y[n_train:], CharTokenizer, 4)
    X, y = make_reversal(n_train + n_test, min_length=10, max_length=30, n_symbols=30,
                         separator=" ", random_state=0)
    reference = (X[:n_train], y[:n_train], X[n_train:], y[n_train:], WordTokenizer, 4)
    return {"dates": dates, "reversal 5-40": length, "reference": reference}


def parse(alternative):
    """``"name=value;name=value"`` to parameters; ``epochs=F`` scales each task's epochs."""
    if alternative == "default":
        return {}
    params = {}
    for assignment in alternative.split(";"):
        name, value = assignment.split("=", 1)
        params[name] = ast.literal_eval(value)
    return params


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n-train", type=int, default=6000)
    parser.add_argument("--n-test", type=int, default=500)
    parser.add_argument("--only", nargs="+", default=ALTERNATIVES)
    args = parser.parse_args(argv)
    data = tasks(args.n_train, args.n_test)
    print_header(
        f"tasks: {', '.join(f'{k} ({v[5]} epochs)' for k, v in data.items())}; "
        f"{args.n_train} to fit, {args.n_test} to score; seeds 0..{args.seeds - 1}; each row "
        "changes one default")
    names = list(data)
    print(f"{'setting':<30}" + "".join(f"{name:>20}" for name in names)
          + f"{'mean':>8}{'fit s':>8}")
    for alternative in args.only:
        params = parse(alternative)
        factor = params.pop("epochs", 1)
        means, seconds, cells = [], [], []
        for name in names:
            X, y, Xt, yt, tokenizer, epochs = data[name]
            scores = []
            for seed in range(args.seeds):
                model = Seq2SeqAttentionTranslator(
                    source_tokenizer=tokenizer(), target_tokenizer=tokenizer(),
                    max_epochs=int(round(epochs * factor)), random_state=seed, **params)
                _, fit_seconds = timed(lambda: model.fit(X, y))
                seconds.append(fit_seconds)
                scores.append(model.score(Xt, yt))
            means.append(np.mean(scores))
            cells.append(f"{np.mean(scores):.3f} ± {np.std(scores):.3f}")
        print(f"{alternative:<30}" + "".join(f"{cell:>20}" for cell in cells)
              + f"{np.mean(means):>8.3f}{np.mean(seconds):>8.1f}", flush=True)


if __name__ == "__main__":
    main()
