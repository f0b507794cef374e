"""One model trained by several processes: PyTorch's DistributedDataParallel, launched by torchrun.

Each process reads its own shard of a panel into a
:class:`~sk_seqattn.PanelWindows` and calls
``Seq2SeqAttentionRegressor(...).fit(panel)`` as it would alone; after
:func:`init_distributed` has joined the process group that ``torchrun``
describes, ``fit`` trains one network across the processes:

- the settings, the normalisation and the floor are process 0's (the
  "auto" log transform is dropped if any process' values forbid it), sent
  to the others, so every process prepares its windows alike;
- the module is wrapped in ``torch.nn.parallel.DistributedDataParallel``
  for the training (gloo on CPUs, NCCL on GPUs): it starts from process 0's
  weights and averages the gradients of every step, so the weights stay
  equal on every process;
- every process takes as many optimizer steps an epoch as the process with
  the fewest (each draws its epoch from its own shard);
- :func:`~sk_seqattn.save` writes from process 0 only, atomically.

A process that fails or leaves during training ends the others' ``fit``
with a ``RuntimeError`` saying so (nothing is fitted, nothing saved), and a
process that cannot reach the others within ``timeout`` fails with one
naming the address.
"""

import datetime
import os

import torch
import torch.distributed as dist
from skorch.callbacks import Callback

__all__ = ["init_distributed", "world"]

_TORCHRUN_VARIABLES = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")


def init_distributed(backend=None, timeout=300.0):
    """Join the process group that ``torchrun`` (or the same environment) describes.

    Parameters
    ----------
    backend : str or None, default=None
        None: "nccl" where CUDA is available, else "gloo".
    timeout : float, default=300.0
        Seconds to wait for the other processes, at the start and at every
        collective operation.

    Raises
    ------
    RuntimeError
        When the environment lacks torchrun's variables, or the others
        cannot be reached within ``timeout`` (the message names the address).
    """
    if dist.is_initialized():
        return
    missing = [name for name in _TORCHRUN_VARIABLES if name not in os.environ]
    if missing:
        raise RuntimeError(
            f"init_distributed reads the environment torchrun sets; {missing} missing. "
            "Launch the script with: torchrun --nproc-per-node N script.py")
    backend = backend or ("nccl" if torch.cuda.is_available() else "gloo")
    address = f"{os.environ['MASTER_ADDR']}:{os.environ['MASTER_PORT']}"
    try:
        dist.init_process_group(backend, timeout=datetime.timedelta(seconds=timeout))
    except Exception as error:  # the store's DistStoreError, TimeoutError, RuntimeError
        raise RuntimeError(
            f"process {os.environ['RANK']} of {os.environ['WORLD_SIZE']} could not reach the "
            f"others at {address} within {timeout:g} s: {type(error).__name__}: "
            f"{str(error).splitlines()[0] if str(error) else ''}") from None


def world():
    """``(rank, world_size)`` of this process: ``(0, 1)`` outside a process group."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def gathered(value):
    """``value`` from every process, in rank order."""
    values = [None] * world()[1]
    dist.all_gather_object(values, value)
    return values


def from_main(value):
    """Process 0's ``value``, on every process."""
    box = [value]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def fewest(count):
    """The smallest ``count`` of all processes."""
    tensor = torch.tensor([int(count)], dtype=torch.int64)
    dist.all_reduce(tensor, op=dist.ReduceOp.MIN)
    return int(tensor.item())


class DataParallel(Callback):
    """Wraps the net's module in ``DistributedDataParallel`` for the training, and
    unwraps it after (so that the module is saved and predicts as one network)."""

    def on_train_begin(self, net, **kwargs):
        device = torch.device(net.device)
        net.module_ = torch.nn.parallel.DistributedDataParallel(
            net.module_, device_ids=None if device.type == "cpu" else [device],
            find_unused_parameters=True)

    def on_train_end(self, net, **kwargs):
        unwrap(net)


def leave_group():
    """Destroy this process' group after a failure (errors in doing so are ignored)."""
    try:
        dist.destroy_process_group()
    except Exception:  # the group may already be unusable
        pass


def unwrap(net):
    """The net's module without its ``DistributedDataParallel`` wrapper."""
    module = getattr(net, "module_", None)
    if isinstance(module, torch.nn.parallel.DistributedDataParallel):
        net.module_ = module.module
