"""Session-local (pg_temp) helper functions for Redshift functions PostgreSQL 15 lacks.

A translated statement that needs one is prefixed with a DO block creating it only if the
session does not have it yet: no catalog writes on reruns, nothing left behind after the
session, and no privileges beyond TEMP. The bodies contain no '%' so statements that go
through psycopg2 with parameters are unaffected.
"""
from __future__ import annotations

FNV_CORE = (
    "CREATE FUNCTION pg_temp.dwhkit_fnv_bytes(b bytea, seed bigint) RETURNS bigint LANGUAGE plpgsql "
    "IMMUTABLE STRICT AS $f$ DECLARE h bigint := seed; u numeric; i integer; BEGIN "
    "FOR i IN 0 .. length(b) - 1 LOOP h := h # get_byte(b, i); "
    "u := h; IF u < 0 THEN u := u + 18446744073709551616; END IF; "
    "u := mod(u * 1099511628211, 18446744073709551616); "
    "IF u >= 9223372036854775808 THEN u := u - 18446744073709551616; END IF; h := u::bigint; END LOOP; "
    "RETURN h; END $f$")

_DEFS: dict[str, tuple[str, list[str]]] = {
    # JSON_EXTRACT_PATH_TEXT(..., null_if_invalid => true): invalid JSON → NULL.
    "try_json": ("pg_temp.dwhkit_try_json(text)", [
        "CREATE FUNCTION pg_temp.dwhkit_try_json(t text) RETURNS json LANGUAGE plpgsql IMMUTABLE AS "
        "$f$ BEGIN RETURN t::json; EXCEPTION WHEN others THEN RETURN NULL; END $f$",
    ]),
    # r_STRTOL: C strtol semantics (leading blanks, sign, 0x for base 16, stop at the first
    # character that is not a digit of the base; '' → 0).
    "strtol": ("pg_temp.dwhkit_strtol(text,integer)", [
        "CREATE FUNCTION pg_temp.dwhkit_strtol(s text, base integer) RETURNS bigint LANGUAGE plpgsql IMMUTABLE "
        "STRICT AS $f$ DECLARE v numeric := 0; neg boolean := false; i integer := 1; d integer; c text; "
        "BEGIN IF base < 2 OR base > 36 THEN RAISE EXCEPTION 'STRTOL: base must be between 2 and 36'; END IF; "
        "s := ltrim(s, E' \\t\\n\\r\\f' || chr(11)); "
        "IF left(s, 1) IN ('+', '-') THEN neg := left(s, 1) = '-'; s := substr(s, 2); END IF; "
        "IF base = 16 AND lower(left(s, 2)) = '0x' THEN s := substr(s, 3); END IF; "
        "WHILE i <= length(s) LOOP c := lower(substr(s, i, 1)); "
        "d := strpos('0123456789abcdefghijklmnopqrstuvwxyz', c) - 1; "
        "EXIT WHEN d < 0 OR d >= base; v := v * base + d; i := i + 1; END LOOP; "
        "IF neg THEN v := -v; END IF; RETURN v::bigint; END $f$",
    ]),
    # r_AVG: integer arguments → BIGINT truncated toward zero; others as PostgreSQL's AVG.
    "avg": ("pg_temp.dwhkit_avg(integer)", [
        "CREATE FUNCTION pg_temp.dwhkit_avg_int(bigint[]) RETURNS bigint LANGUAGE sql IMMUTABLE AS "
        "$f$ SELECT CASE WHEN $1[1] = 0 THEN NULL ELSE trunc($1[2]::numeric / $1[1])::bigint END $f$",
        "CREATE FUNCTION pg_temp.dwhkit_avg_big_acc(numeric[], bigint) RETURNS numeric[] LANGUAGE sql "
        "IMMUTABLE STRICT AS $f$ SELECT ARRAY[$1[1] + 1, $1[2] + $2] $f$",
        "CREATE FUNCTION pg_temp.dwhkit_avg_num_acc(numeric[], numeric) RETURNS numeric[] LANGUAGE sql "
        "IMMUTABLE STRICT AS $f$ SELECT ARRAY[$1[1] + 1, $1[2] + $2] $f$",
        "CREATE FUNCTION pg_temp.dwhkit_avg_big(numeric[]) RETURNS bigint LANGUAGE sql IMMUTABLE AS "
        "$f$ SELECT CASE WHEN $1[1] = 0 THEN NULL ELSE trunc($1[2] / $1[1])::bigint END $f$",
        "CREATE FUNCTION pg_temp.dwhkit_avg_num(numeric[]) RETURNS numeric LANGUAGE sql IMMUTABLE AS "
        "$f$ SELECT CASE WHEN $1[1] = 0 THEN NULL ELSE $1[2] / $1[1] END $f$",
        "CREATE AGGREGATE pg_temp.dwhkit_avg(smallint) (SFUNC = int2_avg_accum, STYPE = bigint[], "
        "FINALFUNC = pg_temp.dwhkit_avg_int, INITCOND = '{0,0}')",
        "CREATE AGGREGATE pg_temp.dwhkit_avg(integer) (SFUNC = int4_avg_accum, STYPE = bigint[], "
        "FINALFUNC = pg_temp.dwhkit_avg_int, INITCOND = '{0,0}')",
        "CREATE AGGREGATE pg_temp.dwhkit_avg(bigint) (SFUNC = pg_temp.dwhkit_avg_big_acc, STYPE = numeric[], "
        "FINALFUNC = pg_temp.dwhkit_avg_big, INITCOND = '{0,0}')",
        "CREATE AGGREGATE pg_temp.dwhkit_avg(numeric) (SFUNC = pg_temp.dwhkit_avg_num_acc, STYPE = numeric[], "
        "FINALFUNC = pg_temp.dwhkit_avg_num, INITCOND = '{0,0}')",
        "CREATE AGGREGATE pg_temp.dwhkit_avg(double precision) (SFUNC = float8_accum, STYPE = double precision[], "
        "FINALFUNC = float8_avg, INITCOND = '{0,0,0}')",
        "CREATE AGGREGATE pg_temp.dwhkit_avg(real) (SFUNC = float4_accum, STYPE = double precision[], "
        "FINALFUNC = float8_avg, INITCOND = '{0,0,0}')",
        "CREATE AGGREGATE pg_temp.dwhkit_avg(interval) (SFUNC = interval_accum, STYPE = interval[], "
        "FINALFUNC = interval_avg, INITCOND = '{0 second,0 second}')",
    ]),
    # r_WF_MEDIAN, r_WF_PERCENTILE_CONT, r_WF_PERCENTILE_DISC as window functions: the partition's
    # values arrive as an array (ARRAY_AGG … OVER); NULLs are ignored as by the aggregates.
    "percentile": ("pg_temp.dwhkit_percentile_disc(anyarray,double precision)", [
        "CREATE FUNCTION pg_temp.dwhkit_percentile_cont(double precision[], double precision) "
        "RETURNS double precision LANGUAGE sql IMMUTABLE AS "
        "$f$ SELECT percentile_cont($2) WITHIN GROUP (ORDER BY v) FROM unnest($1) AS u(v) $f$",
        "CREATE FUNCTION pg_temp.dwhkit_percentile_disc(anyarray, double precision) "
        "RETURNS anyelement LANGUAGE sql IMMUTABLE AS "
        "$f$ SELECT percentile_disc($2) WITHIN GROUP (ORDER BY v) FROM unnest($1) AS u(v) $f$",
    ]),
    # r_WF_LISTAGG with DISTINCT: the partition's values in window order (already trailing-blank
    # trimmed, NULL and '' as NULL), each kept at its first occurrence, joined.
    "listagg_distinct": ("pg_temp.dwhkit_listagg_distinct(text[],text)", [
        "CREATE FUNCTION pg_temp.dwhkit_listagg_distinct(a text[], sep text) RETURNS text LANGUAGE sql "
        "IMMUTABLE AS $f$ SELECT string_agg(v, $2 ORDER BY i) FROM (SELECT v, min(i) AS i FROM "
        "unnest($1) WITH ORDINALITY AS u(v, i) WHERE v IS NOT NULL GROUP BY v) AS d $f$",
    ]),
    # r_TO_DATE_function, is_strict FALSE: a day past the month's end overflows into the next
    # month. Only when the day field sits at a fixed offset (digits-only fields before it).
    "to_date_lax": ("pg_temp.dwhkit_to_date_lax(text,text)", [
        "CREATE FUNCTION pg_temp.dwhkit_to_date_lax(s text, fmt text) RETURNS date LANGUAGE plpgsql "
        "IMMUTABLE STRICT AS $f$ DECLARE p integer := strpos(upper(fmt), 'DD'); head text; d integer; "
        "BEGIN RETURN to_date(s, fmt); EXCEPTION WHEN datetime_field_overflow THEN "
        "head := regexp_replace(upper(substr(fmt, 1, p - 1)), 'YYYY|MM|[-/. ]', '', 'g'); "
        "IF p = 0 OR head <> '' OR substr(s, p, 2) !~ '^[0-9][0-9]$' THEN RAISE; END IF; "
        "d := substr(s, p, 2)::integer; "
        "RETURN to_date(overlay(s placing '01' from p for 2), fmt) + (d - 1); END $f$",
    ]),
    # r_TO_TIMESTAMP, is_strict FALSE: "overflow values are accepted" ('2011-12-18 24:38:15' is
    # 2011-12-19 00:38:15). When PostgreSQL's to_timestamp reports a field overflow and the format is
    # numeric fields (YYYY MM DD HH24/HH MI SS) between separators, the fields are added up from
    # January 1 of the year, so each overflow carries into the next unit; anything else re-raises.
    "to_timestamp_lax": ("pg_temp.dwhkit_to_timestamp_lax(text,text)", [
        "CREATE FUNCTION pg_temp.dwhkit_to_timestamp_lax(s text, fmt text) RETURNS timestamptz LANGUAGE plpgsql "
        "STABLE STRICT AS $f$ DECLARE f text[]; v text[]; i integer; n integer; t timestamptz; "
        "BEGIN RETURN to_timestamp(s, fmt); EXCEPTION WHEN datetime_field_overflow THEN "
        "f := regexp_split_to_array(upper(btrim(fmt)), '[^A-Z0-9]+'); "
        "v := regexp_split_to_array(btrim(s), '[^0-9]+'); "
        "IF array_length(f, 1) <> array_length(v, 1) OR f[1] <> 'YYYY' THEN RAISE; END IF; "
        "t := make_timestamptz(v[1]::integer, 1, 1, 0, 0, 0); "
        "FOR i IN 2 .. array_length(f, 1) LOOP n := v[i]::integer; "
        "IF f[i] = 'MM' THEN t := t + make_interval(months => n - 1); "
        "ELSIF f[i] = 'DD' THEN t := t + make_interval(days => n - 1); "
        "ELSIF f[i] IN ('HH24', 'HH') THEN t := t + make_interval(hours => n); "
        "ELSIF f[i] = 'MI' THEN t := t + make_interval(mins => n); "
        "ELSIF f[i] = 'SS' THEN t := t + make_interval(secs => n); "
        "ELSE RAISE; END IF; END LOOP; RETURN t; END $f$",
    ]),
    # varbyte-functions, r_VARBYTE_OPERATORS: VARBYTE is bytea (compat/varbyte.py).
    "varbyte": ("pg_temp.dwhkit_from_varbyte(bytea,text)", [
        "CREATE FUNCTION pg_temp.dwhkit_to_hex(b bytea) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS "
        "$f$ SELECT encode($1, 'hex') $f$",
        "CREATE FUNCTION pg_temp.dwhkit_to_hex(n bigint) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS "
        "$f$ SELECT to_hex($1) $f$",
        "CREATE FUNCTION pg_temp.dwhkit_from_hex(s text) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT AS "
        "$f$ SELECT decode(CASE WHEN mod(length($1), 2) = 1 THEN '0' || $1 ELSE $1 END, 'hex') $f$",
        "CREATE FUNCTION pg_temp.dwhkit_from_bits(s text) RETURNS bytea LANGUAGE plpgsql IMMUTABLE STRICT AS "
        "$f$ DECLARE p text := lpad($1, ((length($1) + 7) / 8) * 8, '0'); b bytea := ''; i integer; BEGIN "
        "FOR i IN 0 .. length(p) / 8 - 1 LOOP b := b || decode(lpad(to_hex(substr(p, i * 8 + 1, 8)::bit(8)::integer), "
        "2, '0'), 'hex'); END LOOP; RETURN b; END $f$",
        "CREATE FUNCTION pg_temp.dwhkit_to_varbyte(s text, fmt text) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT AS "
        "$f$ SELECT CASE lower($2) WHEN 'hex' THEN pg_temp.dwhkit_from_hex($1) "
        "WHEN 'binary' THEN pg_temp.dwhkit_from_bits($1) WHEN 'base64' THEN decode($1, 'base64') "
        "ELSE convert_to($1, 'UTF8') END $f$",
        "CREATE FUNCTION pg_temp.dwhkit_from_varbyte(b bytea, fmt text) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS "
        "$f$ SELECT CASE lower($2) WHEN 'hex' THEN encode($1, 'hex') WHEN 'base64' THEN encode($1, 'base64') "
        "WHEN 'binary' THEN (SELECT string_agg(get_byte($1, i)::bit(8)::text, '' ORDER BY i) "
        "FROM generate_series(0, length($1) - 1) AS i) ELSE convert_from($1, 'UTF8') END $f$",
        "CREATE FUNCTION pg_temp.dwhkit_varbyte_bits(a bytea, b bytea, op text) RETURNS bytea LANGUAGE plpgsql "
        "IMMUTABLE AS $f$ DECLARE r bytea := a; i integer; BEGIN "
        "IF a IS NULL OR (b IS NULL AND op <> '~') THEN RETURN NULL; END IF; "
        "IF op <> '~' AND length(a) <> length(b) THEN "
        "RAISE EXCEPTION USING MESSAGE = 'VARBYTE ' || op || ': the operands must have the same length'; END IF; "
        "FOR i IN 0 .. length(a) - 1 LOOP r := set_byte(r, i, CASE op WHEN '~' THEN (~get_byte(a, i)) & 255 "
        "WHEN '&' THEN get_byte(a, i) & get_byte(b, i) ELSE get_byte(a, i) | get_byte(b, i) END); END LOOP; "
        "RETURN r; END $f$",
    ]),
    # r_TEXT_TO_INT_ALT, r_TEXT_TO_NUMERIC_ALT, r_Numeric-format-teradata: the number a Teradata-style
    # string holds — blank or empty is 0, a sign may lead or trail ('123-'), E notation is read; with
    # a format, S reads a signed-zoned-decimal (overpunched) last digit ('{' +0, 'A'..'I' +1..+9,
    # '}' -0, 'J'..'R' -1..-9), and a leading currency (C, L: 'USD', '$') and group commas are dropped.
    # dwhkit_round_half_even: "rounded to the nearest even value" when exactly midway.
    "teradata_number": ("pg_temp.dwhkit_teradata_number(text,text)", [
        "CREATE FUNCTION pg_temp.dwhkit_teradata_number(s text, fmt text) RETURNS numeric LANGUAGE plpgsql "
        "IMMUTABLE AS $f$ DECLARE t text := btrim(s); neg boolean := false; z integer; BEGIN "
        "IF s IS NULL THEN RETURN NULL; END IF; IF t = '' THEN RETURN 0; END IF; "
        "IF fmt IS NOT NULL AND strpos(upper(fmt), 'S') > 0 THEN "
        "z := strpos('{ABCDEFGHI', right(t, 1)); "
        "IF z > 0 THEN t := left(t, -1) || (z - 1)::text; ELSE z := strpos('}JKLMNOPQR', right(t, 1)); "
        "IF z > 0 THEN t := left(t, -1) || (z - 1)::text; neg := true; END IF; END IF; END IF; "
        "IF fmt IS NOT NULL THEN t := replace(regexp_replace(t, '^[A-Za-z$ ]+', ''), ',', ''); END IF; "
        "IF right(t, 1) IN ('-', '+') THEN neg := neg OR right(t, 1) = '-'; t := btrim(left(t, -1)); END IF; "
        "RETURN CASE WHEN neg THEN -(t::numeric) ELSE t::numeric END; END $f$",
        "CREATE FUNCTION pg_temp.dwhkit_round_half_even(x numeric, s integer) RETURNS numeric LANGUAGE sql "
        "IMMUTABLE STRICT AS $f$ SELECT CASE WHEN abs(x - trunc(x, s)) * power(10::numeric, s) = 0.5 "
        "AND mod(abs(trunc(x, s) * power(10::numeric, s)), 2) = 0 THEN trunc(x, s) ELSE round(x, s) END $f$",
    ]),
    # r_FNV_HASH: 64-bit FNV-1a over the value's binary form (INTEGER 4 bytes, BIGINT 8, SMALLINT 2,
    # little-endian; strings their bytes, trailing blanks kept); the seed is the starting hash.
    "fnv_hash": ("pg_temp.dwhkit_fnv_hash(text,bigint)", [
        FNV_CORE,
        "CREATE FUNCTION pg_temp.dwhkit_le(b bytea) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT AS "
        "$f$ SELECT string_agg(substr($1, i, 1), ''::bytea ORDER BY i DESC) FROM generate_series(1, length($1)) AS i $f$",
        "CREATE FUNCTION pg_temp.dwhkit_fnv_hash(v text, seed bigint DEFAULT -3750763034362895579) RETURNS bigint "
        "LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT pg_temp.dwhkit_fnv_bytes(convert_to($1, 'UTF8'), $2) $f$",
        "CREATE FUNCTION pg_temp.dwhkit_fnv_hash(v smallint, seed bigint DEFAULT -3750763034362895579) RETURNS bigint "
        "LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT pg_temp.dwhkit_fnv_bytes(pg_temp.dwhkit_le(int2send($1)), $2) $f$",
        "CREATE FUNCTION pg_temp.dwhkit_fnv_hash(v integer, seed bigint DEFAULT -3750763034362895579) RETURNS bigint "
        "LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT pg_temp.dwhkit_fnv_bytes(pg_temp.dwhkit_le(int4send($1)), $2) $f$",
        "CREATE FUNCTION pg_temp.dwhkit_fnv_hash(v bigint, seed bigint DEFAULT -3750763034362895579) RETURNS bigint "
        "LANGUAGE sql IMMUTABLE STRICT AS $f$ SELECT pg_temp.dwhkit_fnv_bytes(pg_temp.dwhkit_le(int8send($1)), $2) $f$",
    ]),
    # crc32-function: CRC-32C (Castagnoli) of the string's bytes, as 8 lower-case hex digits.
    "crc32": ("pg_temp.dwhkit_crc32(text)", [
        "CREATE FUNCTION pg_temp.dwhkit_crc32(s text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT AS "
        "$f$ DECLARE b bytea := convert_to(s, 'UTF8'); c bigint := 4294967295; i integer; k integer; BEGIN "
        "FOR i IN 0 .. length(b) - 1 LOOP c := c # get_byte(b, i); FOR k IN 1 .. 8 LOOP "
        "IF (c & 1) = 1 THEN c := (c >> 1) # 2197175160; ELSE c := c >> 1; END IF; END LOOP; END LOOP; "
        "RETURN lpad(to_hex(c # 4294967295), 8, '0'); END $f$",
    ]),
    # SOUNDEX: American Soundex of the ASCII letters only; '' when there are none.
    "soundex": ("pg_temp.dwhkit_soundex(text)", [
        "CREATE FUNCTION pg_temp.dwhkit_soundex(s text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT AS "
        "$f$ DECLARE t text := upper(regexp_replace(s, '[^A-Za-z]', '', 'g')); out text; prev text; c text; "
        "ch text; i integer; BEGIN IF t = '' THEN RETURN ''; END IF; "
        "out := left(t, 1); prev := translate(left(t, 1), 'AEIOUYHWBFPVCGJKQSXZDTLMNR', '00000000111122222222334556'); "
        "FOR i IN 2 .. length(t) LOOP EXIT WHEN length(out) = 4; ch := substr(t, i, 1); "
        "CONTINUE WHEN ch IN ('H', 'W'); "
        "c := translate(ch, 'AEIOUYBFPVCGJKQSXZDTLMNR', '000000111122222222334556'); "
        "IF c <> '0' AND c <> prev THEN out := out || c; END IF; prev := c; END LOOP; "
        "RETURN rpad(out, 4, '0'); END $f$",
    ]),
    # SUPER on jsonb (compat/semistructured.py). dwhkit_to_super: any value as a SUPER value; an
    # untyped literal (or a driver-quoted parameter) resolves to the text overload, a jsonb value
    # passes through. dwhkit_super_text: the compact serialization JSON_SERIALIZE prints.
    # dwhkit_super_cast: limitations-super's casting rules, errors become NULL (lax mode).
    "super": ("pg_temp.dwhkit_super_cast(jsonb,anyelement)", [
        "CREATE FUNCTION pg_temp.dwhkit_to_super(v jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $f$ SELECT v $f$",
        "CREATE FUNCTION pg_temp.dwhkit_to_super(v text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS "
        "$f$ SELECT to_jsonb(v) $f$",
        "CREATE FUNCTION pg_temp.dwhkit_to_super(v anyelement) RETURNS jsonb LANGUAGE sql IMMUTABLE AS "
        "$f$ SELECT to_jsonb(v) $f$",
        # jsonb's text with the blank after each ',' and ':' between tokens removed; a string token
        # is matched whole first, so the blanks inside strings stay
        "CREATE FUNCTION pg_temp.dwhkit_super_text(v jsonb) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS "
        "$f$ SELECT CASE WHEN jsonb_typeof(v) IN ('object', 'array') "
        "THEN regexp_replace(v::text, '(\"(?:[^\"\\\\]|\\\\.)*\"|[,:]) ?', '\\1', 'g') ELSE v::text END $f$",
        "CREATE FUNCTION pg_temp.dwhkit_super_flatten(VARIADIC vs jsonb[]) RETURNS jsonb LANGUAGE sql IMMUTABLE AS "
        "$f$ SELECT CASE WHEN bool_and(jsonb_typeof(a) = 'array') THEN COALESCE((SELECT jsonb_agg(x ORDER BY i, j, k) "
        "FROM unnest(vs) WITH ORDINALITY AS u(a, i), jsonb_array_elements(u.a) WITH ORDINALITY AS e(el, j), "
        "jsonb_array_elements(CASE WHEN jsonb_typeof(e.el) = 'array' THEN e.el ELSE jsonb_build_array(e.el) END) "
        "WITH ORDINALITY AS f(x, k)), '[]'::jsonb) END FROM unnest(vs) AS a $f$",
        "CREATE FUNCTION pg_temp.dwhkit_super_cast(v jsonb, target anyelement) RETURNS anyelement LANGUAGE plpgsql "
        "STABLE AS $f$ DECLARE result ALIAS FOR $0; kind text := jsonb_typeof(v); "
        "typ text := pg_typeof(target)::text; src text; BEGIN "
        "IF kind IS NULL OR kind IN ('null', 'object', 'array') THEN RETURN NULL; END IF; "
        "IF kind = 'number' AND typ = 'boolean' THEN "
        "IF scale(v::numeric) <> 0 THEN RETURN NULL; END IF; src := (v::numeric <> 0)::text; "
        "ELSIF kind = 'number' AND typ IN ('smallint', 'integer', 'bigint') THEN src := round(v::numeric)::text; "
        "ELSIF kind = 'boolean' AND typ IN ('smallint', 'integer', 'bigint') THEN "
        "src := CASE WHEN v::boolean THEN '1' ELSE '0' END; "
        "ELSE src := v #>> '{}'; END IF; "
        "EXECUTE 'SELECT CAST($1 AS ' || typ || ')' INTO result USING src; RETURN result; "
        "EXCEPTION WHEN others THEN RETURN NULL; END $f$",
    ]),
}


def need(generator, helper: str) -> None:
    """Record that the SQL ``generator`` writes calls the pg_temp helper ``helper``."""
    if not hasattr(generator, "dwhkit_helpers"):
        generator.dwhkit_helpers = set()
    generator.dwhkit_helpers.add(helper)


def prelude(names) -> str:
    """One DO statement that creates the named helpers missing from this session."""
    blocks = []
    for name in sorted(names):
        probe, creates = _DEFS[name]
        body = " ".join(f"EXECUTE {_dollar(c)};" for c in creates)
        blocks.append(f"IF to_regprocedure('{probe}') IS NULL THEN {body} END IF;")
    return "DO $dwhkit$ BEGIN " + " ".join(blocks) + " END $dwhkit$"


def _dollar(text: str) -> str:
    """A dollar-quoted literal of `text` (its own bodies use $f$, never $q$)."""
    assert "$q$" not in text
    return f"$q${text}$q$"


_PRELUDE_END = " END $dwhkit$;\n"


def definitions(schema: str) -> list[str]:
    """Every helper as a permanent function of ``schema`` (CREATE OR REPLACE), for a server whose
    sessions cannot take the per-session prelude: `dwh serve`, where a Parse message holds one
    statement only ("cannot insert multiple commands into a prepared statement")."""
    out = []
    for _probe, creates in _DEFS.values():
        for create in creates:
            verb, _, rest = create.partition(" ")  # CREATE FUNCTION | CREATE AGGREGATE …
            out.append(in_schema(f"{verb} OR REPLACE {rest}", schema))
    return out


def in_schema(sql: str, schema: str) -> str:
    """``sql`` calling the helpers installed in ``schema`` by ``definitions``: the prelude dropped,
    pg_temp's names replaced. The names are dwhkit's own (``pg_temp.dwhkit_``), never a user's."""
    if sql.startswith("DO $dwhkit$ "):
        sql = sql[sql.index(_PRELUDE_END) + len(_PRELUDE_END):]
    return sql.replace("pg_temp.dwhkit_", f"{schema}.dwhkit_")
