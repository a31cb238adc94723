"""Redshift's configuration parameters: SET, RESET and SHOW of them on a Postgres target.

cm_chap_ConfigurationRef (https://docs.aws.amazon.com/redshift/latest/dg/cm_chap_ConfigurationRef.html)
lists the parameters a session can see; r_SHOW (https://docs.aws.amazon.com/redshift/latest/dg/r_SHOW.html)
shows one (``SHOW name``), all of them (``SHOW ALL``: rows of name | setting) or a session context
variable (``SHOW app_context.user_id``, an error when it was never set).

Three kinds of name:
- parameters Postgres has too (datestyle, search_path, timezone …): Postgres answers, except
  that search_path is printed as Redshift prints it (``$user, public``, not ``"$user", public``);
- Redshift-only parameters (query_group, wlm_query_slot_count …): kept as Postgres custom
  settings ``dwhkit.<name>`` (no superuser needed, transactional like any SET), so a SHOW
  reads back what the session SET, or the documented default;
- anything else is not a Redshift parameter and is refused, even if Postgres has it
  (work_mem, server_version …): a script that relies on it would fail on Redshift.
"""
from __future__ import annotations

from dwhkit.errors import TranslateError

# Parameters Postgres has under the same name and meaning.
SHARED = ("datestyle", "extra_float_digits", "search_path", "statement_timeout", "timezone")

# Redshift-only parameters → the default SHOW prints before any SET, from each parameter's page
# ("Values (default in bold)") or the configuration reference's SHOW ALL example; "" where we
# have not verified the page (SHOW then prints an empty setting until the session SETs one).
# AMBIG: query_group — r_SHOW's example prints "unset", cm_chap_ConfigurationRef's SHOW ALL prints
# "default"; r_query_group says "no default". We print "unset", the page about SHOW itself.
_VERIFIED_DEFAULTS = {
    "analyze_threshold_percent": "10", "downcase_delimited_identifier": "on",
    "enable_result_cache_for_session": "on", "interval_forbid_composite_literals": "true",
    "json_serialization_parse_nested_strings": "false", "parse_super_null_on_error": "off",
    "query_group": "unset", "spectrum_enable_pseudo_columns": "true", "stored_proc_log_min_messages": "LOG",
    "wlm_query_slot_count": "1",
}
REDSHIFT_ONLY = {name: _VERIFIED_DEFAULTS.get(name, "") for name in (
    "analyze_threshold_percent", "cast_super_null_on_error", "datashare_break_glass_session_var",
    "default_array_search_null_handling", "default_geometry_encoding", "describe_field_name_in_uppercase",
    "downcase_delimited_identifier", "enable_case_sensitive_identifier", "enable_case_sensitive_super_attribute",
    "enable_numeric_rounding", "enable_result_cache_for_session", "enable_spectrum_oid", "enable_vacuum_boost",
    "error_on_nondeterministic_update", "interval_forbid_composite_literals", "json_parse_dedup_attributes",
    "json_parse_truncate_strings", "json_serialization_enable", "json_serialization_parse_nested_strings",
    "max_concurrency_scaling_clusters", "max_cursor_result_set_size", "mv_enable_aqmv_for_session",
    "navigate_super_null_on_error", "parse_super_null_on_error", "pg_federation_repeatable_read", "query_group",
    "seg_id", "spectrum_enable_pseudo_columns", "spectrum_query_maxerror", "stored_proc_log_min_messages",
    "use_fips_ssl", "wlm_query_slot_count", "auto_mv",
)}

# SHOW ALL: "all the settings that you can configure by using the SET command", in the order and
# with the names of the configuration reference's example.
SHOW_ALL = ("analyze_threshold_percent", "datestyle", "extra_float_digits", "query_group", "search_path",
            "statement_timeout", "timezone", "wlm_query_slot_count")

PREFIX = "dwhkit."


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _value_sql(name: str) -> str:
    """A Postgres expression for the parameter's current value as Redshift prints it."""
    if name in REDSHIFT_ONLY:
        custom = f"pg_catalog.current_setting({_quote(PREFIX + name)}, true)"
        return f"COALESCE(NULLIF({custom}, ''), {_quote(REDSHIFT_ONLY[name])})"
    if name == "search_path":
        # r_search_path: the default is "$user, public" — Postgres quotes $user.
        return "pg_catalog.replace(pg_catalog.current_setting('search_path'), '\"$user\"', '$user')"
    return f"pg_catalog.current_setting({_quote(name)})"


def unknown(name: str) -> TranslateError:
    # AMBIG: r_SHOW says only that Redshift "throws an error"; Postgres 8.0, which Redshift derives
    # from, words it as below, and so does Postgres 15.
    return TranslateError(f'unrecognized configuration parameter "{name}"')


def show(name: str) -> str:
    """SHOW name | SHOW ALL | SHOW context.variable → one Postgres statement."""
    lowered = name.lower()
    if lowered == "all":
        rows = " UNION ALL ".join(f"SELECT {_quote(n)} AS name, {_value_sql(n)} AS setting" for n in SHOW_ALL)
        return f"SELECT name, setting FROM ({rows}) AS settings"
    if "." in lowered:
        # a session context variable (r_SET: SET app_context.user_id TO …): Postgres's own custom
        # settings behave the same, an error included when it was never set
        return f"SHOW {lowered}"
    if lowered in REDSHIFT_ONLY or lowered in SHARED:
        return f"SELECT {_value_sql(lowered)} AS {lowered}"
    raise unknown(lowered)


def set_name(name: str) -> str | None:
    """The Postgres name a SET/RESET of ``name`` sets: the custom setting for a Redshift-only
    parameter, None for any other (left as written)."""
    lowered = name.lower()
    return PREFIX + lowered if lowered in REDSHIFT_ONLY else None
