/**
 * A fast path for the block-style YAML that this tool and Go's yaml.v3 write (run-states of 10,000
 * decision-log entries, worker configs, templates): a reader and a writer for that subset, ~20–40×
 * faster than the general `yaml` library. Both give up (return undefined / throw {@link NotSimple})
 * on anything outside the subset, and `yaml-file.ts` then uses the `yaml` library, so results are
 * always the library's: the reader yields exactly `parseDocument(text).toJS()`, the writer exactly
 * `toYaml()`'s library output (test/store/yaml-fast.test.ts checks both on generated documents).
 *
 * Reader subset: `key: value` maps and `- item` sequences by indentation (spaces only), plain,
 * "double" (simple escapes) and 'single' quoted one-line scalars, `{}` / `[]`, comment lines and
 * trailing ` # comments`. Not handled (library instead): flow collections with content, block
 * scalars (`|`, `>`), anchors, aliases, tags, directives, documents markers, multi-line scalars,
 * tabs, CR line ends, quoted or unusual keys, duplicate keys, numbers other than small integers.
 */

/** Thrown inside the writer when the data needs the general library. */
export class NotSimple extends Error {}

// ---------------------------------------------------------------------------------------------------
// reader

interface Line {
  indent: number;
  /** The line without its indentation (trailing spaces kept; comments are stripped by the scalar reader). */
  text: string;
}

/** Core-schema (YAML 1.2) plain scalars that are not strings: all of them send us to the library except small ints, bools and null. */
const CORE_NULL = /^(?:~|null|Null|NULL)$/;
const CORE_TRUE = /^(?:true|True|TRUE)$/;
const CORE_FALSE = /^(?:false|False|FALSE)$/;
const SMALL_INT = /^(?:0|-?[1-9][0-9]{0,14})$/;
const CORE_NUMBER = /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
/** Keys we read ourselves: letters, digits, `_ . / -`, not starting with `-`, and not a core-schema non-string. */
const KEY = /^([A-Za-z0-9_./][A-Za-z0-9_./-]*):(?: +|$)/;
/** A first character that makes a plain scalar something else (indicator) or that we leave to the library. */
const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`]/;

/** Tabs, CR, control characters, BOM and Unicode line breaks: the library knows their rules. */
// eslint-disable-next-line no-control-regex
const UNUSUAL = /[\x00-\x09\x0b-\x1f\x7f\u0085\u2028\u2029\ufeff]/;

class Bail extends Error {}

/**
 * Parses `text` when it is entirely in the subset described above; returns `{ value }` with exactly
 * what the `yaml` library's `toJS()` would give, or undefined to mean "use the library".
 */
export function parseSimpleYaml(text: string): { value: unknown } | undefined {
  if (UNUSUAL.test(text)) return undefined;
  const lines: Line[] = [];
  for (const raw of text.split('\n')) {
    let indent = 0;
    while (raw.charCodeAt(indent) === 32) indent++;
    const rest = raw.slice(indent);
    if (rest === '' || rest.startsWith('#')) continue;
    if (indent === 0 && (rest.startsWith('---') || rest.startsWith('...') || rest.startsWith('%'))) return undefined;
    lines.push({ indent, text: rest });
  }
  const first = lines[0];
  if (!first || first.indent !== 0) return undefined;
  const state = { lines, i: 0 };
  try {
    const value = isSeqItem(first.text) ? readSeq(state, 0) : KEY.test(first.text) ? readMap(state, 0) : undefined;
    if (value === undefined || state.i !== lines.length) return undefined;
    return { value };
  } catch (err) {
    if (err instanceof Bail) return undefined;
    throw err;
  }
}

interface State {
  lines: Line[];
  i: number;
}

function isSeqItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

function readMap(state: State, indent: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (;;) {
    const line = state.lines[state.i];
    if (!line || line.indent < indent) return out;
    if (line.indent > indent || isSeqItem(line.text)) throw new Bail();
    const m = KEY.exec(line.text);
    if (!m) throw new Bail();
    const key = m[1] as string;
    if (key === '__proto__' || CORE_NULL.test(key) || CORE_TRUE.test(key) || CORE_FALSE.test(key) || CORE_NUMBER.test(key) || Object.hasOwn(out, key)) throw new Bail();
    const rest = line.text.slice(m[0].length);
    state.i++;
    out[key] = readValue(state, indent, rest, true);
  }
}

function readSeq(state: State, indent: number): unknown[] {
  const out: unknown[] = [];
  for (;;) {
    const line = state.lines[state.i];
    if (!line || line.indent < indent) return out;
    if (line.indent > indent || !isSeqItem(line.text)) throw new Bail();
    let offset = 1;
    while (line.text.charCodeAt(offset) === 32) offset++;
    const rest = line.text.slice(offset);
    if (rest !== '' && !rest.startsWith('#') && KEY.test(rest)) {
      // `- key: value` starts a map whose keys sit at the column of `key`
      line.indent += offset;
      line.text = rest;
      out.push(readMap(state, line.indent));
    } else {
      state.i++;
      out.push(readValue(state, indent, rest, false));
    }
  }
}

/**
 * The value after `key:` or `- ` (`rest`, possibly empty) on a line at `indent`; nested blocks come
 * from the following lines. `inMap`: a map value may be a sequence at the key's own indentation.
 */
function readValue(state: State, indent: number, rest: string, inMap: boolean): unknown {
  if (rest === '' || rest.startsWith('#')) {
    const next = state.lines[state.i];
    if (next && next.indent > indent) return isSeqItem(next.text) ? readSeq(state, next.indent) : KEY.test(next.text) ? readMap(state, next.indent) : bail();
    if (inMap && next && next.indent === indent && isSeqItem(next.text)) return readSeq(state, indent);
    return null;
  }
  const value = readScalar(rest);
  const next = state.lines[state.i];
  if (next && next.indent > indent) throw new Bail(); // a multi-line scalar or a structure error
  return value;
}

function bail(): never {
  throw new Bail();
}

/** One scalar on one line (after the indicator), with an optional trailing comment. */
function readScalar(rest: string): unknown {
  const c = rest[0];
  if (c === '"') return afterQuoted(rest, readDoubleQuoted(rest));
  if (c === "'") return afterQuoted(rest, readSingleQuoted(rest));
  if (rest.startsWith('{}') || rest.startsWith('[]')) {
    checkTail(rest.slice(2));
    return c === '{' ? {} : [];
  }
  if (INDICATOR.test(rest)) throw new Bail();
  const end = rest.indexOf(' #');
  const plain = (end === -1 ? rest : rest.slice(0, end)).trimEnd();
  if (plain.includes(': ') || plain.endsWith(':')) throw new Bail();
  if (CORE_NULL.test(plain)) return null;
  if (CORE_TRUE.test(plain)) return true;
  if (CORE_FALSE.test(plain)) return false;
  if (SMALL_INT.test(plain)) return Number(plain);
  if (CORE_NUMBER.test(plain)) throw new Bail();
  return plain;
}

function afterQuoted(rest: string, read: { value: string; end: number }): string {
  checkTail(rest.slice(read.end));
  return read.value;
}

/** After a closed quote or `{}`: nothing, or spaces and a comment. */
function checkTail(tail: string): void {
  const t = tail.trimStart();
  if (t === '') return;
  if (t.startsWith('#') && tail !== t) return;
  throw new Bail();
}

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', f: '\f', e: '\u001b', a: '\u0007', v: '\u000b', ' ': ' ', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029' };

function readDoubleQuoted(s: string): { value: string; end: number } {
  let out = '';
  let i = 1;
  for (;;) {
    const close = s.indexOf('"', i);
    const slash = s.indexOf('\\', i);
    if (close === -1) throw new Bail(); // continues on the next line
    if (slash === -1 || slash > close) {
      out += s.slice(i, close);
      return { value: out, end: close + 1 };
    }
    out += s.slice(i, slash);
    const e = s[slash + 1] as string;
    if (e === 'u' || e === 'x' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = s.slice(slash + 2, slash + 2 + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new Bail();
      const code = Number.parseInt(hex, 16);
      if (code > 0x10ffff) throw new Bail();
      out += String.fromCodePoint(code);
      i = slash + 2 + len;
    } else {
      const rep = ESCAPES[e];
      if (rep === undefined) throw new Bail();
      out += rep;
      i = slash + 2;
    }
  }
}

function readSingleQuoted(s: string): { value: string; end: number } {
  let out = '';
  let i = 1;
  for (;;) {
    const q = s.indexOf("'", i);
    if (q === -1) throw new Bail();
    out += s.slice(i, q);
    if (s[q + 1] === "'") {
      out += "'";
      i = q + 2;
    } else {
      return { value: out, end: q + 1 };
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// writer

/** Strings written plain without asking the library: safe characters, not read back as another type. */
const PLAIN_SAFE = /^[A-Za-z0-9_/][A-Za-z0-9_ ./()-]*$/;

/**
 * Serializes plain data in the yaml library's block layout with 4-space indentation (see `toYaml`).
 * `scalar(s)` renders a string that is not plain-safe (the library's choice for that one scalar) and
 * `quoted(s)` tells whether a string must be double-quoted (Go timestamps). Throws {@link NotSimple}
 * for anything the layout rules here do not cover: the caller then serializes the whole document
 * with the library.
 */
export function stringifySimpleYaml(data: unknown, quoted: (s: string) => boolean, scalar: (s: string) => string): string {
  const out: string[] = [];
  const str = (s: string, key: boolean): string => {
    if (quoted(s)) return `"${s}"`;
    if (PLAIN_SAFE.test(s) && !s.endsWith(' ') && !CORE_NULL.test(s) && !CORE_TRUE.test(s) && !CORE_FALSE.test(s) && !CORE_NUMBER.test(s)) return s;
    if (key || s.includes('\n')) throw new NotSimple();
    const r = scalar(s);
    if (r.includes('\n')) throw new NotSimple();
    return r;
  };
  const leaf = (v: unknown): string | undefined => {
    if (v === null) return 'null';
    if (typeof v === 'string') return str(v, false);
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v) || Object.is(v, -0)) throw new NotSimple();
      return String(v);
    }
    if (Array.isArray(v)) return v.length === 0 ? '[]' : undefined;
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      for (const k in v) if ((v as Record<string, unknown>)[k] !== undefined) return undefined;
      return '{}';
    }
    throw new NotSimple(); // undefined, bigint, Date, class instances, functions…
  };
  /** Writes map `m` whose first line starts after `head` (e.g. `    - `) and the rest at `pad`. */
  const map = (m: Record<string, unknown>, head: string, pad: string): void => {
    let first = true;
    for (const k of Object.keys(m)) {
      const v = m[k];
      if (v === undefined) continue;
      const prefix = first ? head : pad;
      first = false;
      if (k.length > 1000) throw new NotSimple(); // the library writes long keys as `? key`
      const key = str(k, true);
      const l = leaf(v);
      if (l !== undefined) out.push(`${prefix}${key}: ${l}`);
      else {
        out.push(`${prefix}${key}:`);
        block(v, `${pad}    `);
      }
    }
  };
  const seq = (a: unknown[], head: string, pad: string): void => {
    a.forEach((v, i) => {
      const prefix = i === 0 ? head : pad;
      const l = leaf(v);
      if (l !== undefined) out.push(`${prefix}- ${l}`);
      else if (Array.isArray(v)) seq(v, `${prefix}- `, `${pad}  `);
      else map(v as Record<string, unknown>, `${prefix}- `, `${pad}  `);
    });
  };
  /** A non-empty map or sequence as the value of a key, all lines at `pad`. */
  const block = (v: unknown, pad: string): void => {
    if (Array.isArray(v)) seq(v, pad, pad);
    else map(v as Record<string, unknown>, pad, pad);
  };
  const top = leaf(data);
  if (top !== undefined) throw new NotSimple(); // a lone scalar or an empty document: rare, library
  block(data, '');
  return `${out.join('\n')}\n`;
}
