"""Run files are untrusted: no import, no evaluation, no traceback, whatever they hold."""

import copy
import json
import os
import sys
import textwrap

import pytest

from descentlab.cli import main
from descentlab.results import records


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def valid(capsys, tmp_path):
    """A valid run record with its path, as a dict."""
    saved = tmp_path / "valid.json"
    code, _, _ = run(capsys, "run", "gd", "-f", "sphere", "--dim", "2", "--seed", "3",
                     "--n-iter", "5", "-q", "--json", saved, "--save-path")  # fmt: skip
    assert code == 0
    return json.loads(saved.read_text())


def write(tmp_path, record, name="run.json"):
    path = tmp_path / name
    path.write_text(record if isinstance(record, str) else json.dumps(record))
    return path


def test_a_valid_file_is_drawn(capsys, tmp_path, valid):
    code, _, err = run(capsys, "plot", write(tmp_path, valid), "--plot", tmp_path / "ok.png")
    assert code == 0, err


def test_a_file_naming_a_module_imports_nothing(capsys, tmp_path, valid, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "evil.py").write_text("open('imported', 'w').write('yes')\ndef f(x): return x\n")
    for reference in ("this:s", "evil:f"):
        record = copy.deepcopy(valid)
        record["settings"]["problem"] = {"function": reference, "expr": None, "grad": None,
                                         "params": []}  # fmt: skip
        code, out, err = run(capsys, "plot", write(tmp_path, record), "--plot", "x.png")
        assert code == 2 and out == "" and err.count("\n") == 1
        assert f"does not import code that a file names: give it again with -f {reference}" in err
    assert "this" not in sys.modules or "Beautiful is better" not in out
    assert not (tmp_path / "imported").exists() and "evil" not in sys.modules
    assert not (tmp_path / "x.png").exists()


@pytest.fixture
def user_module(tmp_path, monkeypatch):
    (tmp_path / "runfile_user.py").write_text(textwrap.dedent("""
        import numpy as np
        def bowl(x): return np.sum(x**2, axis=-1)
        def bowl_grad(x): return 2 * x
    """))  # fmt: skip
    monkeypatch.chdir(tmp_path)


def test_a_run_of_the_users_function_is_drawn_when_named_again_or_trusted(
    capsys, tmp_path, user_module
):
    code, _, _ = run(capsys, "run", "gd", "-f", "runfile_user:bowl", "--grad",
                     "runfile_user:bowl_grad", "--bounds", "-1,1", "-1,1", "--seed", "0", "-q",
                     "--json", "user.json", "--save-path")  # fmt: skip
    assert code == 0
    code, _, err = run(capsys, "plot", "user.json", "--plot", "a.png")
    assert code == 2 and "-f runfile_user:bowl --grad runfile_user:bowl_grad, or --trust" in err
    code, _, err = run(capsys, "plot", "user.json", "--plot", "b.png", "-f", "runfile_user:bowl")
    assert code == 0, err
    code, _, err = run(capsys, "plot", "user.json", "--plot", "c.png", "--trust")
    assert code == 0, err


def mutate(record, where, value):
    *parents, last = where.split(".")
    target = record
    for key in parents:
        target = target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return record


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        ("result", KeyError, "result: Field required"),
        ("settings", KeyError, "settings: Field required"),
        ("result.path.x", KeyError, "result.path.x: Field required"),
        ("optimizer", None, "optimizer: Input should be a valid dictionary"),
        ("result.path.iteration", [], "must be a non-empty increasing list"),
        ("result.path.x", [[0.1, 0.2]], r"result.path.x has shape (1, 2), expected (6, 2)"),
        ("result.x", [[0.1, 0.2], [0.3]], "result.x is not a rectangular array of floats"),
        ("result.status", "finished", "result.status must be among"),
        ("result.nfev", -1, "result.nfev: Input should be greater than or equal to 0"),
        ("problem.dim", 10**9, "problem.dim: Input should be less than or equal to 1000000"),
        ("problem.name", "x" * 5000, "problem.name: String should have at most 2000 characters"),
        (
            "settings.problem.expr",
            "__import__('os').system('true')",
            "uses unknown name '__import__'",
        ),
        ("settings.problem.function", "nope", "function must be one of"),
        ("schema", "descentlab.run/9", "schema 'descentlab.run/1' or 'descentlab.run/2'"),
    ],
)
def test_broken_files_are_one_line_naming_the_file(capsys, tmp_path, valid, where, value, message):
    path = write(tmp_path, mutate(copy.deepcopy(valid), where, value))
    if where == "settings.problem.expr":
        valid_problem = {"function": None, "expr": value, "grad": None, "params": []}
        path = write(tmp_path, mutate(copy.deepcopy(valid), "settings.problem", valid_problem))
    code, out, err = run(capsys, "plot", path, "--plot", tmp_path / "x.png")
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert message in err
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "is not a valid run record"),
        ('{"schema": "descentlab.run/1", "result": ' + "[" * 100_000 + "]" * 100_000 + "}",
         "nested too deeply"),
        ("{not json", "invalid JSON (Expecting property name enclosed in double quotes"),
        ("", "invalid JSON"),
        ("[1, 2]", "it does not say schema"),
    ],
)  # fmt: skip
def test_malformed_json_is_one_line(capsys, tmp_path, text, message):
    path = write(tmp_path, text)
    code, _, err = run(capsys, "plot", path, "--plot", tmp_path / "x.png")
    assert code == 2 and err.count("\n") == 1 and message in err and str(path) in err


def test_deep_arrays_and_binary_files(capsys, tmp_path, valid):
    deep = mutate(copy.deepcopy(valid), "result.x", json.loads("[" * 500 + "1" + "]" * 500))
    code, _, err = run(capsys, "plot", write(tmp_path, deep), "--plot", tmp_path / "x.png")
    assert code == 2 and "result.x" in err
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    code, _, err = run(capsys, "plot", binary, "--plot", tmp_path / "x.png")
    assert code == 2 and "it is not UTF-8 text" in err


def test_large_files_are_refused_before_reading(capsys, tmp_path, valid, monkeypatch):
    monkeypatch.setattr(records, "MAX_FILE_BYTES", 100)
    code, _, err = run(capsys, "plot", write(tmp_path, valid), "--plot", tmp_path / "x.png")
    assert code == 2 and "more than the 100 bytes allowed" in err


@pytest.mark.parametrize("command", ["plot", "resume"])
def test_devices_pipes_and_symlinks_to_them_are_never_read(capsys, tmp_path, command):
    """The finding: a symlink to /dev/zero passed the size check and was read to 23 GB."""
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")
    pipe = tmp_path / "pipe.json"
    os.mkfifo(pipe)  # reading it would wait forever for a writer
    for path in (zero, pipe):
        if command == "plot":
            args = ["plot", path, "--plot", tmp_path / "x.png"]
        else:
            args = ["run", "adam", "-f", "sphere", "--resume", path]
        code, _, err = run(capsys, *args)
        assert code == 2 and "not a regular file" in err and err.count("\n") == 1, err


def test_a_one_row_path_is_drawn(capsys, tmp_path, valid):
    short = copy.deepcopy(valid)
    path = short["result"]["path"]
    for key in ("iteration", "x", "fun", "grad_norm"):
        path[key] = path[key][:1]
    code, _, err = run(capsys, "plot", write(tmp_path, short), "--plot", tmp_path / "one.png",
                       "--animate", tmp_path / "one.gif")  # fmt: skip
    assert code == 0, err
