"""Corpus rows that fail today, with the reason: pytest marks them xfail(strict=True).

Remove a row when a fix makes it pass (pytest then reports XPASS as a failure).
"""
KNOWN = {
    'copy:r_COPY_command_examples#10':
        'COPY: IDENTITY columns: an IDENTITY column listed without EXPLICIT_IDS loads (Redshift refuses)',
    'ddl_dml:c_Examples_of_UPDATE_statements#6':
        "name resolution: UPDATE ... FROM: refused (target re-joined under an alias with no join condition); the page claims only Pop is updated - see the row's doubt",
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
    'types:r_Examples_with_numeric_types201#5':
        'types: DECIMAL(19,0) range / REAL precision: REAL 19999.99 is printed as 19999.99, not 20000 (6 digits)',
    'types:r_Numeric_types201#3':
        'types: DECIMAL(19,0) range / REAL precision: 19 nines fit Postgres NUMERIC(19,0); Redshift overflows (64-bit storage)',
}
