"""Dates to ISO: the default Seq2SeqAttentionTranslator on babel-rendered dates.

20,000 training dates and 2,000 test dates (no calendar day shared), 8
locales, 3 formats each (see sk_seqattn.datasets.make_dates). A callback
scores the test set after every epoch, with its own time kept out of the
training clock, so the table shows test exact match against training time,
for the default translator (global alignment), the same with Luong's
local-p alignment (``local_width=10``) and, for comparison,
attention="none"; every configuration with ``random_state`` 0..N-1.

    python benchmarks/translator_dates.py [--n-train 20000] [--attention dot none]
        [--alignment global local-p] [--seeds 1] [--n-threads 1]
"""

import argparse
import time

from _report import parse_params, print_header
from skorch.callbacks import Callback

from sk_seqattn import Seq2SeqAttentionTranslator
from sk_seqattn.datasets import make_dates


class TestScore(Callback):
    """After each epoch: test exact match, and training seconds so far."""

    def __init__(self, model, X_test, y_test):
        self.model, self.X_test, self.y_test = model, X_test, y_test

    def __deepcopy__(self, memo):
        # fit() deep-copies its callbacks; this one must report back here.
        return self

    def on_train_begin(self, net, **kwargs):
        self.rows, self.scoring_seconds, self.start = [], 0.0, time.perf_counter()

    def on_epoch_end(self, net, **kwargs):
        start = time.perf_counter()
        self.model.net_ = net  # score with the weights of this epoch
        accuracy = self.model.score(self.X_test, self.y_test)
        self.scoring_seconds += time.perf_counter() - start
        training = time.perf_counter() - self.start - self.scoring_seconds
        self.rows.append((len(net.history), training, accuracy))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=20000)
    parser.add_argument("--n-test", type=int, default=2000)
    parser.add_argument("--attention", nargs="+", default=["dot", "none"])
    parser.add_argument("--alignment", nargs="+", default=["global", "local-p"],
                        help="alignments for every attention but 'none'")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--n-threads", type=int, default=1)
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a translator parameter (e.g. init_scale=0.1)")
    args = parser.parse_args(argv)
    params = parse_params(args.param)
    X_train, y_train = make_dates(args.n_train, random_state=0)
    X_test, y_test = make_dates(args.n_test, exclude=y_train, random_state=1)
    print_header(f"data: {args.n_train} train / {args.n_test} test dates, disjoint days; "
                 f"e.g. {X_test[0]!r} -> {y_test[0]!r}; n_threads={args.n_threads}")
    configs = [(attention, alignment) for attention in args.attention
               for alignment in (["global"] if attention == "none" else args.alignment)]
    for seed in range(args.seeds):
        for attention, alignment in configs:
            model = Seq2SeqAttentionTranslator(attention=attention, alignment=alignment,
                                               random_state=seed, n_threads=args.n_threads,
                                               **params)
            scores = TestScore(model, X_test, y_test)
            model.set_params(callbacks=[scores])
            model.fit(X_train, y_train)
            print(f"attention={attention!r}, alignment={alignment!r}, random_state={seed}, "
                  f"{params} (all other parameters default)")
            print(f"{'epoch':>5} {'training s':>10} {'test exact match':>17}")
            for epoch, seconds, accuracy in scores.rows:
                print(f"{epoch:>5} {seconds:>10.1f} {accuracy:>17.2%}")
            reached = [(e, s) for e, s, a in scores.rows if a >= 0.99]
            print(f"-> 99% first reached at epoch {reached[0][0]}, after {reached[0][1]:.0f} s "
                  "of training" if reached else "-> 99% not reached", "\n", flush=True)


if __name__ == "__main__":
    main()
