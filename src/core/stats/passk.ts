/** n choose k as a float, exact for the small n used in trials. */
function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

function checkNck(n: number, c: number, k: number): void {
  for (const [name, v] of [['n', n], ['c', c], ['k', k]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer, got ${v}`);
  }
  if (k < 1) throw new RangeError(`k must be at least 1, got ${k}`);
  if (k > n) throw new RangeError(`k (${k}) cannot exceed n (${n})`);
  if (c > n) throw new RangeError(`c (${c}) cannot exceed n (${n})`);
}

/** pass@k: chance that at least one of k trials drawn from n (c passed) succeeds. */
export function passAtK(n: number, c: number, k: number): number {
  checkNck(n, c, k);
  return 1 - choose(n - c, k) / choose(n, k);
}

/** pass^k (τ-bench): chance that all k trials drawn from n (c passed) succeed. */
export function passHatK(n: number, c: number, k: number): number {
  checkNck(n, c, k);
  return choose(c, k) / choose(n, k);
}
