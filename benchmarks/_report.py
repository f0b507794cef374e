"""What the benchmarks share: the header they print (command, machine, date), a timer,
window standardisation and ``--param`` parsing."""

import ast
import datetime
import os
import platform
import shlex
import sys
import time

import torch


def print_header(extra=""):
    # shlex: the line pastes back into a shell as it ran (quotes kept).
    print(f"command: python {shlex.join(sys.argv)}")
    print(f"date: {datetime.datetime.now().isoformat(timespec='seconds')}")
    print(f"machine: {platform.platform()}, {cpu_model()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}, torch {torch.__version__} "
          f"(CPU capability {torch.backends.cpu.get_cpu_capability()}), "
          f"{torch.get_num_threads()} torch thread(s)")
    if extra:
        print(extra)
    print()


def cpu_model():
    """The CPU's model name (Linux), or what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def standardise_windows(X):
    """Each window (row) standardised by its own mean and std (a zero std -> 1).

    Returns ``(X_standardised, mean, scale)``; map outputs back with
    ``output * scale + mean``.
    """
    mean, scale = X.mean(1, keepdims=True), X.std(1, keepdims=True)
    scale[scale == 0] = 1.0
    return (X - mean) / scale, mean, scale


def timed(fn):
    """``(fn(), wall-clock seconds it took)``."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def parse_params(items):
    """``--param NAME=VALUE`` arguments as a dict, each value a Python literal."""
    return {name: ast.literal_eval(value)
            for name, value in (item.split("=", 1) for item in items)}
