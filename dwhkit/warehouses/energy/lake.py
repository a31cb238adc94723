"""The public "Smart meters in London" files: their names, headers and quoting, in one place.

Why: the warehouse's COPY statements and the sample generator must agree byte for byte with the
published files (Kaggle's republication of the Low Carbon London trial), so both read the layout
from here. Quoting copies the published files: some columns are always quoted, others never.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Iterable, Sequence

READINGS_DIR = "halfhourly_dataset"
HOUSEHOLDS = "informations_households.csv"
WEATHER_HOURLY = "weather_hourly_darksky.csv"
WEATHER_DAILY = "weather_daily_darksky.csv"
BANK_HOLIDAYS = "uk_bank_holidays.csv"
TARIFFS = "Tariffs_table.csv"
ACORN_DETAILS = "acorn_details.csv"
LABELS = "anomaly_labels.csv"          # not in the public dataset: the generator's ground truth

REFERENCE_FILES = (HOUSEHOLDS, WEATHER_HOURLY, WEATHER_DAILY, BANK_HOLIDAYS, TARIFFS, ACORN_DETAILS)

READINGS_HEADER = "LCLid,tstp,energy(kWh/hh)"
NULL = "Null"                          # the dataset's literal for a missing half-hour value
HOUSEHOLDS_HEADER = "LCLid,stdorToU,Acorn,Acorn_grouped,file"
BANK_HOLIDAYS_HEADER = '"Bank holidays",Type'
TARIFFS_HEADER = "TariffDateTime,Tariff"
LABELS_HEADER = "LCLid,anomaly_type,start_tstp,end_tstp"

WEATHER_HOURLY_COLUMNS = ["visibility", "windBearing", "temperature", "time", "dewPoint", "pressure",
                          "apparentTemperature", "windSpeed", "precipType", "icon", "humidity", "summary"]
WEATHER_HOURLY_QUOTED = {"time", "summary"}
WEATHER_DAILY_COLUMNS = [
    "temperatureMax", "temperatureMaxTime", "windBearing", "icon", "dewPoint", "temperatureMinTime",
    "cloudCover", "windSpeed", "pressure", "apparentTemperatureMinTime", "apparentTemperatureHigh",
    "precipType", "visibility", "humidity", "apparentTemperatureHighTime", "apparentTemperatureLow",
    "apparentTemperatureMax", "uvIndex", "time", "sunsetTime", "temperatureLow", "temperatureMin",
    "temperatureHigh", "sunriseTime", "temperatureHighTime", "uvIndexTime", "summary", "temperatureLowTime",
    "apparentTemperatureMin", "apparentTemperatureMaxTime", "apparentTemperatureLowTime", "moonPhase"]
WEATHER_DAILY_QUOTED = {c for c in WEATHER_DAILY_COLUMNS if c.endswith("Time") or c == "time"} | {"summary", "moonPhase"}


def reading_time(ts: datetime) -> str:
    """The readings' timestamp text: seven fractional digits, always zero (`2012-10-12 00:30:00.0000000`)."""
    return ts.strftime("%Y-%m-%d %H:%M:%S") + ".0000000"


def plain_time(ts: datetime) -> str:
    """The reference files' timestamp text (`2011-11-11 00:00:00`)."""
    return ts.strftime("%Y-%m-%d %H:%M:%S")


def block_name(n: int) -> str:
    return f"block_{n}"


def quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def write_table(path: Path, columns: Sequence[str], rows: Iterable[dict], quoted_cols: set[str],
                null: str = "") -> int:
    """A CSV in the published reference files' style: header unquoted, listed columns quoted,
    None written as ``null``, and the published defect: each record's last field, always quoted,
    ends with a carriage return inside its quotes (``"Normal\r"``), the line itself with LF."""
    n = 0
    last = columns[-1]
    with open(path, "w", newline="") as fh:
        fh.write(",".join(columns) + "\n")
        for row in rows:
            cells = []
            for c in columns:
                v = row.get(c)
                text = null if v is None else str(v)
                if c == last:
                    cells.append(quoted(text + "\r"))
                elif c in quoted_cols and v is not None:
                    cells.append(quoted(text))
                else:
                    cells.append(text)
            fh.write(",".join(cells) + "\n")
            n += 1
    return n


def published_line(cells: Sequence[str]) -> str:
    """One record of a reference file whose cells are already formatted; the last gets the CR."""
    return ",".join([*cells[:-1], quoted(cells[-1] + "\r")]) + "\n"


def read_table(path: Path) -> list[dict]:
    """A published CSV as dicts of strings (empty or ``NULL`` → None, the trailing CR dropped)."""
    import csv

    with open(path, newline="", encoding="utf-8", errors="replace") as fh:
        return [{k: (None if v in ("", "NULL") else v.rstrip("\r")) for k, v in row.items()}
                for row in csv.DictReader(fh)]
