"""The ``sk-seqattn`` command line (also ``python -m sk_seqattn``).

Commands: ``demo``; ``fit``, ``predict`` and ``evaluate`` on files (``-``:
standard input). Exit statuses: 0 success, 1 a runtime failure, 2 a usage or
input-file error (as argparse), 130 interrupted (Ctrl-C). An error is one
``sk-seqattn: error: ...`` line on stderr; ``--debug`` adds the traceback.
A closed output pipe (``... | head``) ends the command quietly with 0.
Model files are :func:`sk_seqattn.save` files, never unpickled: a pickle or
joblib file is refused like any other file that is not one (status 2).
"""

import argparse
import csv
import os
import sys
import time
import traceback
import warnings
from contextlib import contextmanager
from pathlib import Path

from ._files import CLIError, iter_sources, read_pairs, read_series
from ..io._files import replacing as _replacing

__all__ = ["main"]

# Sources translated per chunk when streaming: memory is bounded by the
# chunk, and output appears as each chunk is done.
CHUNK_LINES = 256


# -- commands ------------------------------------------------------------------------
def _network_options(parser):
    group = parser.add_argument_group("model")
    group.add_argument("--attention", default="dot",
                       choices=["dot", "general", "concat", "location", "none"])
    group.add_argument("--hidden-size", type=int)
    group.add_argument("--embedding-dim", type=int, help="translation only")
    group.add_argument("--num-layers", type=int, default=1)
    group.add_argument("--cell", default="lstm", choices=["lstm", "gru"])
    group.add_argument("--input-feeding", action=argparse.BooleanOptionalAction, default=None)
    group.add_argument("--max-epochs", type=int)
    group.add_argument("--batch-size", type=int)
    group.add_argument("--lr", type=float)
    group.add_argument("--tokenizer", default="char", choices=["char", "word", "bpe"],
                       help="translation: how both sides are split into tokens")
    group.add_argument("--random-state", type=int, default=0)
    group.add_argument("--verbose", type=int, default=2, help="0 silent, 1 epoch log, 2 + bar")


def _model_params(args, translation):
    names = ["attention", "hidden_size", "num_layers", "cell", "input_feeding", "max_epochs",
             "batch_size", "lr", "random_state", "verbose"]
    if translation:
        names.append("embedding_dim")
    params = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    if translation:
        from ..translation.tokenizers import BPETokenizer, CharTokenizer, WordTokenizer

        tokenizer = {"char": CharTokenizer, "word": WordTokenizer, "bpe": BPETokenizer}
        params["source_tokenizer"] = tokenizer[args.tokenizer]()
        params["target_tokenizer"] = tokenizer[args.tokenizer]()
    elif args.embedding_dim is not None:
        raise CLIError("--embedding-dim applies to translation only.")
    return params


def _fit(args):
    start = time.perf_counter()
    if args.task == "translate":
        from ..translation.translator import Seq2SeqAttentionTranslator

        sources, targets = read_pairs(args.data, args.source_column, args.target_column)
        model = Seq2SeqAttentionTranslator(**_model_params(args, True)).fit(sources, targets)
        extra = {"task": "translate"}
        what = f"{len(sources)} pairs"
    else:
        from ..forecasting.windows import make_windows
        from ..forecasting.regressor import Seq2SeqAttentionRegressor

        if args.n_in is None or args.n_out is None:
            raise CLIError("forecasting needs --n-in and --n-out.")
        series = read_series(args.data, args.column, args.time_column, args.id_column)
        X, y = make_windows(series, args.n_in, args.n_out)
        model = Seq2SeqAttentionRegressor(**_model_params(args, False)).fit(X, y)
        extra = {"task": "forecast", "column": args.column, "season": args.season,
                 "time_column": args.time_column, "id_column": args.id_column}
        what = (f"{len(X)} windows of {len(series)} series" if isinstance(series, dict)
                else f"{len(X)} windows of a {len(series)}-step series")
    from ..io.persistence import save

    save(model, args.model, extra=extra)  # written whole, or not at all
    print(f"fitted on {what} in {time.perf_counter() - start:.1f} s; saved to {args.model}")
    return 0


def _load(path):
    """The model and the options ``fit`` kept with it, as a dict with "task" and "model".

    Only sk_seqattn model files are read (``sk_seqattn.load``): a pickle,
    joblib or damaged file is refused before anything in it is used. Their
    warnings (another library version) become ``sk-seqattn: warning:`` lines.
    """
    from ..io.persistence import _NotAModelFile, load
    from ..forecasting.regressor import Seq2SeqAttentionRegressor
    from ..translation.translator import Seq2SeqAttentionTranslator

    if not Path(path).is_file():
        raise CLIError(f"{path}: no such model file.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model, extra = load(path, return_extra=True)
        except _NotAModelFile as exc:
            raise CLIError(f"{path}: not a model saved by `sk-seqattn fit` "
                           f"({exc.reason}).") from None
    for warning in caught:
        print(f"sk-seqattn: warning: {warning.message}", file=sys.stderr)
    saved = dict(extra) if isinstance(extra, dict) else {}
    if "task" not in saved:  # saved by sk_seqattn.save: the task follows from the model
        tasks = {Seq2SeqAttentionTranslator: "translate", Seq2SeqAttentionRegressor: "forecast"}
        if type(model) not in tasks:
            raise CLIError(f"{path}: holds a {type(model).__name__}; the command line uses "
                           "a Seq2SeqAttentionTranslator or Seq2SeqAttentionRegressor.")
        saved["task"] = tasks[type(model)]
    return {"column": None, "season": None, **saved, "model": model}


def _predict(args):
    saved = _load(args.model)
    model = saved["model"]
    with _output(args.output) as out:
        if saved["task"] == "translate":
            _translate_stream(model, iter_sources(args.data, args.source_column), out)
        else:
            _forecast(model, saved, args, out)
    return 0


def _translate_stream(model, sources, out):
    """Write ``source<TAB>translation`` for every source, one chunk at a time."""
    chunk = []
    for source in sources:
        chunk.append(source)
        if len(chunk) == CHUNK_LINES:
            _write_translations(model, chunk, out)
            chunk = []
    if chunk:
        _write_translations(model, chunk, out)


def _write_translations(model, sources, out):
    for source, translation in zip(sources, model.predict(sources)):
        out.write(f"{source}\t{translation}\n")
    out.flush()


def _forecast(model, saved, args, out):
    """The horizon after the end of the series (of every series of a panel)."""
    import pandas as pd

    from ..forecasting.windows import forecasts_to_frame, last_windows

    time_column = args.time_column or saved.get("time_column")
    id_column = args.id_column or saved.get("id_column")
    series = read_series(args.data, args.column or saved["column"], time_column, id_column)
    is_panel = isinstance(series, dict)
    parts = series if is_panel else {None: series}
    too_short = [sid for sid, part in parts.items() if len(part) < model.n_steps_in_]
    if too_short:
        which = "" if not is_panel else f" (series {', '.join(map(str, too_short[:5]))})"
        raise CLIError(f"{args.data}: too few values{which}; the model reads the last "
                       f"{model.n_steps_in_}.")
    X, index = last_windows(series, model.n_steps_in_)
    forecast = model.predict(X).reshape(len(X), -1)
    dated = isinstance(next(iter(parts.values())).index, pd.DatetimeIndex)
    frame = forecasts_to_frame(forecast, index, target_names="forecast").reset_index()
    if not is_panel and not dated and not args.output:
        out.write("".join(f"{value:.6g}\n" for value in forecast[0]))  # bare numbers
        return
    columns = (["series"] if is_panel else []) + (["time"] if dated else ["step"]) + ["forecast"]
    frame.to_csv(out, columns=columns, index=False, float_format="%.6g", lineterminator="\n")


@contextmanager
def _output(path):
    """Standard output, or a file written whole and moved into place."""
    if not path:
        yield sys.stdout
        sys.stdout.flush()
        return
    with _replacing(path) as temporary, \
            open(temporary, "w", encoding="utf-8", newline="") as handle:
        yield handle


def _evaluate(args):
    saved = _load(args.model)
    model = saved["model"]
    if saved["task"] == "translate":
        from ..metrics import corpus_bleu, corpus_chrf, exact_match

        sources, targets = read_pairs(args.data, args.source_column, args.target_column)
        predictions = list(model.predict(sources))
        print(f"pairs        {len(sources)}")
        print(f"exact match  {exact_match(targets, predictions):.4f}")
        print(f"chrF         {corpus_chrf(targets, predictions):.2f}")
        print(f"BLEU         {corpus_bleu(targets, predictions):.2f}")
    else:
        import numpy as np

        from ..metrics import mean_absolute_scaled_error
        from ..forecasting.windows import make_windows

        series = read_series(args.data, args.column or saved["column"],
                             args.time_column or saved.get("time_column"),
                             args.id_column or saved.get("id_column"))
        panel = series if isinstance(series, dict) else {0: series}
        season = args.season or saved["season"] or 1
        errors, scaled, n_windows = [], [], 0
        for part in panel.values():
            if len(part) < model.n_steps_in_ + model.horizon_:
                continue  # as make_windows skips it
            X, y = make_windows(part, model.n_steps_in_, model.horizon_)
            prediction = model.predict(X).reshape(y.shape)
            errors.append(abs(prediction - y).ravel())
            scaled.append(mean_absolute_scaled_error(y, prediction, part, m=season))
            n_windows += len(X)
        if not errors:
            raise CLIError(f"{args.data}: no series has n_in + horizon = "
                           f"{model.n_steps_in_ + model.horizon_} values.")
        print(f"windows  {n_windows}" + (f" of {len(errors)} series" if len(panel) > 1 else ""))
        print(f"MAE      {float(np.concatenate(errors).mean()):.4g}")
        scope = "this series" if len(panel) == 1 else "each series, averaged"
        print(f"MASE     {float(np.mean(scaled)):.4f}"
              f"  (scale: seasonal naive, m={season}, on {scope})")
    return 0


def _demo(args):
    from .demo import run_demo

    return run_demo(output_dir=args.output_dir, random_state=args.random_state,
                    verbose=args.verbose)


EXAMPLES = {
    "demo": """examples:
  sk-seqattn demo --output-dir /tmp/demo
""",
    "fit": """examples:
  sk-seqattn fit translate pairs.tsv --model dates.skm --max-epochs 20
  sk-seqattn fit translate pairs.csv --model m.skm --source-column src --target-column tgt
  sk-seqattn fit forecast sales.csv --model f.skm --column sales --n-in 36 --n-out 12
  sk-seqattn fit forecast panel.csv --model f.skm --id-column store --column sales \\
      --n-in 36 --n-out 12
""",
    "predict": """examples:
  sk-seqattn predict sources.txt --model dates.skm > translations.tsv
  cat big.txt | sk-seqattn predict - --model dates.skm | head
  sk-seqattn predict sales.csv --model f.skm --output forecast.csv
""",
    "evaluate": """examples:
  sk-seqattn evaluate test.tsv --model dates.skm
  sk-seqattn evaluate sales.csv --model f.skm --season 12
""",
}


def _data_options(parser, target):
    parser.add_argument("data", help="data file (.tsv/.txt or .csv), or - for standard input")
    parser.add_argument("--model", required=True,
                        help="a model file saved by `sk-seqattn fit` or sk_seqattn.save "
                             "(never unpickled: pickle and joblib files are refused)")
    parser.add_argument("--source-column", help="CSV translation: source column")
    if target:
        parser.add_argument("--target-column", help="CSV translation: target column")
    _series_options(parser, default_note=" (default: as in fit)")


def _series_options(parser, default_note=""):
    parser.add_argument("--column", help=f"forecast: the CSV column{default_note}")
    parser.add_argument("--time-column", help="forecast: the CSV column of dates (default: "
                        "the first column that holds dates, if any)")
    parser.add_argument("--id-column", help="forecast: the CSV column naming each row's "
                        f"series, for a panel of series{default_note}")


def _command(commands, name, debug, **kwargs):
    return commands.add_parser(name, parents=[debug], epilog=EXAMPLES[name],
                               formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs)


def build_parser():
    # --debug is accepted before or after the command.
    debug = argparse.ArgumentParser(add_help=False)
    debug.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show the full traceback of a failure")
    parser = argparse.ArgumentParser(
        prog="sk-seqattn",
        description="Luong-attention sequence-to-sequence models as scikit-learn estimators.",
        epilog="exit status: 0 success, 1 runtime failure, 2 usage or input-file error, "
               "130 interrupted.\n\n" + "".join(EXAMPLES.values()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback of a failure")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = _command(
        commands, "demo", debug,
        help="forecast sunspots and translate dates, with results and a heatmap",
        description="Fit the forecaster on sunspots and the translator on babel-rendered "
                    "dates (built-in data), print a results table and write an attention "
                    "heatmap PNG.",
    )
    demo.add_argument("--output-dir", default=".", help="where the PNG goes (default: .)")
    demo.add_argument("--random-state", type=int, default=0)
    demo.add_argument("--verbose", type=int, default=2, help="0 silent, 1 epoch log, 2 + bar")
    demo.set_defaults(handler=_demo)

    fit = _command(
        commands, "fit", debug, help="train on a file and save the model",
        description="translate: a TSV of source<TAB>target lines (empty lines skipped), or "
                    "a CSV with a header. forecast: a CSV column, cut into windows of "
                    "--n-in past and --n-out future values; with --id-column, the windows "
                    "of every series, pooled. The model file is written only when "
                    "training completes.",
    )
    fit.add_argument("task", choices=["translate", "forecast"])
    fit.add_argument("data", help="training file (.tsv/.txt or .csv), or - for standard input")
    fit.add_argument("--model", required=True,
                     help="where to save the model: a sk_seqattn model file (any name; "
                          ".skm by convention), loadable with sk_seqattn.load")
    fit.add_argument("--source-column", help="CSV translation: source column")
    fit.add_argument("--target-column", help="CSV translation: target column")
    _series_options(fit)
    fit.add_argument("--n-in", type=int, help="forecast: input window length")
    fit.add_argument("--n-out", type=int, help="forecast: horizon")
    fit.add_argument("--season", type=int, help="forecast: season length for MASE later")
    _network_options(fit)
    fit.set_defaults(handler=_fit)

    predict = _command(
        commands, "predict", debug,
        help="translate a file, or forecast after the end of a series",
        description="translate: prints source<TAB>translation for each input line, empty "
                    "lines included (one output line per input line), streaming in chunks "
                    f"of {CHUNK_LINES} lines. forecast: the --n-out values after the end of "
                    "the series: bare numbers, or a CSV with a header (time,forecast when "
                    "the file has dates; series,... for a panel; always with --output).",
    )
    _data_options(predict, target=False)
    predict.add_argument("--output", help="write here instead of stdout")
    predict.set_defaults(handler=_predict)

    evaluate = _command(
        commands, "evaluate", debug, help="score a saved model on a file",
        description="translate: exact match, chrF and BLEU on source/target pairs. "
                    "forecast: MAE and MASE over every window of the series (of each "
                    "series of a panel).",
    )
    _data_options(evaluate, target=True)
    evaluate.add_argument("--season", type=int, help="forecast: season length for MASE")
    evaluate.set_defaults(handler=_evaluate)
    return parser


# Errors in what the user gave (files, options, data): exit status 2.
INPUT_ERRORS = (CLIError, ValueError, TypeError, ImportError, OSError, csv.Error)


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("sk-seqattn: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): normal in a pipeline. Point stdout
        # at /dev/null so that Python's own flush at exit stays quiet too.
        _silence_stdout()
        return 0
    except Exception as exc:  # one line, or the traceback with --debug
        status = 2 if isinstance(exc, INPUT_ERRORS) else 1
        if args.debug:
            traceback.print_exc()
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if status == 1:
            message = f"{type(exc).__name__}: {message}"
        print(f"sk-seqattn: error: {message}", file=sys.stderr)
        return status


def _silence_stdout():
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (e.g. captured in tests)
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
