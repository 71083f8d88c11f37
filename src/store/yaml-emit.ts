/**
 * The block-style YAML writer behind `toYamlFast` (src/store/yaml-file.ts): the layout of js-yaml 4's
 * `dump` with `{ indent: 2, lineWidth: -1, noRefs: true, quotingType: '"' }` (lib/dumper.js: writeNode,
 * writeBlockMapping, writeBlockSequence), byte for byte, for the data run-states hold: plain objects,
 * arrays, strings, safe integers, booleans and null. js-yaml still decides every scalar that is not
 * obviously plain or an obvious timestamp (the caller's `dumpString`, once per distinct string; this
 * module imports no YAML library, the rule of yaml-file.ts); anything else (floats, `undefined`, keys
 * over 1,024 characters, other objects) makes {@link emitBlockYaml} return undefined and the caller
 * uses js-yaml's `dump` for the whole document.
 *
 * Why: js-yaml spends ~1 µs choosing the style of each scalar; a 10,000-entry run-state has ~100,000
 * of them, most repeated (keys, node ids, actions). Measured on that run-state (1.4 MB, one cold pass in
 * a fresh process, min of 7, 2026-11-30): `dump` ~85 ms CPU, this writer ~26 ms (~9 ms warm)
 * (bench/README.md). Tests compare both on every shape (test/store/yaml-emit.test.ts).
 */
/** js-yaml's `dump` of one string with the options above: its text and a final line break. */
export type DumpString = (s: string) => string;

/** Thrown inside the writer when the data leaves the shapes it reproduces; caught in {@link emitBlockYaml}. */
class Unsupported extends Error {}

/**
 * Plain-safe strings no core-schema type claims: a letter or `_` first, then letters, digits, `_ . / ( ) -`
 * and spaces, not ending in a space (js-yaml: isPlainSafeFirst/isPlainSafe/isPlainSafeLast; int, float and
 * timestamp all start with a digit, sign or dot). The null and boolean words are checked apart.
 */
const PLAIN = /^[A-Za-z_][A-Za-z0-9_./() -]*$/;
/** Words that read back as null or a boolean (core schema), or that js-yaml quotes for YAML 1.1 readers. */
const QUOTED_WORDS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);
/** The timestamps agent-team and the Go version write: js-yaml's timestamp type claims them, so they are double-quoted. */
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

const newLines: string[] = [];
/** A line break and the indentation of `level` (js-yaml's generateNextLine with indent 2). */
function newLine(level: number): string {
  return (newLines[level] ??= `\n${' '.repeat(2 * level)}`);
}

/** One writer: a memo of js-yaml's renderings of the other strings (a single-line string renders the same at every level and as a key). */
class Emitter {
  private readonly scalars = new Map<string, string>();

  constructor(private readonly dumpString: DumpString) {}

  /** The rendering of a string that holds no line break, as js-yaml writes it in block context. */
  scalar(s: string): string {
    // the common cases without the memo: most values (timestamps, summaries) occur once
    if (PLAIN.test(s) && s.charCodeAt(s.length - 1) !== 32) return s.length <= 5 && QUOTED_WORDS.has(s) ? `"${s}"` : s;
    if (TIMESTAMP.test(s)) return `"${s}"`;
    let out = this.scalars.get(s);
    if (out === undefined) {
      out = s === '' ? '""' : this.dumpString(s).slice(0, -1);
      this.scalars.set(s, out);
    }
    return out;
  }

  /** A string value at `level`: a line break takes js-yaml's literal block style, whose indentation depends on the level. */
  text(s: string, level: number): string {
    if (!s.includes('\n')) return this.scalar(s);
    // js-yaml at level 0 indents block scalars by 2 (indent × max(1, level)); deeper levels add 2 per level
    const top = this.dumpString(s).slice(0, -1);
    if (level <= 1 || (top[0] !== '|' && top[0] !== '>')) return top;
    const extra = ' '.repeat(2 * (level - 1));
    const lines = top.split('\n');
    for (let i = 1; i < lines.length; i++) if (lines[i] !== '') lines[i] = extra + lines[i];
    return lines.join('\n');
  }

  /** js-yaml's writeNode in block context: the dump of `value` at `level`. */
  node(value: unknown, level: number, compact: boolean): string {
    switch (typeof value) {
      case 'string':
        return this.text(value, level);
      case 'number':
        if (!Number.isSafeInteger(value) || Object.is(value, -0)) throw new Unsupported();
        return String(value);
      case 'boolean':
        return value ? 'true' : 'false';
      case 'object':
        if (value === null) return 'null';
        if (Array.isArray(value)) return value.length === 0 ? '[]' : this.sequence(value, level, compact);
        if (Object.getPrototypeOf(value) !== Object.prototype) throw new Unsupported();
        return this.mapping(value as Record<string, unknown>, level, compact);
      default:
        throw new Unsupported();
    }
  }

  private mapping(object: Record<string, unknown>, level: number, compact: boolean): string {
    const keys = Object.keys(object);
    if (keys.length === 0) return '{}';
    const nextLine = newLine(level);
    let out = '';
    for (const key of keys) {
      if (key.includes('\n')) throw new Unsupported();
      const k = this.scalar(key);
      if (k.length > 1024) throw new Unsupported(); // js-yaml writes an explicit `? key`
      const v = this.node(object[key], level + 1, false);
      if (!compact || out !== '') out += nextLine;
      out += v.charCodeAt(0) === 10 ? `${k}:${v}` : `${k}: ${v}`;
    }
    return out;
  }

  private sequence(array: readonly unknown[], level: number, compact: boolean): string {
    const nextLine = newLine(level);
    let out = '';
    for (let i = 0; i < array.length; i++) {
      if (!(i in array)) throw new Unsupported(); // a hole: js-yaml writes null
      const v = this.node(array[i], level + 1, true);
      if (!compact || out !== '') out += nextLine;
      out += v.charCodeAt(0) === 10 ? `-${v}` : `- ${v}`;
    }
    return out;
  }
}

/**
 * js-yaml's `dump(data, { indent: 2, lineWidth: -1, noRefs: true, quotingType: '"' })`, written without
 * its per-scalar work, or undefined when `data` holds something this writer does not reproduce (see the
 * module comment). `dumpString` is that `dump` applied to one string. Throws only what `dumpString` throws
 * (and a RangeError for data nested deeper than the stack, as js-yaml would).
 */
export function emitBlockYaml(data: unknown, dumpString: DumpString): string | undefined {
  try {
    return `${new Emitter(dumpString).node(data, 0, true)}\n`;
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}
