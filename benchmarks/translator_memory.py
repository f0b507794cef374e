"""Memory of a 100,000-pair translator fit: compact arrays and peak RSS.

Generates 100,000 reversal pairs of 10..30 word tokens (the reference task's
distribution), fits the translator for one epoch without input feeding, and
reports the size of the stored id arrays (int32, padded to the longest
sequence; each batch is cut to its own longest one) and the process's peak
resident memory before and after fit.

    python benchmarks/translator_memory.py [--n-pairs 100000]
"""

import argparse
import resource
import time

from _report import print_header

from sk_seqattn import Seq2SeqAttentionTranslator, WordTokenizer
from sk_seqattn.datasets import make_reversal
from sk_seqattn.translation.translator import _pad_with_end


def peak_rss_mib():
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-pairs", type=int, default=100000)
    args = parser.parse_args(argv)
    X, y = make_reversal(args.n_pairs, min_length=10, max_length=30, n_symbols=30,
                         separator=" ", random_state=0)
    print_header(f"{args.n_pairs} pairs of 10..30 word tokens; 1 epoch, input_feeding=False")
    before = peak_rss_mib()
    model = Seq2SeqAttentionTranslator(
        attention="general", input_feeding=False, max_epochs=1, random_state=0,
        source_tokenizer=WordTokenizer(), target_tokenizer=WordTokenizer(),
    )
    start = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - start
    after = peak_rss_mib()

    source, lengths = _pad_with_end([model.source_tokenizer_.encode(t) for t in X])
    target, _ = _pad_with_end([model.target_tokenizer_.encode(t) for t in y])
    compact = source.nbytes + lengths.nbytes + target.nbytes
    print(f"stored arrays: source {source.shape} {source.dtype}, target {target.shape} "
          f"{target.dtype}, lengths: {compact / 2**20:.1f} MiB "
          f"(as int64: {(2 * source.nbytes + lengths.nbytes + 2 * target.nbytes) / 2**20:.1f} MiB)")
    print(f"peak RSS: {before:.0f} MiB before fit (data generated), {after:.0f} MiB after; "
          f"fit {seconds:.0f} s")


if __name__ == "__main__":
    main()
