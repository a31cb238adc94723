"""Corpus rows that fail today, "mechanism: detail" each; pytest marks them xfail(strict=True).

Remove a row when a fix makes it pass (pytest reports XPASS, which fails the run). Regenerate the
details with `python -m tests.corpus --write-known` (kept reasons win).
"""
KNOWN = {
    'aggregate:r_MAX#2':
        "types: DECIMAL result scale: got [('4208.0000000000000000',)]",
    'aggregate:r_MIN#2':
        "types: DECIMAL result scale: got [('20.0000000000000000',)]",
    'conditional:r_NVL2#1':
        "implicit conversion: + on strings: VARCHAR + VARCHAR (Redshift's + concatenation) has no Postgres operator",
    'conditional:r_logical_condition#1':
        'implicit conversion: BOOLEAN = INTEGER: BOOLEAN = 1 has no Postgres operator',
    'conditional:r_logical_condition#2':
        'implicit conversion: BOOLEAN = INTEGER: BOOLEAN = 1 has no Postgres operator',
    'conversion:r_TEXT_TO_INT_ALT#1':
        'functions: refused (UnsupportedError names it): UnsupportedError: TEXT_TO_INT_ALT is not supported: Teradata-style formats are not emulated',
    'conversion:r_TEXT_TO_INT_ALT#2':
        'functions: refused (UnsupportedError names it): UnsupportedError: TEXT_TO_INT_ALT is not supported: Teradata-style formats are not emulated',
    'conversion:r_TEXT_TO_INT_ALT#3':
        'functions: refused (UnsupportedError names it): UnsupportedError: TEXT_TO_INT_ALT is not supported: Teradata-style formats are not emulated',
    'conversion:r_TEXT_TO_INT_ALT#4':
        'functions: refused (UnsupportedError names it): UnsupportedError: TEXT_TO_INT_ALT is not supported: Teradata-style formats are not emulated',
    'conversion:r_TEXT_TO_INT_ALT#5':
        'functions: refused (UnsupportedError names it): UnsupportedError: TEXT_TO_INT_ALT is not supported: Teradata-style formats are not emulated',
    'conversion:r_TEXT_TO_INT_ALT#6':
        'functions: refused (UnsupportedError names it): UnsupportedError: TEXT_TO_INT_ALT is not supported: Teradata-style formats are not emulated',
    'conversion:r_TEXT_TO_NUMERIC_ALT#1':
        'functions: refused (UnsupportedError names it): UnsupportedError: TEXT_TO_NUMERIC_ALT is not supported: Teradata-style formats are not emulated',
    'conversion:r_TEXT_TO_NUMERIC_ALT#2':
        'functions: refused (UnsupportedError names it): UnsupportedError: TEXT_TO_NUMERIC_ALT is not supported: Teradata-style formats are not emulated',
    'conversion:r_TEXT_TO_NUMERIC_ALT#3':
        'functions: refused (UnsupportedError names it): UnsupportedError: TEXT_TO_NUMERIC_ALT is not supported: Teradata-style formats are not emulated',
    'conversion:r_TEXT_TO_NUMERIC_ALT#4':
        'functions: refused (UnsupportedError names it): UnsupportedError: TEXT_TO_NUMERIC_ALT is not supported: Teradata-style formats are not emulated',
    'conversion:r_TO_CHAR#13':
        'formats: TO_TIMESTAMP/TO_CHAR: L prints no currency symbol ($ expected)',
    'copy:r_COPY_command_examples#10':
        'COPY: IDENTITY columns: an IDENTITY column listed without EXPLICIT_IDS loads (Redshift refuses)',
    'datetime:r_TO_TIMESTAMP#3':
        'formats: TO_TIMESTAMP/TO_CHAR: non-strict TO_TIMESTAMP does not roll hour 24 into the next day',
    'ddl_dml:c_Examples_of_INSERT_30#7':
        'semantics: multi-row VALUES with subqueries: subqueries in a multi-row VALUES are accepted (Redshift refuses)',
    'ddl_dml:c_Examples_of_UPDATE_statements#6':
        "name resolution: UPDATE ... FROM: refused (target re-joined under an alias with no join condition); the page claims only Pop is updated - see the row's doubt",
    'ddl_dml:r_FROM_clause-pivot-unpivot-examples#1':
        "types: DECIMAL result scale: got [('10.3333333333333333', '2.7166666666666667', '11.5000000000000000')]",
    'ddl_dml:r_FROM_clause-pivot-unpivot-examples#2':
        "types: DECIMAL result scale: got [('prop', '10.3333333333333333'), ('rudder', '2.7166666666666667'), ('wing', '11.5000000000000000')]",
    'hash:r_FROM_HEX#1':
        'functions: VARBYTE functions/operators missing: FROM_HEX missing',
    'hash:r_FROM_VARBYTE#1':
        'functions: VARBYTE functions/operators missing: FROM_VARBYTE missing',
    'hash:r_FROM_VARBYTE#2':
        'functions: VARBYTE functions/operators missing: FROM_VARBYTE missing',
    'hash:r_TO_HEX#1':
        'functions: VARBYTE functions/operators missing: TO_HEX missing',
    'hash:r_TO_HEX#2':
        'functions: VARBYTE functions/operators missing: TO_HEX missing',
    'hash:r_TO_HEX#3':
        'functions: VARBYTE functions/operators missing: TO_HEX missing',
    'hash:r_TO_HEX#4':
        'functions: VARBYTE functions/operators missing: VARBYTE::VARCHAR gives the bytea text (\\x616263), not the bytes',
    'hash:r_TO_VARBYTE#1':
        'functions: VARBYTE functions/operators missing: TO_VARBYTE missing',
    'hash:r_TO_VARBYTE#2':
        'functions: VARBYTE functions/operators missing: TO_VARBYTE missing',
    'hash:r_TO_VARBYTE#3':
        'functions: VARBYTE functions/operators missing: TO_VARBYTE missing',
    'hash:r_TO_VARBYTE#4':
        'functions: VARBYTE functions/operators missing: TO_VARBYTE missing',
    'hash:r_VARBYTE_OPERATORS#2':
        'functions: VARBYTE functions/operators missing: VARBYTE + VARBYTE (concatenation) missing',
    'hash:r_VARBYTE_OPERATORS#5':
        'functions: VARBYTE functions/operators missing: ~ VARBYTE missing',
    'hash:r_VARBYTE_OPERATORS#6':
        'functions: VARBYTE functions/operators missing: VARBYTE & VARBYTE missing',
    'json:JSON_PARSE#1':
        'functions: missing: JSON_SERIALIZE',
    'json:JSON_SERIALIZE_TO_VARBYTE#1':
        'functions: missing: JSON_SERIALIZE_TO_VARBYTE',
    'json:array_flatten#1':
        'functions: SUPER arrays (ARRAY becomes a typed Postgres array): ARRAY_FLATTEN missing',
    'json:get_array_length#1':
        'functions: SUPER arrays (ARRAY becomes a typed Postgres array): GET_ARRAY_LENGTH missing',
    'json:r_SIZE#1':
        'types: SUPER refused on Postgres targets: UnsupportedError: column type SUPER is not supported on Postgres targets',
    'json:r_array#2':
        'functions: SUPER arrays (ARRAY becomes a typed Postgres array): mixed element types are refused',
    'json:r_array_concat#2':
        'functions: SUPER arrays (ARRAY becomes a typed Postgres array): ARRAY_CONCAT of mixed types',
    'json:r_decimal_precision#1':
        'types: SUPER refused on Postgres targets: UnsupportedError: column type SUPER is not supported on Postgres targets',
    'json:r_decimal_scale#1':
        'types: SUPER refused on Postgres targets: UnsupportedError: column type SUPER is not supported on Postgres targets',
    'json:r_is_array#1':
        'functions: missing: IS_ARRAY',
    'json:r_is_bigint#1':
        'types: SUPER refused on Postgres targets: UnsupportedError: column type SUPER is not supported on Postgres targets',
    'json:r_is_boolean#1':
        'types: SUPER refused on Postgres targets: UnsupportedError: column type SUPER is not supported on Postgres targets',
    'json:r_is_char#1':
        'types: SUPER refused on Postgres targets: UnsupportedError: column type SUPER is not supported on Postgres targets',
    'json:r_is_decimal#1':
        'types: SUPER refused on Postgres targets: UnsupportedError: column type SUPER is not supported on Postgres targets',
    'json:r_is_float#1':
        'types: SUPER refused on Postgres targets: UnsupportedError: column type SUPER is not supported on Postgres targets',
    'json:r_is_integer#1':
        'types: SUPER refused on Postgres targets: UnsupportedError: column type SUPER is not supported on Postgres targets',
    'json:r_is_object#1':
        'types: SUPER refused on Postgres targets: UnsupportedError: column type SUPER is not supported on Postgres targets',
    'json:r_is_scalar#1':
        'types: SUPER refused on Postgres targets: UnsupportedError: column type SUPER is not supported on Postgres targets',
    'json:r_is_smallint#1':
        'types: SUPER refused on Postgres targets: UnsupportedError: column type SUPER is not supported on Postgres targets',
    'json:r_is_varchar#1':
        'types: SUPER refused on Postgres targets: UnsupportedError: column type SUPER is not supported on Postgres targets',
    'json:r_json_size#1':
        'functions: missing: JSON_SIZE',
    'json:r_json_typeof#1':
        'functions: missing: JSON_TYPEOF(ARRAY(...))',
    'json:r_subarray#1':
        'functions: SUPER arrays (ARRAY becomes a typed Postgres array): SUBARRAY missing',
    'math:r_OPERATOR_SYMBOLS#2':
        "types: DECIMAL result scale: got [('187.00', '37.4000')]",
    'math:r_SIGN#2':
        'types: DECIMAL result scale: SIGN(NUMERIC(12,2)) is NUMERIC, not NUMERIC(1,0)',
    'string:DIFFERENCE#1':
        'functions: missing: DIFFERENCE (Soundex)',
    'string:r_BPCHARCMP#1':
        'functions: wrong result: BPCHARCMP returns the strcmp difference, not -1/0/1',
    'string:r_CONCAT#7':
        'functions: wrong result: CONCAT of VARBYTE concatenates the hex text',
    'string:r_STRTOL#6':
        'literals: string escapes: backslash in a string literal breaks the translated SQL',
    'types:r_Boolean_type#5':
        'semantics: IS in select list: IS TRUE in the select list is accepted (Redshift: Not implemented)',
    'types:r_Datetime_types#5':
        'literals: datetime input: dd.mm.yyyy TIMESTAMPTZ input is read month-first',
    'types:r_Examples_with_character_types#1':
        'semantics: VARCHAR trailing blanks: VARCHAR trailing blanks are significant in = (count 1, not 2)',
    'types:r_Examples_with_numeric_types201#5':
        'types: DECIMAL(19,0) range / REAL precision: REAL 19999.99 is printed as 19999.99, not 20000 (6 digits)',
    'types:r_Numeric_types201#3':
        'types: DECIMAL(19,0) range / REAL precision: 19 nines fit Postgres NUMERIC(19,0); Redshift overflows (64-bit storage)',
    'types:r_numeric_computations201#1':
        "types: DECIMAL result scale: got [('6.6666666666666667',)]",
    'types:r_numeric_computations201#2':
        'types: DECIMAL result scale: UNION of DECIMAL(7,2) and DECIMAL(15,3) is NUMERIC, not NUMERIC(15,3)',
    'window:r_WF_RATIO_TO_REPORT#1':
        'functions: missing: RATIO_TO_REPORT',
}
