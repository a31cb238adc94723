"""Corpus rows that fail today, with the reason: pytest marks them xfail(strict=True).

Remove a row when a fix makes it pass (pytest then reports XPASS as a failure).
"""
KNOWN = {
    'copy:r_COPY_command_examples#10':
        'COPY: IDENTITY columns: an IDENTITY column listed without EXPLICIT_IDS loads (Redshift refuses)',
    'json:r_SIZE#1':
        'functions: refused by name: SIZE is the in-memory size of a Redshift SUPER value, which jsonb has no counterpart for',
    'json:r_is_float#1':
        'functions: refused by name: IS_FLOAT - SUPER is jsonb, whose one number type keeps FLOAT and DECIMAL alike',
    'math:r_OPERATOR_SYMBOLS#2':
        'types: DECIMAL result scale: the page prints 37.400 but r_numeric_computations201 gives DECIMAL(8,2) * .20 scale 4 (37.4000); no documented rule gives 3',
}
