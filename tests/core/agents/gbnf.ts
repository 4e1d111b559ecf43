/**
 * A small GBNF recognizer for the tests: enough of llama.cpp's grammar notation (string
 * literals, character classes, rule references, groups, alternation and the ? * + suffixes) to
 * say whether a grammar accepts a text, so the tool-call grammar's meaning is tested and not
 * only its spelling. Backtracking over sets of end positions; fine for texts of a few hundred
 * characters. The real check is llama.cpp itself (tests/e2e/llm-seats.spec.ts).
 */

type Atom =
  | { k: 'lit'; s: string }
  | { k: 'cls'; neg: boolean; ranges: [number, number][] }
  | { k: 'ref'; name: string }
  | { k: 'group'; alt: Alt };
type Item = { atom: Atom; rep: '' | '?' | '*' | '+' };
type Alt = Item[][];

class Parser {
  pos = 0;
  constructor(readonly src: string) {}

  ws(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  escape(): number {
    const c = this.src[this.pos++]!;
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', '[': '[', ']': ']', '/': '/', '-': '-', '^': '^' };
    if (c in simple) return simple[c]!.codePointAt(0)!;
    const hex = (n: number) => {
      const h = this.src.slice(this.pos, this.pos + n);
      this.pos += n;
      return parseInt(h, 16);
    };
    if (c === 'x') return hex(2);
    if (c === 'u') return hex(4);
    throw new Error(`unknown escape \\${c} at ${this.pos}`);
  }

  alt(close: string | null): Alt {
    const alt: Alt = [[]];
    for (;;) {
      this.ws();
      if (this.pos >= this.src.length) break;
      const c = this.src[this.pos]!;
      if (close !== null && c === close) {
        this.pos++;
        break;
      }
      if (c === '|') {
        this.pos++;
        alt.push([]);
        continue;
      }
      const atom = this.atom();
      let rep: Item['rep'] = '';
      const r = this.src[this.pos];
      if (r === '?' || r === '*' || r === '+') {
        rep = r;
        this.pos++;
      }
      alt.at(-1)!.push({ atom, rep });
    }
    return alt;
  }

  atom(): Atom {
    const c = this.src[this.pos]!;
    if (c === '"') {
      this.pos++;
      let s = '';
      while (this.src[this.pos] !== '"') {
        if (this.src[this.pos] === '\\') {
          this.pos++;
          s += String.fromCodePoint(this.escape());
        } else s += this.src[this.pos++];
      }
      this.pos++;
      return { k: 'lit', s };
    }
    if (c === '[') {
      this.pos++;
      const neg = this.src[this.pos] === '^';
      if (neg) this.pos++;
      const ranges: [number, number][] = [];
      const one = () => (this.src[this.pos] === '\\' ? (this.pos++, this.escape()) : this.src.codePointAt(this.pos++)!);
      while (this.src[this.pos] !== ']') {
        const lo = one();
        if (this.src[this.pos] === '-' && this.src[this.pos + 1] !== ']') {
          this.pos++;
          ranges.push([lo, one()]);
        } else ranges.push([lo, lo]);
      }
      this.pos++;
      return { k: 'cls', neg, ranges };
    }
    if (c === '(') {
      this.pos++;
      return { k: 'group', alt: this.alt(')') };
    }
    const m = /[a-zA-Z0-9-]+/y;
    m.lastIndex = this.pos;
    const name = m.exec(this.src)?.[0];
    if (!name) throw new Error(`unexpected ${c} at ${this.pos} in ${this.src}`);
    this.pos += name.length;
    return { k: 'ref', name };
  }
}

/** Parses a GBNF grammar (one rule per line) into rules, and says whether it accepts a text. */
export function gbnf(grammar: string): { rules: Map<string, Alt>; accepts(text: string): boolean } {
  const rules = new Map<string, Alt>();
  for (const line of grammar.split('\n')) {
    if (!line.trim()) continue;
    const at = line.indexOf(' ::= ');
    if (at < 0) throw new Error(`not a rule: ${line}`);
    rules.set(line.slice(0, at).trim(), new Parser(line.slice(at + 5)).alt(null));
  }
  for (const [name, alt] of rules) {
    const check = (a: Alt) =>
      a.forEach((seq) =>
        seq.forEach(({ atom }) => {
          if (atom.k === 'ref' && !rules.has(atom.name)) throw new Error(`rule ${name} uses undefined rule ${atom.name}`);
          if (atom.k === 'group') check(atom.alt);
        }),
      );
    check(alt);
  }

  const accepts = (text: string): boolean => {
    const memo = new Map<string, Set<number>>();
    const matchAtom = (a: Atom, p: number): Set<number> => {
      switch (a.k) {
        case 'lit':
          return text.startsWith(a.s, p) ? new Set([p + a.s.length]) : new Set();
        case 'cls': {
          const cp = text.codePointAt(p);
          if (cp === undefined) return new Set();
          const inside = a.ranges.some(([lo, hi]) => cp >= lo && cp <= hi);
          return inside !== a.neg ? new Set([p + String.fromCodePoint(cp).length]) : new Set();
        }
        case 'ref': {
          const key = `${a.name}:${p}`;
          const hit = memo.get(key);
          if (hit) return hit;
          memo.set(key, new Set()); // no left recursion in these grammars; guards anyway
          const out = matchAlt(rules.get(a.name)!, p);
          memo.set(key, out);
          return out;
        }
        case 'group':
          return matchAlt(a.alt, p);
      }
    };
    const closure = (a: Atom, starts: Set<number>): Set<number> => {
      const out = new Set(starts);
      const queue = [...starts];
      while (queue.length) {
        const q = queue.pop()!;
        for (const r of matchAtom(a, q)) if (!out.has(r)) (out.add(r), queue.push(r));
      }
      return out;
    };
    const matchItem = (it: Item, p: number): Set<number> => {
      if (it.rep === '') return matchAtom(it.atom, p);
      if (it.rep === '?') return new Set([p, ...matchAtom(it.atom, p)]);
      if (it.rep === '*') return closure(it.atom, new Set([p]));
      return closure(it.atom, matchAtom(it.atom, p));
    };
    const matchAlt = (alt: Alt, p: number): Set<number> => {
      const out = new Set<number>();
      for (const seq of alt) {
        let ps = new Set([p]);
        for (const it of seq) {
          const next = new Set<number>();
          for (const q of ps) for (const r of matchItem(it, q)) next.add(r);
          ps = next;
          if (ps.size === 0) break;
        }
        for (const q of ps) out.add(q);
      }
      return out;
    };
    return matchAlt(rules.get('root')!, 0).has(text.length);
  };
  return { rules, accepts };
}
