"""London weather for the generator: the real Dark Sky files when present, else a synthetic
winter-to-summer climate written in the same two formats.

The consumption model only needs hourly temperature and each day's sunrise and sunset; the
synthetic files carry every published column so the warehouse loads them unchanged. Times are
UTC, so a daily row's ``time`` is local midnight: ``23:00`` the day before during British Summer
Time, exactly as in the published daily file.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from . import lake

LAT, LON = 51.507, -0.128


@dataclass
class Weather:
    hourly_temp: dict[datetime, float]            # UTC hour → °C
    sun: dict[date, tuple[float, float]]          # date → (sunrise, sunset) as UTC hours of day

    def temperature(self, ts: datetime) -> float:
        """Linear between the hours; the nearest known hour across a gap; 8 °C with no data."""
        h = ts.replace(minute=0, second=0, microsecond=0)
        t0 = self.hourly_temp.get(h)
        t1 = self.hourly_temp.get(h + timedelta(hours=1))
        if t0 is not None and t1 is not None:
            return t0 + (t1 - t0) * ts.minute / 60
        for k in range(1, 6):
            for cand in (h - timedelta(hours=k), h + timedelta(hours=k)):
                if cand in self.hourly_temp:
                    return self.hourly_temp[cand]
        return t0 if t0 is not None else (t1 if t1 is not None else 8.0)

    def daylight(self, d: date) -> tuple[float, float]:
        return self.sun.get(d) or sun_times(d)


def bst(d: date) -> bool:
    """British Summer Time: last Sunday of March to last Sunday of October."""
    def last_sunday(m: int) -> date:
        x = date(d.year, m + 1, 1) - timedelta(days=1)
        return x - timedelta(days=(x.weekday() + 1) % 7)
    return last_sunday(3) <= d < last_sunday(10)


def sun_times(d: date) -> tuple[float, float]:
    """Approximate sunrise and sunset in London (UTC hours): declination and hour angle."""
    doy = d.timetuple().tm_yday
    decl = math.radians(23.44) * math.sin(2 * math.pi * (284 + doy) / 365)
    cos_w = -math.tan(math.radians(LAT)) * math.tan(decl) - 0.0145 / math.cos(math.radians(LAT)) / math.cos(decl)
    w = math.degrees(math.acos(max(-1.0, min(1.0, cos_w))))
    b = 2 * math.pi * (doy - 81) / 364
    eot = 9.87 * math.sin(2 * b) - 7.53 * math.cos(b) - 1.5 * math.sin(b)   # minutes
    noon = 12 - LON / 15 - eot / 60
    return noon - w / 15, noon + w / 15


def read_real(reference: Path) -> Weather:
    temps = {}
    for r in lake.read_table(reference / lake.WEATHER_HOURLY):
        if r["temperature"] is not None:
            temps[datetime.strptime(r["time"], "%Y-%m-%d %H:%M:%S")] = float(r["temperature"])
    sun = {}
    for r in lake.read_table(reference / lake.WEATHER_DAILY):
        day = (datetime.strptime(r["time"], "%Y-%m-%d %H:%M:%S") + timedelta(hours=1)).date()
        rise = datetime.strptime(r["sunriseTime"], "%Y-%m-%d %H:%M:%S")
        sset = datetime.strptime(r["sunsetTime"], "%Y-%m-%d %H:%M:%S")
        sun[day] = (rise.hour + rise.minute / 60, sset.hour + sset.minute / 60)
    return Weather(temps, sun)


# -- the synthetic climate -----------------------------------------------------------------------
ICON_SUMMARY = {"clear-day": "Clear", "clear-night": "Clear", "partly-cloudy-day": "Partly Cloudy",
                "partly-cloudy-night": "Partly Cloudy", "cloudy": "Overcast", "fog": "Foggy", "wind": "Breezy"}


def _hourly_rows(rng, first: date, days: int) -> list[dict]:
    """Seasonal mean, a persistent synoptic anomaly (AR(1) by day), a diurnal cycle, noise."""
    anomaly, pressure, rows = 0.0, 1013.0, []
    for d in range(days):
        day = first + timedelta(days=d)
        doy = day.timetuple().tm_yday
        mean = 11.0 - 7.0 * math.cos(2 * math.pi * (doy - 20) / 365)
        anomaly = 0.8 * anomaly + rng.normal(0, 2.2)
        swing = 2.5 + 2.0 * rng.random()
        cloud = min(1.0, max(0.0, 0.6 + rng.normal(0, 0.25)))
        rise, sset = sun_times(day)
        for h in range(24):
            pressure = min(1045.0, max(975.0, pressure + rng.normal(0, 0.8)))
            t = mean + anomaly + swing * math.cos(2 * math.pi * (h - 14) / 24) + rng.normal(0, 0.4)
            humidity = min(1.0, max(0.4, 0.82 - 0.02 * (t - mean) + rng.normal(0, 0.05)))
            wind = abs(rng.normal(3.5, 1.8))
            dark = not (rise <= h + 0.5 <= sset)
            if cloud > 0.85:
                icon = "cloudy"
            elif humidity > 0.97:
                icon = "fog"
            elif wind > 8:
                icon = "wind"
            elif cloud < 0.3:
                icon = "clear-night" if dark else "clear-day"
            else:
                icon = "partly-cloudy-night" if dark else "partly-cloudy-day"
            rows.append({"visibility": round(min(16.09, max(0.5, 12 - 10 * (humidity - 0.7) + rng.normal(0, 1))), 2),
                         "windBearing": int(rng.integers(0, 360)), "temperature": round(t, 2),
                         "time": lake.plain_time(datetime(day.year, day.month, day.day, h)),
                         "dewPoint": round(t - (1 - humidity) * 18, 2), "pressure": round(pressure, 2),
                         "apparentTemperature": round(t - (0.7 * wind if t < 10 else 0), 2),
                         "windSpeed": round(wind, 2), "precipType": "snow" if t < 1.0 else "rain",
                         "icon": icon, "humidity": round(humidity, 2), "summary": ICON_SUMMARY[icon]})
    return rows


def _clock(day: date, hours: float) -> str:
    return lake.plain_time(datetime(day.year, day.month, day.day) + timedelta(hours=hours))


def _daily_rows(hourly: list[dict], first: date, days: int) -> list[dict]:
    out = []
    for d in range(days):
        day = first + timedelta(days=d)
        hrs = hourly[d * 24:(d + 1) * 24]
        temps = [h["temperature"] for h in hrs]
        app = [h["apparentTemperature"] for h in hrs]
        hi, lo = max(range(24), key=temps.__getitem__), min(range(24), key=temps.__getitem__)
        ahi, alo = max(range(24), key=app.__getitem__), min(range(24), key=app.__getitem__)
        rise, sset = sun_times(day)
        icons = [h["icon"] for h in hrs]
        icon = max(set(icons), key=icons.count).replace("-night", "-day").replace("clear-day", "clear-day")
        midnight = datetime(day.year, day.month, day.day) - (timedelta(hours=1) if bst(day) else timedelta(0))
        mean = lambda k: round(sum(h[k] for h in hrs) / 24, 2)  # noqa: E731
        out.append({
            "temperatureMax": temps[hi], "temperatureMaxTime": _clock(day, hi), "windBearing": hrs[12]["windBearing"],
            "icon": icon, "dewPoint": mean("dewPoint"), "temperatureMinTime": _clock(day, lo),
            "cloudCover": round(0.2 + 0.6 * (icons.count("cloudy") + icons.count("partly-cloudy-day")) / 24, 2),
            "windSpeed": mean("windSpeed"), "pressure": mean("pressure"),
            "apparentTemperatureMinTime": _clock(day, alo), "apparentTemperatureHigh": app[ahi],
            "precipType": "snow" if min(temps) < 1 else "rain", "visibility": mean("visibility"),
            "humidity": mean("humidity"), "apparentTemperatureHighTime": _clock(day, ahi),
            "apparentTemperatureLow": app[alo], "apparentTemperatureMax": app[ahi],
            "uvIndex": 1 if rise < 8 else 0, "time": lake.plain_time(midnight),
            "sunsetTime": _clock(day, sset), "temperatureLow": temps[lo], "temperatureMin": temps[lo],
            "temperatureHigh": temps[hi], "sunriseTime": _clock(day, rise), "temperatureHighTime": _clock(day, hi),
            "uvIndexTime": _clock(day, 12), "summary": f"{ICON_SUMMARY[icon]} throughout the day.",
            "temperatureLowTime": _clock(day, lo), "apparentTemperatureMin": app[alo],
            "apparentTemperatureMaxTime": _clock(day, ahi), "apparentTemperatureLowTime": _clock(day, alo),
            "moonPhase": round((d * 0.0339 + 0.1) % 1, 2)})
    return out


def write_synthetic(rng, out_dir: Path, first: date, days: int) -> Weather:
    """Write both weather files for ``days`` days from ``first`` and return what they hold."""
    hourly = _hourly_rows(rng, first, days)
    daily = _daily_rows(hourly, first, days)
    del hourly[len(hourly) // 3:len(hourly) // 3 + 2]     # two hours missing, as in the real file
    for row in hourly[len(hourly) // 2:len(hourly) // 2 + 3]:
        row["pressure"] = None                             # written NULL, as the real file does
    daily[len(daily) // 2]["cloudCover"] = None
    lake.write_table(out_dir / lake.WEATHER_HOURLY, lake.WEATHER_HOURLY_COLUMNS, hourly, lake.WEATHER_HOURLY_QUOTED,
                     null="NULL")
    lake.write_table(out_dir / lake.WEATHER_DAILY, lake.WEATHER_DAILY_COLUMNS, daily, lake.WEATHER_DAILY_QUOTED,
                     null="NULL")
    return read_real(out_dir)
