import numpy as np
import pytest

from sk_seqattn.cli import commands as cli, demo

SMALL = ["--max-epochs", "1", "--hidden-size", "8", "--verbose", "0"]


def run(capsys, *argv):
    status = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def pairs(tmp_path):
    path = tmp_path / "pairs.tsv"
    lines = [f"{s}\t{s[::-1]}" for s in ["abc", "bca", "cab", "aab", "bba"] * 6]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def series_csv(tmp_path):
    path = tmp_path / "series.csv"
    values = np.sin(np.arange(120) / 3)
    path.write_text("t,value\n" + "".join(f"{i},{v}\n" for i, v in enumerate(values)))
    return path


def test_translate_fit_predict_evaluate(capsys, tmp_path, pairs):
    model = tmp_path / "model.joblib"
    status, out, _ = run(capsys, "fit", "translate", pairs, "--model", model,
                         "--embedding-dim", "4", *SMALL)
    assert status == 0 and "fitted on 30 pairs" in out and model.is_file()
    status, out, _ = run(capsys, "predict", pairs, "--model", model)
    assert status == 0 and len(out.splitlines()) == 30 and out.startswith("abc\t")
    status, out, _ = run(capsys, "evaluate", pairs, "--model", model)
    assert status == 0
    assert {line.split()[0] for line in out.splitlines()} == {"pairs", "exact", "chrF", "BLEU"}


def test_translate_from_csv_columns(capsys, tmp_path):
    path = tmp_path / "pairs.csv"
    path.write_text("id,src,tgt\n" + "".join(f"{i},ab{i % 3},x{i % 3}\n" for i in range(20)))
    model = tmp_path / "m.joblib"
    status, out, err = run(capsys, "fit", "translate", path, "--model", model,
                           "--source-column", "src", "--target-column", "tgt",
                           "--tokenizer", "word", *SMALL)
    assert status == 0, err
    status, out, _ = run(capsys, "evaluate", path, "--model", model,
                         "--source-column", "src", "--target-column", "tgt")
    assert status == 0 and "exact match" in out


def test_forecast_fit_predict_evaluate(capsys, tmp_path, series_csv):
    model = tmp_path / "model.joblib"
    status, out, err = run(capsys, "fit", "forecast", series_csv, "--model", model,
                           "--column", "value", "--n-in", "12", "--n-out", "3",
                           "--season", "19", *SMALL)
    assert status == 0, err
    status, out, _ = run(capsys, "predict", series_csv, "--model", model)
    assert status == 0 and len(out.split()) == 3
    np.asarray(out.split(), dtype=float)
    status, out, _ = run(capsys, "evaluate", series_csv, "--model", model)
    assert status == 0 and "MASE" in out and "m=19" in out


@pytest.mark.parametrize("content, argv_tail, message", [
    (None, [], "no such file"),
    ("", [], "the file is empty"),
    ("a\tb\nc\td\te\n", [], "line 2: expected source<TAB>target, found 3"),
    ("only-one-field\n", [], "line 1: expected source<TAB>target, found 1"),
])
def test_translation_file_errors(capsys, tmp_path, content, argv_tail, message):
    path = tmp_path / "data.tsv"
    if content is not None:
        path.write_text(content)
    status, out, err = run(capsys, "fit", "translate", path, "--model", tmp_path / "m", *SMALL)
    assert status == 2 and message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("content, extra, message", [
    ("t,value\n1,2\n2,x\n", ["--column", "value"], "column 'value' is not numeric (row 3: 'x')"),
    ("t,value\n1,2\n", ["--column", "other"], "no column 'other'"),
    ("a,b\n1,2\n3,4\n", [], "say which column"),
    ("t,value\n1,2\n2,\n3,4\n", ["--column", "value"], "1 missing value"),
    ("", ["--column", "value"], "the file is empty"),
    ("t,value\n" + "".join(f"{i},{i}\n" for i in range(5)), ["--column", "value"],
     "n_in + n_out = 15 needs at least that many"),
])
def test_series_file_errors(capsys, tmp_path, content, extra, message):
    path = tmp_path / "series.csv"
    path.write_text(content)
    status, _, err = run(capsys, "fit", "forecast", path, "--model", tmp_path / "m",
                         "--n-in", "12", "--n-out", "3", *extra, *SMALL)
    assert status == 2 and message in err and "Traceback" not in err


def test_bad_model_file(capsys, tmp_path, pairs):
    junk = tmp_path / "junk.joblib"
    junk.write_text("not a model")
    status, _, err = run(capsys, "predict", pairs, "--model", junk)
    assert status == 2 and "not a model saved by `sk-seqattn fit`" in err
    status, _, err = run(capsys, "predict", pairs, "--model", tmp_path / "none.joblib")
    assert status == 2 and "no such model file" in err


@pytest.mark.parametrize("command", [[], ["demo"], ["fit"], ["predict"], ["evaluate"]])
def test_help(capsys, command):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: sk-seqattn" in capsys.readouterr().out


def test_demo_smoke(capsys, tmp_path, monkeypatch):
    # The real demo trains for ~50 s; the same code on a smaller date set.
    monkeypatch.setattr(demo, "N_TRAIN_DATES", 300)
    monkeypatch.setattr(demo, "N_TEST_DATES", 50)
    monkeypatch.setattr(demo, "DATE_EPOCHS", 1)
    status, out, _ = run(capsys, "demo", "--output-dir", tmp_path, "--verbose", "0")
    assert status == 0
    assert "seasonal naive (m=11)" in out and "Seq2SeqAttentionTranslator (dot)" in out
    assert "the linear floor reads the last 11 of 44 years" in out
    assert (tmp_path / "demo_attention.png").stat().st_size > 10_000


# -- the command line in pipelines: run as a subprocess ------------------------------
import os  # noqa: E402
import pickle  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402

from sklearn.preprocessing import StandardScaler  # noqa: E402

from sk_seqattn import Seq2SeqAttentionTranslator, load, save  # noqa: E402

CLI = [sys.executable, "-m", "sk_seqattn"]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1"}


def cli_process(*argv, **kwargs):
    return subprocess.run([*CLI, *map(str, argv)], capture_output=True, text=True, env=ENV,
                          timeout=300, **kwargs)


@pytest.fixture(scope="module")
def translation_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("translation")
    pairs = folder / "pairs.tsv"
    pairs.write_text("".join(f"{s}\t{s[::-1]}\n" for s in ["abc", "bca", "cab", "aab"] * 5))
    model = folder / "model.joblib"
    assert cli.main(["fit", "translate", str(pairs), "--model", str(model),
                     "--embedding-dim", "4", *SMALL]) == 0
    return model


@pytest.fixture(scope="module")
def monthly_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("monthly") / "sales.csv"
    months = [f"{2000 + i // 12}-{i % 12 + 1:02d}-01" for i in range(60)]
    values = 10 + np.sin(np.arange(60) / 2)
    path.write_text("month,sales\n" + "".join(f"{m},{v}\n" for m, v in zip(months, values)))
    return path


def test_predict_writes_one_line_per_input_line(translation_model, tmp_path):
    sources = tmp_path / "sources.txt"
    sources.write_text("abc\n\ncab\n\n")  # 4 lines, two of them empty
    done = cli_process("predict", sources, "--model", translation_model)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split("\n")[:-1]
    assert len(lines) == 4
    assert [line.split("\t")[0] for line in lines] == ["abc", "", "cab", ""]


def test_closed_pipe_ends_quietly(translation_model, tmp_path):
    sources = tmp_path / "many.txt"
    sources.write_text("abc\n" * 3000)  # several chunks
    process = subprocess.Popen([*CLI, "predict", str(sources), "--model", str(translation_model)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    assert process.stdout.readline().startswith(b"abc\t")
    process.stdout.close()  # as `| head -1` does
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 0
    assert stderr == b""


def test_predict_streams_standard_input(translation_model):
    process = subprocess.Popen([*CLI, "predict", "-", "--model", str(translation_model)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=ENV)
    process.stdin.write("abc\n" * cli.CHUNK_LINES)
    process.stdin.flush()
    # A full chunk comes back while standard input is still open.
    first = []
    reader = threading.Thread(target=lambda: first.append(process.stdout.readline()))
    reader.start()
    reader.join(timeout=120)
    assert first and first[0].startswith("abc\t")
    process.stdin.write("\ncab\n")
    process.stdin.close()
    rest = process.stdout.read()
    process.wait(timeout=60)
    assert process.returncode == 0
    lines = (first[0] + rest).split("\n")[:-1]
    assert len(lines) == cli.CHUNK_LINES + 2 and lines[-1].startswith("cab\t")
    assert lines[-2].startswith("\t")


def test_forecast_prints_dates_and_writes_csv(monthly_csv, tmp_path):
    model = tmp_path / "f.joblib"
    assert cli.main(["fit", "forecast", str(monthly_csv), "--model", str(model),
                     "--n-in", "12", "--n-out", "3", *SMALL]) == 0
    done = cli_process("predict", monthly_csv, "--model", model)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "time,forecast"
    assert [line.split(",")[0] for line in lines[1:]] == ["2005-01-01", "2005-02-01",
                                                           "2005-03-01"]
    output = tmp_path / "forecast.csv"
    done = cli_process("predict", monthly_csv, "--model", model, "--output", output)
    assert done.returncode == 0 and done.stdout == ""
    assert output.read_text().splitlines()[0] == "time,forecast"
    # Dates without a frequency: a clear error.
    irregular = tmp_path / "irregular.csv"
    days = [f"2000-01-{d:02d}" for d in [1, 2, 4, 7, 8, 9, 13, 14, 16, 20, 21, 22, 25, 27]]
    irregular.write_text("day,sales\n" + "".join(f"{d},{i}\n" for i, d in enumerate(days)))
    done = cli_process("predict", irregular, "--model", model)
    assert done.returncode == 2 and "cannot infer the frequency" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_forecast_a_panel_prints_one_block_per_series(tmp_path):
    rows = ["store,month,sales"]
    for store, shift in (("north", 0.0), ("south", 5.0)):
        rows += [f"{store},{2000 + i // 12}-{i % 12 + 1:02d}-01,{shift + np.sin(i / 2):.4f}"
                 for i in range(40)]
    panel = tmp_path / "panel.csv"
    panel.write_text("\n".join(rows) + "\n")
    model = tmp_path / "p.joblib"
    done = cli_process("fit", "forecast", panel, "--model", model, "--id-column", "store",
                       "--n-in", "12", "--n-out", "2", *SMALL)
    assert done.returncode == 0 and "of 2 series" in done.stdout, done.stderr
    done = cli_process("predict", panel, "--model", model)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "series,time,forecast"
    assert [line.split(",")[:2] for line in lines[1:]] == [
        ["north", "2003-05-01"], ["north", "2003-06-01"],
        ["south", "2003-05-01"], ["south", "2003-06-01"]]
    done = cli_process("evaluate", panel, "--model", model, "--season", "12")
    assert done.returncode == 0 and "of 2 series" in done.stdout


def test_exit_statuses_and_debug(tmp_path, translation_model):
    done = cli_process("predict", tmp_path / "missing.txt", "--model", translation_model)
    assert done.returncode == 2 and done.stderr.count("\n") == 1  # input-file error
    done = cli_process("predict", "--model")
    assert done.returncode == 2  # usage error (argparse)
    broken = tmp_path / "broken.skm"  # a valid file whose model cannot translate:
    save(StandardScaler().fit([[0.0]]), broken, extra={"task": "translate"})  # fails at run time
    sources = tmp_path / "one.txt"
    sources.write_text("abc\n")
    done = cli_process("predict", sources, "--model", broken)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("sk-seqattn: error: AttributeError")
    done = cli_process("--debug", "predict", sources, "--model", broken)
    assert done.returncode == 1 and "Traceback (most recent call last)" in done.stderr
    done = cli_process("predict", sources, "--model", broken, "--debug")
    assert done.returncode == 1 and "Traceback (most recent call last)" in done.stderr


class _Marker:
    """Unpickling this creates the file ``path``: what a crafted pickle could do."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return open, (self.path, "w")


def test_a_pickle_is_refused_and_never_run(tmp_path, translation_model):
    marker, model = tmp_path / "marker", tmp_path / "model.joblib"
    model.write_bytes(pickle.dumps({"task": "translate", "model": _Marker(marker)}))
    sources = tmp_path / "one.txt"
    sources.write_text("abc\n")
    for command in (["predict", sources], ["evaluate", sources]):
        done = cli_process(*command, "--model", model)
        assert done.returncode == 2 and done.stderr.count("\n") == 1
        assert "not a model saved by `sk-seqattn fit` (it is a pickle" in done.stderr
        assert not marker.exists()  # nothing in the file ran
    pickle.loads(model.read_bytes())  # as joblib.load did: it runs the file's code
    assert marker.exists()


def _rewritten(source, target, edit, rewrite_model_json):
    # A copy of the model file ``source`` with its model.json passed through ``edit``.
    target.write_bytes(source.read_bytes())
    rewrite_model_json(target, edit)
    return target


def test_truncated_and_crafted_model_files_are_refused(capsys, tmp_path, translation_model, rewrite_model_json):
    sources = tmp_path / "one.txt"
    sources.write_text("abc\n")
    truncated = tmp_path / "truncated.skm"
    truncated.write_bytes(translation_model.read_bytes()[:200])
    crafted = _rewritten(translation_model, tmp_path / "crafted.skm", lambda document: document[
        "estimator"].update({"class": "subprocess.Popen"}), rewrite_model_json)
    for path, reason in ((truncated, "truncated archive"), (crafted, "'subprocess.Popen'")):
        status, out, err = run(capsys, "predict", sources, "--model", path)
        assert status == 2 and out == "" and err.count("\n") == 1
        assert "not a model saved by `sk-seqattn fit`" in err and reason in err


def test_model_files_are_sk_seqattn_model_files(capsys, tmp_path, translation_model, rewrite_model_json):
    model, extra = load(translation_model, return_extra=True)
    assert isinstance(model, Seq2SeqAttentionTranslator) and extra == {"task": "translate"}
    sources = tmp_path / "one.txt"
    sources.write_text("abc\n")
    # Saved from Python without the CLI's extra: the task follows from the model.
    save(model, tmp_path / "plain.skm")
    status, out, _ = run(capsys, "predict", sources, "--model", tmp_path / "plain.skm")
    assert status == 0 and out.startswith("abc\t")
    # Another library version: a warning line, and the prediction all the same.
    older = _rewritten(translation_model, tmp_path / "older.skm",
                       lambda document: document["versions"].update(sk_seqattn="0.0.1"), rewrite_model_json)
    status, out, err = run(capsys, "predict", sources, "--model", older)
    assert status == 0 and out.startswith("abc\t")
    assert err.startswith("sk-seqattn: warning:") and "sk_seqattn 0.0.1" in err


def test_interrupted_fit_exits_130_and_keeps_the_previous_model(series_csv, tmp_path):
    model = tmp_path / "model.joblib"
    model.write_bytes(b"previous model")
    process = subprocess.Popen(
        [*CLI, "fit", "forecast", str(series_csv), "--model", str(model), "--column", "value",
         "--n-in", "12", "--n-out", "3", "--max-epochs", "100000", "--hidden-size", "8",
         "--verbose", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
    )
    for line in process.stdout:  # skorch's epoch table: training has started
        if line.strip().startswith("1 "):
            break
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert model.read_bytes() == b"previous model"
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("command", ["demo", "fit", "predict", "evaluate"])
def test_help_shows_examples(capsys, command):
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    out = capsys.readouterr().out
    assert "examples:" in out and f"sk-seqattn {command}" in out


def test_help_as_a_subprocess():
    done = cli_process("predict", "--help")
    assert done.returncode == 0 and "examples:" in done.stdout
    assert "cat big.txt | sk-seqattn predict - --model" in done.stdout
