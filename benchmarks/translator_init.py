"""The translator's initialisation on the small reversal task its default is pinned on.

The defaults (``init_scale=None``, PyTorch's initialisation) against Luong's
uniform ``[-0.1, 0.1]`` (``init_scale=0.1``): 4 epochs on 3,000 reversals of
4 to 8 symbols, scored by exact match on 200 more, seeds 0..2. The test
``test_the_default_initialisation_learns_a_reversal_that_luongs_does_not``
(tests/translation/test_translator.py) fits the default with seed 0.

    python benchmarks/translator_init.py
"""

import argparse

import numpy as np
from _report import print_header, timed

from sk_seqattn import Seq2SeqAttentionTranslator
from sk_seqattn.datasets import make_reversal


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    X, y = make_reversal(3200, min_length=4, max_length=8, random_state=0)
    print_header("data: make_reversal(3200, min_length=4, max_length=8, random_state=0), "
                 "3,000 to fit, 200 to score; Seq2SeqAttentionTranslator(max_epochs=4), its "
                 "other parameters default")
    print(f"{'init_scale':<12} {'exact match per seed':<28} {'mean':>6} {'fit s':>7}")
    for init_scale in (None, 0.1):
        scores, seconds = [], []
        for seed in range(args.seeds):
            model = Seq2SeqAttentionTranslator(max_epochs=4, init_scale=init_scale,
                                               random_state=seed)
            _, fit_seconds = timed(lambda: model.fit(X[:3000], y[:3000]))
            scores.append(model.score(X[3000:], y[3000:]))
            seconds.append(fit_seconds)
        shown = ", ".join(f"{score:.3f}" for score in scores)
        print(f"{str(init_scale):<12} {shown:<28} {np.mean(scores):>6.3f} "
              f"{np.mean(seconds):>7.1f}", flush=True)


if __name__ == "__main__":
    main()
