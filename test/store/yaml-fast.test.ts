/** The fast YAML reader/writer must give exactly what the `yaml` library gives, or step aside. */
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { parseSimpleYaml } from '../../src/store/yaml-fast.js';
import { parseYamlText, toYaml, toYamlWithLibrary } from '../../src/store/yaml-file.js';

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TRICKY = [
  '', ' ', 'a', 'plain text', 'cto_breakdown', 'n500', 'dev-001', '20260101-000000-big', '2026-03-13T15:30:00Z', '2026-03-13', '2026-03-13 15:30',
  'yes', 'no', 'on', 'off', 'y', 'n', '~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'tRUE',
  '0', '1', '-1', '+1', '007', '1.5', '1.', '.5', '1e3', '1E3', '0x1F', '0o17', '0b101', '1_000', '.inf', '-.inf', '.nan', '12:30', '1:2',
  'a: b', 'a:b', 'a:', ':a', 'a #b', 'a#b', '#a', '- x', '-a', 'a-', 'a - b', '? a', '?a', 'a?', '!a', '&a', '*a', '%a', '@a', '`a', '|a', '>a',
  "it's", "'a'", 'say "hi"', '"a"', 'a\\b', 'back\\slash', 'a/b', '/abs/path', './rel', '../up', 'a(b)', '(x)', 'a,b', 'a[b]', 'a{b}', '[a]', '{a}',
  'x y ', ' lead', 'two  spaces', 'tab\there', 'line1\nline2', 'trail\n', 'ünïcödé', 'emoji 🎉', 'a=b', 'a|b', 'a>b', 'a<b', '<<', '=', 'a~', '~a',
  '_x', '.x', 'x'.repeat(120), `${'word '.repeat(40)}end`, 'agent-team workflow state confirm f.yaml --node x --outcome passed|failed',
];
const KEYS = ['id', 'type', 'next', 'status', 'node_states', 'decision_log', 'a', 'b', 'x.y', 'a/b', 'with-dash', 'under_score', 'n0', 'n999', 'Key', 'k1'];

function randomString(r: () => number): string {
  if (r() < 0.6) return TRICKY[Math.floor(r() * TRICKY.length)] as string;
  const alphabet = 'abcXYZ019 _-./:#"\'\\!&*?|>{}[],%@`~=\n\tü';
  let s = '';
  const n = Math.floor(r() * 12);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}

function randomValue(r: () => number, depth: number): unknown {
  const p = r();
  if (depth > 0 && p < 0.25) {
    const o: Record<string, unknown> = {};
    const n = Math.floor(r() * 5);
    for (let i = 0; i < n; i++) o[r() < 0.85 ? (KEYS[Math.floor(r() * KEYS.length)] as string) : randomString(r)] = randomValue(r, depth - 1);
    return o;
  }
  if (depth > 0 && p < 0.45) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth - 1));
  if (p < 0.8) return randomString(r);
  if (p < 0.88) return Math.floor(r() * 2000) - 1000;
  if (p < 0.92) return r() < 0.5;
  if (p < 0.95) return null;
  if (p < 0.97) return r() * 10;
  return undefined;
}

describe('fast YAML writer', () => {
  it('writes byte for byte what the yaml library writes (5,000 random documents)', () => {
    const r = rng(20260313);
    for (let i = 0; i < 5000; i++) {
      const data = { root: randomValue(r, 4), list: [randomValue(r, 3), randomValue(r, 3)] };
      expect(toYaml(data), JSON.stringify(data)).toBe(toYamlWithLibrary(data));
    }
  });

  it('writes a run-state like the library', () => {
    const state = {
      version: 1,
      run_id: '20260313-153000-feature',
      status: 'ready',
      current_node: 'qa_verify',
      pending_confirmation: '',
      role_worker_map: { qa: 'qa-001' },
      node_states: { qa_verify: { status: 'pending', visits: 2, history: [{ status: 'completed', outcome: 'failed', summary: 'tests: 3 failed' }] } },
      decision_log: [{ timestamp: '2026-03-13T15:30:00Z', node: 'qa_verify', action: 'complete', outcome: 'failed', next_node: 'dev_fix', summary: 'see #12: retry' }],
      created_at: '2026-03-13T15:30:00Z',
    };
    expect(toYaml(state)).toBe(toYamlWithLibrary(state));
  });
});

describe('fast YAML reader', () => {
  const lib = (text: string) => parseDocument(text, { uniqueKeys: true }).toJS({ maxAliasCount: 100 });

  it('reads back what the writer wrote exactly as the library does (5,000 random documents)', () => {
    const r = rng(42);
    let fast = 0;
    for (let i = 0; i < 5000; i++) {
      const text = toYamlWithLibrary({ root: randomValue(r, 4), list: [randomValue(r, 3)] });
      const simple = parseSimpleYaml(text);
      if (simple) {
        fast++;
        expect(simple.value, text).toEqual(lib(text));
      }
    }
    expect(fast).toBeGreaterThan(1000); // the fast path is actually taken
  });

  it('reads hand-written files (comments, compact sequences, quotes) like the library, or steps aside', () => {
    const cases = [
      '# header\nversion: 1\nname: x # trailing\nnodes:\n- id: a\n  next: b\n-   id: b\n    end: true\n',
      'a:\n    - 1\n    - - 2\n      - 3\n    -\n        k: v\nb: {}\nc: []\nd: ""\ne:\nf: ~\n',
      'a: "esc \\" \\\\ \\n \\t \\u00e9 \\x41 \\/"\nb: \'it\'\'s\'\nc: "x" # c\n',
      'k: v\n  bad: indent\n',
      'k: multi\n  line plain\n',
      'k: |\n  block\n',
      'k: [1, 2]\n',
      'k: &a 1\nj: *a\n',
      'k: 1\nk: 2\n',
      '"quoted key": 1\n',
      'k: 1.5\nj: 0x10\n',
      '---\nk: v\n',
      'k: v\n...\n',
      'k: "unterminated\n  more"\n',
      'a:b: c\n',
      '- a\n- b: c\n  d: e\n- - f\n',
      'a: b: c\n',
      'a: "x"y\n',
      'a: v #c\nb: v#notacomment\n',
      'true: 1\n',
      '1: a\n',
      '__proto__: x\n',
    ];
    for (const text of cases) {
      const simple = parseSimpleYaml(text);
      let expected: unknown;
      let threw = false;
      try {
        const doc = parseDocument(text, { uniqueKeys: true });
        if (doc.errors.length) threw = true;
        else expected = doc.toJS({ maxAliasCount: 100 });
      } catch {
        threw = true;
      }
      if (simple) {
        expect(threw, `fast reader accepted invalid YAML: ${text}`).toBe(false);
        expect(simple.value, text).toEqual(expected);
      }
    }
  });

  it('parseYamlText gives the same data, and positions on demand, on the fast path', () => {
    const text = 'version: 1\nname: x\nnodes:\n    - id: a\n      end: true\n';
    const loaded = parseYamlText('t.yaml', text);
    expect(loaded.data).toEqual(lib(text));
    expect(loaded.lineCounter.linePos(text.indexOf('id: a'))).toEqual({ line: 4, col: 7 });
    expect(loaded.doc.toJS()).toEqual(lib(text));
  });
});
