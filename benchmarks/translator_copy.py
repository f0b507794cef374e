"""Copying names never seen: ``copy_attention`` against ``replace_unk``.

``make_names`` sentences (six templates with reordering, one swapping two
names; every name occurs in one sample only, so under
``WordTokenizer(min_frequency=2)`` every name is ``<unk>`` and every test
name is unseen): the translator with its defaults and word tokenizers, with
Luong's unknown-word replacement (``replace_unk=True``) and with
pointer-generator copy attention (``copy_attention=True``), scored by exact
match with greedy decoding and with beam search (``beam_size=5``), per seed.

    python benchmarks/translator_copy.py
"""

import argparse
import copy

import numpy as np
from _report import parse_params, print_header, timed

from sk_seqattn import Seq2SeqAttentionTranslator, WordTokenizer
from sk_seqattn.datasets import make_names

VARIANTS = {"replace_unk": {"replace_unk": True}, "copy_attention": {"copy_attention": True}}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--train", type=int, default=3000)
    parser.add_argument("--test", type=int, default=300)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--param", nargs="*", default=[],
                        help="extra translator parameters, name=value")
    args = parser.parse_args(argv)
    extra = parse_params(args.param)
    X, y = make_names(args.train + args.test, random_state=0)
    X_train, y_train, X_test, y_test = X[: args.train], y[: args.train], X[args.train:], y[
        args.train:]
    print_header(
        f"data: make_names({args.train + args.test}, random_state=0), {args.train} to fit, "
        f"{args.test} to score (every name unseen); Seq2SeqAttentionTranslator("
        f"source_tokenizer=WordTokenizer(min_frequency=2), target_tokenizer=the same, "
        f"max_epochs={args.epochs}, <variant>{', ' if extra else ''}"
        f"{', '.join(f'{k}={v!r}' for k, v in extra.items())}), other parameters default")
    print(f"{'variant':<16} {'decoding':<9} {'exact match per seed':<24} {'mean':>6} {'std':>6} "
          f"{'fit s':>7}")
    for variant in args.variants:
        scores = {"greedy": [], "beam 5": []}
        seconds = []
        for seed in range(args.seeds):
            model = Seq2SeqAttentionTranslator(
                source_tokenizer=WordTokenizer(min_frequency=2),
                target_tokenizer=WordTokenizer(min_frequency=2), max_epochs=args.epochs,
                random_state=seed, **VARIANTS[variant], **extra)
            _, fit_seconds = timed(lambda: model.fit(X_train, y_train))
            seconds.append(fit_seconds)
            scores["greedy"].append(model.score(X_test, y_test))
            beam = copy.deepcopy(model).set_params(beam_size=5)
            scores["beam 5"].append(beam.score(X_test, y_test))
        for decoding, values in scores.items():
            shown = ", ".join(f"{v:.3f}" for v in values)
            print(f"{variant:<16} {decoding:<9} {shown:<24} {np.mean(values):>6.3f} "
                  f"{np.std(values):>6.3f} {np.mean(seconds):>7.1f}", flush=True)


if __name__ == "__main__":
    main()
