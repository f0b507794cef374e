"""Where a training step of the reference translator goes (issue 10's profile).

One batch shape of the reference task (shared/bench/opennmt/): 64 pairs whose
source and target have --length tokens (20, the task's mean; 21 with the end
marker), 30 symbols (+ 4 special tokens), MODEL of translator_speed.py
(1-layer LSTM, embeddings 64, hidden 128, "general" attention, Adam 1e-3,
gradient norm 5, init 0.1), with input feeding and without. Per path:

1. ``Seq2SeqAttentionTranslator.fit`` for one epoch of --fit-steps such
   batches: "fit per batch" is the median wall time between the ends of
   consecutive steps (a skorch callback; the first 3 skipped), i.e. all that
   the estimator spends per batch (data loading, skorch's callbacks and
   bookkeeping included);
2. a plain step on the fitted network, its criterion and its optimizer
   (zero_grad, forward, loss, backward, clip_grad_norm_, Adam step,
   loss.item(); the median of --steps after --warmup);
3. the same step, alternating with 2., with the network's pieces timed by wrappers placed on the
   fitted module's instances (the package is not changed): embeddings,
   encoder, decoder recurrence (one nn.LSTM call without input feeding, the
   per-step torch.lstm_cell calls with it where the step loop runs),
   attention (keys, scores, softmax, context, tanh(W_c[c; h])), the fused
   input-feeding loop's forward (nn/fused_decoder.py: recurrence and
   attention together, in training with input feeding), output layer +
   loss; "other forward" is the
   rest of the forward pass (the decoder's Python step loop, cat/stack,
   masks); backward, gradient clipping and the optimizer (step + zero_grad)
   are timed around their calls. Each row is the median (--stat min: the
   minimum, less sensitive to other load) over the steps; the
   estimator's per-batch overhead is fit per batch minus the plain step.
4. with --top N (default 12): the N torch ops (by input shapes) with the
   most self CPU time in a torch.profiler pass of 5 instrumented steps
   (record_function labels on the same pieces), which splits the backward
   pass by kernel. The profiler adds its own cost per op.

With --precision bf16 the model is fitted with ``precision="bf16"`` and
every step's forward pass runs under bf16 autocast, as ``fit`` runs it (the
loss outside it, as skorch computes it).

    python benchmarks/translator_profile.py [--threads 2] [--length 20]
        [--steps 30] [--warmup 5] [--fit-steps 40] [--top 12] [--stat median]
        [--precision fp32]
"""

import argparse
import random
import statistics
import time
from collections import defaultdict
from contextlib import contextmanager, nullcontext

import torch
from _report import print_header
from skorch.callbacks import Callback
from torch.profiler import ProfilerActivity, profile, record_function
from translator_speed import MODEL

from sk_seqattn import Seq2SeqAttentionTranslator, WordTokenizer
from sk_seqattn.nn import decoder as decoder_module
from sk_seqattn.training.precision import autocast
from sk_seqattn.translation.translator import _pad_with_end

STATS = {"median": statistics.median, "min": min}
ROWS = [
    ("embedding", "embedding (source + target)"),
    ("encoder", "encoder LSTM"),
    ("decoder RNN", "decoder RNN recurrence"),
    ("fused loop", "fused input-feeding loop (forward)"),
    ("attention", "attention (scores, softmax, context, W_c)"),
    ("other forward", "other forward (step loop, cat/stack)"),
    ("output + loss", "output layer + loss"),
    ("backward", "backward"),
    ("clip", "gradient clipping"),
    ("optimizer", "optimizer (Adam step + zero_grad)"),
]


class StepEnds(Callback):
    def initialize(self):
        self.ends = []
        return self

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        if training:
            self.ends.append(time.perf_counter())


class Pieces:
    """Wrappers on a fitted module's pieces that add up their wall time."""

    def __init__(self, module, criterion):
        self.seconds = defaultdict(float)
        self.profiling = False
        decoder = module.decoder
        self.targets = [
            (module.source_embedding, "forward", "embedding"),
            (module.target_embedding, "forward", "embedding"),
            (module.encoder, "forward", "encoder"),
            (decoder.rnn, "forward", "decoder RNN"),  # no input feeding: one call
            (decoder, "_rnn_step", "decoder RNN"),  # input feeding, step loop: one per step
            # input feeding in training: the whole loop, RNN and attention
            # (nn/fused_decoder.py); its backward is in "backward"
            (decoder_module, "fused_feeding_forward", "fused loop"),
            (decoder.attention, "forward", "attention"),
            (decoder.attention, "prepare", "attention"),
            (module.generator, "forward", "generator"),
            (criterion, "forward", "loss"),
        ]

    def install(self):
        self.undo = []
        for owner, name, label in self.targets:
            self.undo.append((owner, name, owner.__dict__.get(name)))
            setattr(owner, name, self._wrap(label, getattr(owner, name)))

    def _wrap(self, label, fn):
        def timed_piece(*args, **kwargs):
            start = time.perf_counter()
            with record_function(label) if self.profiling else nullcontext():
                out = fn(*args, **kwargs)
            self.seconds[label] += time.perf_counter() - start
            return out
        return timed_piece

    def remove(self):
        for owner, name, previous in self.undo:
            if previous is None:
                delattr(owner, name)
            else:
                setattr(owner, name, previous)

    @contextmanager
    def phase(self, label):
        start = time.perf_counter()
        yield
        self.seconds[label] += time.perf_counter() - start


def step(module, criterion, optimizer, batch, pieces=None, precision="fp32"):
    """One plain training step; with ``pieces``, its phases timed."""
    source, lengths, target = batch
    phase = pieces.phase if pieces else (lambda label: nullcontext())
    with phase("optimizer"):
        optimizer.zero_grad()
    with phase("forward"), autocast(precision, "cpu"):
        logits, _ = module(source, lengths, target=target)
    loss = criterion(logits, target)  # timed by its wrapper
    with phase("backward"):
        loss.backward()
    with phase("clip"):
        torch.nn.utils.clip_grad_norm_(module.parameters(), 5.0)
    with phase("optimizer"):
        optimizer.step()
    loss.item()


def fitted_reference_batch(threads):
    """A translator with input feeding fitted for one epoch on 640 reversal
    pairs of 18..22 tokens, the pairs, and its first 64 pairs as one batch.

    Returns
    -------
    model, X, y, batch : the fitted translator, the source and target
        strings, and (source ids, source lengths, target ids) tensors.
    """
    rng = random.Random(0)
    X = [" ".join(f"t{rng.randrange(30):02d}" for _ in range(rng.randint(18, 22)))
         for _ in range(640)]
    y = [" ".join(reversed(s.split())) for s in X]
    model = Seq2SeqAttentionTranslator(
        input_feeding=True, max_epochs=1, random_state=0, n_threads=threads,
        init_scale=0.1, source_tokenizer=WordTokenizer(), target_tokenizer=WordTokenizer(),
        **MODEL).fit(X, y)
    source, lengths = _pad_with_end([model.source_tokenizer_.encode(s) for s in X[:64]])
    target, _ = _pad_with_end([model.target_tokenizer_.encode(s) for s in y[:64]])
    batch = tuple(torch.as_tensor(a, dtype=torch.long) for a in (source, lengths, target))
    return model, X, y, batch


def profile_path(input_feeding, X, y, args):
    model = Seq2SeqAttentionTranslator(
        input_feeding=input_feeding, max_epochs=1, random_state=0, n_threads=args.threads,
        init_scale=0.1, source_tokenizer=WordTokenizer(), target_tokenizer=WordTokenizer(),
        callbacks=[("step_ends", StepEnds())], precision=args.precision, **MODEL,
    ).fit(X, y)
    ends = dict(model.net_.callbacks_)["step_ends"].ends
    stat = STATS[args.stat]
    fit_per_batch = stat([b - a for a, b in zip(ends[3:], ends[4:])])

    net = model.net_
    module, criterion, optimizer = net.module_, net.criterion_, net.optimizer_
    module.train()
    source, lengths = _pad_with_end([model.source_tokenizer_.encode(t) for t in X[:64]])
    target, _ = _pad_with_end([model.target_tokenizer_.encode(t) for t in y[:64]])
    batch = (torch.as_tensor(source, dtype=torch.long), torch.as_tensor(lengths, dtype=torch.long),
             torch.as_tensor(target, dtype=torch.long))

    torch.set_flush_denormal(True)  # as fit does
    try:
        for _ in range(args.warmup):
            step(module, criterion, optimizer, batch, precision=args.precision)
        # plain and instrumented steps alternate, so that both see the same load
        pieces = Pieces(module, criterion)
        plain, rows, totals = [], defaultdict(list), []
        for _ in range(args.steps):
            start = time.perf_counter()
            step(module, criterion, optimizer, batch, precision=args.precision)
            plain.append(time.perf_counter() - start)
            pieces.seconds.clear()
            pieces.install()  # a few setattr calls, outside the timed step
            start = time.perf_counter()
            step(module, criterion, optimizer, batch, pieces, args.precision)
            totals.append(time.perf_counter() - start)
            pieces.remove()
            s = pieces.seconds
            for label in ("embedding", "encoder", "decoder RNN", "fused loop", "attention",
                          "backward", "clip", "optimizer"):
                rows[label].append(s[label])
            rows["output + loss"].append(s["generator"] + s["loss"])
            rows["other forward"].append(
                s["forward"] - sum(s[k] for k in ("embedding", "encoder", "decoder RNN",
                                                  "fused loop", "attention", "generator"))
            )
        top = []
        if args.top:
            pieces.profiling = True
            pieces.install()
            with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
                for _ in range(5):
                    step(module, criterion, optimizer, batch, pieces, args.precision)
            labels = {"embedding", "encoder", "decoder RNN", "fused loop", "attention",
                      "generator", "loss"}
            events = [e for e in prof.key_averages(group_by_input_shape=True)
                      if e.key not in labels]
            events.sort(key=lambda e: e.self_cpu_time_total, reverse=True)
            top = [(e.key, str(e.input_shapes).replace(" ", ""), e.self_cpu_time_total / 5e3,
                    e.count / 5) for e in events[: args.top]]
            pieces.remove()
    finally:
        torch.set_flush_denormal(False)
    return {
        "fit": fit_per_batch, "plain": stat(plain), "instrumented": stat(totals),
        "rows": {label: stat(values) for label, values in rows.items()},
        "top": top,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--length", type=int, default=20, help="source/target tokens")
    parser.add_argument("--steps", type=int, default=30, help="timed steps")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--fit-steps", type=int, default=40, help="batches in the fit epoch")
    parser.add_argument("--top", type=int, default=12, help="torch ops to list; 0: none")
    parser.add_argument("--stat", choices=sorted(STATS), default="median",
                        help="per row over the steps (min: less sensitive to other load)")
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    rng = random.Random(0)
    X = [" ".join(f"t{rng.randrange(30):02d}" for _ in range(args.length))
         for _ in range(64 * args.fit_steps)]
    y = [" ".join(reversed(x.split())) for x in X]
    print_header(f"batch: 64 pairs, source and target {args.length} tokens (+ end marker), "
                 f"30 symbols; model: {MODEL}, init 0.1; {args.steps} timed steps after "
                 f"{args.warmup} warm-up, fit per batch from {args.fit_steps} batches; "
                 f"each row: the {args.stat} over the steps; precision {args.precision}")

    results = {path: profile_path(feeding, X, y, args)
               for path, feeding in (("input feeding", True), ("no input feeding", False))}
    header = "".join(f"{path:>26}" for path in results)
    print(f"{'ms per step (% of fit per batch)':<44}{header}")
    for label, title in ROWS + [("plain", "= plain step (uninstrumented)"),
                                ("instrumented", "  (instrumented step: the rows' total)"),
                                ("overhead", "estimator per-batch overhead"),
                                ("fit", "= fit per batch")]:
        cells = []
        for r in results.values():
            ms = {"plain": r["plain"], "instrumented": r["instrumented"], "fit": r["fit"],
                  "overhead": r["fit"] - r["plain"]}.get(label, r["rows"].get(label))
            cells.append(f"{ms * 1e3:>17.2f} ({ms / r['fit']:>5.1%})")
        print(f"{title:<44}{''.join(cells)}")
    print("estimator per-batch overhead = fit per batch - plain step (data loading, skorch); "
          f"rows are {args.stat}s over the steps, so they add up only roughly")
    for path, r in results.items():
        if r["top"]:
            print(f"\n{path}: top torch ops by self CPU time (torch.profiler, 5 steps)")
            print(f"{'op':<46}{'input shapes':<34}{'ms/step':>9}{'calls/step':>11}")
            for name, shapes, ms, calls in r["top"]:
                print(f"{name[:45]:<46}{shapes[:33]:<34}{ms:>9.2f}{calls:>11.0f}")


if __name__ == "__main__":
    main()
