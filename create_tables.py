"""Drop and create every table of the configured warehouse (its data is lost; see `dwh migrate`).

    python create_tables.py [--config FILE] [--warehouse NAME]

`python create_tables.py --help` lists every option, with examples.
"""
import sys

from dwhkit.cli import main

if __name__ == "__main__":
    sys.exit(main(["create-tables", *sys.argv[1:]]))
