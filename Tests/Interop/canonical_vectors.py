#!/usr/bin/env python3
"""Writes the canonical JSON test vectors of TUFCanonicalJSONTests from securesystemslib.

Usage: canonical_vectors.py [FIXTURES_DIR]
(default: Tests/TUFCanonicalJSONTests/Fixtures next to this script's Tests/ folder)

canonical-vectors.json: valid inputs and the OLPC canonical form that python-tuf signs,
    [{"name", "input", "canonical", "input_b64", "canonical_b64"}, ...]
    `input` is a JSON text; `canonical` is securesystemslib.formats.encode_canonical of it.
    The *_b64 fields hold the same texts as UTF-8 bytes: compare bytes, not Swift Strings,
    because String equality treats NFC and NFD spellings as equal.
invalid-json.json: texts a strict TUF JSON parser must reject,
    [{"name", "reason", "input_b64"}, ...]

Output is deterministic: rerunning writes identical bytes.
"""

import base64
import json
import sys
import unicodedata
from pathlib import Path

from securesystemslib.formats import encode_canonical

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)

CAFE_NFC = unicodedata.normalize("NFC", "caf\u00e9")
CAFE_NFD = unicodedata.normalize("NFD", "caf\u00e9")
assert CAFE_NFC != CAFE_NFD


def dumps(value):
    """A JSON text for a Python value, with raw (unescaped) non-ASCII characters."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def valid_cases():
    """(name, JSON text) pairs; texts are given literally where the spelling matters."""
    nested = 0
    for _ in range(32):
        nested = [nested]
    return [
        ("empty object", "{}"),
        ("empty array", "[]"),
        ("empty string", '""'),
        ("top-level integer", "42"),
        ("top-level string", '"tuf"'),
        ("literals true false null", "[true,false,null]"),
        ("keys sorted", '{"b":1,"a":2,"c":3}'),
        ("whitespace between tokens is dropped", ' {\n\t"z" : [ 1 , 2 ] ,\r\n "a" : { } }\n'),
        ("nested objects sorted at every level", '{"outer":{"z":{"y":1,"x":2},"a":[{"d":4,"c":3}]}}'),
        ("array order kept", "[3,1,2]"),
        ("arrays of mixed values", '[1,"two",[3],{"four":4},true,null]'),
        ("zero", "0"),
        ("negative zero becomes zero", "-0"),
        ("negative integer", "-17"),
        ("int64 max", str(INT64_MAX)),
        ("int64 min", str(INT64_MIN)),
        ("large integers in an object", dumps({"big": INT64_MAX, "small": INT64_MIN, "length": 1 << 40})),
        ("quote and backslash escaped", r'"say \"hi\" \\ bye"'),
        ("solidus escape decoded", r'"a\/b"'),
        ("newline and tab come out raw", r'"line1\nline2\tend"'),
        ("control characters come out raw", r'"\u0001\u0000\u001f\b\f\r"'),
        ("DEL and line separator raw", '"\u007f\u2028\u2029"'),
        ("escaped non-ASCII becomes raw UTF-8", r'"caf\u00e9 \u4e2d\u6587"'),
        ("non-ASCII keys and values", dumps({"\u00fcber": "gr\u00fc\u00dfe", "\u65e5\u672c": "\u8a9e", "alpha": "\u03b1"})),
        ("NFC and NFD spellings are different keys", dumps({CAFE_NFC: "nfc", CAFE_NFD: "nfd"})),
        ("NFC and NFD values are kept as given", dumps([CAFE_NFD, CAFE_NFC])),
        ("emoji outside the BMP", dumps({"emoji": "\U0001f510\U0001f4e6", "\U0001f600": 1})),
        ("escaped surrogate pair becomes raw UTF-8", r'"\ud83d\ude00"'),
        # Code point (= UTF-8 byte) order puts U+E000 and U+FF21 before U+1F600;
        # UTF-16 code unit order would put the emoji first.
        ("keys sort by code point not UTF-16", dumps({"\U0001f600": 1, "\ue000": 2, "\uff21": 3, "z": 4})),
        ("keys differing only in case", dumps({"a": 1, "B": 2, "b": 3, "A": 4, "aB": 5, "Ab": 6})),
        ("key prefix sorts first", dumps({"abc": 1, "ab": 2, "a": 3, "": 4})),
        ("32 nested arrays", dumps(nested)),
        (
            "a TUF key",
            dumps({"keytype": "ed25519", "scheme": "ed25519",
                   "keyval": {"public": "f0a1b2c3d4e5f60718293a4b5c6d7e8f9f0a1b2c3d4e5f60718293a4b5c6d7e8"}}),
        ),
        (
            "a TUF signed block",
            '{"_type":"timestamp","spec_version":"1.0.31","version":3,"expires":"2030-01-01T00:00:00Z",'
            '"meta":{"snapshot.json":{"version":3,"length":515,"hashes":{"sha256":"'
            + "ab" * 32 + '"}}},"x-unknown":{"kept":[1,"two"]}}',
        ),
    ]


def invalid_cases():
    """(name, reason, raw bytes) triples that a strict TUF JSON parser must reject."""
    return [
        ("empty input", "no value", b""),
        ("whitespace only", "no value", b" \n\t"),
        ("truncated object", "input ends inside an object", b'{"a":1'),
        ("truncated string", "input ends inside a string", b'{"a":"abc'),
        ("truncated literal", "input ends inside a literal", b"tru"),
        ("garbage", "not JSON", b"tuf!"),
        ("python literal", "True is not a JSON literal", b"True"),
        ("trailing comma in object", "comma without a member", b'{"a":1,}'),
        ("trailing comma in array", "comma without an element", b"[1,2,]"),
        ("missing comma", "members must be separated by commas", b'{"a":1 "b":2}'),
        ("missing colon", "a key must be followed by a colon", b'{"a" 1}'),
        ("unquoted key", "keys must be strings", b"{a:1}"),
        ("non-string key", "keys must be strings", b"{1:1}"),
        ("single quotes", "strings use double quotes", b"{'a':1}"),
        ("comment", "JSON has no comments", b'{"a":1 // note\n}'),
        ("duplicate keys", "a key appears twice in one object", b'{"a":1,"a":2}'),
        ("duplicate keys same value", "a key appears twice in one object", b'{"a":1,"a":1}'),
        ("duplicate keys nested", "a key appears twice in an inner object", b'{"x":{"b":1,"b":2}}'),
        ("duplicate keys after unescaping", "\\u0061 is the key a again", b'{"a":1,"\\u0061":2}'),
        ("float", "TUF metadata has no floats", b'{"version":1.5}'),
        ("float with zero fraction", "1.0 is a float, not an integer", b"1.0"),
        ("exponent", "exponents are floats", b"1e3"),
        ("exponent upper case", "exponents are floats", b"1E3"),
        ("negative exponent", "exponents are floats", b"[5e-1]"),
        ("integer above int64", "2^63 does not fit in Int64", str(INT64_MAX + 1).encode()),
        ("integer below int64", "-2^63-1 does not fit in Int64", str(INT64_MIN - 1).encode()),
        ("huge integer", "far beyond Int64", b"1" + b"0" * 40),
        ("leading zero", "JSON integers have no leading zeros", b"01"),
        ("leading plus", "JSON integers have no plus sign", b"+1"),
        ("minus alone", "a minus sign needs digits", b"-"),
        ("NaN", "NaN is not JSON", b"NaN"),
        ("Infinity", "Infinity is not JSON", b"[Infinity]"),
        ("negative Infinity", "-Infinity is not JSON", b"-Infinity"),
        ("raw newline in string", "control characters must be escaped", b'"a\nb"'),
        ("raw tab in string", "control characters must be escaped", b'"a\tb"'),
        ("raw U+0001 in string", "control characters must be escaped", b'"a\x01b"'),
        ("raw NUL in string", "control characters must be escaped", b'"a\x00b"'),
        ("invalid escape", "\\x is not a JSON escape", b'"\\x41"'),
        ("short unicode escape", "\\u needs four hex digits", b'"\\u12"'),
        ("lone high surrogate", "\\ud800 is not a Unicode scalar", b'"\\ud800"'),
        ("lone low surrogate", "\\udc00 is not a Unicode scalar", b'"\\udc00"'),
        ("high surrogate then letter", "\\ud800 must be followed by a low surrogate", b'"\\ud800\\u0041"'),
        ("lone surrogate as key", "\\ud800 is not a Unicode scalar", b'{"\\ud800":1}'),
        ("invalid UTF-8 byte", "0xff never appears in UTF-8", b'"\xff"'),
        ("invalid UTF-8 continuation", "0x80 cannot start a character", b'"\x80abc"'),
        ("overlong UTF-8", "0xc0 0xaf is an overlong '/'", b'"\xc0\xaf"'),
        ("truncated UTF-8 sequence", "three-byte sequence cut after two bytes", b'"\xe2\x82"'),
        ("UTF-8 encoded surrogate", "0xed 0xa0 0x80 encodes U+D800", b'"\xed\xa0\x80"'),
        ("invalid UTF-8 in key", "0xfe never appears in UTF-8", b'{"\xfe":1}'),
        ("deeply nested arrays", "10000 levels of nesting exhaust a recursive parser", b"[" * 10000 + b"]" * 10000),
        ("deeply nested unterminated", "10000 open arrays and no end", b"[" * 10000),
        ("deeply nested objects", "5000 levels of objects", b'{"a":' * 5000 + b"1" + b"}" * 5000),
        ("byte order mark", "TUF metadata is UTF-8 without a BOM", b'\xef\xbb\xbf{}'),
        ("trailing data", "a second value after the first", b"{} {}"),
        ("trailing garbage", "bytes after the value", b'{"a":1}x'),
        ("two numbers", "a second value after the first", b"1 2"),
        ("trailing NUL", "a NUL byte after the value", b"{}\x00"),
    ]


class Rejected(Exception):
    """Raised by the strict reference loader."""


def strict_load(raw):
    """A strict reference loader, used to check the vectors: UTF-8 without BOM, no duplicate
    keys, integers only and within Int64, no NaN/Infinity, no lone surrogates, bounded depth."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raise Rejected("BOM")
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise Rejected(f"UTF-8: {e}") from e

    def pairs(items):
        keys = [k for k, _ in items]
        if len(set(keys)) != len(keys):
            raise Rejected("duplicate key")
        return dict(items)

    def no_float(s):
        raise Rejected(f"float {s}")

    def integer(s):
        value = int(s)
        if not INT64_MIN <= value <= INT64_MAX:
            raise Rejected(f"integer out of range {s}")
        return value

    try:
        value = json.loads(text, object_pairs_hook=pairs, parse_float=no_float,
                           parse_int=integer, parse_constant=no_float)
    except (ValueError, RecursionError) as e:
        raise Rejected(str(e)) from e

    def walk(v, depth):
        if depth > 512:
            raise Rejected("too deep")
        strings = []
        if isinstance(v, str):
            strings = [v]
        elif isinstance(v, list):
            for x in v:
                walk(x, depth + 1)
        elif isinstance(v, dict):
            strings = list(v)
            for x in v.values():
                walk(x, depth + 1)
        for s in strings:
            try:
                s.encode("utf-8")
            except UnicodeEncodeError as e:
                raise Rejected("lone surrogate") from e

    walk(value, 0)
    return value


def b64(data):
    return base64.b64encode(data).decode("ascii")


def write(path, cases):
    # ASCII-only file (non-ASCII escaped), one case per block, stable order.
    text = json.dumps(cases, indent=1, ensure_ascii=True) + "\n"
    path.write_text(text, encoding="ascii")


def main():
    if len(sys.argv) > 2:
        sys.exit(__doc__)
    default = Path(__file__).resolve().parent.parent / "TUFCanonicalJSONTests" / "Fixtures"
    out = Path(sys.argv[1]) if len(sys.argv) == 2 else default
    out.mkdir(parents=True, exist_ok=True)

    vectors, names = [], set()
    for name, text in valid_cases():
        assert name not in names, name
        names.add(name)
        canonical = encode_canonical(strict_load(text.encode("utf-8")))
        vectors.append({
            "name": name,
            "input": text,
            "canonical": canonical,
            "input_b64": b64(text.encode("utf-8")),
            "canonical_b64": b64(canonical.encode("utf-8")),
        })

    invalid = []
    for name, reason, raw in invalid_cases():
        assert name not in names, name
        names.add(name)
        try:
            strict_load(raw)
        except Rejected:
            pass
        else:
            sys.exit(f"invalid case {name!r} is accepted by the reference loader")
        invalid.append({"name": name, "reason": reason, "input_b64": b64(raw)})

    write(out / "canonical-vectors.json", vectors)
    write(out / "invalid-json.json", invalid)
    print(f"wrote {len(vectors)} canonical vectors and {len(invalid)} invalid inputs to {out}")


if __name__ == "__main__":
    main()
