"""Load the landing data and fill the trusted, curated and star-schema tables; print the report.

    python etl.py [--config FILE] [--warehouse NAME] [--lake s3://bucket/prefix | --lake ../shared/data/stedi/v2023_reduced]
                  [--json] [--html FILE] [--no-wait]

Run create_tables.py first. `python etl.py --help` lists every option, with examples.
"""
import sys

from dwhkit.cli import main

if __name__ == "__main__":
    sys.exit(main(["etl", *sys.argv[1:]]))
