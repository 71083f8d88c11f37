/**
 * Reading YAML files with source positions, and writing them the way Go's yaml.v3 does (4-space
 * indentation), so files round-trip between this tool and the Go `agent-team`.
 */
import { readFileSync } from 'node:fs';
import { Document, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar, visit, type Node } from 'yaml';
import { UnreadableFileError } from '../errors.js';
import { NotSimple, parseSimpleYaml, stringifySimpleYaml } from './yaml-fast.js';

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

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads and parses one YAML document.
 * Throws {@link UnreadableFileError} (exit 2) when the file is missing, unreadable, empty, binary,
 * not valid UTF-8, or not valid YAML; the message names the file and the first problem with line:col.
 */
export function readYamlFile(path: string): LoadedYaml {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, not a file' : `cannot read (${code ?? String(err)})`;
    throw new UnreadableFileError(path, problem, { cause: err });
  }
  return parseYamlText(path, bytes);
}

/** Parses bytes already read from `path`; same errors as {@link readYamlFile}. */
export function parseYamlText(path: string, bytes: Uint8Array | string): LoadedYaml {
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
  // Files in the simple block style (all that this tool and Go write) skip the general parser; the
  // document with positions is then built only if someone asks for it (validation messages).
  const simple = parseSimpleYaml(text);
  if (simple) {
    let full: LoadedYaml | undefined;
    const parsed = () => (full ??= parseYamlDocument(path, text));
    return {
      path,
      text,
      data: simple.value,
      get doc() {
        return parsed().doc;
      },
      get lineCounter() {
        return parsed().lineCounter;
      },
    };
  }
  return parseYamlDocument(path, text);
}

/** The general parser (the `yaml` library), with positions. Same errors as {@link readYamlFile}. */
function parseYamlDocument(path: string, text: string): LoadedYaml {
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
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new UnreadableFileError(path, `invalid YAML: ${(err as Error).message}`);
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
  try {
    return stringifySimpleYaml(data, (s) => GO_QUOTED.test(s), scalarYaml);
  } catch (err) {
    if (!(err instanceof NotSimple)) throw err;
  }
  return toYamlWithLibrary(data);
}

/** One string scalar as the library writes it (plain, quoted…), for values the fast writer does not decide. */
function scalarYaml(s: string): string {
  return toYamlWithLibrary(s).replace(/\n$/, '');
}

/** {@link toYaml} by the `yaml` library: the reference the fast writer must match byte for byte. */
export function toYamlWithLibrary(data: unknown): string {
  const doc = new Document(data);
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && GO_QUOTED.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ indent: 4, lineWidth: 0, minContentWidth: 0 });
}
