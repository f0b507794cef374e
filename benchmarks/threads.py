"""torch threads: one fit alone, and GridSearchCV(n_jobs=2), by torch's thread count.

Workload: the regressor on the co2 protocol (L=104, H=52, 1,672 windows),
--epochs epochs. The regressor uses torch's intra-op thread count
(``torch.set_num_threads``; it has no thread parameter of its own). Alone:
1 vs 2 threads. Under GridSearchCV(n_jobs=2) over four attention scores
with cv=2 (8 fits): joblib's default (it sets OMP_NUM_THREADS=cores//n_jobs
in its workers, so 1 here) vs forcing 2 threads in each worker
(``joblib.parallel_config(backend="loky", inner_max_num_threads=2)``: 2
workers x 2 threads on the cores). Each search runs in a fresh process (its
time includes the imports) and process group; one still running after
--limit times the default's time is stopped, and the table says so.

    python benchmarks/threads.py [--epochs 2] [--limit 10]
"""

import argparse
import os
import signal
import subprocess
import sys
import time

import torch
from _report import print_header, timed
from joblib import parallel_config
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from sk_seqattn import Seq2SeqAttentionRegressor
from sk_seqattn.datasets import forecasting_split, load_co2




def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--limit", type=float, default=10.0,
                        help="stop the oversubscribed search after this many times "
                             "the default search's time")
    parser.add_argument("--search", help=argparse.SUPPRESS)  # child process: one search
    args = parser.parse_args(argv)
    if args.search:
        search(None if args.search == "none" else int(args.search), args.epochs)
        return
    split = forecasting_split(load_co2(), 104, 52)
    X, y = split.X_train, split.y_train
    print_header(f"co2 windows {X.shape}, {args.epochs} epochs per fit")

    def fit(n_threads):
        previous = torch.get_num_threads()
        torch.set_num_threads(n_threads)
        try:
            return Seq2SeqAttentionRegressor(max_epochs=args.epochs, random_state=0).fit(X, y)
        finally:
            torch.set_num_threads(previous)

    fit(1)  # warm-up
    alone = {n: timed(lambda: fit(n))[1] for n in (1, 2)}
    print(f"one fit alone: n_threads=1 {alone[1]:.1f} s, n_threads=2 {alone[2]:.1f} s "
          f"({alone[1] / alone[2]:.2f}x faster with 2)", flush=True)

    default = run_search(None, args.epochs, timeout=None)
    print(f"GridSearchCV(n_jobs=2), 8 fits: n_threads=None (1 per worker) {default:.1f} s",
          flush=True)
    limit = args.limit * default
    oversubscribed = run_search(2, args.epochs, timeout=limit)
    if oversubscribed is None:
        print(f"GridSearchCV(n_jobs=2), 8 fits: n_threads=2 per worker did not finish in "
              f"{limit:.0f} s, stopped: more than {args.limit:g}x slower (4 busy threads "
              "on the cores)")
    else:
        print(f"GridSearchCV(n_jobs=2), 8 fits: n_threads=2 per worker {oversubscribed:.1f} s "
              f"({oversubscribed / default:.1f}x slower: 4 busy threads on the cores)")


def search(n_threads, epochs):
    """n_threads None: joblib's default threads per worker; else that many."""
    split = forecasting_split(load_co2(), 104, 52)
    estimator = Seq2SeqAttentionRegressor(max_epochs=epochs, random_state=0)
    grid = {"attention": ["dot", "general", "concat", "location"]}
    # loky is GridSearchCV's default backend; inner_max_num_threads=None keeps
    # its default, cores // n_jobs threads per worker.
    with parallel_config(backend="loky", inner_max_num_threads=n_threads):
        GridSearchCV(estimator, grid, cv=TimeSeriesSplit(2), n_jobs=2, refit=False).fit(
            split.X_train, split.y_train)


def run_search(n_threads, epochs, timeout):
    """Seconds one search takes in a fresh process group; None past ``timeout``.

    The group is killed as a whole on timeout, joblib's workers included.
    """
    command = [sys.executable, __file__, "--epochs", str(epochs),
               "--search", "none" if n_threads is None else str(n_threads)]
    start = time.perf_counter()
    child = subprocess.Popen(command, start_new_session=True)
    try:
        child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        return None
    if child.returncode:
        raise RuntimeError(f"{' '.join(command)} failed with exit code {child.returncode}")
    return time.perf_counter() - start

if __name__ == "__main__":
    main()
