"""The ``sk-seqattn`` command line (also ``python -m sk_seqattn``).

Commands: ``demo``; ``fit``, ``predict`` and ``evaluate`` on files. Bad
input ends with one ``sk-seqattn: error: ...`` line on stderr and exit
status 2, never a stack trace.
"""

import argparse
import csv
import sys
import time
from pathlib import Path

__all__ = ["main"]


class CLIError(Exception):
    """A user-facing error: printed as one line, exit status 2."""


# -- reading files ---------------------------------------------------------------
def read_pairs(path, source_column=None, target_column=None, need_target=True):
    """Sources (and targets) from a TSV (two tab-separated fields a line, no
    header) or a CSV (a header; columns by name, default the first two)."""
    path = Path(path)
    if not path.is_file():
        raise CLIError(f"{path}: no such file.")
    if path.suffix.lower() == ".csv":
        import pandas as pd

        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        except pd.errors.EmptyDataError:
            raise CLIError(f"{path}: the file is empty.") from None
        except pd.errors.ParserError as exc:
            raise CLIError(f"{path}: not a well-formed CSV ({str(exc).strip()}).") from None
        columns = list(frame.columns)
        wanted = [source_column or (columns[0] if columns else None)]
        if need_target:
            wanted.append(target_column or (columns[1] if len(columns) > 1 else None))
        for name in wanted:
            if name is None or name not in columns:
                raise CLIError(
                    f"{path}: no column {name!r} (columns: {', '.join(columns) or 'none'}); "
                    "set --source-column/--target-column."
                )
        if frame.empty:
            raise CLIError(f"{path}: the file has a header but no rows.")
        return [frame[name].tolist() for name in wanted]
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip("\r\n")
            if not line:
                continue
            fields = line.split("\t")
            if len(fields) > 2 or (need_target and len(fields) != 2):
                raise CLIError(
                    f"{path}, line {number}: expected source<TAB>target, found "
                    f"{len(fields)} field(s)."
                )
            rows.append(fields)
    if not rows:
        raise CLIError(f"{path}: the file is empty.")
    sources = [row[0] for row in rows]
    if not need_target:
        return [sources]
    return [sources, [row[1] for row in rows]]


def read_series(path, column=None):
    """One numeric column of a CSV, as a float array."""
    import numpy as np
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise CLIError(f"{path}: no such file.")
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise CLIError(f"{path}: the file is empty.") from None
    except pd.errors.ParserError as exc:
        raise CLIError(f"{path}: not a well-formed CSV ({str(exc).strip()}).") from None
    if column is None:
        numeric = frame.select_dtypes("number").columns
        if len(numeric) != 1:
            raise CLIError(
                f"{path}: say which column to forecast with --column (columns: "
                f"{', '.join(map(str, frame.columns))})."
            )
        column = numeric[0]
    if column not in frame.columns:
        raise CLIError(
            f"{path}: no column {column!r} (columns: {', '.join(map(str, frame.columns))})."
        )
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna() & frame[column].notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise CLIError(
            f"{path}: column {column!r} is not numeric (row {row + 2}: "
            f"{frame[column].iloc[row]!r})."
        )
    if values.isna().any():
        raise CLIError(
            f"{path}: column {column!r} has {int(values.isna().sum())} missing value(s); "
            "fill or interpolate them first."
        )
    if values.empty:
        raise CLIError(f"{path}: column {column!r} has no values.")
    return values.to_numpy(dtype=float)


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
        from .tokenizers import BPETokenizer, CharTokenizer, WordTokenizer

        tokenizer = {"char": CharTokenizer, "word": WordTokenizer, "bpe": BPETokenizer}
        params["source_tokenizer"] = tokenizer[args.tokenizer]()
        params["target_tokenizer"] = tokenizer[args.tokenizer]()
    elif args.embedding_dim is not None:
        raise CLIError("--embedding-dim applies to translation only.")
    return params


def _fit(args):
    import joblib

    start = time.perf_counter()
    if args.task == "translate":
        from .translator import Seq2SeqAttentionTranslator

        sources, targets = read_pairs(args.data, args.source_column, args.target_column)
        model = Seq2SeqAttentionTranslator(**_model_params(args, True)).fit(sources, targets)
        saved = {"task": "translate", "model": model}
        what = f"{len(sources)} pairs"
    else:
        from .preprocessing import make_windows
        from .regressor import Seq2SeqAttentionRegressor

        if args.n_in is None or args.n_out is None:
            raise CLIError("forecasting needs --n-in and --n-out.")
        series = read_series(args.data, args.column)
        X, y = make_windows(series, args.n_in, args.n_out)
        model = Seq2SeqAttentionRegressor(**_model_params(args, False)).fit(X, y)
        saved = {"task": "forecast", "model": model, "column": args.column,
                 "season": args.season}
        what = f"{len(X)} windows of a {len(series)}-step series"
    joblib.dump(saved, args.model)
    print(f"fitted on {what} in {time.perf_counter() - start:.1f} s; saved to {args.model}")
    return 0


def _load(path):
    import joblib

    if not Path(path).is_file():
        raise CLIError(f"{path}: no such model file.")
    try:
        saved = joblib.load(path)
    except Exception as exc:  # any unpickling failure is the same news to a user
        raise CLIError(f"{path}: not a model saved by `sk-seqattn fit` ({exc}).") from None
    if not isinstance(saved, dict) or "task" not in saved:
        raise CLIError(f"{path}: not a model saved by `sk-seqattn fit`.")
    return saved


def _predict(args):
    saved = _load(args.model)
    model = saved["model"]
    if saved["task"] == "translate":
        (sources,) = read_pairs(args.data, args.source_column, need_target=False)
        lines = [f"{s}\t{p}" for s, p in zip(sources, model.predict(sources))]
    else:
        series = read_series(args.data, args.column or saved["column"])
        if len(series) < model.n_steps_in_:
            raise CLIError(
                f"{args.data}: {len(series)} values; the model reads the last "
                f"{model.n_steps_in_}."
            )
        forecast = model.predict(series[None, -model.n_steps_in_:]).reshape(-1)
        lines = [f"{value:.6g}" for value in forecast]
    text = "\n".join(lines) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _evaluate(args):
    saved = _load(args.model)
    model = saved["model"]
    if saved["task"] == "translate":
        from .metrics import corpus_bleu, corpus_chrf, exact_match

        sources, targets = read_pairs(args.data, args.source_column, args.target_column)
        predictions = list(model.predict(sources))
        print(f"pairs        {len(sources)}")
        print(f"exact match  {exact_match(targets, predictions):.4f}")
        print(f"chrF         {corpus_chrf(targets, predictions):.2f}")
        print(f"BLEU         {corpus_bleu(targets, predictions):.2f}")
    else:
        from .metrics import mean_absolute_scaled_error
        from .preprocessing import make_windows

        series = read_series(args.data, args.column or saved["column"])
        X, y = make_windows(series, model.n_steps_in_, model.horizon_)
        prediction = model.predict(X).reshape(y.shape)
        season = args.season or saved["season"] or 1
        print(f"windows  {len(X)}")
        print(f"MAE      {float(abs(prediction - y).mean()):.4g}")
        print(f"MASE     {mean_absolute_scaled_error(y, prediction, series, m=season):.4f}"
              f"  (scale: seasonal naive, m={season}, on this series)")
    return 0


def _demo(args):
    from .demo import run_demo

    return run_demo(output_dir=args.output_dir, random_state=args.random_state,
                    verbose=args.verbose)


def _data_options(parser, target):
    parser.add_argument("data", help="data file (.tsv/.txt or .csv)")
    parser.add_argument("--model", required=True, help="a model saved by `sk-seqattn fit`")
    parser.add_argument("--source-column", help="CSV translation: source column")
    if target:
        parser.add_argument("--target-column", help="CSV translation: target column")
    parser.add_argument("--column", help="forecast: the CSV column (default: as in fit)")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="sk-seqattn",
        description="Luong-attention sequence-to-sequence models as scikit-learn estimators.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo", help="forecast sunspots and translate dates, with results and a heatmap",
        description="Fit the forecaster on sunspots and the translator on babel-rendered "
                    "dates (built-in data), print a results table and write an attention "
                    "heatmap PNG.",
    )
    demo.add_argument("--output-dir", default=".", help="where the PNG goes (default: .)")
    demo.add_argument("--random-state", type=int, default=0)
    demo.add_argument("--verbose", type=int, default=2, help="0 silent, 1 epoch log, 2 + bar")
    demo.set_defaults(handler=_demo)

    fit = commands.add_parser(
        "fit", help="train on a file and save the model",
        description="translate: a TSV of source<TAB>target lines, or a CSV with a header. "
                    "forecast: a CSV column, cut into windows of --n-in past and "
                    "--n-out future values.",
    )
    fit.add_argument("task", choices=["translate", "forecast"])
    fit.add_argument("data", help="training file (.tsv/.txt or .csv)")
    fit.add_argument("--model", required=True, help="where to save the model (joblib)")
    fit.add_argument("--source-column", help="CSV translation: source column")
    fit.add_argument("--target-column", help="CSV translation: target column")
    fit.add_argument("--column", help="forecast: the CSV column")
    fit.add_argument("--n-in", type=int, help="forecast: input window length")
    fit.add_argument("--n-out", type=int, help="forecast: horizon")
    fit.add_argument("--season", type=int, help="forecast: season length for MASE later")
    _network_options(fit)
    fit.set_defaults(handler=_fit)

    predict = commands.add_parser(
        "predict", help="translate a file, or forecast after the end of a series",
        description="translate: prints source<TAB>translation for each line (or first "
                    "CSV column). forecast: prints the n_out values after the series.",
    )
    _data_options(predict, target=False)
    predict.add_argument("--output", help="write here instead of stdout")
    predict.set_defaults(handler=_predict)

    evaluate = commands.add_parser(
        "evaluate", help="score a saved model on a file",
        description="translate: exact match, chrF and BLEU on source/target pairs. "
                    "forecast: MAE and MASE over every window of the series.",
    )
    _data_options(evaluate, target=True)
    evaluate.add_argument("--season", type=int, help="forecast: season length for MASE")
    evaluate.set_defaults(handler=_evaluate)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (CLIError, ValueError, TypeError, ImportError, OSError, csv.Error) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"sk-seqattn: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
