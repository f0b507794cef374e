"""Autocast helpers of the networks (see :mod:`sk_seqattn.training.precision`)."""

from contextlib import nullcontext

import torch

__all__ = []


def at_least_fp32(tensor):
    """``tensor`` in fp32 where autocast left it in bf16 or fp16; fp32 and fp64 stay."""
    if tensor.dtype in (torch.bfloat16, torch.float16):
        return tensor.float()
    return tensor


def fp32_region(tensor):
    """A context with autocast off on ``tensor``'s device, for code that must run in fp32.

    Inside it, pass tensors through :func:`at_least_fp32`: an autocast
    region before it may have left them in bf16.
    """
    device_type = tensor.device.type
    if not torch.is_autocast_enabled(device_type):
        return nullcontext()
    return torch.autocast(device_type, enabled=False)
