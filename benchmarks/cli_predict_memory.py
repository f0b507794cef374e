"""Peak memory of ``sk-seqattn predict`` as the input grows to 1,000,000 lines.

A small character-level model (``sk-seqattn fit translate``, reversing
strings of 3-8 letters) translates files of 10,000, 100,000 and 1,000,000
short sources. The command reads its input in chunks and writes each
chunk's translations before reading on, and predict keeps no attention
matrices, so its peak resident memory should not grow with the file. Each
command runs as a child process; its own peak RSS is read with
``/proc/<pid>/status`` (the fit's is reported apart).

    python benchmarks/cli_predict_memory.py [--sizes 10000 100000 1000000]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from _report import print_header


def run(command, stdout=subprocess.DEVNULL):
    """(peak RSS in MiB, seconds) of a child process.

    The peak is the child's ``VmHWM`` (Linux), polled until it exits: it
    counts only the command's own memory. (``ru_maxrss`` from ``wait4`` would
    also count the pages of this process copied at fork.)
    """
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=stdout, stderr=subprocess.PIPE)
    peak_kib = 0
    while process.poll() is None:
        try:
            with open(f"/proc/{process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peak_kib = max(peak_kib, int(line.split()[1]))
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    stderr = process.stderr.read().decode()
    process.stderr.close()
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr}")
    return peak_kib / 1024, seconds


def words(rng, n):
    lengths = rng.integers(3, 9, size=n)
    letters = rng.integers(0, 8, size=lengths.sum())
    chars = np.array(list("abcdefgh"))[letters]
    return ["".join(word) for word in np.split(chars, np.cumsum(lengths)[:-1])]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args(argv)
    print_header("model: sk-seqattn fit translate, char tokenizer, hidden 32, embedding 16, "
                 "2 epochs on 2,000 reversal pairs; greedy decoding, batches of 64\n"
                 "input: one source of 3-8 letters per line; output to /dev/null")
    rng = np.random.default_rng(0)
    cli = [sys.executable, "-m", "sk_seqattn"]
    with tempfile.TemporaryDirectory() as folder:
        pairs = os.path.join(folder, "pairs.tsv")
        with open(pairs, "w") as handle:
            handle.writelines(f"{w}\t{w[::-1]}\n" for w in words(rng, 2000))
        model = os.path.join(folder, "model.skm")
        rss, seconds = run(cli + ["fit", "translate", pairs, "--model", model,
                                  "--hidden-size", "32", "--embedding-dim", "16",
                                  "--max-epochs", "2", "--random-state", "0"])
        print(f"fit: peak RSS {rss:.0f} MiB, {seconds:.1f} s\n")
        print(f"{'sources':>10} {'file MiB':>9} {'peak RSS MiB':>13} {'seconds':>8} "
              f"{'sources/s':>10}")
        for size in args.sizes:
            sources = os.path.join(folder, f"sources_{size}.txt")
            with open(sources, "w") as handle:
                handle.writelines(f"{w}\n" for w in words(rng, size))
            rss, seconds = run(cli + ["predict", sources, "--model", model])
            print(f"{size:>10,} {os.path.getsize(sources) / 2**20:>9.1f} {rss:>13.0f} "
                  f"{seconds:>8.1f} {size / seconds:>10,.0f}", flush=True)
            os.remove(sources)


if __name__ == "__main__":
    main()
