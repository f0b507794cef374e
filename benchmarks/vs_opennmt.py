"""sk_seqattn against OpenNMT-py 3.5.1, side by side, in one run (issue 10).

The reference task and model of shared/bench/opennmt/: reverse sequences of
10..30 tokens over 30 symbols (gen_data.py's generator, seed 1234: 20,000
train / 1,000 valid pairs, written to a temporary directory; BOTH tools train
on these files, sk_seqattn reads the text files with ``WordTokenizer``); a
1-layer LSTM encoder-decoder, embeddings 64, hidden 128, "general" attention,
batch 64 sentences, Adam 1e-3, gradient norm 5, uniform init 0.1, no dropout
(MODEL in translator_speed.py; rnn_general.yaml for OpenNMT-py).

For --repeats rounds, alternating, each tool trains a fresh model for the
same number of optimizer steps with the same thread count:

    OpenNMT-py, input feeding    -> sk_seqattn, input feeding (each --precisions)
    OpenNMT-py, input_feed: 0    -> sk_seqattn, input_feeding=False (likewise)

sk_seqattn trains in each of --precisions (default fp32 and bf16: bf16
autocast, on a CPU with bf16 units; the header says whether this one has
AVX512_BF16 or AMX); OpenNMT-py in fp32 (its CPU training has no autocast).

and after each training decodes the 1,000 validation sources, greedy and
beam 5, batch 64, max length 40 (OpenNMT-py: onmt_translate; sk_seqattn:
predict), with exact match against the references.

Throughput: target tokens per second, counted the same way for both tools.
OpenNMT-py's reported "tgt tok/s" counts the non-padding tokens of the
shifted target tgt[1:], i.e. the words plus the end marker </s> (not <s>);
sk_seqattn's count is the non-padding target ids of each batch, words plus
the end marker too. Steady state for both: steps (R, L], R = --report-every
(OpenNMT-py's first report, which includes its start-up, is dropped) and L
the last multiple of R <= the step count (OpenNMT-py reports nothing after
it). OpenNMT-py: the tokens of each later report (its mean target tokens per
batch x R) over their times (tokens / reported tok/s), summed; sk_seqattn:
the same window's tokens over the wall time between the end of step R and
the end of step L (a skorch callback; data loading and per-batch overhead
included, as in OpenNMT-py's figure). Neither figure includes process
start-up or checkpoint saving. Medians over the rounds; ratio = sk_seqattn /
OpenNMT-py. Decoding: OpenNMT-py's own "Total translation time" (-report_time,
printed to 0.1 s; excludes loading the model and process start-up; the wall
time of the whole onmt_translate call is printed beside it), sk_seqattn's
predict wall time; ratio = OpenNMT-py / sk_seqattn (> 1: ours faster).

Differences that remain: OpenNMT-py's sources carry no end marker, ours do
(one more encoder step per sentence, not counted in tgt tok/s); both batch
by length buckets, but not identically, so padding differs a little;
OpenNMT-py pads its vocabularies to a multiple of 8 (vocab_size_multiple:
40 entries, ours 34), a slightly wider output layer.

The real measurement (a quiet machine, nothing else running; about an hour
at 2 threads):

    python benchmarks/vs_opennmt.py --epochs 10 --repeats 2 --threads 2

(--epochs 10 = 3,130 steps, OpenNMT-py's 3,000; --epochs 2 = 626 steps is a
quicker look.) A smoke test:

    python benchmarks/vs_opennmt.py --steps 20 --report-every 5 --repeats 1 --threads 1

--onmt-venv DIR (default /tmp/venv-onmt) holds OpenNMT-py; when it lacks
bin/onmt_train it is built, by shared/bench/opennmt/setup.sh when that file
is there, else by the same steps carried here (SETUP; about 10 minutes).
"""

import argparse
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from _report import print_header, timed
from skorch.callbacks import Callback
from translator_speed import MODEL

from sk_seqattn import Seq2SeqAttentionTranslator, WordTokenizer
from sk_seqattn.training import precision as precision_module
from sk_seqattn.translation.tokenizers import PAD_ID

SHARED = Path(__file__).resolve().parents[2] / "shared" / "bench" / "opennmt"
N_TRAIN, N_VALID, BATCH = 20000, 1000, 64
STEPS_PER_EPOCH = math.ceil(N_TRAIN / BATCH)  # 313, as sk_seqattn's length buckets cut it

# shared/bench/opennmt/setup.sh, carried for machines without shared/.
SETUP = r"""
set -e
V="$ONMT_VENV"
[ -x "$V/bin/onmt_train" ] && exit 0
python3 -m venv "$V"
"$V/bin/pip" install -q torch==2.13.0
"$V/bin/pip" install -q --no-deps OpenNMT-py==3.5.1
"$V/bin/pip" install -q configargparse pyyaml sacrebleu six rapidfuzz pyahocorasick tensorboard \
    flask waitress "pyonmttok<2,>=1.37" "ctranslate2<5,>=4" spacy fasttext-wheel
"""

# shared/bench/opennmt/rnn_general.yaml, carried likewise (comments dropped);
# train_steps, report_every, saving, validation and input_feed are set on the
# command line of each run.
REFERENCE_YAML = """\
save_data: run/rnn_general
src_vocab: run/vocab.src
tgt_vocab: run/vocab.tgt
overwrite: true
seed: 1234
data:
  corpus_1:
    path_src: data/train.src
    path_tgt: data/train.tgt
  valid:
    path_src: data/valid.src
    path_tgt: data/valid.tgt
model_type: text
encoder_type: rnn
decoder_type: rnn
rnn_type: LSTM
enc_layers: 1
dec_layers: 1
word_vec_size: 64
hidden_size: 128
global_attention: general
global_attention_function: softmax
input_feed: 1
dropout: [0.0]
batch_type: sents
batch_size: 64
valid_batch_size: 64
optim: adam
learning_rate: 0.001
max_grad_norm: 5
param_init: 0.1
train_steps: 3000
valid_steps: 500
report_every: 50
save_checkpoint_steps: 3000
save_model: run/rnn_general/model
num_workers: 0
"""

REPORT = re.compile(r"Step\s+(\d+)/\s*\d+;.*?bsz:\s*(\d+)/\s*(\d+)/\s*(\d+);"
                    r"\s*(\d+)/\s*(\d+) tok/s")
TOTAL_TIME = re.compile(r"Total translation time \(s\):\s*([\d.]+)")


# -- data: gen_data.py's generator ---------------------------------------------
def make_pairs(n, rng):
    """gen_data.py's ``make``: sources of 10..30 tokens t00..t29, targets reversed."""
    src, tgt = [], []
    for _ in range(n):
        length = rng.randint(10, 30)
        tokens = [f"t{rng.randrange(30):02d}" for _ in range(length)]
        src.append(" ".join(tokens))
        tgt.append(" ".join(reversed(tokens)))
    return src, tgt


def write_data(directory):
    """gen_data.py's files (train/valid .src/.tgt, seed 1234) in ``directory``."""
    os.makedirs(directory, exist_ok=True)
    rng = random.Random(1234)
    for name, n in (("train", N_TRAIN), ("valid", N_VALID)):
        for suffix, lines in zip(("src", "tgt"), make_pairs(n, rng)):
            with open(os.path.join(directory, f"{name}.{suffix}"), "w") as f:
                f.write("\n".join(lines) + "\n")


def read_lines(path):
    with open(path) as f:
        return [line.strip() for line in f]


# -- OpenNMT-py ------------------------------------------------------------------
def ensure_onmt(venv):
    venv = Path(venv)
    if (venv / "bin" / "onmt_train").exists():
        return venv
    setup = SHARED / "setup.sh"
    how = str(setup) if setup.exists() else "the setup steps carried in vs_opennmt.py"
    print(f"OpenNMT-py not found in {venv}: building it with {how} (about 10 minutes)",
          flush=True)
    env = {**os.environ, "ONMT_VENV": str(venv)}
    command = ["bash", str(setup)] if setup.exists() else ["bash", "-c", SETUP]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode or not (venv / "bin" / "onmt_train").exists():
        sys.exit(
            f"error: no OpenNMT-py in {venv} ({venv / 'bin' / 'onmt_train'} missing) and "
            f"building it failed (exit {result.returncode}; it needs python3 -m venv and pip "
            f"access to torch==2.13.0 and OpenNMT-py==3.5.1).\n--- last output ---\n"
            + "\n".join((result.stdout + result.stderr).splitlines()[-20:])
        )
    return venv


def onmt_env(threads):
    return {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads),
            "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "1"}


def run_logged(command, cwd, env, log):
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    with open(log, "w") as f:
        f.write(result.stdout + result.stderr)
    if result.returncode:
        sys.exit(f"error: {' '.join(map(str, command))} failed (exit {result.returncode}); "
                 f"log: {log}\n" + "\n".join((result.stdout + result.stderr).splitlines()[-20:]))
    return result.stdout + result.stderr


def prepare_onmt(venv, work, threads):
    """The reference config in ``work`` (the data in work/data), its vocabularies built."""
    yaml = SHARED / "rnn_general.yaml"
    (work / "rnn_general.yaml").write_text(yaml.read_text() if yaml.exists() else REFERENCE_YAML)
    (work / "run").mkdir(exist_ok=True)
    run_logged([venv / "bin" / "onmt_build_vocab", "-config", "rnn_general.yaml",
                "-n_sample", "-1"], work, onmt_env(threads), work / "build_vocab.log")


def onmt_train(venv, work, tag, steps, report_every, input_feed, threads):
    """Train; returns (last checkpoint, steady-state target tokens/s)."""
    save = work / "run" / tag
    shutil.rmtree(save, ignore_errors=True)
    log = run_logged(
        [venv / "bin" / "onmt_train", "-config", "rnn_general.yaml",
         "-train_steps", str(steps), "-report_every", str(report_every),
         "-valid_steps", str(10 ** 9), "-save_checkpoint_steps", str(steps),
         "-save_model", str(save / "model"), "-input_feed", str(int(input_feed))],
        work, onmt_env(threads), work / f"train_{tag}.log",
    )
    reports = [(int(step), int(tgt_per_batch), int(batches), int(tgt_rate))
               for step, _, tgt_per_batch, batches, _, tgt_rate in REPORT.findall(log)]
    # REPORT's groups: step, src/batch, tgt/batch, sents/batch, src tok/s, tgt tok/s;
    # the batches of a report are report_every steps (no gradient accumulation).
    later = [(tgt_per_batch * report_every, tgt_rate)
             for step, tgt_per_batch, _, tgt_rate in reports if step > report_every]
    if not later:
        sys.exit(f"error: OpenNMT-py printed fewer than 2 reports; see {work / f'train_{tag}.log'}")
    tokens = sum(n for n, _ in later)
    rate = tokens / sum(n / r for n, r in later)
    checkpoints = sorted(save.parent.glob(f"{tag}/model_step_*.pt"),
                         key=lambda p: int(p.stem.rsplit("_", 1)[1]))
    if not checkpoints:
        sys.exit(f"error: OpenNMT-py saved no checkpoint in {save}")
    return checkpoints[-1], rate


def onmt_decode(venv, work, checkpoint, beam, threads, references):
    """(seconds by its own clock or None, wall seconds, exact match)."""
    output = work / f"pred_{checkpoint.parent.name}_beam{beam}.txt"
    start = time.perf_counter()
    log = run_logged(
        [venv / "bin" / "onmt_translate", "-model", str(checkpoint), "-src", "data/valid.src",
         "-output", str(output), "-beam_size", str(beam), "-batch_size", str(BATCH),
         "-max_length", "40", "-report_time"],
        work, onmt_env(threads), work / f"translate_{checkpoint.parent.name}_beam{beam}.log",
    )
    wall = time.perf_counter() - start
    found = TOTAL_TIME.search(log)
    exact = np.mean(np.array(read_lines(output), dtype=object)
                    == np.array(references, dtype=object))
    return float(found.group(1)) if found else None, wall, float(exact)


# -- sk_seqattn --------------------------------------------------------------------
class StepClock(Callback):
    """Wall clock and target tokens (non-padding ids, end marker included) at
    the end of every training step; stops training after ``stop_after`` steps
    (skorch ends ``fit`` quietly on a KeyboardInterrupt raised in a callback,
    as EarlyStopping does)."""

    def __init__(self, stop_after=None):
        self.stop_after = stop_after

    def initialize(self):
        self.ends, self.tokens = [], []
        return self

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        if not training:
            return
        self.ends.append(time.perf_counter())
        self.tokens.append(int((batch[1] != PAD_ID).sum()))
        if self.stop_after is not None and len(self.ends) >= self.stop_after:
            raise KeyboardInterrupt

    def rate(self, first, last):
        """Target tokens/s over steps (first, last], 1-based."""
        return sum(self.tokens[first:last]) / (self.ends[last - 1] - self.ends[first - 1])


def ours_train(X, y, steps, report_every, input_feeding, threads, precision="fp32"):
    model = Seq2SeqAttentionTranslator(
        input_feeding=input_feeding, max_epochs=math.ceil(steps / STEPS_PER_EPOCH),
        precision=precision,
        random_state=0, n_threads=threads, init_scale=0.1, max_output_length=40,
        source_tokenizer=WordTokenizer(), target_tokenizer=WordTokenizer(),
        callbacks=[("step_clock", StepClock(None if steps % STEPS_PER_EPOCH == 0 else steps))],
        **MODEL,
    ).fit(X, y)
    clock = dict(model.net_.callbacks_)["step_clock"]
    if len(clock.ends) != steps:
        sys.exit(f"error: sk_seqattn made {len(clock.ends)} steps, expected {steps}")
    last = steps // report_every * report_every
    return model, clock.rate(report_every, last)


def ours_decode(model, beam, X_valid, y_valid):
    model.set_params(beam_size=beam)
    predictions, seconds = timed(lambda: model.predict(X_valid))
    return seconds, float(np.mean(predictions == np.array(y_valid, dtype=object)))


# -- arithmetic bound ------------------------------------------------------------
GEMM_SHAPES = ((64, 192, 512), (64, 320, 512), (1344, 192, 512), (1344, 256, 128),
               (512, 512, 512), (1024, 1024, 1024))  # (m, k, n): steps, batched layers, square


def gemm_peak(threads, seconds=0.3, dtype=torch.float32):
    """The fastest matrix product of GEMM_SHAPES in ``dtype``, in FLOP/s, and its shape."""
    torch.set_num_threads(threads)
    best = (0.0, None)
    for m, k, n in GEMM_SHAPES:
        a, b = torch.randn(m, k, dtype=dtype), torch.randn(k, n, dtype=dtype)
        for _ in range(10):
            a @ b
        reps, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            a @ b
            reps += 1
        best = max(best, (2 * m * k * n * reps / (time.perf_counter() - start), (m, k, n)))
    return best


def forward_flops(input_feeding, src_len, vocab):
    """Multiply-add FLOPs (2 per multiply-add) of MODEL's forward pass, per token.

    Only the matrix products are counted (the element-wise work and the
    softmaxes are left out), so a time derived from these counts is a lower
    bound. Returns (per source token, per target token): the encoder's LSTM
    and, for "general", the keys W_a hbar_s; the decoder's LSTM (its input
    is the embedding, plus ~h_{t-1} with input feeding), the scores and the
    context over ``src_len`` source steps, W_c [c; h] and the output layer.
    """
    E, H = MODEL["embedding_dim"], MODEL["hidden_size"]
    per_source = 2 * 4 * H * (E + H) + 2 * H * H
    per_target = (2 * 4 * H * (E + (H if input_feeding else 0) + H)
                  + 2 * 2 * src_len * H + 2 * 2 * H * H + 2 * H * vocab)
    return per_source, per_target


def print_bound(threads, src_tokens, tgt_tokens, vocab, rates, decoding, valid_lengths,
                precisions):
    """How fast the arithmetic alone would allow, per precision, and the targets against it."""
    peaks = {precision: gemm_peak(threads, dtype=DTYPES[precision]) for precision in precisions}
    for precision, (peak, shape) in peaks.items():
        print(f"\narithmetic bound, {precision}: the fastest {precision} matrix product here, "
              f"{peak / 1e9:.0f} GFLOP/s at {'x'.join(map(str, shape))} on {threads} thread(s) "
              f"(shapes {GEMM_SHAPES}), applied to every multiply-add of the model "
              "(element-wise work left out): no implementation on this machine goes faster "
              "in this precision. Training = 3 x forward (backward: 2 products per forward "
              f"product); source tokens per target token {src_tokens / tgt_tokens:.3f}.")
        print(f"{'path':<18}{'FLOP/tgt tok':>14}{'bound tok/s':>13}{'bound/ONMT':>12}"
              f"{'target':>8}{'ours, % of bound':>18}")
        mean_src = src_tokens / N_TRAIN  # source tokens per sentence, end marker included
        for path, feeding, target in (("input feeding", True, 1.5),
                                      ("no input feeding", False, 3.0)):
            per_source, per_target = forward_flops(feeding, mean_src, vocab)
            train = 3 * (per_target + per_source * src_tokens / tgt_tokens)
            bound = peak / train
            theirs, ours = median(rates["onmt", path]), median(rates[precision, path])
            print(f"{path:<18}{train:>14,.0f}{bound:>13,.0f}{bound / theirs:>11.2f}x"
                  f"{target:>7.1f}x{ours / bound:>17.0%}")
    peak = peaks["fp32"][0] if "fp32" in peaks else next(iter(peaks.values()))[0]
    src_lengths, tgt_lengths = valid_lengths
    print(f"decoding the {len(src_lengths)} sources (in fp32 for every precision), forward "
          "products only, each source token once and each reference target token (words + "
          "end marker) once per hypothesis: the least work a decoder that stops at the right "
          "length does")
    print(f"{'path':<18}{'decoder':>8}{'bound s':>9}{'ONMT s':>8}{'ONMT/bound':>12}{'target':>8}")
    for path, feeding in (("input feeding", True), ("no input feeding", False)):
        for beam in (1, 5):
            work = 0
            for s, t in zip(src_lengths, tgt_lengths):
                per_source, per_target = forward_flops(feeding, s, vocab)
                work += per_source * s + beam * per_target * t
            theirs = decoding["onmt", path, beam]
            theirs_s = onmt_seconds(theirs)
            print(f"{path:<18}{'greedy' if beam == 1 else 'beam 5':>8}{work / peak:>9.3f}"
                  f"{theirs_s:>8.2f}{theirs_s / (work / peak):>11.2f}x{3.0:>7.1f}x")


DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16}


def bf16_hardware():
    """What this CPU has for bf16: its flags among AVX512_BF16 and AMX."""
    flags = precision_module._cpu_flags()
    if flags is None:
        return "CPU flags not readable here"
    found = sorted({"avx512_bf16", "amx_bf16", "amx_tile"} & flags)
    return f"bf16 units: {', '.join(found) if found else 'none (no AVX512_BF16, no AMX)'}"


# -- report ----------------------------------------------------------------------
def median(values):
    return statistics.median(values) if values else float("nan")


def onmt_seconds(runs):
    """OpenNMT-py's decoding seconds over (own timing, wall, exact) runs: the
    median of its own timing, or of the wall times if a run printed none."""
    own = [seconds for seconds, _, _ in runs if seconds is not None]
    return median(own) if len(own) == len(runs) else median([wall for _, wall, _ in runs])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--epochs", type=int, default=2,
                      help=f"training steps = EPOCHS x {STEPS_PER_EPOCH} (default 2)")
    size.add_argument("--steps", type=int, help="training steps (overrides --epochs)")
    parser.add_argument("--repeats", type=int, default=2, help="rounds (default 2)")
    parser.add_argument("--threads", type=int, default=2, help="threads per tool (default 2)")
    parser.add_argument("--report-every", type=int, default=50,
                        help="OpenNMT-py's report_every; steps (R, L] are timed (default 50)")
    parser.add_argument("--onmt-venv", default="/tmp/venv-onmt")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--precisions", nargs="+", default=["fp32", "bf16"],
                        choices=list(DTYPES), help="sk_seqattn's training precisions")
    args = parser.parse_args(argv)
    steps = args.steps or args.epochs * STEPS_PER_EPOCH
    if steps < 2 * args.report_every:
        parser.error(f"--steps {steps} must be at least twice --report-every {args.report_every}")
    last = steps // args.report_every * args.report_every

    torch.set_num_threads(args.threads)
    venv = ensure_onmt(args.onmt_venv)
    version = subprocess.run([venv / "bin" / "python", "-c",
                              "import onmt, torch; print(onmt.__version__, torch.__version__)"],
                             capture_output=True, text=True).stdout.split()
    work = Path(tempfile.mkdtemp(prefix="vs_opennmt_"))
    data = work / "data"
    write_data(data)
    prepare_onmt(venv, work, args.threads)
    X, y = read_lines(data / "train.src"), read_lines(data / "train.tgt")
    X_valid, y_valid = read_lines(data / "valid.src"), read_lines(data / "valid.tgt")
    tokens = sum(len(t.split()) + 1 for t in y)
    print_header(
        f"task: {len(X)} train / {len(X_valid)} valid pairs (gen_data.py, seed 1234, in {data}), "
        f"{tokens} target tokens per epoch (end markers counted); model: {MODEL}, init 0.1\n"
        f"steps per training: {steps} ({steps / STEPS_PER_EPOCH:.2f} epochs of "
        f"{STEPS_PER_EPOCH}); timed steps ({args.report_every}, {last}]; threads per tool: "
        f"{args.threads} (OpenNMT-py: OMP_NUM_THREADS/MKL_NUM_THREADS; sk_seqattn: "
        f"n_threads); rounds: {args.repeats}\n"
        f"OpenNMT-py {version[0] if version else '?'} on torch {version[1] if version else '?'} "
        f"in {venv}\nsk_seqattn precisions: {', '.join(args.precisions)}; {bf16_hardware()}"
    )

    paths = (("input feeding", True), ("no input feeding", False))
    tools = ("onmt", *args.precisions)  # OpenNMT-py, then sk_seqattn per precision
    rates = {(tool, path): [] for tool in tools for path, _ in paths}
    decoding = {}  # (tool, path, beam) -> list of (seconds, wall, exact)
    for round_ in range(1, args.repeats + 1):
        for path, feeding in paths:
            tag = f"r{round_}_{'if' if feeding else 'noif'}"
            checkpoint, rate = onmt_train(venv, work, tag, steps, args.report_every, feeding,
                                          args.threads)
            rates["onmt", path].append(rate)
            print(f"round {round_}, {path:<16} OpenNMT-py {rate:8.0f} tgt tok/s", flush=True)
            for beam in (1, 5):
                decoding.setdefault(("onmt", path, beam), []).append(
                    onmt_decode(venv, work, checkpoint, beam, args.threads, y_valid))
            for precision in args.precisions:
                model, rate = ours_train(X, y, steps, args.report_every, feeding, args.threads,
                                         precision)
                if model.precision_ != precision:
                    sys.exit(f"error: sk_seqattn trained in {model.precision_}, not {precision}")
                rates[precision, path].append(rate)
                print(f"round {round_}, {path:<16} sk_seqattn {precision} {rate:8.0f} tgt tok/s",
                      flush=True)
                for beam in (1, 5):
                    seconds, exact = ours_decode(model, beam, X_valid, y_valid)
                    decoding.setdefault((precision, path, beam), []).append(
                        (seconds, seconds, exact))

    print(f"\ntraining, target tokens/s (steady state, steps ({args.report_every}, {last}])")
    print(f"{'path':<18}{'precision':>10}{'round':>7}{'OpenNMT-py':>12}{'sk_seqattn':>12}"
          f"{'ours/ONMT':>11}")
    for path, _ in paths:
        for precision in args.precisions:
            for i, (theirs, ours) in enumerate(zip(rates["onmt", path],
                                                   rates[precision, path]), 1):
                print(f"{path:<18}{precision:>10}{i:>7}{theirs:>12.0f}{ours:>12.0f}"
                      f"{ours / theirs:>10.2f}x")
            theirs, ours = median(rates["onmt", path]), median(rates[precision, path])
            print(f"{path:<18}{precision:>10}{'median':>7}{theirs:>12.0f}{ours:>12.0f}"
                  f"{ours / theirs:>10.2f}x")

    print(f"\ndecoding {len(X_valid)} validation sources, batch {BATCH}, max length 40 "
          f"(medians over {args.repeats} round(s); OpenNMT-py: its 'Total translation time', "
          "wall time of onmt_translate in brackets)")
    print("(sk_seqattn decodes in fp32; 'precision' is the one its model trained in)")
    print(f"{'path':<18}{'decoder':>8}{'precision':>10}{'ONMT s':>8}{'(wall)':>8}{'ours s':>8}"
          f"{'ONMT/ours':>11}{'ONMT exact':>12}{'ours exact':>12}")
    for path, _ in paths:
        for beam in (1, 5):
            theirs = decoding["onmt", path, beam]
            theirs_s = onmt_seconds(theirs)
            for precision in args.precisions:
                ours = decoding[precision, path, beam]
                ours_s = median([s for s, _, _ in ours])
                print(f"{path:<18}{'greedy' if beam == 1 else 'beam 5':>8}{precision:>10}"
                      f"{theirs_s:>8.2f}"
                      f"{'(' + format(median([w for _, w, _ in theirs]), '.1f') + ')':>8}"
                      f"{ours_s:>8.2f}{theirs_s / ours_s:>10.2f}x"
                      f"{median([e for _, _, e in theirs]):>12.1%}"
                      f"{median([e for _, _, e in ours]):>12.1%}")
    if any(s is None for values in decoding.values() for s, _, _ in values):
        print("(OpenNMT-py printed no 'Total translation time' in some runs: wall time used)")
    print(f"exact match after {steps} steps is informative only at this budget "
          "(the reference: 97.5% for OpenNMT-py after 3,000 steps)")
    print_bound(args.threads, sum(len(x.split()) + 1 for x in X), tokens,
                model.target_vocab_size_, rates, decoding,
                ([len(x.split()) + 1 for x in X_valid], [len(t.split()) + 1 for t in y_valid]),
                args.precisions)
    if args.keep:
        print(f"logs and predictions kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
