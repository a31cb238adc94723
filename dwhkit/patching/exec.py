"""`dwh exec`: run a command with every Python process in it patched from its first line.

How: a folder holding a ``sitecustomize.py`` goes first on PYTHONPATH, so each Python the command
starts (the script, ``python -m pytest``, a subprocess of either) imports it at start-up; it
chains to any sitecustomize that was there before, then calls ``dwhkit.patching.start()``.
An existing PYTHONPATH is kept after the hook folder.

AMBIG (a dwhkit decision, no AWS page decides it; tests/test_exec.py::test_a_classic_dwh_cfg_means_…
and ::test_config_order_…): which dwhkit config the patch uses (decided once, here, and handed to every child in
$DWH_PATCH_CONFIG so a script that changes directory still finds it):
``--config FILE``, else $DWH_CONFIG, else ./dwh.cfg — the lookup every `dwh` command uses. A
classic project's own dwh.cfg names its cluster in [CLUSTER] and has no [TARGET] section: dwhkit
reads that as the default embedded target, its data under ``.dwhkit/pg`` beside the dwh.cfg, and
never uses the cluster's host or password. A config whose [TARGET] type is redshift is refused:
the patch exists to keep Redshift connections local.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from ..errors import ConfigError, DwhError
from . import CONFIG_ENV

HOOK_DIR = Path(__file__).resolve().parent / "_hook"
LOG_ENV = "DWH_PATCH_LOG"        # "1": children print each rerouted connection on stderr
# Bare interpreter names mean the Python dwhkit runs in: the hook needs dwhkit importable.
_PYTHON_NAMES = {"python", "python3", f"python3.{sys.version_info.minor}"}


class ExecError(DwhError):
    """The command to run is missing or cannot be started."""


def resolve_config(explicit: str | None, env=None, cwd: Path | None = None):
    """(Config, absolute path or None) for the patch; see the module docstring for the order."""
    from ..config import load_config
    from ..targets import target_class

    env = os.environ if env is None else env
    cwd = Path.cwd() if cwd is None else cwd
    path = explicit or env.get("DWH_CONFIG") or None
    if path is None and (cwd / "dwh.cfg").is_file():
        path = cwd / "dwh.cfg"
    if path is not None:
        path = (cwd / Path(path).expanduser()).resolve()
    config = load_config(path, env=env)
    if not target_class(config).emulates_copy:  # a real cluster: nothing local to route to
        raise ConfigError(f"dwh exec routes Redshift connections to a local target, but {path} sets [TARGET] "
                          "type = redshift; pass --config with an embedded or postgres target")
    return config, path


def child_environment(config_path: Path | None, env=None, cwd: Path | None = None, verbose: bool = False) -> dict:
    """The environment of the command: the hook first on PYTHONPATH, the config pinned."""
    env = dict(os.environ if env is None else env)
    cwd = Path.cwd() if cwd is None else cwd
    existing = env.get("PYTHONPATH", "")
    parts = [str(HOOK_DIR)] + [p for p in existing.split(os.pathsep) if p and p != str(HOOK_DIR)]
    env["PYTHONPATH"] = os.pathsep.join(parts)
    env[CONFIG_ENV] = str(config_path) if config_path else ""
    if config_path is None and not env.get("DWH_EMBEDDED_DATA_DIR"):
        # No config file: the embedded data stays where `dwh exec` ran, wherever the script cds.
        env["DWH_EMBEDDED_DATA_DIR"] = str(cwd / ".dwhkit" / "pg")
    if verbose:
        env[LOG_ENV] = "1"
    return env


def command_line(module: str | None, command: list[str]) -> list[str]:
    """The argv to run: ``-m mod args…`` or ``[--] program args…``."""
    command = list(command)
    if command[:1] == ["--"]:
        command = command[1:]
    if module:
        return [sys.executable, "-m", module, *command]
    if not command:
        raise ExecError("nothing to run: dwh exec [--] python etl.py …  or  dwh exec -m pytest …")
    if command[0] in _PYTHON_NAMES:
        command[0] = sys.executable
    return command


def run(config: str | None, module: str | None, command: list[str], verbose: bool = False,
        warehouse: str | None = None) -> int:
    """Replace this process with the command, patched (POSIX exec: its exit code is ours).
    ``warehouse`` (dwh --warehouse): whose schema the rerouted connections see first."""
    argv = command_line(module, command)
    _, path = resolve_config(config)
    env = child_environment(path, verbose=verbose)
    if warehouse:
        env["DWH_TARGET_WAREHOUSE"] = warehouse
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        if os.name == "posix":
            os.execvpe(argv[0], argv, env)
        import subprocess

        return subprocess.call(argv, env=env)
    except FileNotFoundError:
        raise ExecError(f"cannot run {argv[0]!r}: no such program") from None
    except PermissionError:
        raise ExecError(f"cannot run {argv[0]!r}: permission denied") from None
