"""Rebuild and load, each step in its own Python process."""
import subprocess
import sys

for script in ("create_tables.py", "etl.py"):
    subprocess.run([sys.executable, script], check=True)
