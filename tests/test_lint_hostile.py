"""``svaml lint`` and ``--fix`` against hostile files and faults: real files, subprocesses and signals."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# SV020's fix is safe: the action name in another letter case.
CASED = '{\n  "action": {"name": "HangUp"}\n}\n'
FIXED = '{\n  "action": {"name": "hangup"}\n}\n'


def _svaml(*args: str, cwd: Path, timeout: float = 60, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "svaml", *args],
        cwd=cwd,
        env=env,
        capture_output="stdout" not in kwargs,
        text=True,
        timeout=timeout,
        check=False,
        **kwargs,
    )


def _ivr(count: int) -> str:
    """A document with ``count`` fixable instructions (setCookie spelt SetCookie), one per line."""
    items = ",\n".join(f'    {{"name": "SetCookie", "key": "k{i}", "value": "v"}}' for i in range(count))
    return '{\n  "instructions": [\n' + items + '\n  ],\n  "action": {"name": "hangup"}\n}\n'


def _litter(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob("*.tmp"))


def test_fix_of_thousands_of_items_does_not_look_hung(tmp_path: Path) -> None:
    """5,000 fixes in one file end well inside a minute (quadratic --fix took minutes); bench_fix times it."""
    (tmp_path / "ivr.json").write_text(_ivr(5000))
    done = _svaml("lint", "--fix", "-q", "ivr.json", cwd=tmp_path, timeout=60)
    names = {item["name"] for item in json.loads((tmp_path / "ivr.json").read_text())["instructions"]}
    expected = (0, {"setCookie"})
    assert expected == (done.returncode, names)


# -- what --fix must not write ------------------------------------------------------------------


def test_fix_leaves_a_read_only_file_alone(tmp_path: Path) -> None:
    """A file of mode 0444 is not rewritten (even by root); a warning says why."""
    path = tmp_path / "a.json"
    path.write_text(CASED)
    path.chmod(0o444)
    done = _svaml("lint", "--fix", "a.json", cwd=tmp_path)
    warning = (
        "svaml: warning: a.json: not fixed, left as it was: the file is read-only; make it writable to fix it"
    )
    expected = (1, CASED, [warning], 0o444)
    assert expected == (
        done.returncode,
        path.read_text(),
        done.stderr.splitlines(),
        path.stat().st_mode & 0o777,
    )


def test_fix_does_not_follow_a_link_out_of_the_tree(tmp_path: Path) -> None:
    """A symbolic link in the linted directory to a file outside it: the outside file is not written."""
    outside = tmp_path / "outside.json"
    outside.write_text(CASED)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "link.json").symlink_to(outside)
    done = _svaml("lint", "--fix", "-q", "tree", cwd=tmp_path)
    expected = (1, CASED, True, True)
    assert expected == (
        done.returncode,
        outside.read_text(),
        (tree / "link.json").is_symlink(),
        f"tree/link.json: not fixed, left as it was: it is a symbolic link to {outside.resolve()}, "
        f"outside the directory being linted ({tree.resolve()}); fix that file directly" in done.stderr,
    )


def test_fix_writes_through_a_link_inside_the_tree(tmp_path: Path) -> None:
    """A link to a file inside the linted directory is fixed through, and stays a link."""
    (tmp_path / "real.json").write_text(CASED)
    (tmp_path / "link.json").symlink_to("real.json")
    done = _svaml("lint", "--fix", "link.json", cwd=tmp_path)
    expected = (0, FIXED, True)
    real, link = tmp_path / "real.json", tmp_path / "link.json"
    assert expected == (done.returncode, real.read_text(), link.is_symlink())


def test_fix_keeps_hard_links(tmp_path: Path) -> None:
    """A file with two hard links is rewritten in place: both names still share one fixed inode."""
    first = tmp_path / "a.json"
    first.write_text(CASED)
    second = tmp_path / "b.json"
    os.link(first, second)
    done = _svaml("lint", "--fix", "a.json", cwd=tmp_path)
    expected = (0, FIXED, first.stat().st_ino, 2)
    assert expected == (done.returncode, second.read_text(), second.stat().st_ino, first.stat().st_nlink)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_fix_as_root_keeps_the_owner(tmp_path: Path) -> None:
    """A file owned by another user, fixed by root, keeps its owner, group and mode."""
    path = tmp_path / "a.json"
    path.write_text(CASED)
    os.chown(path, 4321, 4322)
    path.chmod(0o640)
    done = _svaml("lint", "--fix", "a.json", cwd=tmp_path)
    info = path.stat()
    expected = (0, FIXED, (4321, 4322, 0o640))
    assert expected == (done.returncode, path.read_text(), (info.st_uid, info.st_gid, info.st_mode & 0o777))


# -- temporary files and signals --------------------------------------------------------------


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_fix_removes_temporary_files_a_killed_run_left(tmp_path: Path) -> None:
    """A temporary file of a process that is gone (SIGKILL) goes at the next --fix; a live one's stays."""
    (tmp_path / "a.json").write_text(CASED)
    stale = tmp_path / f".a.json.svaml-{_dead_pid()}-1.tmp"
    stale.write_text("half")
    live = tmp_path / f".a.json.svaml-{os.getpid()}-1.tmp"
    live.write_text("being written")
    done = _svaml("lint", "--fix", "a.json", cwd=tmp_path)
    expected = (0, [live.name], FIXED)
    assert expected == (done.returncode, _litter(tmp_path), (tmp_path / "a.json").read_text())


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda n: n.name)
def test_a_signal_during_fix_leaves_no_temporary_file_and_no_torn_file(tmp_path: Path, number: int) -> None:
    """Stopped by a signal at several moments of --fix, each file is whole (before or after); no .tmp."""
    text = _ivr(3000)
    files = [tmp_path / f"d{i}.json" for i in range(6)]
    for path in files:
        path.write_text(text)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    outcomes = set()
    for delay in (0.3, 0.6, 0.9):
        proc = subprocess.Popen(
            [sys.executable, "-m", "svaml", "lint", "--fix", "-q", "-j", "1", *map(str, files)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(number)
        outcomes.add(proc.wait(timeout=30))
    names = {json.loads(path.read_text())["instructions"][0]["name"] for path in files}
    expected = ([], True, True)
    whole = names <= {"SetCookie", "setCookie"}
    assert expected == (_litter(tmp_path), whole, outcomes <= {0, 1, 128 + number, -number})


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as file:
        return [int(child) for child in file.read().split()]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for the pool workers")
@pytest.mark.parametrize("fix", [False, True], ids=["lint", "fix"])
def test_ctrl_c_ends_a_parallel_run_at_once_and_quietly(tmp_path: Path, fix: bool) -> None:
    """Ctrl-C (SIGINT to the process group) ends `svaml lint -j 2`: exit 130, no worker traceback, no hang."""
    text = _ivr(300)
    for i in range(600):
        (tmp_path / f"d{i:03}.json").write_text(text)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    flags = ["--fix"] if fix else []
    proc = subprocess.Popen(
        [sys.executable, "-m", "svaml", "lint", *flags, "-q", "-j", "2", "."],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(_children(proc.pid)) < 2:
        time.sleep(0.05)  # until the pool's workers run
    time.sleep(0.3)
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends the foreground group on Ctrl-C
    try:
        _, stderr = proc.communicate(timeout=20)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    expected = (130, "", [])
    assert expected == (proc.returncode, stderr.decode(), _litter(tmp_path))


def test_workers_stop_when_the_parent_is_killed(tmp_path: Path) -> None:
    """After SIGKILL of `svaml lint --fix -j 2`, its pool workers exit at once and write no more files."""
    text = _ivr(150)
    for i in range(600):
        (tmp_path / f"d{i:03}.json").write_text(text)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "svaml", "lint", "--fix", "-q", "-j", "2", str(tmp_path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(
        "setCookie" in p.read_text() for p in sorted(tmp_path.glob("d*.json"))[:20]
    ):
        time.sleep(0.05)  # until the workers have fixed their first files
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    gone = False
    for _ in range(60):  # 3 s
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            gone = True
            break
        time.sleep(0.05)
    if not gone:
        os.killpg(proc.pid, signal.SIGKILL)
    fixed = sum("setCookie" in p.read_text() for p in tmp_path.glob("d*.json"))
    expected = (True, True, [])
    assert expected == (gone, fixed < 600, _litter(tmp_path))


# -- what the linter refuses to read ---------------------------------------------------------


def test_a_fifo_in_a_linted_directory_is_refused_not_waited_on(tmp_path: Path) -> None:
    """A FIFO named x.json gets a message and exit 2 at once; the other files are checked."""
    os.mkfifo(tmp_path / "x.json")
    (tmp_path / "a.json").write_text(FIXED)
    done = _svaml("lint", ".", cwd=tmp_path, timeout=20)
    message = (
        "svaml: error: x.json: is a FIFO (named pipe), not a regular file; svaml reads only regular files\n"
    )
    expected = (2, message, "Some files could not be checked (see above).\n")
    assert expected == (done.returncode, done.stderr, done.stdout)


def test_a_socket_is_refused(tmp_path: Path) -> None:
    """A Unix socket named a.json is not opened: a message, exit 2."""
    import socket

    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "s.json"))
        done = _svaml("lint", "s.json", cwd=tmp_path, timeout=20)
    expected = (2, "svaml: error: s.json: is a socket, not a regular file; svaml reads only regular files\n")
    assert expected == (done.returncode, done.stderr)


def test_the_size_limit_is_configurable(tmp_path: Path) -> None:
    """--max-file-size and max-file-size in [tool.svaml] set the limit; over it, a clear error, exit 2."""
    (tmp_path / "a.json").write_text(_ivr(30))
    small = _svaml("lint", "--max-file-size", "100", "a.json", cwd=tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.svaml]\nmax-file-size = "1K"\n')
    configured = _svaml("lint", "a.json", cwd=tmp_path)
    raised = _svaml("lint", "--max-file-size", "1M", "a.json", cwd=tmp_path)
    expected = (2, "over the limit of 100 ", 2, "over the limit of 1,024 ", 1)
    assert expected == (
        small.returncode,
        "over the limit of 100 " if "over the limit of 100 " in small.stderr else small.stderr,
        configured.returncode,
        "over the limit of 1,024 " if "over the limit of 1,024 " in configured.stderr else configured.stderr,
        raised.returncode,
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'[tool.svaml]\nselect = ["SV\xff"]\n', "pyproject.toml: line 2: not UTF-8 text (byte 0xff)"),
        (b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n", "pyproject.toml: invalid TOML: nested too deeply"),
        (b"[tool.svaml]\nselect = 3\n", "[tool.svaml]: select must be a list of strings, not 3"),
        (b"[tool.svaml]\nmax-file-size = true\n", "max-file-size: true is not a size"),
        (b"[tool.svaml]\nlimits = {say = false}\n", "limits: limit 'say' must be a whole number, not false"),
        (b"[tool.svaml]\nlimits = [1200]\n", "limits = {say = 1200}, not [1200]"),
        (b"[tool]\nsvaml = 1\n", "pyproject.toml: [tool.svaml] must be a table"),
    ],
    ids=["bad-utf8", "nested-5000", "wrong-type", "wrong-size", "wrong-limit", "limits-list", "not-a-table"],
)
def test_a_bad_pyproject_is_one_line_and_exit_2(tmp_path: Path, content: bytes, message: str) -> None:
    """Every kind of broken pyproject.toml gives one line naming it in TOML's words, exit 2, no traceback."""
    (tmp_path / "pyproject.toml").write_bytes(content)
    (tmp_path / "a.json").write_text(FIXED)
    done = _svaml("lint", "a.json", cwd=tmp_path)
    lines = done.stderr.splitlines()
    expected = (2, 1, True)
    assert expected == (done.returncode, len(lines), message in done.stderr), done.stderr


@pytest.mark.parametrize("config", ["/dev/zero", "/dev/stdin"])
def test_config_that_is_not_a_regular_file_is_refused_at_once(tmp_path: Path, config: str) -> None:
    """--config /dev/zero is not read at all: one line, exit 2, at once."""
    (tmp_path / "a.json").write_text(FIXED)
    done = _svaml("lint", "--config", config, "a.json", cwd=tmp_path, timeout=20, stdin=subprocess.PIPE)
    expected = (2, f"svaml: error: {config}: not a regular file\n")
    assert expected == (done.returncode, done.stderr)


def test_a_full_disk_on_stdout_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """`svaml lint > /dev/full` says it cannot write the report, exit 2, no traceback."""
    (tmp_path / "a.json").write_text(CASED)
    with open("/dev/full", "w") as full:
        done = _svaml("lint", "a.json", cwd=tmp_path, stdout=full, stderr=subprocess.PIPE)
    expected = (2, "svaml: error: standard output: cannot write the report: No space left on device\n")
    assert expected == (done.returncode, done.stderr)


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """When the reader of the report goes away (`| head -1`), svaml stops with no traceback."""
    (tmp_path / "a.json").write_text(_ivr(2000))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "svaml", "lint", "a.json"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read()
    proc.stderr.close()
    expected = (1, b"")
    assert expected == (proc.wait(timeout=30), stderr)


def test_a_missing_file_named_with_bytes_that_are_not_utf8_is_named_with_u_fffd(tmp_path: Path) -> None:
    """A missing file whose name is not UTF-8 is one line with U+FFFD for the byte, as every other name."""
    done = subprocess.run(
        [sys.executable, "-m", "svaml", "lint", b"gone\xff.json"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        check=False,
    )
    expected = (2, "svaml: error: gone\ufffd.json: no such file or directory\n")
    assert expected == (done.returncode, done.stderr.decode())


@pytest.mark.parametrize("output_format", ["full", "concise", "json", "sarif", "github", "gitlab"])
def test_a_lone_surrogate_in_a_key_is_reported_in_every_format(tmp_path: Path, output_format: str) -> None:
    """A key escaping a lone surrogate (UTF-8 cannot carry one) is reported in every format, no traceback."""
    (tmp_path / "a.json").write_text('{"action": {"name": "hangup", "\\ud800x": 1}}')
    done = _svaml("lint", "--output-format", output_format, "-o", "report", "a.json", cwd=tmp_path)
    report = (tmp_path / "report").read_text()
    if output_format in ("json", "sarif", "gitlab"):
        report = json.dumps(json.loads(report))  # the report is JSON, the surrogate an escape in it
    expected = (1, "", True)
    assert expected == (done.returncode, done.stderr, "\\ud800x" in report)


@pytest.mark.parametrize("output_format", ["full", "json"])
def test_a_report_in_ascii_escapes_what_it_cannot_encode(tmp_path: Path, output_format: str) -> None:
    """With standard output in ASCII, a file named with an e acute is reported escaped, not a traceback."""
    (tmp_path / "\u00e9.json").write_text(CASED)
    done = subprocess.run(
        [sys.executable, "-m", "svaml", "lint", "--output-format", output_format, "."],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "ascii"},
        capture_output=True,
        check=False,
    )
    expected = (1, b"", True)
    assert expected == (done.returncode, done.stderr, b"\\xe9.json" in done.stdout)


@pytest.mark.parametrize("output_format", ["json", "gitlab"])
def test_a_lone_surrogate_reaches_standard_output_as_an_escape(tmp_path: Path, output_format: str) -> None:
    """On standard output a lone surrogate from a JSON escape is written as that escape: the JSON reads."""
    (tmp_path / "a.json").write_text('{"action": {"name": "hangup", "\\ud800x": 1}}')
    done = _svaml("lint", "--output-format", output_format, "a.json", cwd=tmp_path)
    [item] = json.loads(done.stdout)
    expected = (1, "", "SV001")  # JSON's policy refuses a lone surrogate; the report still reads back
    assert expected == (done.returncode, done.stderr, item.get("code", item.get("check_name")))


@pytest.mark.parametrize("output_format", ["full", "concise", "json", "sarif", "github", "gitlab"])
def test_a_file_name_that_is_not_utf8_is_reported_in_every_format(tmp_path: Path, output_format: str) -> None:
    """A file named with a byte that is not UTF-8 is reported with U+FFFD in its name, no traceback."""
    with open(os.path.join(os.fsencode(tmp_path), b"b\xff.json"), "w") as file:
        file.write(CASED)
    done = _svaml("lint", "--output-format", output_format, ".", cwd=tmp_path)
    expected = (1, "", True)
    assert expected == (done.returncode, done.stderr, "b\ufffd.json" in done.stdout)
