"""What the benchmarks share: the header they print (command, machine, date), a timer."""

import datetime
import os
import platform
import sys
import time

import torch


def print_header(extra=""):
    print(f"command: python {' '.join(sys.argv)}")
    print(f"date: {datetime.datetime.now().isoformat(timespec='seconds')}")
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} torch thread(s)")
    if extra:
        print(extra)
    print()


def timed(fn):
    """``(fn(), wall-clock seconds it took)``."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start
