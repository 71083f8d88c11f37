/**
 * The fast run-state reader (src/store/yaml-read.ts) must return exactly what js-yaml's `load` (core
 * schema) returns — same values, same types, same key order — or give up, never accept a text js-yaml
 * refuses. Checked on run-states in agent-team's layout and in the Go version's (4-space) layout, on
 * delicate strings, and on thousands of texts mutated at random.
 */
import jsYaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { UnreadableFileError } from '../../src/errors.js';
import { parseYamlData, toYaml, toYamlFast } from '../../src/store/yaml-file.js';
import { readBlockYaml } from '../../src/store/yaml-read.js';
import { randomStrings, runState, TRICKY } from './yaml-cases.js';

const load = (text: string): unknown => jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });

/** Values and key order, as JSON (undefined for what JSON cannot say, which these texts never hold). */
const same = (a: unknown, b: unknown): void => {
  expect(a).toEqual(b);
  expect(JSON.stringify(a)).toBe(JSON.stringify(b));
};

/** A run-state in the layout the Go version writes (yaml.v3: 4-space indentation), as the large-run bench generates it. */
function goLayout(entries: number): string {
  const out = ['version: 1', 'run_id: 20260101-000000-big', 'workflow_file: .agents/workflow/big.yaml', 'workflow_name: big', 'status: ready', 'current_node: n3', 'pending_confirmation: ""', 'blocking_reason: ""', 'role_worker_map:', '    dev: dev-001', 'node_states:'];
  for (let i = 0; i < 6; i++) out.push(`    n${i}:`, i < 3 ? '        status: completed' : '        status: pending', ...(i < 3 ? ['        worker: dev-001', `        started_at: "2026-01-01T00:00:0${i}Z"`, '        visits: 1'] : []));
  out.push('decision_log:');
  for (let k = 0; k < entries; k++) out.push(`    - timestamp: "2026-01-01T00:00:${String(k % 60).padStart(2, '0')}Z"`, `      node: n${k % 3}`, `      action: ${k % 2 ? 'complete' : 'start'}`, `      summary: finished step ${k} of the run`, '      forced: true');
  out.push('created_at: "2026-01-01T00:00:00Z"', 'updated_at: "2026-01-01T00:01:00Z"');
  return `${out.join('\n')}\n`;
}

/** Deterministic random edits of `text`: characters that matter to YAML inserted, deleted, replaced; lines indented, repeated, emptied. */
function mutations(text: string, count: number, seed: number): string[] {
  const chars = [' ', '  ', '-', '- ', ':', ': ', '#', ' #', '"', "'", '\\', '{', '}', '[', ']', ',', '&a ', '*a', '!', '|', '|-', '|+', '|2', '>', '?', '~', '\n', '\n\n', '\n  ', '\t', '\r', '\u0007', '0', '-0', '1.5', 'é', 'null', 'NULL', 'True', '__proto__'];
  let x = seed;
  const next = (n: number) => Math.floor(((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * n);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let t = text;
    for (let edits = 1 + next(3); edits > 0; edits--) {
      const at = next(t.length);
      const lines = t.split('\n');
      const line = next(lines.length);
      switch (next(6)) {
        case 0: t = t.slice(0, at) + (chars[next(chars.length)] as string) + t.slice(at); break;
        case 1: t = t.slice(0, at) + t.slice(at + 1 + next(3)); break;
        case 2: t = t.slice(0, at) + (chars[next(chars.length)] as string) + t.slice(at + 1); break;
        case 3: lines[line] = ' '.repeat(1 + next(4)) + (lines[line] as string); t = lines.join('\n'); break;
        case 4: lines.splice(line, 0, lines[line] as string); t = lines.join('\n'); break;
        default: lines[line] = ''; t = lines.join('\n');
      }
    }
    out.push(t);
  }
  return out;
}

describe('readBlockYaml reads what js-yaml reads', () => {
  it('run-states in agent-team\'s layout and in the Go version\'s, with the fast path taken', () => {
    for (const text of [toYamlFast(runState(500, false)), toYaml(runState(500, false)), goLayout(300), toYamlFast(runState(50))]) {
      const fast = readBlockYaml(text);
      expect(fast).toBeDefined();
      same(fast, load(text));
    }
  });

  it('multi-line texts (literal blocks: kept, clipped or stripped final line breaks, empty lines) at every depth', () => {
    const texts = ['a\nb', 'a\nb\n', 'a\nb\n\n', 'a\n\nb', 'a\n\n\nb\n\n\n', 'x: y\n# not a comment\n- not an item', '  leading\nspaces', 'a\n  deeper\nback', 'tail  \nx', 'é🎉\nz', '\nfirst empty', 'bell\u0007\nx', 'a\n   \nb', 'a\n\u2028b'];
    for (const s of texts) {
      const data = { k: s, l: [s, { m: s, n: [s] }], deep: { deeper: { deepest: s } } };
      for (const text of [toYamlFast(data), toYaml(data)]) {
        const fast = readBlockYaml(text);
        if (fast !== undefined) same(fast, load(text));
      }
    }
    expect(readBlockYaml(toYamlFast({ k: 'a\nb\n\n', l: ['c\n\nd'] }))).toEqual({ k: 'a\nb\n\n', l: ['c\n\nd'] });
  });

  it('delicate and random strings as values, list items and keys, in both layouts', () => {
    const strings = [...TRICKY, ...randomStrings(2000, 11)];
    const keys = strings.filter((s) => /^[^\n]+$/.test(s) && s.length < 200);
    const data = { values: Object.fromEntries(strings.map((s, i) => [`k${i}`, s])), list: strings, keyed: Object.fromEntries(keys.map((s) => [s, s])), nums: [0, -1, 7, 123456789012345], flags: [true, false, null], e: {}, l: [] };
    for (const text of [toYamlFast(data), toYaml(data)]) {
      const fast = readBlockYaml(text);
      if (fast !== undefined) same(fast, load(text));
    }
    for (const s of strings) {
      for (const text of [toYamlFast({ k: s, l: [s] }), toYaml({ k: s, l: [s] }), `k: ${s}\n`, `- ${s}\n`, `${s}: 1\n`, `k:\n  - ${s}\n`]) {
        const fast = readBlockYaml(text);
        if (fast === undefined) continue;
        same(fast, load(text)); // js-yaml reads it too (it does not throw), the same way
      }
    }
  });

  it('never accepts a mutated text js-yaml refuses, and reads every one it accepts as js-yaml does', () => {
    let accepted = 0;
    for (const [i, base] of [toYamlFast(runState(6, false)), goLayout(6), toYaml(runState(4, false)), toYamlFast(runState(4))].entries()) {
      for (const text of mutations(base, 1500, 1 + i)) {
        const fast = readBlockYaml(text);
        if (fast === undefined) continue;
        accepted++;
        let slow: unknown;
        expect(() => (slow = load(text)), JSON.stringify(text)).not.toThrow();
        same(fast, slow);
      }
    }
    expect(accepted).toBeGreaterThan(100); // the property is not vacuous
  });

  it('gives up on duplicate keys, other spellings of null and booleans, and text outside the layout; parseYamlData then answers as js-yaml', () => {
    for (const text of ['a: 1\na: 2\n', 'NULL: 1\n', 'k: True\n', 'k: -0\n', 'k: 1.5\n', 'k: 0x1F\n', 'k:\n', 'k: a # note\n', 'k: >\n  text\n', 'k: |2\n  text\n', 'k: |\n\n  text\n', 'k: |\n  a\u0007b\n', '# c\nk: v\n', 'k: v\n\nl: w\n', '- a\n', 'k: "a\\tb"\n', "k: 'q'\n", '__proto__: 1\n', 'k: [a]\n', '---\nk: v\n', 'k:\n- a\n', 'k: v \n', 'k: v\r\n']) {
      expect(readBlockYaml(text), JSON.stringify(text)).toBeUndefined();
    }
    expect(() => parseYamlData('dup.yaml', 'a: 1\na: 2\n')).toThrow(UnreadableFileError);
    expect(parseYamlData('n.yaml', 'NULL: 1\nk: True\nl:\n- a\n')).toEqual({ null: 1, k: true, l: ['a'] });
  });
});
