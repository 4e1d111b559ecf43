/**
 * Small pieces of Python's number semantics that τ²-bench's tools rely on, so our retail
 * tools store and print exactly what τ²-bench's do: `round(x, 2)` (correctly rounded, ties to
 * even), `str(float)` / `repr(float)`, `json.dumps(..., sort_keys=True)` for a flat string map,
 * and the arithmetic subset of `eval` that the `calculate` tool accepts.
 *
 * JavaScript numbers are IEEE-754 doubles like Python floats, so +, -, * and / agree bit for
 * bit; only rounding, printing and integer arithmetic need care.
 */

/**
 * Python's `round(x, ndigits)` on a float: the double nearest to the correctly rounded
 * decimal, with exact ties going to the even digit (`round(0.125, 2) == 0.12`).
 */
export function pyRound(x: number, ndigits = 2): number {
  if (!Number.isFinite(x) || x === 0) return x;
  // Doubles this large are already integers; more digits change nothing.
  if (Math.abs(x) >= 2 ** 52) return x;
  if (ndigits < 0 || ndigits > 20) throw new RangeError(`pyRound: ndigits ${ndigits} is not supported`);
  // An exact tie (x·10^n ending in exactly .5) needs x = m / 2^(n+1) with m odd: x has at
  // most n+1 binary digits after the point. Multiplying by a power of two is exact.
  const t = x * 2 ** (ndigits + 1);
  if (Number.isInteger(t) && Math.abs(t % 2) === 1) {
    const doubled = BigInt(t) * 5n ** BigInt(ndigits); // 2·x·10^n, an odd integer
    const floor = (doubled - 1n) / 2n; // exact: doubled - 1 is even
    const even = floor % 2n === 0n ? floor : floor + 1n;
    return signedZero(Number(even) / 10 ** ndigits, x);
  }
  // toFixed rounds the exact binary value correctly (spec: nearest n), so away from ties it
  // matches Python; Number() then takes the nearest double, as Python's round does.
  return signedZero(Number(x.toFixed(ndigits)), x);
}

function signedZero(value: number, like: number): number {
  return value === 0 && (like < 0 || Object.is(like, -0)) ? -0 : value;
}

/**
 * Python's `repr(float)` (also `str(float)`): the shortest digits that round-trip, in fixed
 * notation when the decimal exponent is from -4 to 15, otherwise scientific ("1e+16",
 * "1.5e-05"); integral values keep ".0".
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // toExponential() with no argument gives the shortest round-trip digits.
  const [mantissa, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = digits.slice(exp + 1);
    return `${sign}${intPart}.${frac || '0'}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = Math.abs(exp).toString().padStart(2, '0');
  return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
}

/** A JSON string literal as Python's json.dumps writes it (ensure_ascii: \uXXXX beyond ASCII). */
export function pyJsonString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `json.dumps(d, sort_keys=True)` for a flat map of strings: `{"a": "1", "b": "2"}`. */
export function pyJsonDumpsSortedStringMap(map: Record<string, string>): string {
  const keys = Object.keys(map).sort(compareCodePoints);
  return `{${keys.map((k) => `${pyJsonString(k)}: ${pyJsonString(map[k]!)}`).join(', ')}}`;
}

/** Python's string order (by code point), which `sort_keys` and `sorted()` use. */
export function compareCodePoints(a: string, b: string): number {
  // UTF-16 order differs from code-point order only between astral characters and
  // U+E000–U+FFFF; compare by code points to be exact.
  const ca = [...a].map((c) => c.codePointAt(0)!);
  const cb = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    if (ca[i] !== cb[i]) return ca[i]! - cb[i]!;
  }
  return ca.length - cb.length;
}

/* --------------------------------------------------- arithmetic (calculate) */

/** An error `eval` would raise: its Python class name and message. */
export class PyEvalError extends Error {
  constructor(
    readonly pyType: string,
    message: string,
  ) {
    super(message);
    this.name = 'PyEvalError';
  }
}

/** A Python number: int (exact, arbitrary size) or float. */
type PyNum = { int: bigint } | { float: number };

/** Integer results beyond this many bits are refused rather than computed for minutes. */
const MAX_INT_BITS = 100_000;

type Token = { kind: 'num'; text: string; at: number } | { kind: 'op'; text: string; at: number };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ') {
      i++;
      continue;
    }
    if (/[0-9.]/.test(c)) {
      const m = /^(?:\d+\.?\d*|\.\d+)/.exec(src.slice(i));
      if (!m) throw syntaxError();
      // Python reads "1.2.3" as "1.2" then ".3": two numbers in a row, a syntax error below.
      tokens.push({ kind: 'num', text: m[0], at: i });
      i += m[0].length;
      continue;
    }
    if (c === '*' && src[i + 1] === '*') {
      tokens.push({ kind: 'op', text: '**', at: i });
      i += 2;
      continue;
    }
    if (c === '/' && src[i + 1] === '/') {
      tokens.push({ kind: 'op', text: '//', at: i });
      i += 2;
      continue;
    }
    tokens.push({ kind: 'op', text: c, at: i });
    i++;
  }
  return tokens;
}

function syntaxError(): PyEvalError {
  return new PyEvalError('SyntaxError', 'invalid syntax (<string>, line 1)');
}

function toFloat(n: PyNum): number {
  if ('float' in n) return n.float;
  const f = Number(n.int);
  if (!Number.isFinite(f)) throw new PyEvalError('OverflowError', 'int too large to convert to float');
  return f;
}

function checkIntSize(v: bigint): bigint {
  const bits = (v < 0n ? -v : v).toString(16).length * 4;
  if (bits > MAX_INT_BITS) throw new PyEvalError('OverflowError', 'integer result too large');
  return v;
}

/** Python's float floor division (floatobject.c float_floor_div), for exact agreement. */
function floatFloorDiv(vx: number, wx: number): number {
  if (wx === 0) throw new PyEvalError('ZeroDivisionError', 'float floor division by zero');
  let mod = vx % wx;
  let div = (vx - mod) / wx;
  if (mod) {
    if (wx < 0 !== mod < 0) {
      mod += wx;
      div -= 1.0;
    }
  }
  let floordiv: number;
  if (div) {
    floordiv = Math.floor(div);
    if (div - floordiv > 0.5) floordiv += 1.0;
  } else {
    floordiv = Math.sign(vx / wx) < 0 || Object.is(vx / wx, -0) ? -0 : 0;
  }
  return floordiv;
}

function binary(op: string, a: PyNum, b: PyNum): PyNum {
  if ('int' in a && 'int' in b) {
    const x = a.int;
    const y = b.int;
    switch (op) {
      case '+':
        return { int: checkIntSize(x + y) };
      case '-':
        return { int: checkIntSize(x - y) };
      case '*':
        return { int: checkIntSize(x * y) };
      case '/': {
        if (y === 0n) throw new PyEvalError('ZeroDivisionError', 'division by zero');
        return { float: Number(x) / Number(y) };
      }
      case '//': {
        if (y === 0n) throw new PyEvalError('ZeroDivisionError', 'integer division or modulo by zero');
        const q = x / y;
        // BigInt division truncates; Python floors.
        return { int: (x % y !== 0n) && ((x < 0n) !== (y < 0n)) ? q - 1n : q };
      }
      case '**': {
        if (y < 0n) {
          if (x === 0n) throw new PyEvalError('ZeroDivisionError', '0.0 cannot be raised to a negative power');
          return { float: Math.pow(toFloat(a), toFloat(b)) };
        }
        const bitsOfBase = (x < 0n ? -x : x).toString(2).length;
        if (x !== 0n && x !== 1n && x !== -1n && BigInt(bitsOfBase) * y > BigInt(MAX_INT_BITS)) {
          throw new PyEvalError('OverflowError', 'integer result too large');
        }
        return { int: x ** y };
      }
    }
  }
  const x = toFloat(a);
  const y = toFloat(b);
  switch (op) {
    case '+':
      return { float: x + y };
    case '-':
      return { float: x - y };
    case '*':
      return { float: x * y };
    case '/':
      if (y === 0) throw new PyEvalError('ZeroDivisionError', 'float division by zero');
      return { float: x / y };
    case '//':
      return { float: floatFloorDiv(x, y) };
    case '**': {
      if (x === 0 && y < 0) throw new PyEvalError('ZeroDivisionError', '0.0 cannot be raised to a negative power');
      if (x < 0 && !Number.isInteger(y)) {
        // Python returns a complex number here; float() of it fails.
        throw new PyEvalError('TypeError', "float() argument must be a string or a real number, not 'complex'");
      }
      const r = Math.pow(x, y);
      if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y)) {
        throw new PyEvalError('OverflowError', '(34, \'Numerical result out of range\')');
      }
      return { float: r };
    }
  }
  throw syntaxError();
}

/**
 * Evaluates an arithmetic expression the way Python's `eval` does for numbers, + - * /,
 * // and ** (which the characters τ²-bench allows also spell), parentheses and spaces:
 * ints are exact, `/` is true division, `**` is right-associative and binds tighter than
 * unary minus. Throws PyEvalError with Python's message where Python would raise.
 */
export function evalPythonArithmetic(expression: string): number {
  // eval() ignores leading spaces and tabs.
  const tokens = tokenize(expression.replace(/^[ \t]+/, ''));
  // Python's tokenizer reports unbalanced brackets before any parsing.
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(') depth++;
    if (t.text === ')' && --depth < 0) throw new PyEvalError('SyntaxError', "unmatched ')' (<string>, line 1)");
  }
  if (depth > 0) throw new PyEvalError('SyntaxError', "'(' was never closed (<string>, line 1)");
  let pos = 0;
  const peek = () => tokens[pos];

  function atom(): PyNum {
    const t = peek();
    if (!t) throw syntaxError();
    if (t.kind === 'num') {
      pos++;
      if (/[.]/.test(t.text)) return { float: Number(t.text.endsWith('.') ? t.text.slice(0, -1) : t.text) };
      if (t.text.length > 1 && t.text.startsWith('0') && /[1-9]/.test(t.text)) {
        throw new PyEvalError(
          'SyntaxError',
          'leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers (<string>, line 1)',
        );
      }
      return { int: BigInt(t.text) };
    }
    if (t.text === '(') {
      pos++;
      if (peek()?.text === ')') {
        // "()" is the empty tuple, which float() refuses.
        pos++;
        throw new PyEvalError('TypeError', "float() argument must be a string or a real number, not 'tuple'");
      }
      const v = expr();
      if (peek()?.text !== ')') throw syntaxError();
      pos++;
      return v;
    }
    throw syntaxError();
  }

  function postfix(): PyNum {
    const v = atom();
    // A number followed by "(" is a call in Python: "2(3)" → 'int' object is not callable.
    if (peek()?.text === '(') {
      throw new PyEvalError('TypeError', `'${'int' in v ? 'int' : 'float'}' object is not callable`);
    }
    if (peek()?.kind === 'num') throw syntaxError();
    return v;
  }

  function power(): PyNum {
    const base = postfix();
    if (peek()?.text === '**') {
      pos++;
      const exponent = unary(); // right-associative, and "2**-1" is allowed
      return binary('**', base, exponent);
    }
    return base;
  }

  function unary(): PyNum {
    const t = peek();
    if (t?.text === '-' || t?.text === '+') {
      pos++;
      const v = unary();
      if (t.text === '+') return v;
      return 'int' in v ? { int: -v.int } : { float: -v.float };
    }
    return power();
  }

  function term(): PyNum {
    let v = unary();
    for (let t = peek(); t && (t.text === '*' || t.text === '/' || t.text === '//'); t = peek()) {
      pos++;
      v = binary(t.text, v, unary());
    }
    return v;
  }

  function expr(): PyNum {
    let v = term();
    for (let t = peek(); t && (t.text === '+' || t.text === '-'); t = peek()) {
      pos++;
      v = binary(t.text, v, term());
    }
    return v;
  }

  const result = expr();
  if (pos !== tokens.length) throw syntaxError();
  return toFloat(result);
}
