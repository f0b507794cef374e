"""Length stress: reverse random strings of 5..100 symbols, dot attention vs none.

Luong et al. (Fig. 6) found attentional models hold up on long sentences
where the plain encoder-decoder collapses; this measures the same effect.
Test exact match by source-length bucket, both models trained alike in one
run (no input feeding, as the anchor's hand-written reference).

    python benchmarks/translator_length_stress.py [--n-train 20000] [--epochs 5]
        [--init-scale 0.1]

--init-scale A sets the translator's init_scale (default 0.1, the
translator's default); 0 means None, PyTorch's default initialisation.
"""

import argparse
import time

import numpy as np
from _report import print_header

from sk_seqattn import Seq2SeqAttentionTranslator
from sk_seqattn.datasets import make_reversal

BUCKETS = [(5, 10), (11, 20), (21, 30), (31, 40), (41, 50), (51, 60), (61, 70),
           (71, 80), (81, 90), (91, 100)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-train", type=int, default=20000)
    parser.add_argument("--n-test", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--attention", nargs="+", default=["dot", "none"])
    parser.add_argument("--init-scale", type=float, default=0.1)
    args = parser.parse_args(argv)
    X_train, y_train = make_reversal(args.n_train, random_state=0)
    X_test, y_test = make_reversal(args.n_test, exclude=X_train, random_state=1)
    lengths = np.array([len(x) for x in X_test])
    print_header(f"data: {args.n_train} train / {args.n_test} test strings, lengths 5..100, "
                 f"20 symbols; {args.epochs} epochs of batch 64, input_feeding=False, "
                 f"init_scale={args.init_scale or None}")
    rows = {}
    for attention in args.attention:
        model = Seq2SeqAttentionTranslator(
            attention=attention, input_feeding=False, max_epochs=args.epochs,
            init_scale=args.init_scale or None, random_state=0,
        )
        start = time.perf_counter()
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        correct = model.predict(X_test) == y_test
        rows[attention] = (correct, seconds)
        print(f"{attention}: fit {seconds:.0f} s, overall exact match {correct.mean():.1%}",
              flush=True)
    print(f"\n{'source length':<14}" + "".join(f"{a:>8}" for a in rows))
    for low, high in BUCKETS:
        in_bucket = (lengths >= low) & (lengths <= high)
        print(f"{f'{low}-{high}':<14}"
              + "".join(f"{correct[in_bucket].mean():>8.2f}" for correct, _ in rows.values()))


if __name__ == "__main__":
    main()
