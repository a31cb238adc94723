"""dwh exec's start-up hook: every Python started under `dwh exec` imports this first.

It runs whichever sitecustomize this one hides (the one that would have been imported without
dwh exec), then patches the process (dwhkit.patching.start). It never stops a program from
starting: if dwhkit cannot be imported by this Python, it says so on stderr and carries on.
"""
import importlib
import os
import sys


def _chain_previous():
    here = os.path.dirname(os.path.abspath(__file__))
    ours = sys.modules.pop("sitecustomize", None)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    try:
        importlib.import_module("sitecustomize")
    except ImportError as exc:
        if exc.name != "sitecustomize":
            raise
    finally:
        sys.modules["sitecustomize"] = ours


def _patch():
    try:
        import dwhkit.patching
    except ImportError as exc:
        print(f"dwh exec: dwhkit cannot be imported by {sys.executable} ({exc}); this process runs "
              "unpatched. Run the command with the Python dwhkit is installed in.", file=sys.stderr)
        return
    if os.environ.get("DWH_PATCH_LOG") == "1":
        import logging

        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("dwhkit: %(message)s"))
        logger = logging.getLogger("dwhkit.patch")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    dwhkit.patching.start()


try:
    _chain_previous()
finally:
    _patch()
