"""The half-hourly consumption model: one household's kWh per half-hour over the sample window.

Why a model and not noise: the notebook forecasts demand and hunts anomalies, which only means
something if the readings have the structure real ones do. Each household has an always-on base
load, a daily shape (morning and evening peaks, daytime occupancy by ACORN group, a later and
wider weekend morning; bank holidays behave like Sundays), lighting after dark (real sunrise and
sunset), a heating load driven by the real temperature (a few households heat electrically, a
few charge Economy 7 storage heaters at night), appliance events, day-to-day variation and the odd
week away. Time-of-use households shed load under a High price signal and add load under Low.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from .weather import Weather

HEATING_BASE_C = 15.5          # the UK's heating degree-day base temperature
GROUP_SCALE = {"Affluent": 1.25, "Comfortable": 1.0, "Adversity": 0.85}
GROUP_DAYTIME = {"Affluent": 0.04, "Comfortable": 0.06, "Adversity": 0.1}   # daytime occupancy load
TARIFF_CODE = {"Low": 1, "Normal": 0, "High": 2}


@dataclass
class Calendar:
    """The sample window, one entry per half-hour."""
    times: list[datetime]
    hour: np.ndarray          # mid-point of the half-hour, in hours
    day: np.ndarray           # day index from the window's start
    restday: np.ndarray       # weekend or bank holiday
    festive: np.ndarray       # 24–26 December
    temp: np.ndarray          # °C
    dark: np.ndarray          # before sunrise or after sunset
    tariff: np.ndarray        # 0 Normal or no signal, 1 Low, 2 High
    days: int


def build_calendar(start: date, days: int, weather: Weather, holidays: set[date],
                   tariffs: dict[datetime, str]) -> Calendar:
    times = [datetime(start.year, start.month, start.day) + timedelta(minutes=30 * k) for k in range(days * 48)]
    hour = np.array([t.hour + t.minute / 60 + 0.25 for t in times])
    rest = np.array([t.weekday() >= 5 or t.date() in holidays for t in times])
    festive = np.array([t.month == 12 and 24 <= t.day <= 26 for t in times])
    temp = np.array([weather.temperature(t) for t in times])
    sun = {d: weather.daylight(d) for d in {t.date() for t in times}}
    dark = np.array([not (sun[t.date()][0] <= h <= sun[t.date()][1]) for t, h in zip(times, hour)])
    tariff = np.array([TARIFF_CODE.get(tariffs.get(t, "Normal"), 0) for t in times])
    return Calendar(times, hour, np.repeat(np.arange(days), 48), rest, festive, temp, dark, tariff, days)


@dataclass
class Household:
    lclid: str
    tou: bool
    group: str
    size: float
    base: float               # kWh per half-hour, always on
    morning: tuple[float, float]
    evening: tuple[float, float]
    daytime: float
    lighting: float
    heating: float            # kWh per half-hour per degree below the base, when occupied
    storage: float            # Economy 7 storage heating, per degree, 00:00–07:00
    shed: float               # share of flexible load dropped under High
    boost: float              # share added under Low
    events_per_day: float


def draw_household(rng, row: dict) -> Household:
    group = row.get("Acorn_grouped") or ""
    scale = GROUP_SCALE.get(group, 1.0) * float(rng.lognormal(0, 0.3))
    electric = rng.random() < 0.1
    storage = rng.random() < 0.05
    return Household(
        lclid=row["LCLid"], tou=row.get("stdorToU") == "ToU", group=group, size=scale,
        base=float(rng.lognormal(np.log(0.06), 0.35)) * scale,
        morning=(float(rng.normal(7.3, 0.6)), float(rng.uniform(0.08, 0.2)) * scale),
        evening=(float(rng.normal(18.8, 0.8)), float(rng.uniform(0.15, 0.35)) * scale),
        daytime=GROUP_DAYTIME.get(group, 0.12) * scale * float(rng.uniform(0.6, 1.4)),
        lighting=float(rng.uniform(0.02, 0.06)) * scale,
        heating=(float(rng.uniform(0.03, 0.07)) if electric else float(rng.uniform(0.0, 0.006))) * scale,
        storage=float(rng.uniform(0.08, 0.15)) * scale if storage else 0.0,
        shed=float(rng.uniform(0.05, 0.3)), boost=float(rng.uniform(0.05, 0.35)),
        events_per_day=float(rng.uniform(1.0, 3.0)))


def _bump(h: np.ndarray, centre, width: float) -> np.ndarray:
    return np.exp(-0.5 * ((h - centre) / width) ** 2)


def simulate(rng, cal: Calendar, hh: Household) -> np.ndarray:
    """kWh per half-hour, unrounded, never negative."""
    h, rest = cal.hour, cal.restday
    m_centre = np.where(rest, hh.morning[0] + 1.5, hh.morning[0])
    morning = hh.morning[1] * _bump(h, m_centre, np.where(rest, 1.4, 0.8))
    evening = hh.evening[1] * _bump(h, hh.evening[0], 1.8)
    late = 0.3 * hh.evening[1] * _bump(h, 22.3, 1.0)
    day_on = 1 / (1 + np.exp(-(h - 9) * 2)) * 1 / (1 + np.exp((h - 17) * 2))
    daytime = np.where(rest, hh.daytime + 0.08 * hh.size, hh.daytime) * day_on
    festive = np.where(cal.festive, 0.35 * hh.size * _bump(h, 12.5, 1.5), 0.0)
    awake = (h > 6.5) & (h < 23.5)
    lighting = hh.lighting * (cal.dark & awake)
    cold = np.clip(HEATING_BASE_C - cal.temp, 0, None)
    occupied = np.where(awake, 1.0, 0.3)
    heating = hh.heating * cold * occupied
    storage = hh.storage * cold * (h < 7.0)
    activity = morning + evening + late + daytime + festive
    # Day-to-day variation, and for some households a week away (only the fridge and freezer run).
    day_factor = rng.lognormal(0, 0.12, cal.days)
    if rng.random() < 0.12:
        away = int(rng.integers(0, max(1, cal.days - 7)))
        day_factor[away:away + int(rng.integers(3, 8))] = 0.05
    flexible = (activity + lighting + heating) * day_factor[cal.day] * rng.lognormal(0, 0.25, len(h))
    # Appliance events (kettle, oven, washing machine) where the household is active.
    weights = activity / activity.sum()
    n_events = rng.poisson(hh.events_per_day * cal.days)
    events = np.zeros(len(h))
    np.add.at(events, rng.choice(len(h), size=n_events, p=weights), rng.uniform(0.1, 0.6, n_events) * hh.size)
    flexible += events * (day_factor[cal.day] > 0.1)
    if hh.tou:
        flexible *= np.where(cal.tariff == 2, 1 - hh.shed, np.where(cal.tariff == 1, 1 + hh.boost, 1.0))
    base = hh.base * rng.lognormal(0, 0.05, len(h))
    return np.clip(base + flexible + storage, 0, None)
