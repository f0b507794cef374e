"""torch threads: one fit alone, and GridSearchCV(n_jobs=2), by n_threads.

Workload: the regressor on the co2 protocol (L=104, H=52, 1,672 windows),
--epochs epochs. Alone: n_threads=1 vs 2. Under GridSearchCV(n_jobs=2) over
four attention scores with cv=2 (8 fits): the default n_threads=None (joblib
sets OMP_NUM_THREADS=cores//n_jobs in its workers, so 1 here) vs forcing
n_threads=2 in each worker (2 workers x 2 threads on the cores).

    python benchmarks/threads.py [--epochs 2]
"""

import argparse

from _report import print_header, timed
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from sk_seqattn import Seq2SeqAttentionRegressor
from sk_seqattn.datasets import forecasting_split, load_co2




def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args(argv)
    split = forecasting_split(load_co2(), 104, 52)
    X, y = split.X_train, split.y_train
    print_header(f"co2 windows {X.shape}, {args.epochs} epochs per fit")

    def fit(n_threads):
        return Seq2SeqAttentionRegressor(max_epochs=args.epochs, n_threads=n_threads,
                                         random_state=0).fit(X, y)

    fit(1)  # warm-up
    alone = {n: timed(lambda: fit(n))[1] for n in (1, 2)}
    print(f"one fit alone: n_threads=1 {alone[1]:.1f} s, n_threads=2 {alone[2]:.1f} s "
          f"({alone[1] / alone[2]:.2f}x faster with 2)", flush=True)

    def search(n_threads):
        estimator = Seq2SeqAttentionRegressor(max_epochs=args.epochs, n_threads=n_threads,
                                              random_state=0)
        grid = {"attention": ["dot", "general", "concat", "location"]}
        GridSearchCV(estimator, grid, cv=TimeSeriesSplit(2), n_jobs=2, refit=False).fit(X, y)

    _, default = timed(lambda: search(None))
    print(f"GridSearchCV(n_jobs=2), 8 fits: n_threads=None (1 per worker) {default:.1f} s",
          flush=True)
    _, oversubscribed = timed(lambda: search(2))
    print(f"GridSearchCV(n_jobs=2), 8 fits: n_threads=2 per worker {oversubscribed:.1f} s "
          f"({oversubscribed / default:.1f}x slower: 4 busy threads on the cores)")


if __name__ == "__main__":
    main()
