"""Hash functions (hash-functions) and VARBYTE functions and operators (varbyte-functions,
r_VARBYTE_OPERATORS). VARBYTE values are shown as hexadecimal, as the pages print them."""
from . import case

SETUP = []

CASES = [
    case("r_FNV_HASH", "SELECT FNV_HASH(1)", -5968735742475085980),
    case("r_FNV_HASH", "SELECT FNV_HASH('Amazon Redshift')", 7783490368944507294),
    case("r_FNV_HASH", "SELECT FNV_HASH('Amazon Redshift', FNV_HASH(1))", -2202602717770968555,
         note="the second argument is the seed"),
    case("r_FNV_HASH", "SELECT FNV_HASH('abcd')", -281581062704388899),
    case("r_FNV_HASH", "SELECT FNV_HASH('cd', FNV_HASH('ab'))", -281581062704388899,
         note="hashing in pieces with the seed equals hashing the concatenation"),
    case("r_FNV_HASH", "SELECT FNV_HASH(1::SMALLINT)", 589727492704079044, note="the input type decides the bytes hashed"),
    case("r_FNV_HASH", "SELECT FNV_HASH(1::BIGINT)", -8517097267634966620),
    case("r_MD5", "SELECT MD5('Amazon Redshift')", "f7415e33f972c03abd4f3fed36748f7a"),
    case("crc32-function", "SELECT CRC32('Amazon Redshift')", "f2726906"),
    case("r_FROM_HEX", "SELECT FROM_HEX('6162')", "6162"),
    case("r_FROM_VARBYTE", "SELECT FROM_VARBYTE('ab', 'hex')", "6162"),
    case("r_FROM_VARBYTE", "SELECT FROM_VARBYTE(FROM_HEX('4d'), 'binary')", "01001101"),
    case("r_TO_HEX", "SELECT TO_HEX(2147676847)", "8002f2af"),
    case("r_TO_HEX", "SELECT TO_HEX('abc'::VARBYTE)", "616263"),
    case("r_TO_HEX", ("DROP TABLE IF EXISTS t", "CREATE TABLE t (vc VARCHAR)", "INSERT INTO t SELECT TO_HEX('abc'::VARBYTE)",
                      "SELECT vc FROM t"), "616263"),
    case("r_TO_HEX", ("DROP TABLE IF EXISTS t", "CREATE TABLE t (vc VARCHAR)", "INSERT INTO t SELECT 'abc'::VARBYTE::VARCHAR",
                      "SELECT vc FROM t"), "abc", note="VARBYTE cast to VARCHAR gives the bytes as text"),
    case("r_TO_VARBYTE", "SELECT TO_VARBYTE('6162', 'hex')", "6162"),
    case("r_TO_VARBYTE", "SELECT TO_VARBYTE('01001101', 'binary')", "4d"),
    case("r_TO_VARBYTE", "SELECT TO_VARBYTE('a', 'utf8')", "61"),
    case("r_TO_VARBYTE", "SELECT TO_VARBYTE('4', 'hex')", "04", note="an odd number of hex digits gets a leading 0"),
    case("r_VARBYTE_OPERATORS", "SELECT 'a'::VARBYTE || 'b'::VARBYTE AS concat", "6162"),
    case("r_VARBYTE_OPERATORS", "SELECT 'a'::VARBYTE + 'b'::VARBYTE AS concat", "6162", note="+ concatenates VARBYTE"),
    case("r_VARBYTE_OPERATORS", "SELECT 'a'::VARBYTE < 'b'::VARBYTE AS less_than", True),
    case("r_VARBYTE_OPERATORS", "SELECT 'a'::VARBYTE = 'b'::VARBYTE AS equal", False),
    case("r_VARBYTE_OPERATORS", "SELECT FROM_VARBYTE(~'a'::VARBYTE, 'binary')", "10011110"),
    case("r_VARBYTE_OPERATORS", "SELECT FROM_VARBYTE('a'::VARBYTE & 'b'::VARBYTE, 'binary')", "01100000"),
]

SKIPPED = [
    ("MURMUR3_32_HASH", "all 8 examples: doubt, the page prints FNV_HASH's 64-bit results (identical values), which "
                        "a 32-bit hash cannot return; no trustworthy documented result"),
    ("SHA1", "the example shows no result"), ("SHA2", "the example shows no result"),
]
