"""Mixed precision: bf16 autocast where the hardware has bf16 units.

``precision="bf16"`` runs the networks' forward passes under
``torch.autocast(dtype=torch.bfloat16)``: matrix products, linear layers and
the encoder's RNN in bf16, on CPUs with bf16 instructions (AVX512_BF16 or
AMX) and on GPUs that support bf16. What must stay accurate stays in fp32:
the attention softmax, the loss, the forecaster's output head, the copy
mixture, and the teacher-forced input-feeding loop of
:mod:`sk_seqattn.nn.fused_decoder` (hand-written for fp32; its step is
sequential, so small products dominate it and bf16 would gain little).
Parameters and optimizer state stay fp32 (autocast casts per operation),
so no loss scaling is needed, unlike fp16.
"""

import functools
import os
import warnings
from contextlib import nullcontext

import torch

__all__ = ["PRECISIONS", "has_bf16_units", "resolve_precision", "autocast"]

# Each precision's autocast dtype (None: no autocast).
_AUTOCAST_DTYPES = {"fp32": None, "bf16": torch.bfloat16}
PRECISIONS = tuple(_AUTOCAST_DTYPES)


@functools.lru_cache(maxsize=None)
def _cpu_flags():
    # The CPU's feature flags where the OS lists them (Linux); None elsewhere.
    if not os.path.exists("/proc/cpuinfo"):
        return None
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("flags"):
                return frozenset(line.split(":", 1)[1].split())
    return None


def has_bf16_units(device="cpu"):
    """Whether ``device`` computes bf16 products natively.

    CUDA: ``torch.cuda.is_bf16_supported()``. CPU: the AVX512_BF16 or AMX
    BF16 flag where the OS lists the CPU's flags (Linux); elsewhere,
    oneDNN's own check.
    """
    device = torch.device(device)
    if device.type == "cuda":
        return torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    if device.type != "cpu":
        return False
    flags = _cpu_flags()
    if flags is not None:
        return bool({"avx512_bf16", "amx_bf16"} & flags)
    return bool(torch.backends.mkldnn.is_available()
                and torch.ops.mkldnn._is_mkldnn_bf16_supported())


def resolve_precision(precision, device, owner):
    """The precision to run ``precision`` in on ``device``: itself, or "fp32".

    Warns (naming ``owner``) and returns "fp32" when ``precision="bf16"``
    but the device has no bf16 units: emulated bf16 would be slower than fp32.
    """
    if precision == "bf16" and not has_bf16_units(device):
        warnings.warn(
            f"{owner}: precision='bf16' was asked for, but {torch.device(device)} has no bf16 "
            "units (CPUs need AVX512_BF16 or AMX); running in fp32.",
            UserWarning, stacklevel=3,
        )
        return "fp32"
    return precision


def autocast(precision, device):
    """``torch.autocast`` for ``precision`` on ``device``'s type; a no-op for "fp32"."""
    dtype = _AUTOCAST_DTYPES[precision]
    if dtype is None:
        return nullcontext()
    return torch.autocast(torch.device(device).type, dtype=dtype)
