/**
 * The Python number semantics τ²-bench's tools rely on. Expected values were produced by
 * CPython 3.11 (`round(x, 2)`, `repr(x)`, `str(round(float(eval(e)), 2))`).
 */
import { describe, expect, it } from 'vitest';
import {
  compareCodePoints,
  evalPythonArithmetic,
  pyFloatRepr,
  pyJsonDumpsSortedStringMap,
  pyRound,
  PyEvalError,
} from '../../../src/core/scenarios/tau2/python.ts';

describe('pyRound (Python round(x, 2))', () => {
  it.each([
    [0.125, 0.12], // exact tie: to even
    [0.375, 0.38],
    [-0.125, -0.12],
    [2.675, 2.67], // 2.675 is 2.67499999… in binary
    [1.005, 1.0],
    [1234.565, 1234.57],
    [50.1 + 326.37, 376.47],
    [-16.629999999999995, -16.63],
    [71.96000000000001, 71.96],
    [1e-7, 0],
    [123456789.125, 123456789.12],
    [2 ** 53, 2 ** 53],
  ])('round(%s, 2) = %s', (x, want) => {
    expect(pyRound(x, 2)).toBe(want);
  });

  it('keeps the sign of zero and leaves infinities alone', () => {
    expect(Object.is(pyRound(-0.001, 2), -0)).toBe(true);
    expect(pyRound(Infinity, 2)).toBe(Infinity);
  });
});

describe('pyFloatRepr (Python repr(float))', () => {
  it.each([
    [4, '4.0'],
    [0.3, '0.3'],
    [-4, '-4.0'],
    [1e16, '1e+16'],
    [9007199254740992, '9007199254740992.0'],
    [1.2193263111263526e17, '1.2193263111263526e+17'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [-0, '-0.0'],
    [0.1 + 0.2, '0.30000000000000004'],
    [NaN, 'nan'],
    [-Infinity, '-inf'],
  ])('repr(%s) = %s', (x, want) => {
    expect(pyFloatRepr(x)).toBe(want);
  });
});

describe('evalPythonArithmetic (calculate)', () => {
  const calc = (e: string) => pyFloatRepr(pyRound(evalPythonArithmetic(e), 2));
  it.each([
    ['2+2', '4.0'],
    ['10/3', '3.33'],
    ['1.1+2.2', '3.3'],
    ['-2**2', '-4.0'],
    ['2**-1', '0.5'],
    ['2**3**2', '512.0'],
    ['7//2', '3.0'],
    ['-7//2', '-4.0'],
    ['-7.5//-2', '3.0'],
    ['00', '0.0'],
    ['1.', '1.0'],
    ['  .5*4', '2.0'],
    ['+-+3', '-3.0'],
    ['5--3', '8.0'],
    ['((2+3)*4-1)/7', '2.71'],
    ['123456789*987654321', '1.2193263111263526e+17'],
    ['2**53+1', '9007199254740992.0'],
    ['99999999999999999999/7', '1.4285714285714287e+19'],
    ['1093.34 - 20.5 * 3', '1031.84'],
    ['0.000001', '0.0'],
  ])('%s → %s', (e, want) => {
    expect(calc(e)).toBe(want);
  });

  it.each([
    ['1 2', 'SyntaxError', 'invalid syntax (<string>, line 1)'],
    ['1.2.3', 'SyntaxError', 'invalid syntax (<string>, line 1)'],
    ['007', 'SyntaxError', 'leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers (<string>, line 1)'],
    ['2*(3+4', 'SyntaxError', "'(' was never closed (<string>, line 1)"],
    ['3)', 'SyntaxError', "unmatched ')' (<string>, line 1)"],
    ['(1)(2)', 'TypeError', "'int' object is not callable"],
    ['()', 'TypeError', "float() argument must be a string or a real number, not 'tuple'"],
    ['1/0', 'ZeroDivisionError', 'division by zero'],
    ['1.0/0', 'ZeroDivisionError', 'float division by zero'],
    ['1//0', 'ZeroDivisionError', 'integer division or modulo by zero'],
    ['0**-1', 'ZeroDivisionError', '0.0 cannot be raised to a negative power'],
    ['(-8)**0.5', 'TypeError', "float() argument must be a string or a real number, not 'complex'"],
    ['10**400', 'OverflowError', 'int too large to convert to float'],
  ])('%s raises %s', (e, type, message) => {
    let caught: unknown;
    try {
      evalPythonArithmetic(e);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PyEvalError);
    expect((caught as PyEvalError).pyType).toBe(type);
    expect((caught as PyEvalError).message).toBe(message);
  });

  it('refuses integers too large to compute instead of hanging', () => {
    expect(() => evalPythonArithmetic('9**9**9')).toThrow(/too large/);
  });
});

describe('json.dumps(sort_keys=True) and Python string order', () => {
  it('writes a flat map as Python does, escaping beyond ASCII', () => {
    expect(pyJsonDumpsSortedStringMap({ b: '2', a: '1', 'Café': 'x"y' })).toBe('{"Caf\\u00e9": "x\\"y", "a": "1", "b": "2"}');
  });

  it('orders by code point, astral characters after the rest of the BMP', () => {
    expect(['\u{1F600}', '\uFF01', 'a'].sort(compareCodePoints)).toEqual(['a', '\uFF01', '\u{1F600}']);
  });
});
