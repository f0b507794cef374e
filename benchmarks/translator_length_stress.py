"""Length stress: reverse random strings of 5..100 symbols, by source length, over seeds.

Luong et al. (Fig. 6) found attentional models hold up on long sentences
where the plain encoder-decoder collapses; this measures the same effect.
Test exact match by source-length bucket for several configurations, all
trained alike in one run (no input feeding, as the anchor's hand-written
reference), each with ``random_state`` 0..N-1 on the same data; the table
gives the mean and the sample standard deviation over the seeds.

    python benchmarks/translator_length_stress.py [--seeds 3] [--n-train 20000]
        [--epochs 5] [--configs dot local-p-general none] [--init-scale 0.1]
        [--param NAME=VALUE ...] [--n-threads 1]

Configurations: ``dot`` (global dot attention, the default), ``general``,
``local-p-general`` (Luong's best: local-p with the general score,
``local_width=10``), ``local-p-dot``, ``local-m-dot`` and ``none`` (no
attention). ``--init-scale A`` sets ``init_scale`` (default 0.1, Luong's, the
translator's default until 2026-12; 0 means None, PyTorch's initialisation, the
translator's default now);
``--param`` sets any other translator parameter for every configuration.
"""

import argparse
import time

import numpy as np
from _report import parse_params, print_header

from sk_seqattn import Seq2SeqAttentionTranslator
from sk_seqattn.datasets import make_reversal

BUCKETS = [(5, 10), (11, 20), (21, 30), (31, 40), (41, 50), (51, 60), (61, 70),
           (71, 80), (81, 90), (91, 100)]
CONFIGS = {
    "dot": {"attention": "dot"},
    "general": {"attention": "general"},
    "local-p-general": {"attention": "general", "alignment": "local-p"},
    "local-p-dot": {"attention": "dot", "alignment": "local-p"},
    "local-m-dot": {"attention": "dot", "alignment": "local-m"},
    "none": {"attention": "none"},
}
# The anchor's hand-written PyTorch model (shared/docs/anchors.md), one run.
REFERENCE = {(5, 10): 0.98, (21, 30): 0.81, (51, 60): 0.36, (91, 100): 0.01}


def bucket_scores(correct, lengths):
    """Exact match per bucket, then overall."""
    return [correct[(lengths >= low) & (lengths <= high)].mean() for low, high in BUCKETS] + [
        correct.mean()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=20000)
    parser.add_argument("--n-test", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--configs", nargs="+", default=["dot", "local-p-general", "none"],
                        choices=list(CONFIGS))
    parser.add_argument("--init-scale", type=float, default=0.1)
    parser.add_argument("--param", action="append", default=[],
                        help="NAME=VALUE, a translator parameter for every configuration")
    parser.add_argument("--n-threads", type=int, default=1)
    args = parser.parse_args(argv)
    extra = {"init_scale": args.init_scale or None, **parse_params(args.param)}
    X_train, y_train = make_reversal(args.n_train, random_state=0)
    X_test, y_test = make_reversal(args.n_test, exclude=X_train, random_state=1)
    lengths = np.array([len(x) for x in X_test])
    steps = args.epochs * -(-args.n_train // 64)
    print_header(f"data: {args.n_train} train / {args.n_test} test strings, lengths 5..100, "
                 f"20 symbols; {args.epochs} epochs of batch 64 ({steps} steps), "
                 f"input_feeding=False, n_threads={args.n_threads}; for every configuration: "
                 f"{extra}; seeds (random_state) 0..{args.seeds - 1}, same data")
    scores = {name: [] for name in args.configs}  # name -> per seed: buckets + overall
    print(f"{'configuration':<16} {'seed':>4} {'fit s':>6} {'all':>6}  "
          + " ".join(f"{low:>4}+" for low, _ in BUCKETS) + "  train loss per epoch")
    for seed in range(args.seeds):
        for name in args.configs:
            model = Seq2SeqAttentionTranslator(
                **CONFIGS[name], **extra, input_feeding=False, max_epochs=args.epochs,
                random_state=seed, n_threads=args.n_threads,
            )
            start = time.perf_counter()
            model.fit(X_train, y_train)
            seconds = time.perf_counter() - start
            row = bucket_scores(model.predict(X_test) == y_test, lengths)
            scores[name].append(row)
            losses = ", ".join(f"{loss:.1f}" for loss in model.history_[:, "train_loss"])
            print(f"{name:<16} {seed:>4} {seconds:>6.0f} {row[-1]:>6.1%}  "
                  + " ".join(f"{s:>5.2f}" for s in row[:-1]) + f"  {losses}", flush=True)

    width = 16
    print(f"\nTest exact match, mean ± sd over {args.seeds} seed(s) "
          f"(sd: sample standard deviation)")
    print(f"{'source length':<14}" + "".join(f"{name:>{width}}" for name in scores)
          + f"{'reference':>{width}}")
    for i, bucket in enumerate(BUCKETS + ["all"]):
        label = "all" if bucket == "all" else f"{bucket[0]}-{bucket[1]}"
        cells = []
        for rows in scores.values():
            values = np.array([row[i] for row in rows])
            sd = values.std(ddof=1) if len(values) > 1 else 0.0
            cells.append(f"{values.mean():.2f} ± {sd:.2f}" if bucket != "all"
                         else f"{values.mean():.1%} ± {sd:.1%}")
        reference = REFERENCE.get(bucket)
        reference = "47%" if bucket == "all" else "" if reference is None else f"{reference:.2f}"
        print(f"{label:<14}" + "".join(f"{c:>{width}}" for c in cells) + f"{reference:>{width}}")
    names = list(scores)
    means = {name: np.mean(rows, axis=0) for name, rows in scores.items()}
    for name in names:
        if name == "none":
            continue
        misses = [f"{low}-{high}" for (low, high), m in zip(BUCKETS, means[name])
                  if (low, high) in REFERENCE and m < REFERENCE[(low, high)]]
        line = f"{name}: mean at or above the reference in " + (
            "all 4 reference buckets" if not misses else f"all but {', '.join(misses)}")
        if "none" in means:
            below = [f"{low}-{high}" for (low, high), a, b in
                     zip(BUCKETS, means[name], means["none"]) if a <= b]
            line += "; above none in " + (
                "every bucket" if not below else f"all but {', '.join(below)}")
        print(line)


if __name__ == "__main__":
    main()
