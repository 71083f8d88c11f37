/**
 * YAML files, with two libraries for two jobs:
 * - `js-yaml` reads every file into plain data and writes run-states: ~10× faster than `yaml` on large
 *   files (a run with a 10,000-entry decision_log parses in ~50 ms instead of ~500 ms).
 * - `yaml` (eemeli) gives a document with source positions, built only when a message needs
 *   `file:line:col` (validation problems, syntax errors), and writes templates and configs the way Go's
 *   yaml.v3 lays them out (4-space indentation).
 * Both read YAML 1.2's core schema, so timestamps stay strings.
 */
import jsYaml from 'js-yaml';
import { Document, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar, visit, type Node } from 'yaml';
import { UnreadableFileError } from '../errors.js';
import { readFileBounded, SIZE_LIMIT } from './read-file.js';

/** A parsed YAML file: its text, its document (with node ranges), a line counter and the plain data. */
export interface LoadedYaml {
  /** Path as given by the caller (used in every message). */
  path: string;
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** The document as plain JS values (maps → objects, sequences → arrays). */
  data: unknown;
}

/** A 1-based line and column in a file. */
export interface Position {
  line: number;
  col: number;
}

/**
 * Something that may be a YAML anchor (`&name` after a line start, space, `[`, `{`, `,`, `:` or `-`).
 * js-yaml (the fast parser) has no alias limit, so a text with an anchor is read by the `yaml` library
 * with {@link MAX_ALIAS_COUNT}; agent-team and the Go version never write anchors, so this costs nothing
 * on their files (a false match, e.g. `R &D`, only takes the slower parser).
 */
const ANCHOR = /(?:^|[\s[{,:-])&[^\s[\]{},]/m;
/** Most aliased nodes one document may expand (the `yaml` library's own default; 1 KB alias bombs exceed it). */
const MAX_ALIAS_COUNT = 100;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads and parses one YAML config file (at most {@link SIZE_LIMIT}.config bytes; `what` names it in messages).
 * Throws {@link UnreadableFileError} (exit 2) when the file is missing, not a regular file, too large, empty, binary,
 * not valid UTF-8, or not valid YAML; the message names the file and the first problem with line:col.
 */
export function readYamlFile(path: string, what = 'config'): LoadedYaml {
  return parseYamlText(path, readFileBounded(path, { limit: SIZE_LIMIT.config, what }).bytes);
}

/** Decodes file bytes as UTF-8 text; UnreadableFileError (exit 2) for binary, non-UTF-8 or empty files. */
function decodeText(path: string, bytes: Uint8Array | string): string {
  let text: string;
  if (typeof bytes === 'string') {
    text = bytes;
  } else {
    if (bytes.includes(0)) throw new UnreadableFileError(path, 'is a binary file (contains NUL bytes), not YAML');
    try {
      text = utf8.decode(bytes);
    } catch {
      throw new UnreadableFileError(path, 'is not valid UTF-8 text, so it cannot be YAML');
    }
  }
  if (text.trim() === '') throw new UnreadableFileError(path, 'file is empty');
  return text;
}

/**
 * Parses bytes already read from `path`; same errors as {@link readYamlFile}. The data comes from
 * `js-yaml` (fast); the `yaml` document with positions is built only when `doc`/`lineCounter` are read
 * (validation messages) or when js-yaml reports an error (the `yaml` library's message has the better
 * position).
 */
export function parseYamlText(path: string, bytes: Uint8Array | string): LoadedYaml {
  const text = decodeText(path, bytes);
  if (ANCHOR.test(text)) return parseYamlDocument(path, text); // alias-limited
  let data: unknown;
  try {
    data = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, filename: path });
  } catch (err) {
    positionsOf(path, text); // throws the yaml library's error when it sees one too
    throw jsYamlError(path, err);
  }
  let full: Pick<LoadedYaml, 'doc' | 'lineCounter'> | undefined;
  const withPositions = () => (full ??= positionsOf(path, text));
  return {
    path,
    text,
    data,
    get doc() {
      return withPositions().doc;
    },
    get lineCounter() {
      return withPositions().lineCounter;
    },
  };
}

function jsYamlError(path: string, err: unknown): UnreadableFileError {
  const e = err as { reason?: string; mark?: { line: number; column: number }; message: string };
  const at = e.mark ? ` at ${e.mark.line + 1}:${e.mark.column + 1}` : '';
  return new UnreadableFileError(path, `invalid YAML${at}: ${e.reason ?? e.message.split('\n')[0]}`, {
    details: e.mark ? { line: e.mark.line + 1, col: e.mark.column + 1 } : undefined,
  });
}

/**
 * Parses bytes read from `path` into plain data without positions (`js-yaml`, core schema, duplicate
 * keys refused): the fast path for run-states. Same errors as {@link readYamlFile}.
 */
export function parseYamlData(path: string, bytes: Uint8Array | string): unknown {
  const text = decodeText(path, bytes);
  if (ANCHOR.test(text)) return parseYamlDocument(path, text).data; // alias-limited
  try {
    return jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, filename: path });
  } catch (err) {
    throw jsYamlError(path, err);
  }
}

/**
 * The document with source positions (the `yaml` library) of a text js-yaml has already read: the nodes and
 * their ranges only, not the data again (`toJS` was about a quarter of the time, profiled on `validate <preset>`).
 * Throws like {@link readYamlFile} on a YAML error.
 */
function positionsOf(path: string, text: string): Pick<LoadedYaml, 'doc' | 'lineCounter'> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const pos = lineCounter.linePos(first.pos[0]);
    const message = first.message.split('\n')[0];
    throw new UnreadableFileError(path, `invalid YAML at ${pos.line}:${pos.col}: ${message}`, {
      details: { line: pos.line, col: pos.col },
    });
  }
  return { doc, lineCounter };
}

/** The general parser (the `yaml` library), with positions, for texts with anchors. Same errors as {@link readYamlFile}. */
function parseYamlDocument(path: string, text: string): LoadedYaml {
  const { doc, lineCounter } = positionsOf(path, text);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const message = (err as Error).message;
    if (/alias/i.test(message)) {
      throw new UnreadableFileError(path, `uses YAML aliases that expand too far (more than ${MAX_ALIAS_COUNT} aliased nodes); refused as a resource-exhaustion attack (an "alias bomb")`, {
        code: 'yaml_alias_limit',
        hint: `write the values out instead of using &anchors and *aliases in ${path}`,
      });
    }
    throw new UnreadableFileError(path, `invalid YAML: ${message}`);
  }
  return { path, text, doc, lineCounter, data };
}

/**
 * Where the value (or, with `key: true`, the key) at `path` starts, e.g. `['nodes', 3, 'task']`.
 * Falls back to the nearest existing ancestor, and to 1:1 for the document itself.
 */
export function locate(loaded: Pick<LoadedYaml, 'doc' | 'lineCounter'>, path: readonly (string | number)[], options: { key?: boolean } = {}): Position {
  let node: unknown = loaded.doc.contents;
  let best: Node | null = (node as Node | null) ?? null;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      if (last && options.key && isScalar(pair.key)) {
        best = pair.key;
        break;
      }
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else {
      break;
    }
    if (node && typeof node === 'object' && 'range' in node && (node as Node).range) best = node as Node;
    else break;
  }
  const offset = best?.range?.[0] ?? 0;
  const pos = loaded.lineCounter.linePos(offset);
  return { line: pos.line, col: pos.col };
}

/** Strings that yaml.v3 would otherwise read as another type (timestamps), so it double-quotes them. */
const GO_QUOTED = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Serializes plain data as YAML the way Go's yaml.v3 encoder lays it out: 4-space indentation, no line
 * folding, block style, timestamp-like strings double-quoted. Key order is the object's insertion order.
 */
export function toYaml(data: unknown): string {
  const doc = new Document(data);
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && GO_QUOTED.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ indent: 4, lineWidth: 0, minContentWidth: 0 });
}

/**
 * Serializes plain data quickly (`js-yaml`): 2-space indentation, block style, no folding, strings that
 * would read back as another type (numbers, booleans, timestamps) double-quoted — readable by Go's
 * yaml.v3 and by {@link parseYamlData}. For run-states, which can hold tens of thousands of entries.
 */
export function toYamlFast(data: unknown): string {
  return jsYaml.dump(data, { indent: 2, lineWidth: -1, noRefs: true, quotingType: '"', sortKeys: false });
}
