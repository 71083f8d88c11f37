/**
 * The fast path of `parseYamlData` (src/store/yaml-file.ts): a reader for the block-style YAML that
 * agent-team (src/store/yaml-emit.ts) and the Go version's yaml.v3 write for run-states — nested block
 * mappings and sequences (compact ones too: `- key: v`, `- - v`), one `key: value` or `- value` per line, plain words, decimal integers, `true`,
 * `false`, `null`, `{}`, `[]`, double-quoted strings without escapes and literal blocks (`|`, `|-`, `|+`). It returns what js-yaml's `load`
 * with the core schema returns for such a text, or undefined as soon as a line leaves that subset
 * (comments, blank lines, tabs, flow collections, folded scalars, escapes, anchors, tags, a duplicate
 * key, a value js-yaml would read as another type, ...): the caller then hands the whole text to js-yaml,
 * whose answer (and error message) decides. So it never accepts what js-yaml refuses.
 *
 * Why: reading the 1.4 MB, 10,000-entry run-state of the large-run bench costs js-yaml ~100 ms CPU and
 * this reader ~45 ms (one cold pass each, in a fresh process, min of 7, 2026-11-30 on a loaded 2-core
 * machine; warm: ~11 ms), most of the rest being the garbage collector moving the data both build
 * (bench/README.md). test/store/yaml-read.test.ts compares both on generated run-states in both layouts
 * and on thousands of mutated texts.
 */

/** Thrown inside the reader when a line leaves the subset; caught in {@link readBlockYaml}. */
class Unsupported extends Error {}

// Every pattern is sticky (`y`): tried at a position of the whole text, and a match counts only when it
// ends where the line ends (checked by the caller), so no line is copied to be tested.

/** `key:` (its colon included); keys are plain words (js-yaml would turn other keys into other types, or into `__proto__`). */
const KEY = /[A-Za-z_][A-Za-z0-9_./-]*:/y;
/**
 * Plain strings no core-schema type claims: the class src/store/yaml-emit.ts writes unquoted, plus `:`
 * when a non-space follows (`sha256:…`; `: ` would start a mapping), and a leading `.` before a letter
 * (`.agents/…`; of those only `.inf` and `.nan` spellings are floats).
 */
const PLAIN = /(?:[A-Za-z_]|\.[A-Za-z_./])(?:[A-Za-z0-9_./() -]|:(?=[^ \n]))*/y;
/**
 * Plain text starting with a digit and holding a character no integer or float can hold (ints: sign,
 * digits, `_`, `0b`/`0o`/`0x` and hex digits; floats: digits, `_ . e E` and a sign), e.g. a run id
 * `20260101-000000-big`: a string for the core schema. Dates and times stay with js-yaml.
 */
const DIGIT_WORD = /[0-9][A-Za-z0-9_./() -]*[g-np-wyzG-Z/()][A-Za-z0-9_./() -]*/y;
/** Decimal integers that are exact as JS numbers (no `-0`, `+1`, `0x…`, `1_000`: those go to js-yaml). */
const INT = /(?:0|-?[1-9][0-9]{0,14})/y;
/** A double-quoted string that holds no escape, no quote and only printable characters. */
const QUOTED = /"[^"\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]*"/y;
/** Plain words the core schema reads as null, a boolean or a float in a spelling this reader does not map. */
const OTHER_TYPES = new Set(['Null', 'NULL', 'True', 'TRUE', 'False', 'FALSE', '.inf', '.Inf', '.INF', '.nan', '.NaN', '.NAN']);
/** What js-yaml refuses in a text ("the stream contains non-printable characters"; its loader's PATTERN_NON_PRINTABLE). */
const NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;
/** Characters that end or break lines for some reader, tabs and byte-order marks: texts with them go to js-yaml. */
const AWKWARD = /[\r\t\u0085\u2028\u2029\ufeff]/;

/** Whether `pattern` matches `text` from `from` exactly up to `to`. */
function spans(pattern: RegExp, text: string, from: number, to: number): boolean {
  pattern.lastIndex = from;
  return pattern.test(text) && pattern.lastIndex === to;
}

class Reader {
  /** Start of the current line, its end (its line break, or the end of the text), and the column where its content starts. */
  private pos = 0;
  private end = 0;
  private col = 0;

  constructor(private readonly text: string) {
    this.load(0);
  }

  /** The whole text: one block mapping at column 0, every line consumed. */
  document(): Record<string, unknown> {
    const out = this.mapping(0, {});
    if (this.pos < this.text.length) throw new Unsupported();
    return out;
  }

  private load(pos: number): void {
    const text = this.text;
    this.pos = pos;
    if (pos >= text.length) return;
    const end = text.indexOf('\n', pos);
    this.end = end < 0 ? text.length : end;
    let c = pos;
    while (text.charCodeAt(c) === 32) c++;
    this.col = c - pos;
  }

  private more(): boolean {
    return this.pos < this.text.length;
  }

  /** Where the colon of a `key:` / `key: …` at `at` on the current line is, or -1. */
  private colonAt(at: number): number {
    KEY.lastIndex = at;
    if (!KEY.test(this.text)) return -1;
    const colon = KEY.lastIndex - 1;
    return colon + 1 === this.end || this.text.charCodeAt(colon + 1) === 32 ? colon : -1;
  }

  /** The pairs of a block mapping whose keys sit at column `indent`, added to `into`. */
  private mapping(indent: number, into: Record<string, unknown>): Record<string, unknown> {
    const text = this.text;
    while (this.more()) {
      if (this.col < indent) break;
      if (this.col > indent) throw new Unsupported();
      const start = this.pos + indent;
      const colon = this.colonAt(start);
      if (colon < 0) throw new Unsupported();
      const key = text.slice(start, colon);
      // js-yaml refuses duplicates, and turns `NULL`, `True`… keys into `null`, `true`…
      if (key === '__proto__' || OTHER_TYPES.has(key) || Object.prototype.hasOwnProperty.call(into, key)) throw new Unsupported();
      if (colon + 1 === this.end) {
        this.load(this.end + 1);
        into[key] = this.nested(indent);
      } else {
        if (colon + 2 >= this.end) throw new Unsupported(); // `key: ` and nothing
        into[key] = this.value(colon + 2, indent);
      }
    }
    return into;
  }

  /** The block under a `key:` at column `indent`: a mapping or a sequence indented deeper. */
  private nested(indent: number): unknown {
    if (!this.more() || this.col <= indent) throw new Unsupported(); // `key:` alone is null; rare, js-yaml reads it
    return this.block(this.col);
  }

  /** The mapping or sequence whose first line is the current one, at column `indent`. */
  private block(indent: number): unknown {
    const at = this.pos + indent;
    return this.text.charCodeAt(at) === 45 && this.text.charCodeAt(at + 1) === 32 ? this.sequence(indent) : this.mapping(indent, {});
  }

  /** The items of a block sequence whose dashes sit at column `indent`. */
  private sequence(indent: number): unknown[] {
    const text = this.text;
    const out: unknown[] = [];
    while (this.more()) {
      if (this.col < indent) break;
      const dash = this.pos + indent;
      if (this.col > indent || text.charCodeAt(dash) !== 45 || text.charCodeAt(dash + 1) !== 32 || dash + 2 >= this.end) throw new Unsupported();
      const item = dash + 2;
      if ((text.charCodeAt(item) === 45 && text.charCodeAt(item + 1) === 32) || this.colonAt(item) >= 0) {
        // `- key: value` opens a mapping (`- - v` a sequence) that starts two columns right of the dash
        this.col = indent + 2;
        out.push(this.block(indent + 2));
      } else {
        out.push(this.value(item, indent));
      }
    }
    return out;
  }

  /**
   * The scalar that starts at `from` on the current line, under a key or dash at column `parent`: a
   * one-line scalar, or a literal block (`|`, `|-`, `|+` and indented lines); advances past it.
   */
  private value(from: number, parent: number): unknown {
    const end = this.end;
    const text = this.text;
    if (text.charCodeAt(from) !== 124) {
      const v = this.scalar(from, end);
      this.load(end + 1);
      return v;
    }
    const chomp = end - from === 1 ? '' : end - from === 2 ? text[from + 1] : 'other';
    if (chomp !== '' && chomp !== '-' && chomp !== '+') throw new Unsupported(); // an indentation indicator, a comment…
    return this.literal(parent, chomp);
  }

  /**
   * The lines of a literal block scalar after its `|` header (the current line), whose parent sits at
   * column `parent`: YAML's rules for a block whose first line holds text (its indentation sets the
   * block's), with empty lines (no spaces at all) between or after lines; anything else goes to js-yaml.
   */
  private literal(parent: number, chomp: string): string {
    const text = this.text;
    this.load(this.end + 1);
    if (!this.more() || this.pos + this.col >= this.end || this.col <= parent) throw new Unsupported();
    const indent = this.col;
    let body = '';
    let empty = 0; // empty lines since the last line with text
    let first = true;
    while (this.more()) {
      if (this.pos === this.end) {
        empty++;
      } else if (this.pos + this.col === this.end) {
        throw new Unsupported(); // a line of spaces only: YAML's rules for it depend on their number
      } else if (this.col < indent) {
        break;
      } else {
        body += `${first ? '' : '\n'}${'\n'.repeat(empty)}${text.slice(this.pos + indent, this.end)}`;
        first = false;
        empty = 0;
      }
      this.load(this.end + 1);
    }
    if (NON_PRINTABLE.test(body)) throw new Unsupported();
    if (chomp === '-') return body;
    return chomp === '+' ? `${body}\n${'\n'.repeat(empty)}` : `${body}\n`;
  }

  /** The value of the one-line scalar from `from` to `to`, as the core schema reads it. */
  private scalar(from: number, to: number): unknown {
    const text = this.text;
    const last = text.charCodeAt(to - 1);
    if (spans(PLAIN, text, from, to)) {
      if (last === 32) throw new Unsupported();
      const value = text.slice(from, to);
      if (to - from <= 5) {
        if (value === 'true') return true;
        if (value === 'false') return false;
        if (value === 'null') return null;
        if (OTHER_TYPES.has(value)) throw new Unsupported();
      }
      return value;
    }
    if (spans(QUOTED, text, from, to)) return text.slice(from + 1, to - 1);
    if (spans(INT, text, from, to)) return Number(text.slice(from, to));
    if (spans(DIGIT_WORD, text, from, to) && last !== 32) return text.slice(from, to);
    if (to - from === 2 && last === 125 && text.charCodeAt(from) === 123) return {};
    if (to - from === 2 && last === 93 && text.charCodeAt(from) === 91) return [];
    throw new Unsupported();
  }
}

/**
 * What js-yaml's `load(text, { schema: CORE_SCHEMA })` returns for `text`, when `text` stays within the
 * subset in the module comment; otherwise undefined (the caller then uses js-yaml). Never throws.
 */
export function readBlockYaml(text: string): Record<string, unknown> | undefined {
  if (text.length === 0 || AWKWARD.test(text)) return undefined;
  try {
    return new Reader(text).document();
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}
