"""The `cmtool` command: global options, the commands, and error handling (exit 0/1/2)."""

from __future__ import annotations

import gc
import importlib
import logging
import os
import sqlite3
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperCommand, TyperGroup

from cmtool import __version__
from cmtool.commands import COMMANDS, EARLY_WORKERS
from cmtool.errors import CmtoolError, found_os_error, ledger_error, os_error
from cmtool.streams import write_text

if TYPE_CHECKING:
    from typer import _click as click  # Typer's own copy of Click: the classes of its commands


def _chinese_rich_texts() -> None:
    """Typer's help and error panels in Chinese. Typer's rich layer is imported here, only when
    something may be rendered: it costs a tenth of a second, more than all of `cmtool --version`."""
    import typer.rich_utils as rich_utils

    rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
    rich_utils.OPTIONS_PANEL_TITLE = "选项"
    rich_utils.COMMANDS_PANEL_TITLE = "命令"
    rich_utils.ERRORS_PANEL_TITLE = "用法错误"
    rich_utils.REQUIRED_LONG_STRING = "[必填]"
    rich_utils.DEFAULT_STRING = "[默认：{}]"
    rich_utils.ENVVAR_STRING = "[环境变量：{}]"
    rich_utils.RICH_HELP = "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。"
    rich_utils.ABORTED_TEXT = "已中止。"


def _chinese_help_option(command_class: type) -> None:
    """Give `-h/--help` a Chinese description (Typer hard-codes an English one)."""
    original = command_class.get_help_option

    def get_help_option(self, ctx):  # type: ignore[no-untyped-def]
        option = original(self, ctx)
        if option is not None:
            option.help = "显示本帮助并退出"
        return option

    command_class.get_help_option = get_help_option


for _command_class in (TyperCommand, TyperGroup):
    _chinese_help_option(_command_class)

_SETTINGS = {"add_completion": False, "pretty_exceptions_enable": False, "rich_markup_mode": "rich"}


class LazyGroup(TyperGroup):
    """The root command: lists COMMANDS from their one-line help and builds a command from its
    module only when it is invoked."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **options: Any) -> Any:
        if list(sys.argv[1:] if args is None else args) != ["--version"]:
            _chinese_rich_texts()
        return super().main(args, *rest, **options)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        return TyperCommand(cmd_name, help=COMMANDS[cmd_name][1], rich_markup_mode="rich")

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name in EARLY_WORKERS:
            _start_worker(*EARLY_WORKERS[name], rest)
        return name, (_load(name) if name else command), rest


def _start_worker(option: str, size: int, modules: tuple[str, ...], args: list[str]) -> None:
    """The command's worker started before its module is imported, where the file given to
    `option` is large (documents/background.start_early); nothing for a help or a bad path."""
    path = next((v for k, v in zip(args, args[1:]) if k == option), None)
    path = next((a.split("=", 1)[1] for a in args if a.startswith(f"{option}=")), path)
    if path is None or any(a in ("-h", "--help") for a in args):
        return
    try:
        large = Path(path).stat().st_size >= size
    except (OSError, ValueError):
        return
    if large:
        from cmtool.documents.background import start_early

        start_early(modules)


def _load(name: str) -> click.Command:
    """The real click command `name`, registered by its module on an app of its own."""
    module = importlib.import_module(f"cmtool.commands.{COMMANDS[name][0]}")
    holder = typer.Typer(**_SETTINGS)
    module.register(holder)
    return typer.main.get_group(holder).commands[name]


app = typer.Typer(
    name="cmtool",
    cls=LazyGroup,
    help="客户经理工具箱：从 V3 导出数据完成零售客户分类、前5%客户档案、组别管理等工作。",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    **_SETTINGS,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cmtool {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Path | None = typer.Option(
        None, "--config", envvar="CMTOOL_CONFIG", help="配置文件（TOML）；默认为当前文件夹的 cmtool.toml", show_default=False
    ),
    db: Path = typer.Option(Path("cmtool.db"), "--db", envvar="CMTOOL_DB", help="台账文件（SQLite）"),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="显示版本号并退出"),
) -> None:
    """客户经理工具箱 cmtool。"""
    from cmtool.commands.common import AppState  # the commands' layer: imported once one runs

    ctx.obj = AppState(config_path=config, db_path=db)


def main() -> None:
    """Entry point: a refused run prints its Chinese message and exits 1, never a traceback."""
    _printing_cannot_fail()
    _notes_to_stderr()
    try:
        app()
    except CmtoolError as e:
        _fail(e.render())
    except KeyboardInterrupt:
        _fail("已中止。", status=130)
    except sqlite3.DatabaseError as e:
        _fail(ledger_error("（--db）", e).render())
    except Exception as e:  # noqa: BLE001 - the last line of defence: no traceback for users
        if os.environ.get("CMTOOL_DEBUG"):
            traceback.print_exc()
        cause = found_os_error(e)
        if cause is not None:
            _fail(os_error(cause).render())
        _fail(f"内部错误：{type(e).__name__}: {e}\n请把所用命令和这条信息发给维护人员（设置环境变量 CMTOOL_DEBUG=1 可看到详细信息）。")


def run() -> None:
    """The `cmtool` console script and `python -m cmtool`: main(), then an exit that leaves the
    memory to the operating system. At exit Python would collect every object still alive (the
    loaded frames hold hundreds of thousands, many in cycles): 0.15–0.2 s at 60,000 customers.
    Frozen, they are never collected; every file and the ledger are closed by then."""
    try:
        main()
    finally:
        gc.freeze()


def _printing_cannot_fail() -> None:
    """stdout is UTF-8 whatever the locale or Windows code page (cli.md); a character the
    terminal's code page lacks is replaced on stderr rather than failing the run."""
    for stream, encoding in ((sys.stdout, "utf-8"), (sys.stderr, None)):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding=encoding or stream.encoding, errors="replace")


class _StderrNotes(logging.Handler):
    """Notes of the loaders (e.g. which sheet of a workbook was read) as plain lines on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except (OSError, ValueError):
            pass


def _notes_to_stderr() -> None:
    log = logging.getLogger("cmtool")
    if not any(isinstance(h, _StderrNotes) for h in log.handlers):
        log.addHandler(_StderrNotes())
    log.setLevel(logging.INFO)
    log.propagate = False


def _fail(message: str, status: int = 1) -> None:
    """Print `message` to stderr as plain, unwrapped text (scripts grep it) and exit; UTF-8
    whatever the console's code page, and a closed stderr does not turn into a traceback."""
    try:
        write_text(sys.stderr, message.rstrip("\n") + "\n")
    except OSError:
        pass
    sys.exit(status)
