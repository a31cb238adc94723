"""JSON functions (json-functions): documented inputs and results. Each validity check of the
IS_VALID_JSON / IS_VALID_JSON_ARRAY pages is its own row: each shows a different rule."""
from . import Raises, case

F4 = '{"f2":{"f3":1},"f4":{"f5":99,"f6":"star"}}'
F4_BAD = F4[:-1]  # the page's invalid variant: the outer object is not closed
HOUSE = ('{"house": {"address": {"street": "123 Any St.", "city": "Any Town", "state": "FL", "zip": "32830"},'
         ' "bathroom": {"color": "green", "shower": true}, "appliances": {"washing machine": {"brand": "Any Brand",'
         ' "color": "beige"}, "dryer": {"brand": "Any Brand", "color": "white"}}}}')

VALID_JSON = [('{"a":2}', True), ('{"a":{"b":{"c":1}}}', True), ('{"a": [1,2,"b"]}', True),
              ("{{}}", False), ('{1:"a"}', False), ("[1,2,3]", False)]
VALID_ARRAY = [("[]", True), ('["a","b"]', True), ('["a",["b",1,["c",2,3,null]]]', True),
               ('{"a":1}', False), ("a", False), ("[1,2,]", False)]

SETUP = ["CREATE TABLE test_json (id INT IDENTITY(0, 1), json_strings VARCHAR)",
         "INSERT INTO test_json (json_strings) VALUES ('{\"a\":2}'), ('{\"a\":{\"b\":{\"c\":1}}}')"]

CASES = [
    case("CAN_JSON_PARSE", "SELECT CAN_JSON_PARSE('[10001,10002,\"abc\"]')", True),
    *[case("IS_VALID_JSON", f"SELECT IS_VALID_JSON('{text}')", ok,
           note="IS_VALID_JSON accepts objects only" if text.startswith("[") else "") for text, ok in VALID_JSON],
    case("IS_VALID_JSON", "SELECT id, IS_VALID_JSON(json_strings) FROM test_json ORDER BY id", [(0, True), (1, True)],
         note="IDENTITY(0,1) starts at 0 (the page's ids step by 2 across slices; only their order is certain)"),
    *[case("IS_VALID_JSON_ARRAY", f"SELECT IS_VALID_JSON_ARRAY('{text}')", ok) for text, ok in VALID_ARRAY],
    case("JSON_ARRAY_LENGTH", "SELECT JSON_ARRAY_LENGTH('[11,12,13,{\"f1\":21,\"f2\":[25,26]},14]')", 5),
    case("JSON_ARRAY_LENGTH", "SELECT JSON_ARRAY_LENGTH('[11,12,13,{\"f1\":21,\"f2\":[25,26]},14')", Raises(""),
         note="invalid JSON is an error"),
    case("JSON_ARRAY_LENGTH", "SELECT JSON_ARRAY_LENGTH('[11,12,13,{\"f1\":21,\"f2\":[25,26]},14', TRUE)", None),
    case("JSON_EXTRACT_ARRAY_ELEMENT_TEXT", "SELECT JSON_EXTRACT_ARRAY_ELEMENT_TEXT('[111,112,113]', 2)", "113"),
    case("JSON_EXTRACT_ARRAY_ELEMENT_TEXT",
         "SELECT JSON_EXTRACT_ARRAY_ELEMENT_TEXT('[\"a\",[\"b\",1,[\"c\",2,3,null,]]]', 1)", Raises("")),
    case("JSON_EXTRACT_ARRAY_ELEMENT_TEXT",
         "SELECT JSON_EXTRACT_ARRAY_ELEMENT_TEXT('[\"a\",[\"b\",1,[\"c\",2,3,null,]]]', 1, TRUE)", None),
    case("JSON_EXTRACT_PATH_TEXT", f"SELECT JSON_EXTRACT_PATH_TEXT('{F4}', 'f4', 'f6')", "star"),
    case("JSON_EXTRACT_PATH_TEXT", f"SELECT JSON_EXTRACT_PATH_TEXT('{F4_BAD}', 'f4', 'f6')", Raises("")),
    case("JSON_EXTRACT_PATH_TEXT", f"SELECT JSON_EXTRACT_PATH_TEXT('{F4_BAD}', 'f4', 'f6', TRUE)", None),
    case("JSON_EXTRACT_PATH_TEXT", "SELECT JSON_EXTRACT_PATH_TEXT('{\"farm\": {\"barn\": {\"color\": \"red\", "
         "\"feed stocked\": true}}}', 'farm', 'barn', 'color')", "red"),
    case("JSON_EXTRACT_PATH_TEXT", "SELECT JSON_EXTRACT_PATH_TEXT('{\"farm\": {\"barn\": {}}}', 'farm', 'barn', 'color')",
         None, note="a missing element of valid JSON is NULL"),
    case("JSON_EXTRACT_PATH_TEXT",
         f"SELECT JSON_EXTRACT_PATH_TEXT('{HOUSE}', 'house', 'appliances', 'washing machine', 'brand')", "Any Brand"),
    case("JSON_PARSE", "SELECT JSON_SERIALIZE(JSON_PARSE('[10001,10002,\"abc\"]'))", '[10001,10002,"abc"]'),
    case("JSON_PARSE", "SELECT JSON_TYPEOF(JSON_PARSE('[10001,10002,\"abc\"]'))", "array"),
    case("JSON_SERIALIZE_TO_VARBYTE", "SELECT JSON_SERIALIZE_TO_VARBYTE(JSON_PARSE('[10001,10002,\"abc\"]'))",
         "5b31303030312c31303030322c22616263225d"),
]


def _super(value_sql: str, select: str):
    """The SUPER-type pages' pattern: a fresh one-column SUPER table t holding one value."""
    return ("DROP TABLE IF EXISTS t", "CREATE TABLE t (s SUPER)", f"INSERT INTO t VALUES ({value_sql})", select)


# SUPER type information functions (c_Type_Info_Functions)
CASES += [
    case("r_SIZE", ("DROP TABLE IF EXISTS test_super_size", "CREATE TABLE test_super_size (a SUPER)",
                    "INSERT INTO test_super_size VALUES (NULL), (TRUE), (JSON_PARSE('[0,1,2,3]')),"
                    " (JSON_PARSE('{\"a\":0,\"b\":1,\"c\":2,\"d\":3}'))",
                    "SELECT SIZE(a) FROM test_super_size ORDER BY 1"), [(4,), (4,), (23,), (52,)],
         note="SIZE is the in-memory size of the SUPER value"),
    case("r_decimal_precision", _super("3.14159", "SELECT DECIMAL_PRECISION(s) FROM t"), 6),
    case("r_decimal_scale", _super("3.14159", "SELECT DECIMAL_SCALE(s) FROM t"), 5),
    case("r_is_array", "SELECT IS_ARRAY(JSON_PARSE('[1,2]'))", True),
    case("r_is_bigint", _super("5", "SELECT IS_BIGINT(s) FROM t"), True),
    case("r_is_boolean", _super("TRUE", "SELECT IS_BOOLEAN(s) FROM t"), True),
    case("r_is_char", _super("'t'", "SELECT IS_CHAR(s) FROM t"), True),
    case("r_is_decimal", _super("1.22", "SELECT IS_DECIMAL(s) FROM t"), True),
    case("r_is_float", _super("2.22::FLOAT", "SELECT IS_FLOAT(s) FROM t"), True),
    case("r_is_integer", _super("5", "SELECT IS_INTEGER(s) FROM t"), True),
    case("r_is_object", _super("JSON_PARSE('{\"name\": \"Joe\"}')", "SELECT IS_OBJECT(s) FROM t"), True),
    case("r_is_scalar", _super("JSON_PARSE('{\"name\": \"Joe\"}')", "SELECT IS_SCALAR(s.name) FROM t"), True,
         note="navigation into a SUPER object with dot notation"),
    case("r_is_smallint", _super("5", "SELECT IS_SMALLINT(s) FROM t"), True),
    case("r_is_varchar", _super("'abc'", "SELECT IS_VARCHAR(s) FROM t"), True),
    case("r_json_size", "SELECT JSON_SIZE(JSON_PARSE('[10001,10002,\"⬤\"]'))", 19, note="bytes, not characters"),
    case("r_json_typeof", "SELECT JSON_TYPEOF(ARRAY(1, 2))", "array"),
    case("r_json_typeof", "SELECT JSON_TYPEOF(JSON_PARSE('{\"name\":\"Joe\"}'))", "object"),
]

# SUPER array functions (c_Array_Functions): the result is shown as compact JSON
CASES += [
    case("r_array", "SELECT ARRAY(1, 50, NULL, 100)", "[1,50,null,100]"),
    case("r_array", "SELECT ARRAY(1, 'abc', TRUE, 3.14)", '[1,"abc",true,3.14]', note="elements of different types"),
    case("r_array_concat", "SELECT ARRAY_CONCAT(ARRAY(10001, 10002), ARRAY(10003, 10004))", "[10001,10002,10003,10004]"),
    case("r_array_concat", "SELECT ARRAY_CONCAT(ARRAY(10001, 10002), ARRAY('ab', 'cd'))", '[10001,10002,"ab","cd"]'),
    case("array_flatten", "SELECT ARRAY_FLATTEN(ARRAY(ARRAY(1, 2, 3, 4), ARRAY(5, 6, 7, 8), ARRAY(9, 10)))",
         "[1,2,3,4,5,6,7,8,9,10]"),
    case("get_array_length", "SELECT GET_ARRAY_LENGTH(ARRAY(1, 2, 3, 4, 5, 6, 7, 8, 9, 10))", 10),
    case("split_to_array", "SELECT SPLIT_TO_ARRAY('12|345|6789', '|')", '["12","345","6789"]'),
    case("r_subarray", "SELECT SUBARRAY(ARRAY('a', 'b', 'c', 'd', 'e', 'f'), 2, 3)", '["c","d","e"]',
         note="the start is zero-based"),
]
