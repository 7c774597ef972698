"""A command beside the Singer ones (`tap-restspec <name> ...`), one function in `cli.SUBCOMMANDS`:
it gets the arguments after its name, its exit code is the process's, its user errors are one
line each; any other command line is the SDK's Singer CLI.
"""

from __future__ import annotations

from collections.abc import Callable

from tap_restspec import cli
from tap_restspec.errors import SpecError
from tap_restspec.tap import TapRestSpec


def run(monkeypatch, capsys, argv: list[str], command: Callable[[list[str]], int]):
    """Run the command line in-process with `command` as `draft`: (exit code, its calls, output)."""
    calls: list[list[str]] = []

    def draft(args: list[str]) -> int:
        calls.append(args)
        return command(args)

    monkeypatch.setitem(cli.SUBCOMMANDS, "draft", draft)
    monkeypatch.setattr("sys.argv", ["tap-restspec", *argv])
    try:
        cli.run(TapRestSpec)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, calls, capsys.readouterr()


def test_a_subcommand_gets_the_arguments_after_its_name_and_its_exit_code_is_the_process_s(
    monkeypatch, capsys
):
    code, calls, _ = run(monkeypatch, capsys, ["draft", "https://api.example/items", "--out", "x.json"], len)
    assert (code, calls) == (3, [["https://api.example/items", "--out", "x.json"]])
    code, calls, _ = run(monkeypatch, capsys, ["draft"], len)
    assert (code, calls) == (0, [[]])


def test_a_user_error_of_a_subcommand_is_one_line_and_exit_1(monkeypatch, capsys):
    def fail(args: list[str]) -> int:
        raise SpecError("draft: https://api.example/items: the answer holds no array of records")

    code, _, out = run(monkeypatch, capsys, ["draft", "https://api.example/items"], fail)
    assert code == 1
    assert out.err.splitlines() == ["draft: https://api.example/items: the answer holds no array of records"]


def test_any_other_command_line_is_the_sdk_s_singer_cli(monkeypatch, capsys):
    code, calls, out = run(monkeypatch, capsys, ["drafts"], len)
    assert (code, calls) == (2, [])
    assert "unexpected extra argument (drafts)" in out.err
