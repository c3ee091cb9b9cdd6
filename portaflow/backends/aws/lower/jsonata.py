"""Lower IR expressions to JSONata with Python's semantics.

JSONata differs from Python in ways that matter: sequences of one item collapse to the item, array
constructors flatten arrays, ``+`` is numeric only, ``%`` follows the dividend's sign, truthiness of
``[0]`` is false. Every lowering here builds arrays with ``$append`` over ``$pf_wrap``-ped items and
dispatches on ``$type`` where the static type is unknown. The helpers are small JSONata functions declared
at the start of the expressions that use them. ``tests/aws/test_expression_differential.py`` checks the
lowering against CPython.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from portaflow.compiler import catalog, ir

# Every function JSONata defines, plus the ones Step Functions adds and its reserved ``$states``: a
# workflow variable with one of these names would shadow the function (``$count`` bound to 0 makes every
# ``$count(...)`` fail with "Attempted to invoke a non-function"), so such variables are renamed
# (:func:`variable_name`).
JSONATA_NAMES = frozenset(
    {
        # JSONata 2.0 built-ins
        "abs", "append", "assert", "average", "base64decode", "base64encode", "boolean", "ceil", "clone",
        "contains", "count", "decodeUrl", "decodeUrlComponent", "distinct", "each", "encodeUrl",
        "encodeUrlComponent", "error", "eval", "exists", "filter", "floor", "formatBase", "formatInteger",
        "formatNumber", "fromMillis", "join", "keys", "length", "lookup", "lowercase", "map", "match", "max",
        "merge", "millis", "min", "not", "now", "number", "pad", "parseInteger", "power", "random", "reduce",
        "replace", "reverse", "round", "shuffle", "sift", "single", "sort", "split", "spread", "sqrt",
        "string", "substring", "substringAfter", "substringBefore", "sum", "toMillis", "trim", "type",
        "uppercase", "zip",
        # Step Functions' additions and reserved variable
        "partition", "range", "hash", "uuid", "parse", "states",
    }
)  # fmt: skip
MANGLE_PREFIX = "pf_v_"


def variable_name(name: str, scope: str = "") -> str:
    """The JSONata variable (without ``$``) for an IR variable of the scope whose prefix is ``scope`` (""
    for the workflow, ``pf_c1_`` for a child workflow's locals, ``pf_p1b0_`` for a parallel branch's).

    Three namespaces that cannot meet: the backend's own variables are ``scope + "pf_" + word``
    (:func:`own_variable`); a compiler temporary (``%ret``, :func:`ir.temporary`) is ``scope + "pf_" +
    stem``, its stems (ret, tmp, arg, branch, h<n>) being none of those words; a user's variable is
    ``scope`` + itself, unless it starts with ``pf_`` or (in the workflow's scope) JSONata or Step Functions
    defines the name: then ``pf_v_`` + itself."""
    if ir.is_temporary(name):
        return scope + "pf_" + name[len(ir.TEMPORARY) :]
    if name.startswith("pf_") or (not scope and name in JSONATA_NAMES):
        return scope + MANGLE_PREFIX + name
    return scope + name


def own_variable(scope: str, word: str) -> str:
    """A variable of the backend's own in ``scope`` (see :func:`variable_name`): ``pf_err``, ``pf_seq``..."""
    return scope + "pf_" + word


# Python's whitespace (str.isspace: what strip() and split() remove) as a JSONata regex class; JavaScript's \s
# differs (it has U+FEFF, and lacks U+001C-U+001F and U+0085)
WS = "[\\t-\\r\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
# the whitespace int() and float() ignore around a number: str.isspace() but U+001C-U+001F
NUM_WS = "[\\t-\\r\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
# one character (code point) of a JavaScript string: a surrogate pair, or any other code unit
CHAR = "[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]|[\\s\\S]"

# The characters Python's repr() escapes (not str.isprintable(), Unicode 14): control, separator and format
# characters, private use, U+FDD0-U+FDEF, U+FFFE and U+FFFF; the other unassigned code points and the astral
# format characters are missing (docs/semantics.md)
UNPRINTABLE = (
    "[\\u0000-\\u001f\\u007f-\\u00a0\\u00ad\\u0600-\\u0605\\u061c\\u06dd\\u070f\\u0890\\u0891\\u08e2\\u1680"
    "\\u180e\\u2000-\\u200f\\u2028-\\u202f\\u205f-\\u2064\\u2066-\\u206f\\u3000\\ue000-\\uf8ff\\ufdd0-\\ufdef"
    "\\ufeff\\ufff9-\\ufffb\\ufffe\\uffff]|[\\uDB80-\\uDBFF][\\uDC00-\\uDFFF]"
)

# The marker an expression error carries in its message: ``[pf-error:<base64 of {"type", "message"}>]``.
# Step Functions fails the state with States.QueryEvaluationError and a Cause that wraps the message in its
# own text (and may echo the expression, where the marker's opening is followed by a quote, never by
# base64): the state machine finds the marker with ERROR_MARKER_REGEX anywhere in the Cause.
ERROR_MARKER = "[pf-error:"
ERROR_MARKER_REGEX = "/\\[pf-error:([A-Za-z0-9+\\/=]+)\\]/"

# name -> (JSONata function source, helpers it uses). Sources use JSON string escapes.
HELPERS: dict[str, tuple[str, tuple[str, ...]]] = {
    # raise the Python exception $t with message $m (what str(e) gives): a readable message for the console,
    # then the marker the state machine parses. The marker's JSON is ASCII (other characters \u-escaped):
    # jsonata-js's $base64encode keeps only the low byte of each UTF-16 code unit (Node's "binary")
    "pf_raise": (
        'function($t, $m){$error($t & ": " & $m & " '
        + ERROR_MARKER
        + '" & $base64encode($replace($string({"type": $t, "message": $m}), '
        "/[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]|[^\\u0000-\\u007f]/, function($c){$pf_uesc($c.match)})) "
        '& "]")}',
        ("pf_uesc",),
    ),
    # the Python type name of a JSON value (an integral number is an int: JSON does not keep 2.0)
    "pf_tname": (
        'function($v){($t := $type($v); $t = "null" ? "NoneType" : $t = "boolean" ? "bool" : '
        '$t = "number" ? ($v = $floor($v) ? "int" : "float") : $t = "string" ? "str" : '
        '$t = "array" ? "list" : $t = "object" ? "dict" : $t)}',
        (),
    ),
    # a method's receiver whose type is known only at run time: itself if it has type $t (a Python type
    # name), else Python's AttributeError for method $m
    "pf_recv": (
        'function($v, $t, $m){$pf_tname($v) = $t ? $v : $pf_raise("AttributeError", "\'" & $pf_tname($v) & '
        '"\' object has no attribute \'" & $m & "\'")}',
        ("pf_raise", "pf_tname"),
    ),
    "pf_truthy": (
        'function($v){$type($v) = "array" ? $count($v) > 0 : $type($v) = "object" ? '
        "$count($keys($v)) > 0 : $boolean($v)}",
        (),
    ),
    "pf_wrap": ('function($v){$type($v) = "array" ? [[$v]] : [$v]}', ()),
    "pf_iter": (
        'function($v){$type($v) = "array" ? $v : $type($v) = "object" ? [$keys($v)] : $type($v) = "string" '
        f'? [$match($v, /{CHAR}/).match] : $pf_raise("TypeError", "\'" & $pf_tname($v) & '
        '"\' object is not iterable")}',
        ("pf_raise", "pf_tname"),
    ),
    # reversed(v), consumed where it is written: a list's, str's (code points) or dict's (keys) items, last
    # first
    "pf_reversed": (
        'function($v){$type($v) = "array" or $type($v) = "object" or $type($v) = "string" ? '
        '$reverse($pf_iter($v)) : $pf_raise("TypeError", "\'" & $pf_tname($v) & '
        '"\' object is not reversible")}',
        ("pf_iter", "pf_raise", "pf_tname"),
    ),
    # a set's item or a member tested with `in`: Python hashes it (a list or a dict is unhashable)
    "pf_hashable": (
        'function($x){$type($x) = "array" ? $pf_raise("TypeError", "unhashable type: \'list\'") : '
        '$type($x) = "object" ? $pf_raise("TypeError", "unhashable type: \'dict\'") : $x}',
        ("pf_raise",),
    ),
    # set(v): v's distinct items (Python's ==: 1, 1.0 and True are one), each hashed, the first one kept
    "pf_set": (
        "function($v){$reduce($pf_iter($v), function($a, $x){($pf_hashable($x); "
        "$pf_in($x, $a) ? $a : $append($a, $x))}, [])}",
        ("pf_iter", "pf_hashable", "pf_in"),
    ),
    "pf_setin": ("function($x, $s){($pf_hashable($x); $pf_in($x, $s))}", ("pf_hashable", "pf_in")),
    # a, b = v: the items of v (a string's characters), exactly $n of them (else Python's unpacking errors)
    "pf_unpack": (
        'function($v, $n){($t := $type($v); $l := $t = "array" ? $v : $t = "object" ? [$keys($v)] : '
        f'$t = "string" ? [$match($v, /{CHAR}/).match] : $pf_raise("TypeError", '
        '"cannot unpack non-iterable " & $pf_tname($v) & " object"); '
        '$count($l) < $n ? $pf_raise("ValueError", "not enough values to unpack (expected " & $string($n) & '
        '", got " & $string($count($l)) & ")") : $count($l) > $n ? $pf_raise("ValueError", '
        '"too many values to unpack (expected " & $string($n) & ")") : $l)}',
        ("pf_raise", "pf_tname"),
    ),
    "pf_len": (
        'function($v){$type($v) = "string" ? $length($v) : $type($v) = "array" ? $count($v) : '
        '$type($v) = "object" ? $count($keys($v)) : $pf_raise("TypeError", "object of type \'" & '
        '$pf_tname($v) & "\' has no len()")}',
        ("pf_raise", "pf_tname"),
    ),
    # $f: an operand is statically a float (a float 0.0 and an int 0 are one JSON number): Python's messages
    # name the float operations. Python's float_mod / float_floor_div on top of JavaScript's exact remainder
    "pf_mod": (
        'function($a, $b, $f){$b = 0 ? $pf_raise("ZeroDivisionError", ($f or $a != $floor($a)) ? '
        '"float modulo" : "integer modulo by zero") : ($r := $a % $b; '
        "($r != 0 and ($r < 0) != ($b < 0)) ? $r + $b : $r)}",
        ("pf_raise",),
    ),
    "pf_floordiv": (
        'function($a, $b, $f){$b = 0 ? $pf_raise("ZeroDivisionError", ($f or $a != $floor($a)) ? '
        '"float floor division by zero" : "integer division or modulo by zero") : ($m := $a % $b; '
        "$d := ($a - $m) / $b; $d := ($m != 0 and ($m < 0) != ($b < 0)) ? $d - 1 : $d; $f := $floor($d); "
        "$d - $f > 0.5 ? $f + 1 : $f)}",
        ("pf_raise",),
    ),
    "pf_div": (
        'function($a, $b, $f){$b = 0 ? $pf_raise("ZeroDivisionError", ($f or $a != $floor($a)) ? '
        '"float division by zero" : "division by zero") : $a / $b}',
        ("pf_raise",),
    ),
    # divmod(a, b): [a // b, a % b] of two numbers (bools are ints), with divmod's messages; $f: an operand is
    # statically a float
    "pf_divmod": (
        'function($a, $b, $f){($x := $pf_num($a); $y := $pf_num($b); $type($x) = "number" and '
        '$type($y) = "number" ? ($y = 0 ? $pf_raise("ZeroDivisionError", ($f or $x != $floor($x)) ? '
        '"float divmod()" : "integer division or modulo by zero") : [$pf_floordiv($x, $y, $f), '
        '$pf_mod($x, $y, $f)]) : $pf_raise("TypeError", "unsupported operand type(s) for divmod(): \'" & '
        '$pf_tname($a) & "\' and \'" & $pf_tname($b) & "\'"))}',
        ("pf_num", "pf_raise", "pf_tname", "pf_floordiv", "pf_mod"),
    ),
    "pf_num": ('function($v){$type($v) = "boolean" ? ($v ? 1 : 0) : $v}', ()),
    "pf_add": (
        'function($a, $b){$type($a) = "string" and $type($b) = "string" ? $a & $b : '
        '$type($a) = "array" and $type($b) = "array" ? $append($a, $b) : '
        '($x := $pf_num($a); $y := $pf_num($b); $type($x) = "number" and $type($y) = "number" ? $x + $y : '
        '$type($a) = "string" or $type($a) = "array" ? $pf_raise("TypeError", "can only concatenate " & '
        '$pf_tname($a) & " (not \\"" & $pf_tname($b) & "\\") to " & $pf_tname($a)) : '
        '$pf_raise("TypeError", "unsupported operand type(s) for +: \'" & $pf_tname($a) & "\' and \'" & '
        '$pf_tname($b) & "\'"))}',
        ("pf_num", "pf_raise", "pf_tname"),
    ),
    "pf_sub": (
        "function($a, $b){($x := $pf_num($a); $y := $pf_num($b); "
        '$type($x) = "number" and $type($y) = "number" ? $x - $y : '
        '$pf_raise("TypeError", "unsupported operand type(s) for -: \'" & $pf_tname($a) & '
        '"\' and \'" & $pf_tname($b) & "\'"))}',
        ("pf_num", "pf_raise", "pf_tname"),
    ),
    # the operands of a binary operator (/, //, %, **) as numbers (a bool is an int), else Python's TypeError
    "pf_operands": (
        "function($a, $b, $o){($x := $pf_num($a); $y := $pf_num($b); "
        '$type($x) = "number" and $type($y) = "number" ? [$x, $y] : '
        '$pf_raise("TypeError", "unsupported operand type(s) for " & ($o = "**" ? "** or pow()" : $o) & '
        '": \'" & $pf_tname($a) & "\' and \'" & $pf_tname($b) & "\'"))}',
        ("pf_num", "pf_raise", "pf_tname"),
    ),
    # the operand of unary -/+, abs(), round() as a number, else Python's TypeError: $pre, type name, $post
    "pf_operand": (
        'function($v, $pre, $post){($x := $pf_num($v); $type($x) = "number" ? $x : '
        '$pf_raise("TypeError", $pre & $pf_tname($v) & $post))}',
        ("pf_num", "pf_raise", "pf_tname"),
    ),
    "pf_rep": (
        'function($s, $n){$type($s) = "string" ? ($n <= 0 ? "" : $join([1..$n].($s), "")) : '
        "($n <= 0 ? [] : $reduce([1..$n], function($acc, $i){$append($acc, $s)}, []))}",
        (),
    ),
    # a * b: numbers (bools are ints), or a sequence repeated an int number of times, else Python's TypeError
    "pf_mul": (
        'function($a, $b){($sa := $type($a) = "string" or $type($a) = "array"; '
        '$sb := $type($b) = "string" or $type($b) = "array"; '
        "$sa or $sb ? ($n := $sa ? $b : $a; $k := $pf_num($n); "
        '$type($k) = "number" and $k = $floor($k) ? $pf_rep($sa ? $a : $b, $k) : '
        '$pf_raise("TypeError", "can\'t multiply sequence by non-int of type \'" & $pf_tname($n) & "\'")) : '
        '($x := $pf_num($a); $y := $pf_num($b); $type($x) = "number" and $type($y) = "number" ? $x * $y : '
        '$pf_raise("TypeError", "unsupported operand type(s) for *: \'" & $pf_tname($a) & "\' and \'" & '
        '$pf_tname($b) & "\'")))}',
        ("pf_rep", "pf_num", "pf_raise", "pf_tname"),
    ),
    "pf_floatstr": (
        'function($n){$n = $floor($n) ? ($abs($n) < 9007199254740992 ? $formatBase($n, 10) & ".0" : '
        '$abs($n) < 1e16 ? $string($n) & ".0" : $string($n)) : '
        "($d := $reduce([1..24], function($a, $k){$a ? $a : ($round($n, $k) = $n ? $k : 0)}, 0); "
        '$d ? $formatNumber($n, "0." & $join([1..$d].("0"), "")) '
        ": $string($n))}",
        (),
    ),
    # round($x, $n) as Python rounds: the exact binary value of $x, half to even (JSONata's $round and
    # $formatNumber round its decimal text: 2.675 is 2.67499999... so Python gives 2.67, JSONata 2.68).
    # x * 10^n = $y + $e exactly (Dekker's product, 10^n exact for n <= 15), so the sign of the distance
    # to the midpoint $f + 0.5 is exact
    "pf_round": (
        "function($x, $n){$n < 0 or $n > 15 or $n != $floor($n) ? $round($x, $n) : ($p := $power(10, $n); "
        "$y := $x * $p; $abs($y) >= 4503599627370496 ? $round($x, $n) : "
        "($s := function($a){($c := 134217729 * $a; $h := $c - ($c - $a); [$h, $a - $h])}; "
        "$a := $s($x); $b := $s($p); "
        "$e := (($a[0] * $b[0] - $y) + $a[0] * $b[1] + $a[1] * $b[0]) + $a[1] * $b[1]; "
        "$f := $floor($y); $d := ($y - $f - 0.5) + $e; "
        "($d > 0 ? $f + 1 : $d < 0 ? $f : ($f % 2 = 0 ? $f : $f + 1)) / $p))}",
        (),
    ),
    "pf_numstr": (
        # an integer: $string keeps 15 significant digits in JavaScript, $formatBase all of them (below 2**53)
        "function($n){$n = $floor($n) and $abs($n) < 9007199254740992 ? $formatBase($n, 10) : "
        "$n = $floor($n) and $abs($n) < 1e16 ? $string($n) : $pf_floatstr($n)}",
        ("pf_floatstr",),
    ),
    # repr(str); the characters that are not printable become \xhh, \uhhhh or \Uhhhhhhhh
    "pf_strrepr": (
        'function($s){($e := $replace($replace($replace($replace($replace($s, "\\\\", "\\\\\\\\"), "\\n", '
        '"\\\\n"), "\\r", "\\\\r"), "\\t", "\\\\t"), '
        f"/{UNPRINTABLE}/, "
        "function($m){($n := $pf_cp($m.match); $h := $formatBase($n, 16); "
        '$n < 256 ? "\\\\x" & $pad($h, -2, "0") : $n < 65536 ? "\\\\u" & $pad($h, -4, "0") : '
        '"\\\\U" & $pad($h, -8, "0"))}); '
        '$contains($s, "\'") and $not($contains($s, "\\"")) ? '
        '"\\"" & $e & "\\"" : "\'" & $replace($e, "\'", "\\\\\'") & "\'")}',
        ("pf_cp",),
    ),
    "pf_repr": (
        'function($v){$type($v) = "string" ? $pf_strrepr($v) : $type($v) = "null" ? "None" : '
        '$type($v) = "boolean" ? ($v ? "True" : "False") : $type($v) = "number" ? $pf_numstr($v) : '
        '$type($v) = "array" ? "[" & $join($reduce($v, function($a, $x){$append($a, [$pf_repr($x)])}, []), '
        '", ") & "]" : "{" & $join($reduce([$keys($v)], function($a, $k){$append($a, [$pf_strrepr($k) & '
        '": " & $pf_repr($lookup($v, $k))])}, []), ", ") & "}"}',
        ("pf_strrepr", "pf_numstr"),
    ),
    "pf_str": ('function($v){$type($v) = "string" ? $v : $pf_repr($v)}', ("pf_repr",)),
    # v[i]: a KeyError's message is repr(key), as str() of Python's KeyError
    "pf_get": (
        "function($v, $i){($t := $type($v); "
        '$i := $type($i) = "boolean" and $t != "object" ? ($i ? 1 : 0) : $i; '
        '$int := $type($i) = "number" and $i = $floor($i); '
        '$t = "array" ? ($int ? ($j := $i < 0 ? $count($v) + $i : $i; '
        '$j >= 0 and $j < $count($v) ? $v[$j] : $pf_raise("IndexError", "list index out of range")) : '
        '$pf_raise("TypeError", "list indices must be integers or slices, not " & $pf_tname($i))) : '
        '$t = "object" ? ($i in [$keys($v)] ? $lookup($v, $i) : $pf_raise("KeyError", $pf_repr($i))) : '
        '$t = "string" ? ($int ? ($j := $i < 0 ? $length($v) + $i : $i; $j >= 0 and $j < $length($v) ? '
        '$substring($v, $j, 1) : $pf_raise("IndexError", "string index out of range")) : '
        '$pf_raise("TypeError", "string indices must be integers, not \'" & $pf_tname($i) & "\'")) : '
        '$pf_raise("TypeError", "\'" & $pf_tname($v) & "\' object is not subscriptable"))}',
        ("pf_raise", "pf_tname", "pf_repr"),
    ),
    "pf_slice": (
        'function($v, $lo, $hi){($n := $type($v) = "string" ? $length($v) : $count($v); '
        "$lo := $lo = null ? 0 : $lo < 0 ? ($n + $lo < 0 ? 0 : $n + $lo) : ($lo > $n ? $n : $lo); "
        "$hi := $hi = null ? $n : $hi < 0 ? ($n + $hi < 0 ? 0 : $n + $hi) : ($hi > $n ? $n : $hi); "
        '$type($v) = "string" ? ($hi > $lo ? $substring($v, $lo, $hi - $lo) : "") : '
        "($hi > $lo ? $reduce([$lo..$hi - 1], function($a, $k){$append($a, $pf_wrap($v[$k]))}, []) : []))}",
        ("pf_wrap",),
    ),
    # v[lo:hi:step], as CPython's PySlice_Unpack (the step first: an int, not 0) and PySlice_AdjustIndices;
    # a negative step walks from the end. A str's items are its code points.
    "pf_sslice": (
        'function($v, $lo, $hi, $st){($t := $type($v); $t = "object" ? $pf_raise("TypeError", '
        '"unhashable type: \'slice\'") : $t != "string" and $t != "array" ? $pf_raise("TypeError", '
        '"\'" & $pf_tname($v) & "\' object is not subscriptable") : ($st := $pf_sidx($st); '
        '$s := $st = null ? 1 : $st; $s = 0 ? $pf_raise("ValueError", "slice step cannot be zero") : '
        "($lo := $pf_sidx($lo); $hi := $pf_sidx($hi); "
        '$l := $t = "string" ? [$match($v, /' + CHAR + "/).match] : $v; $n := $count($l); "
        "$e := $s < 0 ? -1 : 0; "
        "$c := function($b, $d){$b = null ? $d : $b < 0 ? ($b + $n < $e ? $e : $b + $n) : "
        "$b >= $n ? ($s < 0 ? $n - 1 : $n) : $b}; "
        "$a := $c($lo, $s < 0 ? $n - 1 : 0); $b := $c($hi, $s < 0 ? -1 : $n); "
        "$m := $s > 0 ? ($b > $a ? $floor(($b - $a - 1) / $s) + 1 : 0) : "
        "($a > $b ? $floor(($a - $b - 1) / -$s) + 1 : 0); "
        "$r := $m = 0 ? [] : $reduce([0..$m - 1], "
        "function($acc, $i){$append($acc, $pf_wrap($l[$a + $i * $s]))}, []); "
        '$t = "string" ? $join($r, "") : $r)))}',
        ("pf_raise", "pf_tname", "pf_sidx", "pf_wrap"),
    ),
    "pf_eq": (
        'function($a, $b){$type($a) = "array" and $type($b) = "array" ? ($count($a) = $count($b) and '
        "$reduce([0..$count($a) - 1], function($acc, $i){$acc and $pf_eq($a[$i], $b[$i])}, true)) : "
        '$type($a) = "object" and $type($b) = "object" ? ($ka := [$keys($a)]; $kb := [$keys($b)]; '
        "$count($ka) = $count($kb) and $reduce($ka, function($acc, $k){$acc and $k in $kb and "
        "$pf_eq($lookup($a, $k), $lookup($b, $k))}, true)) : "
        '($type($a) = "boolean" or $type($a) = "number") and ($type($b) = "boolean" or $type($b) = "number") '
        '? ($a ? ($type($a) = "boolean" ? 1 : $a) : 0) = ($b ? ($type($b) = "boolean" ? 1 : $b) : 0) : '
        "$a = $b}",
        (),
    ),
    "pf_in": (
        'function($x, $c){$type($c) = "string" ? ($type($x) = "string" ? $contains($c, $x) : '
        '$pf_raise("TypeError", "\'in <string>\' requires string as left operand, not " & $pf_tname($x))) : '
        '$type($c) = "object" ? $x in [$keys($c)] : '
        '$type($c) = "array" ? $reduce($c, function($a, $e){$a or $pf_eq($e, $x)}, false) : '
        '$pf_raise("TypeError", "argument of type \'" & $pf_tname($c) & "\' is not iterable")}',
        ("pf_eq", "pf_raise", "pf_tname"),
    ),
    # int(text): Python strips whitespace and takes a sign and "_" between digits; $number takes neither
    "pf_int": (
        'function($v){$type($v) = "number" ? ($v < 0 ? $ceil($v) : $floor($v)) : $type($v) = "boolean" ? '
        '($v ? 1 : 0) : $type($v) = "string" ? '
        f"($contains($v, /^{NUM_WS}*[-+]?[0-9](_?[0-9])*{NUM_WS}*$/) ? "
        f'$number($replace($replace($v, /{NUM_WS}|_/, ""), "+", "")) : '
        '$pf_raise("ValueError", "invalid literal for int() with base 10: " & $pf_strrepr($v))) : '
        '$pf_raise("TypeError", "int() argument must be a string, a bytes-like object or a real number, '
        'not \'" & $pf_tname($v) & "\'")}',
        ("pf_raise", "pf_tname", "pf_strrepr"),
    ),
    # float(s): Python's decimal syntax (sign, digits with "_" between them and an optional point, exponent;
    # ".5", "5.", "1e3", "+1_0.5"), rewritten to JSON's number syntax that $number takes
    "pf_float": (
        'function($v){$type($v) = "number" ? $v : $type($v) = "boolean" ? ($v ? 1 : 0) : '
        '$type($v) = "string" ? ($m := $match($v, '
        f"/^{NUM_WS}*([-+]?)((?:[0-9](?:_?[0-9])*)?)([.]?)((?:[0-9](?:_?[0-9])*)?)"
        f"((?:[eE][-+]?[0-9](?:_?[0-9])*)?){NUM_WS}*$/); "
        '$g := $m.groups; $i := $replace($g[1], /^[0_]+|_/, ""); '
        '$count($m) = 1 and ($g[1] != "" or $g[3] != "") ? $number(($g[0] = "-" ? "-" : "") & '
        '($i = "" ? "0" : $i) & "." & ($g[3] = "" ? "0" : $replace($g[3], "_", "")) & '
        '$replace($g[4], "_", "")) : '
        '$pf_raise("ValueError", "could not convert string to float: " & $pf_strrepr($v))) : '
        '$pf_raise("TypeError", "float() argument must be a string or a real number, not \'" & '
        '$pf_tname($v) & "\'")}',
        ("pf_raise", "pf_tname", "pf_strrepr"),
    ),
    # Python's a < b for strings: code point order. JavaScript orders UTF-16 code units, which differs when
    # an astral character (a surrogate pair) meets one of U+E000-U+FFFF; comparing keys in which U+FFFF is
    # U+FFFF U+D7FF and an astral character is U+FFFF and its pair gives code point order.
    "pf_strlt": (
        "function($a, $b){$contains($a & $b, /[\\uD800-\\uDFFF]/) ? "
        '($k := function($s){$replace($replace($s, "\\uffff", "\\uffff\\ud7ff"), '
        '/[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]/, function($m){"\\uffff" & $m.match})}; '
        "$k($a) < $k($b)) : $a < $b}",
        (),
    ),
    # Python's a < b for numbers (and bools), strings, and lists (lexicographic, recursively). $o is the
    # operator as written, for the TypeError: the lowering swaps the operands of > and <=
    "pf_lt": (
        "function($a, $b, $o){($ta := $type($a); $tb := $type($b); "
        '($ta = "number" or $ta = "boolean") and ($tb = "number" or $tb = "boolean") ? '
        '($ta = "boolean" ? ($a ? 1 : 0) : $a) < ($tb = "boolean" ? ($b ? 1 : 0) : $b) : '
        '$ta = "string" and $tb = "string" ? $pf_strlt($a, $b) : '
        '$ta = "array" and $tb = "array" ? ($n := ($count($a) < $count($b) ? $count($a) : $count($b)); '
        "$i := $reduce([0..$n - 1], function($f, $j){$f >= 0 ? $f : "
        "($pf_eq($a[$j], $b[$j]) ? -1 : $j)}, -1); "
        "$i >= 0 ? $pf_lt($a[$i], $b[$i], $o) : $count($a) < $count($b)) : "
        '($x := $o in [">", "<="] ? [$pf_tname($b), $pf_tname($a)] : [$pf_tname($a), $pf_tname($b)]; '
        '$pf_raise("TypeError", "\'" & $o & "\' not supported between instances of \'" & $x[0] & '
        '"\' and \'" & $x[1] & "\'")))}',
        ("pf_eq", "pf_raise", "pf_tname", "pf_strlt"),
    ),
    # min()/max() compare as CPython does: item < min, item > max
    "pf_minmax": (
        'function($v, $max){$count($v) = 0 ? $pf_raise("ValueError", ($max ? "max" : "min") & '
        '"() arg is an empty sequence") : '
        '$reduce($v, function($a, $x){($max ? $pf_lt($a, $x, ">") : $pf_lt($x, $a, "<")) ? $x : $a})}',
        ("pf_lt", "pf_raise"),
    ),
    "pf_range": (
        'function($a, $b, $s){$s = 0 ? $pf_raise("ValueError", "range() arg 3 must not be zero") : '
        "($n := $ceil(($b - $a) / $s); $n <= 0 ? [] : $reduce([0..$n - 1], function($acc, $i){"
        "$append($acc, [$a + $i * $s])}, []))}",
        ("pf_raise",),
    ),
    "pf_values": (
        "function($d){$reduce([$keys($d)], function($a, $k){$append($a, $pf_wrap($lookup($d, $k)))}, [])}",
        ("pf_wrap",),
    ),
    "pf_items": (
        "function($d){$reduce([$keys($d)], function($a, $k){$append($a, [[$append([$k], "
        "$pf_wrap($lookup($d, $k)))]])}, [])}",
        ("pf_wrap",),
    ),
    "pf_enumerate": (
        "function($v, $start){($l := $pf_iter($v); $count($l) = 0 ? [] : $reduce([0..$count($l) - 1], "
        "function($a, $i){$append($a, [[$append([$i + $start], $pf_wrap($l[$i]))]])}, []))}",
        ("pf_iter", "pf_wrap"),
    ),
    "pf_zip": (
        "function($a, $b){($a := $pf_iter($a); $b := $pf_iter($b); $n := $count($a) < $count($b) ? "
        "$count($a) : $count($b); $n = 0 ? [] : $reduce([0..$n - 1], function($acc, $i){$append($acc, "
        "[[$append($pf_wrap($a[$i]), $pf_wrap($b[$i]))]])}, []))}",
        ("pf_iter", "pf_wrap"),
    ),
    "pf_dict": (
        'function($v){$type($v) = "object" ? $v : '
        "$reduce($v, function($a, $p){$merge([$a, {$p[0]: $p[1]}])}, "
        "{})}",
        (),
    ),
    # v[k] = x; a list's index may be a bool (its int)
    "pf_setitem": (
        'function($v, $k, $x){$type($v) = "object" ? $merge([$v, {$k: $x}]) : $type($v) != "array" ? '
        '$pf_raise("TypeError", "\'" & $pf_tname($v) & "\' object does not support item assignment") : '
        '($k := $type($k) = "boolean" ? ($k ? 1 : 0) : $k; '
        '$type($k) != "number" or $k != $floor($k) ? $pf_raise("TypeError", '
        '"list indices must be integers or slices, not " & $pf_tname($k)) : '
        "($j := $k < 0 ? $count($v) + $k "
        ': $k; $j < 0 or $j >= $count($v) ? $pf_raise("IndexError", "list assignment index out of range") : '
        "$reduce([0..$count($v) - 1], function($a, $i){$append($a, $pf_wrap($i = $j ? $x : $v[$i]))}, [])))}",
        ("pf_wrap", "pf_raise", "pf_tname"),
    ),
    # the code point of one character, from its UTF-8 bytes (JSONata has no function for it)
    "pf_cp": (
        'function($c){($b := $map($split($substring($encodeUrlComponent($c), 1), "%"), function($x){'
        '$reduce($split($x, ""), function($a, $d){$a * 16 + '
        '$length($substringBefore("0123456789ABCDEF", $d))}, 0)}); '
        "$reduce([1..$count($b) - 1], function($a, $i){$a * 64 + $b[$i] - 128}, "
        "$b[0] - [0, 0, 192, 224, 240][$count($b)]))}",
        (),
    ),
    # "\\uXXXX" (two for an astral character) for one non-ASCII character
    "pf_uesc": (
        'function($c){($n := $pf_cp($c); $h := function($u){"\\\\u" & $pad($formatBase($u, 16), -4, "0")}; '
        "$n < 65536 ? $h($n) : $h(55296 + $floor(($n - 65536) / 1024)) & $h(56320 + ($n - 65536) % 1024))}",
        ("pf_cp",),
    ),
    # json.dumps: JSON.stringify, but non-ASCII escaped as Python's ensure_ascii does ("\\u00e9")
    "pf_json": (
        'function($v){$type($v) = "string" ? '
        "$replace($string([$v]) ~> $substring(1, $length($string([$v])) - 2), "
        "/[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]|[^\\u0000-\\u007e]/, function($m){$pf_uesc($m.match)}) : "
        '$type($v) = "null" ? "null" : $type($v) = "boolean" ? ($v ? "true" : "false") : '
        '$type($v) = "number" ? $pf_numstr($v) : $type($v) = "array" ? "[" & '
        '$join($reduce($v, function($a, $x){$append($a, [$pf_json($x)])}, []), ", ") & "]" : '
        '"{" & $join($reduce([$keys($v)], function($a, $k)'
        '{$append($a, [$pf_json($k) & ": " & $pf_json($lookup($v, $k))])}, []), ", ") & "}"}',
        ("pf_numstr", "pf_uesc"),
    ),
    # json.dumps(v, sort_keys=, indent=, separators=, ensure_ascii=): $o holds the options (sort, ind: the
    # indent string or null, isep and ksep: the separators, ascii), $l the nesting level; as Python's encoder,
    # a newline and the indent per level, none inside an empty container, keys in code point order
    "pf_jsonx": (
        'function($v, $o, $l){$type($v) = "string" ? ($o.ascii ? $pf_json($v) : '
        "$substring($string([$v]), 1, $length($string([$v])) - 2)) : "
        '($type($v) = "array" or $type($v) = "object") ? ('
        '$in := $o.ind = null ? "" : "\\n" & $pf_rep($o.ind, $l + 1); '
        '$out := $o.ind = null ? "" : "\\n" & $pf_rep($o.ind, $l); '
        '$type($v) = "array" ? ($count($v) = 0 ? "[]" : "[" & $in & $join($reduce($v, function($a, $x)'
        '{$append($a, [$pf_jsonx($x, $o, $l + 1)])}, []), $o.isep & $in) & $out & "]") : '
        '($ks := [$keys($v)]; $count($ks) = 0 ? "{}" : ($ks := $o.sort ? $sort($ks, function($a, $b)'
        '{$pf_strlt($b, $a)}) : $ks; "{" & $in & $join($reduce([$ks], function($a, $k){$append($a, '
        "[$pf_jsonx($k, $o, 0) & $o.ksep & $pf_jsonx($lookup($v, $k), $o, $l + 1)])}, []), "
        '$o.isep & $in) & $out & "}"))) : $pf_json($v)}',
        ("pf_json", "pf_rep", "pf_strlt"),
    ),
    "pf_duration": (
        'function($d){$type($d) = "number" ? $d : ($p := $match($replace($lowercase($d), " ", ""), '
        "/([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h|d)/); $contains($d, /^\\s*[0-9]+(\\.[0-9]+)?\\s*$/) ? "
        "$number($trim($d)) : $count($p) = 0 ? "
        '$pf_raise("ValueError", "not a duration: " & $d) : '
        "$reduce($p, function($a, $m){$a + $number($m.groups[0]) * "
        '$lookup({"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}, $m.groups[1])}, 0))}',
        ("pf_raise",),
    ),
    "pf_split": (
        f'function($s){{($t := $replace($s, /^{WS}+|{WS}+$/, ""); $t = "" ? [] : $split($t, /{WS}+/))}}',
        (),
    ),
    # str.strip/lstrip/rstrip(chars): trim every character found in $c from the left ($l) and/or right ($r)
    # end; chars None trims whitespace
    "pf_strip": (
        f'function($s, $c, $l, $r){{$c = null ? ($l and $r ? $replace($s, /^{WS}+|{WS}+$/, "") : $l ? '
        f'$replace($s, /^{WS}+/, "") : $replace($s, /{WS}+$/, "")) : ($k := $filter([0..$length($s) - 1], '
        'function($i){$not($contains($c, $substring($s, $i, 1)))}); $count($k) = 0 ? "" : '
        "($b := $l ? $k[0] : 0; $substring($s, $b, ($r ? $k[-1] + 1 : $length($s)) - $b)))}",
        (),
    ),
    # digits grouped by threes with commas ("1234567" -> "1,234,567")
    "pf_group": (
        "function($d){$length($d) <= 3 ? $d : "
        '$pf_group($substring($d, 0, $length($d) - 3)) & "," & $substring($d, $length($d) - 3)}',
        (),
    ),
    # format(x, ","): commas in the integer part of a number's text ("-1234.5" -> "-1,234.5"; "1e+16" kept)
    "pf_commas": (
        'function($t){$contains($t, "e") ? $t : ($p := $split($t, "."); '
        '$neg := $substring($p[0], 0, 1) = "-"; '
        '($neg ? "-" : "") & $pf_group($neg ? $substring($p[0], 1) : $p[0]) & '
        '($count($p) > 1 ? "." & $p[1] : ""))}',
        ("pf_group",),
    ),
    # ctx.sleep(v) with v computed at run time (of no static number type): null when parse_duration accepts
    # v, else its ValueError message
    "pf_sleep_error": (
        'function($v){$type($v) = "number" ? ($v < 0 ? '
        '"ctx.sleep duration must be a finite, non-negative duration, not " & $pf_repr($v) : null) : '
        '$type($v) = "boolean" ? '
        "\"ctx.sleep duration must be a duration such as '30s', '5m', '2h', '3d' or seconds, not \" & "
        '($v ? "True" : "False") : $type($v) = "string" ? '
        '($t := $replace($replace($v, /^\\s+|\\s+$/, ""), " ", ""); '
        "$contains($t, /^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$/) ? null : "
        '"ctx.sleep duration: " & $pf_strrepr($v) & '
        "\" is not a duration; write e.g. '250ms', '30s', '5m', '2h', '3d' or '1h30m'\") : "
        "\"ctx.sleep duration must be a duration such as '30s' or a number of seconds, not \" & "
        "$pf_repr($v)}",
        ("pf_repr", "pf_strrepr"),
    ),
    # str.split(sep) with sep known only at run time: None splits on whitespace, "" is an error (JSONata
    # would split into UTF-16 code units)
    "pf_splitsep": (
        'function($s, $p){$p = null ? $pf_split($s) : $p = "" ? $pf_raise("ValueError", "empty separator") : '
        "$split($s, $p)}",
        ("pf_split", "pf_raise"),
    ),
    # str.replace(old, new) with old known only at run time: "" inserts new around every character
    "pf_replace": (
        'function($s, $o, $n){$o = "" ? $n & $join([$match($s, '
        f'/{CHAR}/).match], $n) & ($s = "" ? "" : $n) : $replace($s, $o, $n)}}',
        (),
    ),
    # the start or end argument of s.find/count...: None, an int (a bool is one), else Python's TypeError
    "pf_sidx": (
        'function($v){$type($v) = "null" ? null : $type($v) = "boolean" ? ($v ? 1 : 0) : '
        '$type($v) = "number" and $v = $floor($v) ? $v : $pf_raise("TypeError", '
        '"slice indices must be integers or None or have an __index__ method")}',
        ("pf_raise",),
    ),
    # the [start, end] a search of a string of $n characters covers, as CPython's ADJUST_INDICES: an end past
    # the string is its length, a negative bound counts from the end (0 at least); a start past the end stays
    "pf_bounds": (
        "function($n, $lo, $hi){[$lo = null ? 0 : $lo < 0 ? ($n + $lo < 0 ? 0 : $n + $lo) : $lo, "
        "$hi = null ? $n : $hi < 0 ? ($n + $hi < 0 ? 0 : $n + $hi) : ($hi > $n ? $n : $hi)]}",
        (),
    ),
    # a str argument of a method (sub, sep), else Python's TypeError
    "pf_strarg": (
        'function($v){$type($v) = "string" ? $v : '
        '$pf_raise("TypeError", "must be str, not " & $pf_tname($v))}',
        ("pf_raise", "pf_tname"),
    ),
    # a string's code points in reverse order
    "pf_strrev": (f'function($s){{$join($reverse([$match($s, /{CHAR}/).match]), "")}}', ()),
    # s.find(sub, start, end) ($r false) and s.rfind ($r true): code point indexes; the last occurrence is the
    # first one of the reversed sub in the reversed string (overlapping occurrences count: "aaa".rfind("aa"))
    "pf_find": (
        "function($s, $p, $lo, $hi, $r){($p := $pf_strarg($p); $b := $pf_bounds($length($s), $lo, $hi); "
        "$m := $length($p); $b[1] - $b[0] < $m ? -1 : ($t := $substring($s, $b[0], $b[1] - $b[0]); "
        "$m = 0 ? $b[0] + ($r ? $length($t) : 0) : $r ? ($u := $pf_strrev($t); $q := $pf_strrev($p); "
        "$contains($u, $q) ? $b[0] + $length($t) - $m - $length($substringBefore($u, $q)) : -1) : "
        "$contains($t, $p) ? $b[0] + $length($substringBefore($t, $p)) : -1))}",
        ("pf_strarg", "pf_bounds", "pf_strrev"),
    ),
    "pf_index": (
        'function($i){$i < 0 ? $pf_raise("ValueError", "substring not found") : $i}',
        ("pf_raise",),
    ),
    # s.count(sub, start, end): occurrences that do not overlap, from the left, as JavaScript's split finds
    # them; "" occurs before every character and at the end
    "pf_strcount": (
        "function($s, $p, $lo, $hi){($p := $pf_strarg($p); $b := $pf_bounds($length($s), $lo, $hi); "
        "$m := $length($p); $b[1] - $b[0] < $m ? 0 : $m = 0 ? $b[1] - $b[0] + 1 : "
        "$count($split($substring($s, $b[0], $b[1] - $b[0]), $p)) - 1)}",
        ("pf_strarg", "pf_bounds"),
    ),
    # s.removeprefix(p) ($f "removeprefix") and s.removesuffix(p)
    "pf_removefix": (
        'function($s, $p, $f){$type($p) != "string" ? $pf_raise("TypeError", $f & "() argument must be str, '
        'not " & ($type($p) = "null" ? "None" : $pf_tname($p))) : ($n := $length($s); $m := $length($p); '
        '$f = "removeprefix" ? ($substring($s, 0, $m) = $p ? $substring($s, $m) : $s) : '
        "($m > 0 and $m <= $n and $substring($s, $n - $m) = $p ? $substring($s, 0, $n - $m) : $s))}",
        ("pf_raise", "pf_tname"),
    ),
    # the width of s.zfill/ljust/rjust/center: an int (a bool is one), else Python's TypeError
    "pf_width": (
        'function($v){($t := $pf_tname($v); $t = "int" ? $v : $t = "bool" ? ($v ? 1 : 0) : '
        '$pf_raise("TypeError", "\'" & $t & "\' object cannot be interpreted as an integer"))}',
        ("pf_raise", "pf_tname"),
    ),
    # s.ljust/rjust/center(width, fillchar): $w is pf_width's; $l the share of the padding on the left ("l":
    # none, "r": all, "c": CPython's pad(): half, and the odd one on the left when width is odd too)
    "pf_just": (
        'function($s, $w, $c, $l){($c := $type($c) != "string" ? $pf_raise("TypeError", '
        '"The fill character must be a unicode character, not " & $pf_tname($c)) : $length($c) != 1 ? '
        '$pf_raise("TypeError", "The fill character must be exactly one character long") : $c; '
        '$m := $w - $length($s); $m <= 0 ? $s : ($k := $l = "l" ? 0 : $l = "r" ? $m : '
        "$floor($m / 2) + ($m % 2 = 1 and $w % 2 = 1 ? 1 : 0); "
        "$pf_rep($c, $k) & $s & $pf_rep($c, $m - $k)))}",
        ("pf_raise", "pf_tname", "pf_rep"),
    ),
    "pf_zfill": (
        "function($s, $w){($m := $w - $length($s); $f := $substring($s, 0, 1); $m <= 0 ? $s : "
        '$f = "+" or $f = "-" ? $f & $pf_rep("0", $m) & $substring($s, 1) : $pf_rep("0", $m) & $s)}',
        ("pf_rep",),
    ),
    # s.partition(sep) ($r false) and s.rpartition(sep): a list of three strings
    "pf_partition": (
        'function($s, $p, $r){($p := $pf_strarg($p); $p = "" ? $pf_raise("ValueError", "empty separator") : '
        '$not($contains($s, $p)) ? ($r ? ["", "", $s] : [$s, "", ""]) : $r ? '
        "($i := $pf_find($s, $p, null, null, true); [$substring($s, 0, $i), $p, "
        "$substring($s, $i + $length($p))]) : [$substringBefore($s, $p), $p, $substringAfter($s, $p)])}",
        ("pf_strarg", "pf_raise", "pf_find"),
    ),
    # s.splitlines(): Python's line boundaries (\r\n, and \n \r \v \f \x1c-\x1e \x85 U+2028 U+2029), no
    # empty last line
    "pf_splitlines": (
        "function($s){($l := $split($s, "
        "/\\r\\n|[\\n\\r\\u000b\\u000c\\u001c-\\u001e\\u0085\\u2028\\u2029]/); "
        '$n := $count($l); $l[$n - 1] = "" ? [$filter($l, function($v, $i){$i < $n - 1})] : $l)}',
        (),
    ),
    "pf_endswith": (
        "function($s, $p){$length($p) <= $length($s) and $substring($s, $length($s) - $length($p)) = $p}",
        (),
    ),
}


def _order(names: set[str]) -> list[str]:
    out: list[str] = []

    def visit(n: str) -> None:
        if n in out:
            return
        for dep in HELPERS[n][1]:
            visit(dep)
        out.append(n)

    for n in sorted(names):
        visit(n)
    return out


def jstr(s: str) -> str:
    """A JSONata string literal."""
    return json.dumps(s, ensure_ascii=False)


def jvalue(v: object) -> str:
    """A JSON value as a JSONata expression that evaluates to exactly that value."""
    if isinstance(v, list):
        if not v:
            return "[]"
        # nested array constructors are kept as items (only non-constructor array values are flattened)
        return "[" + ", ".join(jvalue(x) for x in v) + "]"
    if isinstance(v, dict):
        if not v:
            return "{}"
        return "{" + ", ".join(f"{jstr(str(k))}: {jvalue(x)}" for k, x in v.items()) + "}"
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v) if v == v and v not in (float("inf"), float("-inf")) else "null"
    if isinstance(v, int):
        return str(v)
    return jstr(str(v))


def jvalue_wrapped(v: object) -> str:
    """A one-item array holding ``v``."""
    return f"[{jvalue(v)}]"


# comprehension() kinds that fold a generator into any()'s / all()'s bool: when the accumulator decides it
DECIDED = {"any": "{0}", "all": "$not({0})", "next": '$lookup({0}, "f")'}


def _list_of(wrapped: list[str]) -> str:
    """Concatenate one-item arrays."""
    if len(wrapped) == 1:
        return wrapped[0]
    # merge adjacent scalar one-item arrays into one constructor: "[1]", "[2]" -> "[1, 2]"
    out = wrapped[0]
    for w in wrapped[1:]:
        out = f"$append({out}, {w})"
    return out


class Lowerer:
    """Lower expressions; ``var`` maps a workflow variable to its JSONata reference (``$name``)."""

    def __init__(self, var: Callable[[str], str], run_id: str = "$pf_run") -> None:
        self.var = var
        self.run_id = run_id
        self.helpers: set[str] = set()
        self.locals: list[dict[str, str]] = []
        self._tmp = 0
        # the program starts child runs: a caught error may be a ChildFailed, whose type and message exist
        self.child_failures = False

    # ----------------------------------------------------------------------------------------- plumbing
    def tmp(self) -> str:
        self._tmp += 1
        return f"$pf_t{self._tmp}"

    def h(self, name: str) -> str:
        self.helpers.add(name)
        return f"${name}"

    def finish(self, body: str) -> str:
        """The full expression: helper declarations, then ``body``."""
        if not self.helpers:
            return body
        decls = "; ".join(f"${n} := {HELPERS[n][0]}" for n in _order(self.helpers))
        return f"({decls}; {body})"

    def template(self, e: ir.Expr) -> str:
        """``{% ... %}`` for an ASL field."""
        self.helpers = set()
        body = self.lower(e)
        return "{% " + self.finish(body) + " %}"

    def is_error(self, e: ir.IsError) -> str:
        """``isinstance(e, SomeError)`` of a caught error: matched as its ``except`` clause would match it,
        by its type and MRO names (a failed step also by ``StepFailed``: its record names the step)."""
        assert isinstance(e.value, ir.Name) and e.value.ty == "error"
        if e.catch_all:
            return "true"
        err = self.ref(e.value.id)
        names = json.dumps(list(e.matches))
        test = (
            f'($lookup({err}, "type") in {names} or '
            f'$count($filter($lookup({err}, "mro"), function($n){{$n in {names}}})) > 0'
        )
        if "StepFailed" in e.types:
            test += f' or $type($lookup({err}, "step")) = "string"'
        return test + ")"

    def ref(self, name: str) -> str:
        for scope in reversed(self.locals):
            if name in scope:
                return scope[name]
        return self.var(name)

    # -------------------------------------------------------------------------------------- expressions
    def truthy(self, e: ir.Expr) -> str:
        s = self.lower(e)
        if e.ty == "bool":
            return s
        if e.ty in ("int", "float"):
            return f"({s} != 0)"
        if e.ty == "str":
            return f'({s} != "")'
        if e.ty == "none":
            return "false"
        return f"{self.h('pf_truthy')}({s})"

    def lower(self, e: ir.Expr) -> str:
        if isinstance(e, ir.Const):
            return jvalue(e.value)
        if isinstance(e, ir.Name):
            return self.ref(e.id)
        if isinstance(e, ir.RunId):
            return self.run_id
        if isinstance(e, ir.Patched):
            # an execution runs the definition it started on to the end (UpdateStateMachine leaves running
            # executions on theirs): every run of this definition started with the change
            return "true"
        if isinstance(e, ir.IsError):  # of an `except ... as e` name only (backends/partial.py)
            return self.is_error(e)
        if isinstance(e, ir.ErrorField):
            if not e.step_failure_only:
                return f"{self.ref(e.name)}.{e.field}"
            err = self.ref(e.name)  # only a step's failure (it names the step) has the attribute, as locally
            missing = f"\"' object has no attribute '{e.field}'\""
            has = f'$type($lookup({err}, "step")) = "string"'
            if e.field in ("type", "message"):  # ...and a failure event's (its MRO names EventFailed)
                has += f' or "EventFailed" in $lookup({err}, "mro")'
                if self.child_failures:
                    has += f' or "ChildFailed" in $lookup({err}, "mro")'
            return (
                f"({has} ? {err}.{e.field} : "
                f'{self.h("pf_raise")}("AttributeError", "\'" & {err}.type & {missing}))'
            )
        if isinstance(e, ir.ListExpr):
            if not e.items:
                return "[]"
            return _list_of([self.wrapped(x) for x in e.items])
        if isinstance(e, ir.DictExpr):
            if not e.keys:
                return "{}"
            if all(isinstance(k, ir.Const) for k in e.keys) and len(
                {k.value for k in e.keys if isinstance(k, ir.Const)}
            ) == len(e.keys):
                return (
                    "{"
                    + ", ".join(
                        f"{self.lower(k)}: {self.lower(v)}" for k, v in zip(e.keys, e.values, strict=True)
                    )
                    + "}"
                )
            objects = ", ".join(
                "{" + f"{self.lower(k)}: {self.lower(v)}" + "}" for k, v in zip(e.keys, e.values, strict=True)
            )
            return f"$merge([{objects}])"
        if isinstance(e, ir.Subscript):
            # pf_get takes a bool index of a list or str as its int (a dict's key True stays True)
            return f"{self.h('pf_get')}({self.lower(e.value)}, {self.lower(e.index)})"
        if isinstance(e, ir.Slice) and e.step is not None:
            # a float-typed bound made a non-integral number (2.0 is the JSON number 2): Python's TypeError
            bounds = ", ".join(
                "null" if b is None else f"({self.lower(b)}; 0.5)" if b.ty == "float" else self.lower(b)
                for b in (e.lower, e.upper, e.step)
            )
            return f"{self.h('pf_sslice')}({self.lower(e.value)}, {bounds})"
        if isinstance(e, ir.Slice):
            lo = "null" if e.lower is None else self.index(e.lower)
            hi = "null" if e.upper is None else self.index(e.upper)
            return f"{self.h('pf_slice')}({self.lower(e.value)}, {lo}, {hi})"
        if isinstance(e, ir.BinOp):
            return self.binop(e)
        if isinstance(e, ir.UnaryOp):
            if e.op == "not":
                return f"$not({self.truthy(e.operand)})"
            s = self.operand(e.operand, f"bad operand type for unary {e.op}: '", "'")
            return f"-({s})" if e.op == "-" else f"(0 + {s})"
        if isinstance(e, ir.BoolOp):
            # a and b -> ($t := a; truthy($t) ? b : $t); evaluated right to left for nesting
            acc = self.lower(e.values[-1])
            for operand in reversed(e.values[:-1]):
                t = self.tmp()
                cond = self._truthy_ref(t, operand.ty)
                if e.op == "and":
                    acc = f"({t} := {self.lower(operand)}; {cond} ? {acc} : {t})"
                else:
                    acc = f"({t} := {self.lower(operand)}; {cond} ? {t} : {acc})"
            return acc
        if isinstance(e, ir.Compare):
            return self.compare(e)
        if isinstance(e, ir.IfExp):
            return f"({self.truthy(e.test)} ? {self.lower(e.body)} : {self.lower(e.orelse)})"
        if isinstance(e, ir.FString):
            parts: list[str] = []
            for p in e.parts:
                if isinstance(p, ir.Const):
                    if p.value:
                        parts.append(jstr(str(p.value)))
                else:
                    parts.append(self.formatted(p))
            return "(" + " & ".join(parts) + ")" if parts else '""'
        if isinstance(e, ir.Call):
            return self.call(e)
        if isinstance(e, ir.ListComp):
            return self.comprehension(e.generators, lambda: self.wrapped(e.elt), "[]", "list")
        if isinstance(e, ir.DictComp):
            return self.comprehension(
                e.generators, lambda: "{" + f"{self.lower(e.key)}: {self.lower(e.value)}" + "}", "{}", "dict"
            )
        if isinstance(e, ir.Lambda):
            raise ValueError("lambda outside key=")
        raise ValueError(f"cannot lower {e!r}")

    def index(self, e: ir.Expr) -> str:
        """A subscript or slice bound: ``xs[True]`` is ``xs[1]``."""
        return self.num(e) if e.ty == "bool" else self.lower(e)

    def _truthy_ref(self, ref: str, ty: ir.Type) -> str:
        if ty == "bool":
            return ref
        if ty in ("int", "float"):
            return f"({ref} != 0)"
        if ty == "str":
            return f'({ref} != "")'
        return f"{self.h('pf_truthy')}({ref})"

    def formatted(self, p: ir.FormattedValue) -> str:
        """A field with a conversion (its text) and/or a format spec (:mod:`.formats`)."""
        text = f"{self.h('pf_repr')}({self.lower(p.value)})" if p.conversion == "r" else None
        if p.conversion == "s":
            text = self.str_of(p.value)
        if not p.spec:
            return text if text is not None else self.str_of(p.value)
        from .formats import formatted  # it adds its helpers to HELPERS, which it imports from here

        return formatted(self, p, text)

    def wrapped(self, e: ir.Expr) -> str:
        """``e`` as a one-item array (array values stay one item)."""
        if e.ty in ("int", "float", "str", "bool", "none", "dict"):
            return f"[{self.lower(e)}]"
        if isinstance(e, ir.Const):
            return jvalue_wrapped(e.value)
        return f"{self.h('pf_wrap')}({self.lower(e)})"

    def str_of(self, e: ir.Expr) -> str:
        s = self.lower(e)
        if e.ty == "str":
            return s
        if e.ty == "int":
            return f"{self.h('pf_numstr')}({s})"  # every digit (JavaScript's $string keeps 15)
        if e.ty == "float":
            return f"{self.h('pf_floatstr')}({s})"
        if e.ty == "error":
            return f"{s}.message"
        if e.ty == "datetime":
            return self.datetime_text(s, " ")
        if e.ty == "timedelta":
            from . import timedeltas  # it adds its helpers to HELPERS

            return timedeltas.text(self, e)
        return f"{self.h('pf_str')}({s})"

    def datetime_text(self, iso: str, sep: str) -> str:
        """Python's text of an aware UTC datetime held as ``$now()``'s ISO string: ``isoformat(sep)``, which
        ``str()`` is with ``sep=" "``: ``+00:00``, and microseconds unless they are 0."""
        m = self.tmp()
        return (
            f'({m} := $toMillis({iso}); $fromMillis({m}, "[Y0001]-[M01]-[D01]{sep}[H01]:[m01]:[s01]") & '
            f'({m} % 1000 = 0 ? "" : "." & $fromMillis({m}, "[f001]") & "000") & "+00:00")'
        )

    def num(self, e: ir.Expr) -> str:
        """``e`` as an arithmetic operand: Python's bool is an int (``True + 1`` is 2), JSONata's arithmetic
        refuses booleans, so a bool becomes 1 or 0 (at run time where the type is not known)."""
        if e.ty == "bool":
            if isinstance(e, ir.Const):
                return "1" if e.value else "0"
            return f"({self.lower(e)} ? 1 : 0)"
        never_bool = (
            isinstance(e, ir.BinOp)
            or (isinstance(e, ir.UnaryOp) and e.op != "not")
            or (isinstance(e, ir.Call) and (row := catalog.lookup(e.func)) is not None and row.number)
        )
        if e.ty == "any" and not never_bool:
            return f"{self.h('pf_num')}({self.lower(e)})"
        return self.lower(e)  # numbers; other types fail in JSONata's arithmetic as in Python's

    def operand(self, e: ir.Expr, pre: str, post: str) -> str:
        """``e`` as the number operand of unary -/+, abs() or round(): where its type is known only at run
        time, anything but a number or bool raises Python's TypeError (message ``pre`` type name ``post``)."""
        if e.ty in ("int", "float", "bool"):
            return self.num(e)
        return f"{self.h('pf_operand')}({self.lower(e)}, {jstr(pre)}, {jstr(post)})"

    def binop(self, e: ir.BinOp) -> str:
        lt, rt = e.left.ty, e.right.ty
        if "timedelta" in (lt, rt) or lt == rt == "datetime":
            from .timedeltas import binop  # microseconds (the module's docstring)

            return binop(self, e)
        num = {"int", "float", "bool"}
        if e.op in ("+", "*") and not (lt in num and rt in num):
            a, b = self.lower(e.left), self.lower(e.right)
            if e.op == "*":
                return f"{self.h('pf_mul')}({a}, {b})"
            if lt == "str" and rt == "str":
                return f"({a} & {b})"
            if lt == "list" and rt == "list":
                return f"$append({a}, {b})"
            return f"{self.h('pf_add')}({a}, {b})"
        floats = "true" if "float" in (lt, rt) else "false"  # names Python's ZeroDivisionError
        if lt in num and rt in num:
            a, b = self.num(e.left), self.num(e.right)
            checked = ""
        elif e.op == "-":
            return f"{self.h('pf_sub')}({self.lower(e.left)}, {self.lower(e.right)})"
        else:
            # an operand of a type known only at run time: Python's TypeError unless both are numbers
            p = self.tmp()
            operands = f"{self.lower(e.left)}, {self.lower(e.right)}, {jstr(e.op)}"
            checked = f"{p} := {self.h('pf_operands')}({operands}); "
            a, b = f"{p}[0]", f"{p}[1]"
        if e.op in ("+", "-", "*"):
            r = f"({a} {e.op} {b})"
        elif e.op == "/":
            if isinstance(e.right, ir.Const) and e.right.value not in (0, 0.0):
                r = f"({a} / {b})"
            else:
                r = f"{self.h('pf_div')}({a}, {b}, {floats})"
        elif e.op == "//":
            r = f"{self.h('pf_floordiv')}({a}, {b}, {floats})"
        elif e.op == "%":
            r = f"{self.h('pf_mod')}({a}, {b}, {floats})"
        elif e.op == "**":
            r = f"$power({a}, {b})"
        else:
            raise ValueError(e.op)
        return f"({checked}{r})" if checked else r

    def _cmp(self, op: str, a: str, b: str, lt: ir.Type, rt: ir.Type) -> str:
        scalar = {"int", "float", "str", "none"}
        if lt == rt == "timedelta" and op in ("==", "!=", "<", "<=", ">", ">="):
            return f"({a} {'=' if op == '==' else op} {b})"  # microseconds
        if op in ("==", "!="):
            if (lt in scalar and rt in scalar) or lt == "none" or rt == "none":
                return f"({a} {'=' if op == '==' else '!='} {b})"
            eq = f"{self.h('pf_eq')}({a}, {b})"
            return eq if op == "==" else f"$not({eq})"
        if op in ("is", "is not"):
            return f"({a} {'=' if op == 'is' else '!='} {b})"
        if op in ("in", "not in"):
            if rt == "set":
                r = f"{self.h('pf_setin')}({a}, {b})"
            elif rt == "str" and lt == "str":
                r = f"$contains({b}, {a})"
            elif rt == "dict":
                r = f"({a} in [$keys({b})])"
            else:
                r = f"{self.h('pf_in')}({a}, {b})"
            return r if op == "in" else f"$not({r})"
        nums = {"int", "float"}
        if lt in nums and rt in nums:
            return f"({a} {op} {b})"

        def by_less_than(less: Callable[[str, str, str], str]) -> str:
            """``op`` from a less-than ``less(x, y, op as written)``: a > b is b < a, a <= b is not b < a."""
            return {
                "<": less(a, b, "<"),
                ">": less(b, a, ">"),
                "<=": f"$not({less(b, a, '<=')})",
                ">=": f"$not({less(a, b, '>=')})",
            }[op]

        if lt == "str" and rt == "str":
            slt = self.h("pf_strlt")  # code point order (JavaScript orders UTF-16 code units)
            return by_less_than(lambda x, y, _: f"{slt}({x}, {y})")
        # lists (lexicographic), bools and mixed types, or types known only at run time (Python's TypeError
        # where Python refuses the comparison)
        lt_ = self.h("pf_lt")
        return by_less_than(lambda x, y, o: f'{lt_}({x}, {y}, "{o}")')

    def compare(self, e: ir.Compare) -> str:
        if len(e.ops) == 1:
            return self._cmp(
                e.ops[0], self.lower(e.left), self.lower(e.comparators[0]), e.left.ty, e.comparators[0].ty
            )
        # chained: each operand evaluated once, short-circuit
        operands = [e.left, *e.comparators]
        temps = [self.tmp() for _ in operands]
        out = self._cmp(e.ops[-1], temps[-2], temps[-1], operands[-2].ty, operands[-1].ty)
        out = f"({temps[-1]} := {self.lower(operands[-1])}; {out})"
        for i in range(len(e.ops) - 2, -1, -1):
            test = self._cmp(e.ops[i], temps[i], temps[i + 1], operands[i].ty, operands[i + 1].ty)
            out = f"({temps[i + 1]} := {self.lower(operands[i + 1])}; {test} and {out})"
        return f"({temps[0]} := {self.lower(operands[0])}; {out})"

    def comprehension(
        self, gens: tuple[ir.Comprehension, ...], produce: Callable[[], str], init: str, kind: str
    ) -> str:
        acc = self.tmp()

        def build(i: int) -> str:
            g = gens[i]
            item = self.tmp()
            scope: dict[str, str] = {}
            self.locals.append(scope)
            binds = self._bind_target(g.target, item, scope)
            try:
                conds = [self.truthy(c) for c in g.ifs]
                if i + 1 < len(gens):
                    body = build(i + 1)
                else:
                    value = produce()
                    body = {"list": f"$append({acc}, {value})", "dict": f"$merge([{acc}, {value}])"}.get(
                        kind, value
                    )
                if conds:
                    body = f"({' and '.join(conds)}) ? {body} : {acc}"
                if kind in DECIDED:  # any()/all() of a generator: nothing more is computed once decided
                    body = f"{DECIDED[kind].format(acc)} ? {acc} : ({binds}{body})"
                    binds = ""
                fn = f"function({acc}, {item}){{({binds}{body})}}"
                return f"$reduce({self._iter(g.iter)}, {fn}, {acc if i else init})"
            finally:
                self.locals.pop()

        return build(0)

    def _iter(self, e: ir.Expr) -> str:
        if e.ty == "list" or (
            isinstance(e, ir.Call) and (row := catalog.lookup(e.func)) is not None and row.result == "list"
        ):
            return self.lower(e)  # a list already (an array in JSONata)
        return f"{self.h('pf_iter')}({self.lower(e)})"

    def _bind_target(self, t: ir.Target, src: str, scope: dict[str, str]) -> str:
        """Declarations binding the target's names from ``src``; fills ``scope``."""
        if isinstance(t, ir.NameTarget):
            ident = t.id[len(ir.TEMPORARY) :] if ir.is_temporary(t.id) else t.id  # `%` is no JSONata letter
            name = f"$pf_l_{ident}_{self._tmp}"
            self._tmp += 1
            scope[t.id] = name
            return f"{name} := {src}; "
        items = self.tmp()
        out = f"{items} := {self.h('pf_unpack')}({src}, {len(t.elts)}); "
        for i, sub in enumerate(t.elts):
            out += self._bind_target(sub, f"{items}[{i}]", scope)
        return out

    def bind_target_expr(self, t: ir.Target, src: str) -> list[tuple[str, str]]:
        """(variable, JSONata expression) pairs assigning ``src`` to a (tuple) target of workflow vars."""
        if isinstance(t, ir.NameTarget):
            return [(t.id, src)]
        out: list[tuple[str, str]] = []
        for i, sub in enumerate(t.elts):
            out += self.bind_target_expr(sub, f"{self.h('pf_unpack')}({src}, {len(t.elts)})[{i}]")
        return out

    def _key(self, kw: dict[str, ir.Expr]) -> str | None:
        """The ``key=`` lambda as a JSONata function, or None."""
        lam = kw.get("key")
        if lam is None or not isinstance(lam, ir.Lambda):
            return None
        params = [f"$pf_k{self._tmp}_{p}" for p in lam.params]
        self._tmp += 1
        self.locals.append(dict(zip(lam.params, params, strict=True)))
        try:
            body = self.lower(lam.body)
        finally:
            self.locals.pop()
        return f"function({', '.join(params)}){{{body}}}"

    def call(self, e: ir.Call) -> str:
        from .calls import lower_call  # the table of lowerings, built on this module's helpers

        return lower_call(self, e)
