"""The README documents every command and keeps the two-command quick start."""

from __future__ import annotations

from pathlib import Path

import click

from kynangso.cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "kynangso") -> list[str]:
    names = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            names += _commands(command, f"{prefix} {name}")
        else:
            names.append(f"{prefix} {name}")
    return names


def test_every_command_is_in_the_readme() -> None:
    commands = _commands(main)
    assert len(commands) >= 12
    missing = [name for name in commands if f"`{name}" not in README]
    assert missing == []


def test_every_option_is_in_the_readme() -> None:
    for group_name, command in main.commands.items():
        commands = command.commands.values() if isinstance(command, click.Group) else [command]
        for sub in commands:
            for param in sub.params:
                if isinstance(param, click.Option) and param.opts[0] not in ("--root", "--help"):
                    assert param.opts[0] in README, f"{group_name} {sub.name} {param.opts[0]}"


def test_quick_start_is_two_commands() -> None:
    quick = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in quick.strip().splitlines()] == [
        "make run",
        "make test",
    ]
