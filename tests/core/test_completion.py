"""`netbuilder completion bash|zsh|fish` completes commands, options and file names."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from netbuilder.cli import build_parser, main
from netbuilder.commands import COMMANDS
from netbuilder.commands.completion import completion_script

REPO = Path(__file__).resolve().parents[2]


def bash_complete(words: list[str]) -> list[str]:
    """What bash offers for the last word of ``words`` with the generated script loaded."""
    script = completion_script(build_parser(), "bash")
    quoted = " ".join(f"'{w}'" for w in words)
    driver = (
        f"{script}\n"
        f"COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}\n"
        'COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}\n'
        '_shtab_netbuilder; printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = subprocess.run(
        ["bash", "-c", driver], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completes_commands_options_choices_and_files() -> None:
    assert bash_complete(["netbuilder", "ch"]) == ["check"]
    assert bash_complete(["netbuilder", "train", "x.nbd", "--ep"]) == ["--epochs"]
    assert bash_complete(["netbuilder", "completion", ""]) == ["bash", "zsh", "fish"]
    assert bash_complete(["netbuilder", "check", "resources/examples/lenet"]) == [
        "resources/examples/lenet5.nbd"
    ]


def test_every_command_is_in_every_script() -> None:
    """Scripts come from the parser, so a command added later is completed too."""
    for shell in ("bash", "zsh", "fish"):
        script = completion_script(build_parser(), shell)
        for name in COMMANDS:
            assert name in script, (shell, name)
    zsh = completion_script(build_parser(), "zsh")
    assert zsh.startswith("#compdef netbuilder")


def test_fish_script_lines() -> None:
    lines = completion_script(build_parser(), "fish").splitlines()
    assert "complete -c netbuilder -f" in lines
    assert (
        "complete -c netbuilder -n '__fish_seen_subcommand_from completion' -x -a "
        "'bash zsh fish' -d 'the shell to complete in'"
    ) in lines
    assert any(
        line.startswith("complete -c netbuilder -n '__fish_seen_subcommand_from train' -l epochs")
        for line in lines
    )
    assert any("__fish_complete_suffix .nbd .pt" in line for line in lines)


def test_completion_command_prints_the_script(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "fish"]) == 0
    assert capsys.readouterr().out.startswith("# fish completion for netbuilder")
    assert main(["completion", "tcsh"]) == 2  # not offered


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_bash_script_is_valid_bash() -> None:
    script = subprocess.run(
        [sys.executable, "-m", "netbuilder", "completion", "bash"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    ).stdout
    assert subprocess.run(["bash", "-n"], input=script, text=True).returncode == 0
