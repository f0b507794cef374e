import numpy as np
import pytest

from sk_seqattn import cli, demo

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
    assert (tmp_path / "demo_attention.png").stat().st_size > 10_000
