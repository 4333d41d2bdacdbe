"""The "extension functions" sqld's SQLite3 Multiple Ciphers compiles in (extensionfunctions.c),
replayed against a real sqld and LumaDB (`lumadb/libsql/extension_functions.py`,
`math_functions.py`): each function
with NULLs, numbers as text, UTF-8, NUL characters, blobs, odd lengths and its errors. Left out
where sqld's answer is not its own: `replicate(x, 0)` (uninitialised memory), lengths that
overflow its buffers, and results that are not UTF-8 (sqld answers HTTP 500)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.libsql.test_sqld_conformance import CLOSE, SQLD, ex, luma, pipe, replay, sqld  # noqa: F401 (fixtures)

pytestmark = pytest.mark.skipif(SQLD is None, reason="sqld binary not found: run scripts/test, or set SQLD_BIN")


def _rows(values: str) -> str:
    """`(SELECT v1 AS x UNION ALL SELECT v2 ...)` for the SQL literals "v1, v2, ..." (no commas inside)."""
    return "(" + " UNION ALL ".join(f"SELECT {value} AS x" for value in values.split(", ")) + ")"


CASES: dict[str, list[dict[str, Any]]] = {
    "string functions": [pipe(*[ex(sql) for sql in [
        "SELECT reverse('héllo'), reverse(''), reverse(NULL), reverse(-12), reverse(1.5), reverse(1e20), reverse(1/3.0), "
        "reverse(-0.0), reverse(100.0), reverse(1e-5), reverse(9e999), reverse('a😀b'), reverse('a'||char(0)||'b'), "
        "hex(reverse(x'41e282ac42f09f988043')), reverse(x'616263')",
        "SELECT leftstr('héllo', 2), leftstr('abc', 0), leftstr('abc', -1), leftstr('abc', 10), leftstr(NULL, 1), "
        "leftstr('abc', NULL), leftstr(123, 2), leftstr('abc', 4294967297), leftstr('abc', 2.9), leftstr('abc', '2x'), "
        "leftstr('abcdefghijklmnop', '1e1'), leftstr('abcdefghij', 1e20)",
        "SELECT rightstr('héllo', 2), rightstr('abc', 0), rightstr('abc', 10), rightstr(NULL, 1), rightstr('abc', NULL), "
        "rightstr(1.5, 2), rightstr('abc', 4294967297), rightstr('abc', -2147483648), rightstr('a'||char(0)||'bc', 5)",
        "SELECT rightstr('abc', -1)",
        "SELECT padl('ab', 5), padl('ab', 1), padl('ab', 0), padl(NULL, 3), padl('ab', NULL), padl('é', 3), padl(12, 4), "
        "padl('ab', 2.9), padl('ab', ' 4'), hex(padl('a'||char(0)||'b', 4)), hex(padl(x'c3a9', 3))",
        "SELECT padr('ab', 5), padr('ab', 1), padr(NULL, 3), padr('ab', NULL), padr('é', 3), padr(1.5, 6), padr('😀', 2)",
        "SELECT padc('ab', 5), padc('ab', 6), padc('ab', 7), padc('', 3), padc('é', 4), padc(NULL, 3), padc('abc', 2)",
        "SELECT padl('ab', -1)", "SELECT padr('ab', -1)", "SELECT padc(NULL, -1), padc('ab', -1)",
        "SELECT padl('a', 2200000000)",
        "SELECT proper('hello wORLD'), proper('héllo éCOLE'), proper('a\tb'), proper('a-b c_d'), proper(NULL), proper(''), "
        "proper(12), proper('x'||char(10)||'y'), proper('  two  spaces'), proper('a'||char(0)||'b')",
        "SELECT replicate('ab', 3), replicate(NULL, 2), replicate('é', 2), replicate(1.5, 2), replicate('', 5), "
        "replicate('ab', '2'), replicate('ab', 2.9), replicate('a'||char(0)||'b', 2), typeof(replicate(NULL, 2))",
        "SELECT replicate('ab', -1)",
        "SELECT strfilter('abcabc', 'bc'), strfilter('héllo', 'éo'), strfilter(NULL, 'a'), strfilter('a', NULL), "
        "strfilter('abc', ''), strfilter('', 'a'), strfilter(12345, 135), strfilter('a😀b😀', '😀'), "
        "strfilter('a'||char(65535)||'b', char(65533)), strfilter('a'||char(0)||'b', 'ab')",
        "SELECT charindex('b', 'abc'), charindex('x', 'abc'), charindex('', 'abc'), charindex('b', 'abcb', 3), "
        "charindex('b', 'abcb', 0), charindex('b', 'abcb', -5), charindex(NULL, 'a'), charindex('a', NULL), "
        "charindex('a', 'a', NULL), charindex('é', 'héé', 3), charindex('bc', 'abcbc', 4294967298), "
        "charindex(char(65534), 'x'||char(65533)), charindex('b', 'a'||char(0)||'b'), charindex(1.5, '01.50'), "
        "charindex(x'80', x'41ff'), typeof(charindex('b', 'abc'))",
        "SELECT reverse()", "SELECT charindex('a')", "SELECT leftstr('a', 1, 2)",
    ]], CLOSE)],
    "math functions": [pipe(*[ex(sql) for sql in [
        "SELECT cot(1), cot(0.5), cot(-3), cot(1e10), cot(0), cot(9e999), cot(NULL), cot('a'), cot('1'), cot(x'31'), "
        "cot('1.5abc'), cot(' .5'), typeof(cot(1))",
        "SELECT coth(1), coth(-2), coth(30), coth(0), coth(9e999), coth(NULL), coth('0.5'), typeof(coth(2))",
        "SELECT atn2(1, 2), atn2(NULL, 1), atn2(1, NULL), atn2('a', 'b'), atn2(0, 0), atn2(9e999, 1), atn2(1, 0), "
        "atn2(-0.0, -1), atn2('-', 5), atn2(-5, 1e-10), typeof(atn2(1, 1))",
        "SELECT square(3), square(-4), square(1.5), square('3'), square('a'), square(NULL), square(x'33'), "
        "square(3037000500), square(9223372036854775807), square('1.5'), square(1e200), typeof(square(3)), "
        "typeof(square('3'))",
        "SELECT difference('Robert', 'Rupert'), difference(NULL, 'a'), difference('a', NULL), difference('', 'x'), "
        "difference('abc', 'abc'), difference(1, 2), difference('Ünicode', 'Unicode'), difference('nÜc', 'nc'), "
        "typeof(difference('a', 'b'))",
        "SELECT cot()", "SELECT atn2(1)", "SELECT square(1, 2)",
    ]], CLOSE)],
    # sqld's SQLite has no math functions of its own: these (math_functions.py) call the C
    # library as its extension does, errno's errors included
    "stock math functions": [pipe(*[ex(sql) for sql in [
        "SELECT log(8), ln(8), log10(100), exp(1), power(2, 0.5), sqrt(2), typeof(sqrt(4))",
        "SELECT ceil(1.2), floor(-1.2), ceiling(1.2), typeof(ceil(1.2)), typeof(floor(2)), ceil('1.5'), floor(NULL), "
        "ceil(1e300), floor(-1e300), ceil(-0.5), floor('3.7abc'), ceil(x'31')",
        "SELECT sign(-3), sign(0), sign(2.5), typeof(sign(2.5)), pi(), degrees(1), radians(90), degrees(pi())",
        "SELECT asin(0.5), atan(1), atan2(1, 2), atan2(NULL, 1), atan2(1, 0), cos(0), sin(1), tan(1), acosh(2), "
        "asinh(1), atanh(0.5), cosh(1), sinh(1), tanh(1)",
        "SELECT log('8'), log('abc'), sqrt('4'), log(1e-320), exp(-740), power(NULL, 2), power('2', '3'), power(2.5, -2)",
        "SELECT sin(9e999), cos(-9e999), tan(9e999), cot(9e999)",
        "SELECT log(0)", "SELECT log(-1)", "SELECT sqrt(-1)", "SELECT power(-8, 1.0/3)", "SELECT power(0, -1)",
        "SELECT power(2, 1024)", "SELECT exp(1000)", "SELECT exp(-1000)", "SELECT acos(2)", "SELECT atanh(1)",
        "SELECT acosh(0.5)", "SELECT cosh(1000)", "SELECT log(-9e999)", "SELECT sqrt(-9e999)",
    ]], CLOSE)],
    "aggregates": [pipe(*[ex(sql) for sql in [
        "SELECT median(x), typeof(median(x)), mode(x) FROM " + _rows("1, 2, 4"),
        "SELECT median(x), typeof(median(x)) FROM " + _rows("'a', 2"),
        "SELECT median(x), mode(x), variance(x), stdev(x), lower_quartile(x), upper_quartile(x) FROM (SELECT 1 AS x WHERE 0)",
        "SELECT median(x), mode(x), variance(x), stdev(x), lower_quartile(x), upper_quartile(x) FROM (SELECT NULL AS x)",
        "SELECT median(x), mode(x), variance(x), stdev(x), lower_quartile(x), upper_quartile(x) FROM (SELECT 5 AS x)",
        "SELECT median(x), lower_quartile(x), upper_quartile(x), mode(x) FROM " + _rows("1, 2, 3, 4, 5, 6, 7, 8"),
        "SELECT median(x), lower_quartile(x), upper_quartile(x), mode(x) FROM " + _rows("1.5, 2, '3', x'34', 2, NULL"),
        "SELECT median(x), lower_quartile(x), upper_quartile(x), mode(x) FROM " + _rows("1, 2.7, '3.9', 'abc', '12abc', x'3130'"),
        "SELECT mode(x), median(x) FROM " + _rows("5000000000, 5000000000, 1"),
        "SELECT mode(x) FROM " + _rows("1, 2"),
        "SELECT mode(x), typeof(mode(x)) FROM " + _rows("1.0, 1, 2"),
        "SELECT mode(DISTINCT x), median(DISTINCT x) FROM " + _rows("1, 1, 2"),
        "SELECT variance(x), stdev(x) FROM " + _rows("1, 2, 4, 'a', NULL"),
        "SELECT variance(x), stdev(x) FROM " + _rows("0.1, 0.2, 0.3, 1e10, -7.25"),
        "SELECT variance(x), stdev(x) FROM " + _rows("9e999, 1"),
        "SELECT x % 2, median(x), variance(x), mode(x) FROM " + _rows("1, 2, 3, 4, 5, 7") + " GROUP BY x % 2 ORDER BY 1",
        "SELECT median(x) OVER () FROM (SELECT 1 AS x)",
        "SELECT median()", "SELECT stdev(1, 2)",
    ]], CLOSE)],
    # sqld registers them without SQLITE_DETERMINISTIC
    "not deterministic": [pipe(*[ex(sql) for sql in [
        "CREATE TABLE ext_t (x)",
        "CREATE INDEX ext_i ON ext_t (reverse(x))",
        "CREATE TABLE ext_g (x, y AS (square(x)))",
        "INSERT INTO ext_t VALUES ('abc'), ('héllo')",
        "SELECT reverse(x), padl(x, 6) FROM ext_t ORDER BY x",
    ]], CLOSE)],
}


@pytest.mark.parametrize("case", list(CASES))
def test_lumadb_answers_like_sqld(sqld: str, luma: str, case: str) -> None:  # noqa: F811 (fixtures)
    assert replay(luma, CASES[case]) == replay(sqld, CASES[case])
