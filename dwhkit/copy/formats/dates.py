"""DATEFORMAT / TIMEFORMAT: Redshift's format strings, 'auto' and the epoch forms, parsed in Python.

Why in Python: Postgres must never be the one to reject a value (a rejected value would abort the
whole COPY instead of becoming one stl_load_errors row), so each value is parsed here and handed
to Postgres in its canonical ISO form. Parsers are built once per COPY; the returned functions take
a string and return ISO text, or raise ``RecordError``.
"""
from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta, timezone

from . import RecordError

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_name) if m})
MONTHS["sept"] = 9
# Zone abbreviations accepted by 'auto' (a small, explicit table; Postgres knows more).
TZ_ABBREV = {"utc": 0, "gmt": 0, "z": 0, "ut": 0, "zulu": 0,
             "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
             "akst": -9, "akdt": -8, "hst": -10, "cet": 1, "cest": 2, "eet": 2, "eest": 3, "bst": 1,
             "ist": 5.5, "jst": 9, "aest": 10, "aedt": 11}

_TOKENS = [("YYYY", r"(?P<Y>\d{4})"), ("YY", r"(?P<y>\d{2})"), ("MONTH", r"(?P<mon>[A-Za-z]{3,9}\.?)"),
           ("MON", r"(?P<mon>[A-Za-z]{3,9}\.?)"), ("MM", r"(?P<m>\d{1,2})"), ("MI", r"(?P<M>\d{1,2})"),
           ("DD", r"(?P<d>\d{1,2})"), ("HH24", r"(?P<H>\d{1,2})"), ("HH12", r"(?P<I>\d{1,2})"),
           ("HH", r"(?P<H>\d{1,2})"), ("SS", r"(?P<S>\d{1,2})(?:\.(?P<f>\d{1,9}))?"),
           ("AM", r"(?P<p>[AaPp]\.?[Mm]\.?)"), ("PM", r"(?P<p>[AaPp]\.?[Mm]\.?)"),
           ("OF", r"\s*(?P<of>[+-]\d{1,2}(?::?\d{2})?|Z)?")]
_TIME_TOKENS = {"HH24", "HH12", "HH", "MI", "SS", "AM", "PM", "OF"}
EPOCH = datetime(1970, 1, 1)


def _compile(fmt: str, *, allow_of: bool, loose_tail: bool = False) -> tuple[re.Pattern, re.Pattern | None]:
    """Format string → (full regex, date-part regex or None). Non-token characters are literals;
    a space matches one or more spaces. ``loose_tail``: the date part may be followed by a time
    (a DATE column drops it); otherwise the date part must stand alone (a TIMESTAMP gets midnight)."""
    up = fmt.upper()
    if not allow_of and ("TZ" in up or "OF" in up):
        raise ValueError(f"format {fmt!r} may not contain TZ or OF; use 'auto' for other TIMESTAMPTZ layouts")
    parts, date_end, i, seen = [], None, 0, set()
    while i < len(up):
        for tok, rx in _TOKENS:
            if up.startswith(tok, i):
                if tok in _TIME_TOKENS and date_end is None:
                    date_end = len(parts)
                name = re.search(r"\?P<(\w+)>", rx).group(1)
                if name in seen:          # a field given twice: later occurrence just has to match
                    rx = re.sub(r"\?P<\w+>", "?:", rx)
                seen.add(name)
                parts.append(rx)
                i += len(tok)
                break
        else:
            ch = fmt[i]
            parts.append(r"\s+" if ch == " " else re.escape(ch))
            i += 1
    full = re.compile(r"\s*" + "".join(parts) + r"\s*\Z")
    dateonly = None
    if date_end is not None:
        head = parts[:date_end]
        while head and head[-1] in (r"\s+", r"\-", "/", ":", r"\.", ",", "T"):
            head.pop()
        if head:
            tail = r"(?:[ T].*)?\Z" if loose_tail else r"\s*\Z"
            dateonly = re.compile(r"\s*" + "".join(head) + tail)
    return full, dateonly


# Postgres's (and Redshift's) calendar: no year 0 — '0000-01-01' is 1 BC written astronomically,
# which Postgres rejects ("date/time field value out of range") and which must therefore be one
# record's 1205/1206 here, never a whole COPY aborted by the server. Upper and BC bounds likewise.
_MAX_YEAR = {False: 5_874_896, True: 294_275}     # date / timestamp (Postgres's ranges, a year short)
_MAX_BC_YEAR = 4713


def _days_ok(y: int, m: int, d: int, bc: bool = False, ts: bool = False) -> bool:
    if not (1 <= m <= 12) or d < 1 or y < 1 or y > (_MAX_BC_YEAR if bc else _MAX_YEAR[ts]):
        return False
    astro = (1 - y) if bc else y
    leap = astro % 4 == 0 and (astro % 100 != 0 or astro % 400 == 0)
    return d <= (29 if (m == 2 and leap) else calendar.mdays[m])


def _year(g) -> int:
    if g.get("Y") is not None:
        return int(g["Y"])
    if g.get("y") is not None:
        yy = int(g["y"])
        return 2000 + yy if yy < 70 else 1900 + yy
    return 1900


def _fields(g: dict, code: int, value: str) -> tuple:
    """Regex groups → (y, m, d, H, M, S, micro, offset_minutes|None)."""
    y = _year(g)
    if g.get("mon") is not None:
        m = MONTHS.get(g["mon"].rstrip(".").lower())
        if m is None:
            raise RecordError(code, f"Invalid month name '{g['mon']}' in '{value}'", value)
    else:
        m = int(g["m"]) if g.get("m") is not None else 1
    d = int(g["d"]) if g.get("d") is not None else 1
    H = int(g["H"]) if g.get("H") is not None else 0
    if g.get("I") is not None:
        H = int(g["I"])
        if not 1 <= H <= 12:
            raise RecordError(code, f"hour {H} out of range for HH12 in '{value}'", value)
        pm = (g.get("p") or "a")[0] in "pP"
        H = (H % 12) + (12 if pm else 0)
    M = int(g["M"]) if g.get("M") is not None else 0
    S = int(g["S"]) if g.get("S") is not None else 0
    # AMBIG (§3: more than 6 fractional digits): Redshift stores microseconds; we accept up to 9
    # digits and truncate past the 6th, so the London smart-meter files' '00:30:00.0000000' load.
    us = int(g["f"][:6].ljust(6, "0")) if g.get("f") else 0
    of = None
    if g.get("of"):
        of = _offset(g["of"])
    if not _days_ok(y, m, d, ts=code == 1206) or H > 23 or M > 59 or S > 59:
        raise RecordError(code, f"Invalid {'date' if code == 1205 else 'timestamp'} value '{value}'", value)
    return y, m, d, H, M, S, us, of


def _offset(text: str) -> int:
    if text in ("Z", "z"):
        return 0
    sign = -1 if text[0] == "-" else 1
    body = text[1:].replace(":", "")
    h, mi = (int(body[:-2]), int(body[-2:])) if len(body) > 2 else (int(body), 0)
    if h > 15 or mi > 59:
        raise ValueError(text)
    return sign * (h * 60 + mi)


def _iso_date(y, m, d, bc=False) -> str:
    return f"{y:04d}-{m:02d}-{d:02d}" + (" BC" if bc else "")


def _iso_ts(y, m, d, H, M, S, us, bc=False) -> str:
    frac = f".{us:06d}" if us else ""
    return f"{y:04d}-{m:02d}-{d:02d} {H:02d}:{M:02d}:{S:02d}{frac}" + (" BC" if bc else "")


def _of_text(of: int) -> str:
    sign = "-" if of < 0 else "+"
    of = abs(of)
    return f"{sign}{of // 60:02d}:{of % 60:02d}"


# ---------------------------------------------------------------- 'auto'
_AUTO_COMPACT = re.compile(r"\s*(\d{8}|\d{6})(?:[ T](\d{6})(?:\.(\d{1,6}))?)?\s*\Z")
_AUTO_YDDD = re.compile(r"\s*(\d{4})\.(\d{3})\s*\Z")
_AUTO_JULIAN = re.compile(r"\s*[Jj](\d+)\s*\Z")
_AUTO_TOKEN = re.compile(r"(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)"
                         r"|(?P<off>(?<=[\d\s])[+-]\d{1,2}(?::?\d{2})?\b)"
                         r"|(?P<num>\d+)|(?P<word>[A-Za-z]+\.?)|(?P<sep>[\s\-/.,T]+)")


def parse_auto(value: str, code: int):
    """Redshift 'auto' recognition (§3's table): ISO 8601, Julian, BC, compact and
    month-name forms, zone abbreviations and offsets. Returns (y,m,d,H,M,S,us,offset,bc)."""
    s = value.strip()
    try:
        dt = datetime.fromisoformat(s[:-1] + "+00:00" if s[-1:] in "Zz" and len(s) > 10 else s)
        of = None
        if dt.tzinfo is not None:
            of = int(dt.utcoffset().total_seconds() // 60)
        return dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.microsecond, of, False
    except (ValueError, IndexError):
        pass
    bad = RecordError(code, f"Invalid {'date' if code == 1205 else 'timestamp'} value '{value}' for 'auto'", value)
    mt = _AUTO_JULIAN.match(s)
    if mt:
        try:
            dt = datetime(1, 1, 1) + timedelta(days=int(mt.group(1)) - 1721426)
        except (OverflowError, ValueError):
            raise bad from None
        return dt.year, dt.month, dt.day, 0, 0, 0, 0, None, False
    mt = _AUTO_YDDD.match(s)
    if mt:
        y, ddd = int(mt.group(1)), int(mt.group(2))
        if not 1 <= ddd <= (366 if calendar.isleap(y) else 365):
            raise bad
        dt = datetime(y, 1, 1) + timedelta(days=ddd - 1)
        return dt.year, dt.month, dt.day, 0, 0, 0, 0, None, False
    mt = _AUTO_COMPACT.match(s)
    if mt:
        ds = mt.group(1)
        y = int(ds[:4]) if len(ds) == 8 else _year({"y": ds[:2]})
        m, d = int(ds[-4:-2]), int(ds[-2:])
        H = M = S = us = 0
        if mt.group(2):
            H, M, S = int(mt.group(2)[:2]), int(mt.group(2)[2:4]), int(mt.group(2)[4:])
        if mt.group(3):
            us = int(mt.group(3).ljust(6, "0"))
        if not _days_ok(y, m, d, ts=code == 1206) or H > 23 or M > 59 or S > 59:
            raise bad
        return y, m, d, H, M, S, us, None, False
    # generic token form: month names, MDY numbers, BC, AM/PM, zones
    pos, nums, mon, timep, of, bc, pm = 0, [], None, None, None, False, None
    for tok in _AUTO_TOKEN.finditer(s):
        if tok.start() != pos:
            raise bad
        pos = tok.end()
        kind = tok.lastgroup
        text = tok.group()
        if kind == "time":
            if timep is not None:
                raise bad
            timep = text
        elif kind == "off" and timep is None:      # '08-95': a separator and a number, not an offset
            nums.append(text[1:])
        elif kind == "off":
            try:
                of = _offset(text)
            except ValueError:
                raise bad from None
        elif kind == "num":
            nums.append(text)
        elif kind == "word":
            w = text.rstrip(".").lower()
            if w in MONTHS and mon is None:
                mon = MONTHS[w]
            elif w == "bc":
                bc = True
            elif w == "ad":
                pass
            elif w in ("am", "pm"):
                pm = w == "pm"
            elif w in TZ_ABBREV:
                of = int(TZ_ABBREV[w] * 60)
            elif w in ("mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday", "tuesday",
                       "wednesday", "thursday", "friday", "saturday", "sunday"):
                pass
            else:
                raise bad
    if pos != len(s) or not nums:
        raise bad
    try:
        if mon is not None:
            if len(nums) != 2:
                raise ValueError
            a, b = nums
            y, d = (int(a), int(b)) if len(a) >= 3 else (int(b) if bc else _yy(b), int(a))
            m = mon
        else:
            if len(nums) != 3:
                raise ValueError
            a, b, c = nums
            if len(a) >= 3:               # YMD
                y, m, d = int(a), int(b), int(c)
            else:                          # MDY (Postgres DateStyle 'ISO, MDY', as Redshift)
                m, d, y = int(a), int(b), (int(c) if bc else _yy(c))
        H = M = S = us = 0
        if timep:
            tp = timep.split(":")
            H, M = int(tp[0]), int(tp[1])
            if len(tp) > 2:
                sec, _, frac = tp[2].partition(".")
                S = int(sec)
                us = int(frac[:6].ljust(6, "0")) if frac else 0
        if pm is not None:
            if not 1 <= H <= 12:
                raise ValueError
            H = (H % 12) + (12 if pm else 0)
    except ValueError:
        raise bad from None
    if not _days_ok(y, m, d, bc, ts=code == 1206) or H > 23 or M > 59 or S > 59:
        raise bad
    return y, m, d, H, M, S, us, of, bc


def _yy(text: str) -> int:
    return _year({"y": text}) if len(text) <= 2 else int(text)


# ---------------------------------------------------------------- factories
def date_parser(dateformat: str | None):
    """str → 'YYYY-MM-DD' for a DATE column. Time parts are parsed and dropped."""
    if dateformat == "auto":
        def parse(v: str) -> str:
            y, m, d, *_rest, bc = parse_auto(v, 1205)
            return _iso_date(y, m, d, bc)
        return parse
    full, dateonly = _compile(dateformat or "YYYY-MM-DD", allow_of=False, loose_tail=True)
    loose = dateonly or re.compile(full.pattern[:-5] + r"(?:[ T].*)?\Z")

    def parse(v: str) -> str:
        mt = full.match(v) or loose.match(v)
        if mt is None:
            raise RecordError(1205, f"Invalid date format; value '{v}' does not match "
                              f"'{dateformat or 'YYYY-MM-DD'}'", v)
        y, m, d, *_ = _fields(mt.groupdict(), 1205, v)
        return _iso_date(y, m, d)
    return parse


def timestamp_parser(timeformat: str | None, *, tz: bool):
    """str|number → ISO timestamp text (with an explicit offset for TIMESTAMPTZ, so the session's
    TimeZone never changes what is stored). For TIMESTAMP an offset in the input is dropped, as
    Redshift's CAST to TIMESTAMP does (AMBIG in §3; decided: dropped, not applied)."""
    suffix = "+00" if tz else ""
    if timeformat in ("epochsecs", "epochmillisecs"):
        scale = 1000 if timeformat == "epochmillisecs" else 1

        def parse_epoch(v) -> str:
            t = type(v)
            try:
                if t is int:
                    dt = EPOCH + timedelta(milliseconds=v) if scale == 1000 else EPOCH + timedelta(seconds=v)
                else:
                    if t is str:
                        s = v.strip()
                        if not _EPOCH_RX.match(s):
                            raise ValueError
                        v = int(s) if s.lstrip("+-").isdigit() else float(s)
                    elif t is not float:
                        raise ValueError
                    dt = EPOCH + (timedelta(milliseconds=v) if scale == 1000 else timedelta(seconds=v))
            except (ValueError, OverflowError):
                raise RecordError(1206, f"Invalid timestamp value '{v}' for '{timeformat}'", v) from None
            return dt.isoformat(" ") + suffix
        return parse_epoch
    if timeformat == "auto":
        def parse_auto_ts(v) -> str:
            if type(v) is not str:
                raise RecordError(1206, f"Invalid timestamp value '{v}' ('auto' does not parse epochs)", v)
            y, m, d, H, M, S, us, of, bc = parse_auto(v, 1206)
            text = _iso_ts(y, m, d, H, M, S, us)
            if tz:
                text += _of_text(of) if of is not None else "+00"
            return text + " BC" if bc else text
        return parse_auto_ts
    default = "YYYY-MM-DD HH:MI:SSOF" if tz else "YYYY-MM-DD HH:MI:SS"
    full, dateonly = _compile(timeformat or default, allow_of=timeformat is None)

    def parse(v) -> str:
        if type(v) is not str:
            raise RecordError(1206, f"Invalid timestamp value '{v}'", v)
        mt = full.match(v)
        if mt is None and dateonly is not None:
            mt = dateonly.match(v)
        if mt is None:
            raise RecordError(1206, f"Invalid timestamp format; value '{v}' does not match '{timeformat or default}'", v)
        y, m, d, H, M, S, us, of = _fields(mt.groupdict(), 1206, v)
        text = _iso_ts(y, m, d, H, M, S, us)
        if tz:
            return text + (_of_text(of) if of is not None else "+00")
        return text
    return parse


_EPOCH_RX = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)\Z")
UTC = timezone.utc
