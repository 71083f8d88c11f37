/**
 * The store's YAML reader on run-state and template text, checked against the `yaml` library (the
 * reference): same data for every prefix (truncation) and for seeded random edits, an error exactly
 * when the library errors. Guards any fast path the store takes for the files this tool writes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { UnreadableFileError } from '../../src/errors.js';
import { parseYamlText, toYaml } from '../../src/store/yaml-file.js';
import { PRESETS_DIR } from '../../src/workflow/presets.js';
import { parseRunState, serializeRunState } from '../../src/workflow/run-state.js';
import type { RunState } from '../../src/workflow/schema.js';

const GO = fileURLToPath(new URL('../fixtures/go/', import.meta.url));

/** What the library makes of `text`: `{ data }`, or `{ error }` when it reports a problem. */
function reference(text: string): { data?: unknown; error?: true } {
  if (text.trim() === '') return { error: true }; // the store refuses empty files on purpose
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) return { error: true };
  try {
    return { data: doc.toJS({ maxAliasCount: 100 }) };
  } catch {
    return { error: true };
  }
}

function ours(text: string): { data?: unknown; error?: true } {
  try {
    return { data: parseYamlText('x.yaml', text).data };
  } catch (err) {
    expect(err).toBeInstanceOf(UnreadableFileError);
    return { error: true };
  }
}

/** A long run-state with loops, history and awkward summaries, as this tool writes it. */
function bigRunState(): string {
  const log: RunState['decision_log'] = [];
  const summaries = ['done', 'a: b', '42', 'yes', '', '中文', "it's", 'say "hi"', '#1', '- x', '2026-03-13', 'x  y', ' lead', 'trail '];
  for (let i = 0; i < summaries.length; i++) {
    log.push({ timestamp: '2026-03-13T15:30:00Z', node: i % 2 ? 'qa_verify' : 'dev_fix', action: 'complete', outcome: i % 2 ? 'failed' : undefined, next_node: 'dev_fix', summary: summaries[i % summaries.length] });
  }
  return serializeRunState({
    version: 1,
    run_id: 'r1',
    workflow_file: '.agents/workflow/feat.yaml',
    workflow_name: 'feat',
    status: 'waiting_confirmation',
    current_node: 'qa_verify',
    pending_confirmation: 'qa_verify',
    blocking_reason: 'needs: review',
    role_worker_map: { dev: 'dev-001', qa: 'qa-001' },
    node_states: {
      qa_verify: { status: 'waiting', visits: 3, history: [{ status: 'completed', outcome: 'failed', summary: 'x: y' }, { status: 'completed', outcome: 'failed' }] },
      dev_fix: { status: 'completed', visits: 2, worker: '007' },
    },
    decision_log: log,
    created_at: '2026-03-13T15:30:00Z',
    updated_at: '2026-03-13T15:30:00Z',
  });
}

const CORPUS: [string, string][] = [
  ...readdirSync(GO)
    .filter((f) => f.endsWith('.yaml'))
    .map((f): [string, string] => [`go/${f}`, readFileSync(join(GO, f), 'utf8')]),
  ...readdirSync(PRESETS_DIR).map((f): [string, string] => [`presets/${f}`, readFileSync(join(PRESETS_DIR, f), 'utf8')]),
  ['generated run-state', bigRunState()],
];

/** A small seeded PRNG (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('parseYamlText agrees with the yaml library', () => {
  it.each(CORPUS)('%s: whole file', (_name, text) => {
    expect(ours(text)).toEqual(reference(text));
  });

  it.each(CORPUS)('%s: every truncation', (_name, text) => {
    const mismatches: string[] = [];
    for (let n = 0; n < text.length; n++) {
      const cut = text.slice(0, n);
      const a = ours(cut);
      const b = reference(cut);
      if (JSON.stringify(a) !== JSON.stringify(b)) mismatches.push(`cut at ${n}: ours ${JSON.stringify(a).slice(0, 120)} library ${JSON.stringify(b).slice(0, 120)}`);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it.each(CORPUS)('%s: 400 seeded random edits', (name, text) => {
    const random = rng(name.length * 7919 + text.length);
    const pieces = [':', ' ', '  ', '\n', '-', '- ', '"', "'", '#', ' #', '{', '}', '[', ']', '\t', '\r\n', 'x', '0', '|', '>', '&a', '*a', '!', '?', ',', '\\', '%', '@', '`', 'null', '~', '1e3', '0x1F', '.5', 'true'];
    const mismatches: string[] = [];
    for (let i = 0; i < 400; i++) {
      const at = Math.floor(random() * text.length);
      const piece = pieces[Math.floor(random() * pieces.length)] as string;
      const del = Math.floor(random() * 3);
      const edited = text.slice(0, at) + piece + text.slice(at + del);
      const a = ours(edited);
      const b = reference(edited);
      if (JSON.stringify(a) !== JSON.stringify(b)) mismatches.push(`insert ${JSON.stringify(piece)} at ${at} (delete ${del}): ours ${JSON.stringify(a).slice(0, 100)} library ${JSON.stringify(b).slice(0, 100)}`);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });
});

describe('toYaml round trips', () => {
  it.each(CORPUS)('%s: data → toYaml → parse gives the same data, in the 4-space layout', (_name, text) => {
    const data = reference(text).data;
    const written = toYaml(data);
    expect(reference(written).data).toEqual(data);
    expect(written).not.toMatch(/^ {1,3}\S/m);
  });

  it('a generated run-state re-reads as the same run-state', () => {
    const text = bigRunState();
    const state = parseRunState('x.yaml', text);
    expect(serializeRunState(state)).toBe(text);
  });
});
