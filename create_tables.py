"""Drop and create every table of the configured warehouse.

    python create_tables.py [--config dwh.cfg] [--warehouse stedi]
"""
import sys

from dwhkit.cli import main

if __name__ == "__main__":
    sys.exit(main(["create-tables", *sys.argv[1:]]))
