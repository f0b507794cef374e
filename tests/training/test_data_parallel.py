"""One regressor trained by two processes (DistributedDataParallel, gloo, on this CPU)."""

import json
import os
import socket
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from sk_seqattn import PanelWindows, Seq2SeqAttentionRegressor

# Each process fits its shard; process 0 saves. argv: out folder, mode, epochs.
SCRIPT = textwrap.dedent('''
    import hashlib, json, os, sys
    import numpy as np
    import torch
    from skorch.callbacks import Callback
    import sk_seqattn
    from sk_seqattn import PanelWindows, Seq2SeqAttentionRegressor, init_distributed
    from sk_seqattn.training.distributed import world

    out, mode, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3])

    class LeaveAfterOneEpoch(Callback):
        def on_epoch_end(self, net, **kwargs):
            if world()[0] == 1:
                os._exit(3)  # this process dies mid-training

    init_distributed(timeout=float(os.environ.get("TEST_TIMEOUT", "60")))
    rank, size = world()
    rng = np.random.RandomState(0)
    series = [10 + np.sin(np.arange(80 + 4 * i) / 3 + i) + 0.05 * rng.randn(80 + 4 * i)
              for i in range(8)]
    shard = series[rank::size]
    if mode == "mixed" and rank == 1:
        shard = [np.column_stack([values, values]) for values in shard]  # 2 columns
    if mode == "duplicate":  # series 0 in both shards, by name
        shard = {f"s{i}": series[i] for i in ([0] + list(range(rank, 8, size)))}
    panel = PanelWindows(shard, n_in=12, n_out=3, windows_per_series=16)
    callbacks = [("leave", LeaveAfterOneEpoch())] if mode == "leave" else None
    reg = Seq2SeqAttentionRegressor(hidden_size=8, lookbacks=None, classical=None,
                                    max_epochs=epochs, batch_size=16, lr=1e-2,
                                    random_state=0, callbacks=callbacks)
    try:
        reg.fit(panel)
    except (RuntimeError, ValueError) as error:
        print(json.dumps({"rank": rank, "error": str(error)}), flush=True)
        sys.exit(4)
    weights = b"".join(p.detach().numpy().tobytes() for p in reg.net_.module_.parameters())
    reg.set_params(callbacks=None)
    sk_seqattn.save(reg, os.path.join(out, "model.skm"))
    print(json.dumps({"rank": rank, "weights": hashlib.sha256(weights).hexdigest(),
                      "files": sorted(os.listdir(out)), "steps": sum(
                          len(epoch["batches"]) for epoch in reg.history_)}), flush=True)
''')


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(**extra):
    env = {**os.environ, "OMP_NUM_THREADS": "1", **extra}
    env.pop("TORCHELASTIC_RUN_ID", None)
    return env


def _reports(stdout):
    # torchrun interleaves the processes' lines: decode each report where it starts.
    decoder, reports, start = json.JSONDecoder(), [], stdout.find('{"rank"')
    while start >= 0:
        report, end = decoder.raw_decode(stdout, start)
        reports.append(report)
        start = stdout.find('{"rank"', end)
    return reports


def _series():
    rng = np.random.RandomState(0)
    return [10 + np.sin(np.arange(80 + 4 * i) / 3 + i) + 0.05 * rng.randn(80 + 4 * i)
            for i in range(8)]


def _held_out_error(reg):
    # The next 3 steps after each series (the same generator, extended).
    errors = []
    for i, values in enumerate(_series()):
        t = np.arange(len(values), len(values) + 3)
        future = 10 + np.sin(t / 3 + i)
        errors.append(np.mean((reg.predict(values[None, -12:])[0] - future) ** 2))
    return float(np.mean(errors))


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(SCRIPT)
    out = tmp_path / "out"
    out.mkdir()
    return path, out


def test_two_processes_train_one_network_as_one_process_does(script):
    import sk_seqattn

    path, out = script
    done = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2",
         "--master-addr", "127.0.0.1", "--master-port", str(_free_port()),
         str(path), str(out), "fit", "30"],
        capture_output=True, text=True, env=_env(), timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    reports = sorted(_reports(done.stdout), key=lambda r: r["rank"])
    assert [r["rank"] for r in reports] == [0, 1]
    # DDP kept the weights equal; both took the same number of steps.
    assert reports[0]["weights"] == reports[1]["weights"]
    assert reports[0]["steps"] == reports[1]["steps"] == 30 * 4  # 4 series x 16 / 16
    # One file, written by process 0.
    assert os.listdir(out) == ["model.skm"]
    distributed = sk_seqattn.load(out / "model.skm")
    # The same data and samples seen, in one process: the same quality.
    alone = Seq2SeqAttentionRegressor(
        hidden_size=8, lookbacks=None, classical=None, max_epochs=30, batch_size=32,
        lr=1e-2, random_state=0).fit(PanelWindows(_series(), 12, 3, windows_per_series=16))
    naive = np.mean([np.mean((values[-1] - (10 + np.sin(
        np.arange(len(values), len(values) + 3) / 3 + i))) ** 2)
        for i, values in enumerate(_series())])
    error = _held_out_error(distributed)
    assert error < 0.01 * naive
    assert error < 3 * _held_out_error(alone)


def test_a_process_that_leaves_ends_the_others_fit_with_a_clear_error(script):
    path, out = script
    port = str(_free_port())
    processes = [
        subprocess.Popen([sys.executable, str(path), str(out), "leave", "30"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=_env(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE="2",
                                  MASTER_ADDR="127.0.0.1", MASTER_PORT=port,
                                  TEST_TIMEOUT="30"))
        for rank in (0, 1)]
    outputs = [process.communicate(timeout=300) for process in processes]
    assert processes[1].returncode == 3  # left after its first epoch
    assert processes[0].returncode == 4, outputs[0][1][-3000:]
    report = _reports(outputs[0][0])[0]
    assert "training across 2 processes stopped on process 0" in report["error"]
    assert "another process failed or left" in report["error"]
    assert os.listdir(out) == []  # nothing saved, nothing half-written


def test_a_process_that_cannot_reach_the_others_says_where_and_how_long(script):
    path, out = script
    port = _free_port()  # nothing listens there
    done = subprocess.run(
        [sys.executable, str(path), str(out), "fit", "1"], capture_output=True, text=True,
        env=_env(RANK="1", LOCAL_RANK="1", WORLD_SIZE="2", MASTER_ADDR="127.0.0.1",
                 MASTER_PORT=str(port), TEST_TIMEOUT="3"), timeout=120)
    assert done.returncode != 0
    assert f"could not reach the others at 127.0.0.1:{port} within 3 s" in done.stderr


def test_init_distributed_outside_torchrun_says_how_to_launch(monkeypatch):
    from sk_seqattn import init_distributed

    for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError, match="torchrun --nproc-per-node"):
        init_distributed()


@pytest.mark.parametrize("mode, match", [
    ("mixed", "cut windows of different shapes"),
    ("duplicate", "1 series id(s) are in the shards of several processes: 's0'"),
])
def test_shards_that_do_not_fit_together_are_value_errors(script, mode, match):
    path, out = script
    done = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2",
         "--master-addr", "127.0.0.1", "--master-port", str(_free_port()),
         str(path), str(out), mode, "1"],
        capture_output=True, text=True, env=_env(), timeout=300)
    reports = _reports(done.stdout)
    assert done.returncode != 0 and len(reports) == 2  # both processes stop
    assert all(match in report["error"] for report in reports), reports
    assert os.listdir(out) == []
