"""dwhkit: write a Redshift warehouse once, run it on embedded Postgres, any Postgres or Redshift."""
__version__ = "0.1.0"
