/** Template validation: every code in VALIDATION_CODES from a minimal template, with path and line:col. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYamlText } from '../../src/store/yaml-file.js';
import { PRESETS_DIR, listPresets } from '../../src/workflow/presets.js';
import { VALIDATION_CODES, validateTemplate, type ValidationCode } from '../../src/workflow/validate.js';
import { lineCol } from './support.js';

const validate = (text: string) => validateTemplate(parseYamlText('wf.yaml', text));

/** A valid two-node template; each case below breaks it in one way. */
const BASE = `version: 1
name: t
roles:
  dev:
    role: dev
entry: a
nodes:
  - id: a
    type: assign_role_task
    actor: dev
    next: b
  - id: b
    type: controller_task
    end: true
`;

interface Case {
  code: ValidationCode;
  text: string;
  path: string;
  /** Where the problem points: [search, offset into it, occurrence]. Omitted: 1:1 (the document). */
  at?: [string, number?, number?];
  /** Every error code the template produces (default: only `code`). */
  codes?: ValidationCode[];
  warning?: boolean;
}

const CASES: Case[] = [
  { code: 'missing_field', text: BASE.replace('name: t\n', ''), path: 'name' },
  { code: 'empty_field', text: BASE.replace('name: t', 'name: ""'), path: 'name', at: ['""'] },
  { code: 'wrong_type', text: BASE.replace('name: t', 'name: [t]'), path: 'name', at: ['[t]'] },
  { code: 'unsupported_version', text: BASE.replace('version: 1', 'version: 2'), path: 'version', at: ['2'] },
  { code: 'invalid_name', text: BASE.replace('name: t', 'name: ../../outside'), path: 'name', at: ['../../outside'] },
  {
    code: 'unknown_key',
    text: BASE.replace('    end: true', '    requires_confirmaton: true\n    end: true'),
    path: 'nodes[1].requires_confirmaton',
    at: ['requires_confirmaton'],
  },
  { code: 'unknown_node_type', text: BASE.replace('type: controller_task', 'type: controller'), path: 'nodes[1].type', at: ['controller'] },
  {
    code: 'duplicate_node_id',
    text: BASE.replace('  - id: b\n', '  - id: a\n').replace('entry: a', 'entry: a'),
    path: 'nodes[1].id',
    at: ['id: a', 4, 2],
    // a's next (b) no longer exists; the second a is an end node, so no no_path_to_end
    codes: ['duplicate_node_id', 'unknown_target'],
  },
  { code: 'missing_actor', text: BASE.replace('    actor: dev\n', ''), path: 'nodes[0]', at: ['id: a'], codes: ['missing_actor'] },
  { code: 'unknown_actor', text: BASE.replace('actor: dev', 'actor: qa'), path: 'nodes[0].actor', at: ['qa'] },
  { code: 'no_way_on', text: BASE.replace('    end: true\n', ''), path: 'nodes[1]', at: ['id: b'], codes: ['no_way_on', 'no_end_node'] },
  { code: 'multiple_ways_on', text: BASE.replace('    end: true', '    end: true\n    next: a'), path: 'nodes[1]', at: ['id: b'] },
  {
    code: 'empty_branches',
    text: BASE.replace('    next: b', '    branches: []'),
    path: 'nodes[0].branches',
    at: ['[]'],
    // with no way on from a, b is unreachable and a cannot reach the end
    codes: ['empty_branches', 'unreachable_node', 'no_path_to_end'],
  },
  {
    code: 'duplicate_branch_label',
    text: BASE.replace('    next: b', '    branches:\n      - when: ok\n        next: b\n      - when: ok\n        next: b'),
    path: 'nodes[0].branches[1].when',
    at: ['ok', 0, 2],
  },
  {
    code: 'unknown_target',
    text: BASE.replace('next: b', 'next: bb'),
    path: 'nodes[0].next',
    at: ['bb'],
    codes: ['unknown_target', 'unreachable_node', 'no_path_to_end'],
  },
  { code: 'unknown_entry', text: BASE.replace('entry: a', 'entry: ghost'), path: 'entry', at: ['ghost'], codes: ['unknown_entry'] },
  {
    code: 'unreachable_node',
    text: `${BASE}  - id: c\n    type: controller_task\n    end: true\n`,
    path: 'nodes[2]',
    at: ['id: c'],
  },
  {
    code: 'no_end_node',
    text: BASE.replace('    end: true', '    next: a'),
    path: 'nodes',
    at: ['- id: a'],
    codes: ['no_end_node'],
  },
  {
    code: 'no_path_to_end',
    // c and d loop forever: both reachable (a branches to c), neither reaches b
    text: BASE.replace('    next: b', '    branches:\n      - when: ok\n        next: b\n      - when: loop\n        next: c').concat(
      '  - id: c\n    type: controller_task\n    next: d\n  - id: d\n    type: controller_task\n    next: c\n',
    ),
    path: 'nodes[2]',
    at: ['id: c'],
  },
  {
    code: 'command_not_allowed',
    text: BASE.replace('    actor: dev\n', '    actor: dev\n    command: npm test\n'),
    path: 'nodes[0].command',
    at: ['command:'],
  },
  {
    code: 'unused_role',
    text: BASE.replace('    role: dev\n', '    role: dev\n  qa:\n    role: qa\n'),
    path: 'roles.qa',
    at: ['role: qa'],
    warning: true,
  },
  {
    code: 'decision_without_branches',
    text: BASE.replace('type: controller_task', 'type: decision').replace('    end: true', '    next: c').concat('  - id: c\n    type: controller_task\n    end: true\n'),
    path: 'nodes[1]',
    at: ['id: b'],
    warning: true,
  },
  {
    code: 'unknown_reference',
    text: BASE.replace('    actor: dev\n', '    actor: dev\n    task: "Build {{params.goal}}"\n'),
    path: 'nodes[0].task',
    at: ['"Build'],
  },
  {
    code: 'unknown_builds_on',
    text: BASE.replace('    actor: dev\n', '    actor: dev\n    builds_on: [z]\n'),
    path: 'nodes[0].builds_on[0]',
    at: ['z]'],
  },
];

describe('validateTemplate: one minimal template per code', () => {
  it('the fixture base is valid', () => {
    const r = validate(BASE);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.template?.entry).toBe('a');
  });

  it('covers every code in VALIDATION_CODES', () => {
    expect(new Set(CASES.map((c) => c.code))).toEqual(new Set(Object.keys(VALIDATION_CODES)));
  });

  it.each(CASES)('$code at $path', (c) => {
    const r = validate(c.text);
    const list = c.warning ? r.warnings : r.errors;
    const problem = list.find((p) => p.code === c.code);
    expect(problem, JSON.stringify(r, null, 2)).toBeDefined();
    const expected = c.at ? lineCol(c.text, c.at[0], c.at[1] ?? 0, c.at[2] ?? 1) : { line: 1, col: 1 };
    expect(problem).toMatchObject({ code: c.code, path: c.path, line: expected.line, col: expected.col });
    expect(problem?.message).toMatch(/\S/);
    if (c.warning) {
      expect(r.errors).toEqual([]);
      expect(r.template).toBeDefined();
    } else {
      expect(r.template).toBeUndefined();
      expect([...new Set(r.errors.map((p) => p.code))].sort()).toEqual([...(c.codes ?? [c.code])].sort());
    }
  });
});

describe('validateTemplate: specific messages', () => {
  it('hints requires_confirmation for the typo requires_confirmaton', () => {
    const text = BASE.replace('    end: true', '    requires_confirmaton: true\n    end: true');
    const [problem] = validate(text).errors;
    expect(problem?.message).toBe('nodes[1].requires_confirmaton: unknown key (did you mean requires_confirmation?)');
    expect(problem?.hint).toBe('rename it to requires_confirmation');
  });

  it('a missing version or node type is missing_field, not an unsupported value', () => {
    const noVersion = validate(BASE.replace('version: 1\n', ''));
    expect(noVersion.errors.map((p) => [p.code, p.path])).toEqual([['missing_field', 'version']]);
    const noType = validate(BASE.replace('    type: controller_task\n', ''));
    expect(noType.errors.map((p) => [p.code, p.path])).toEqual([['missing_field', 'nodes[1].type']]);
    expect(noType.errors[0]?.message).not.toContain('undefined');
  });

  it('a document that is not a mapping is one wrong_type at 1:1', () => {
    const r = validate('- a\n- b\n');
    expect(r.errors).toEqual([expect.objectContaining({ code: 'wrong_type', path: '(root)', line: 1, col: 1 })]);
  });

  it('the duplicate-label message names the earlier branch', () => {
    const text = BASE.replace('    next: b', '    branches:\n      - when: ok\n        next: b\n      - when: ok\n        next: b');
    expect(validate(text).errors[0]?.message).toContain('already used by branches[0]');
  });
});

describe('validateTemplate: other layouts', () => {
  const FLOW = `version: 1
name: x
roles: {dev: {role: dev}}
entry: a
nodes:
  - {id: a, type: assign_role_task, actor: dev, next: b}
  - {id: b, type: controller_task, requires_confirmaton: true, end: true}
`;

  it('points into flow-style (Go preset style) nodes', () => {
    const [problem] = validate(FLOW).errors;
    expect(problem).toMatchObject({ code: 'unknown_key', path: 'nodes[1].requires_confirmaton', ...lineCol(FLOW, 'requires_confirmaton') });
  });

  it('gives the same positions with CRLF line endings and a BOM', () => {
    const expected = validate(FLOW).errors;
    expect(validate(FLOW.replaceAll('\n', '\r\n')).errors).toEqual(expected);
    expect(validateTemplate(parseYamlText('wf.yaml', Buffer.from(`\ufeff${FLOW}`))).errors).toEqual(expected);
  });

  // Known bug (src/workflow/did-you-mean.ts, not ours to edit): plain Levenshtein scores the
  // transposition ned→end as 2, tying with id, and the first candidate wins. Remove `.fails` once fixed.
  it('suggests end for the transposed key ned', () => {
    const text = FLOW.replace('requires_confirmaton: true', 'ned: true').replace(', end: true', '');
    expect(validate(text).errors.find((p) => p.code === 'unknown_key')?.message).toContain('did you mean end?');
  });
});

describe('validateTemplate: all problems at once', () => {
  const BROKEN = `version: 3
name: broken
roles:
  dev:
    role: dev
entry: start
nodes:
  - id: a
    type: assign_role_task
    actor: devv
    requires_confirmaton: true
    next: b
  - id: b
    type: handoff
    next: nowhere
  - id: a
    type: verfy_or_test
    end: true
  - id: c
    type: controller_task
    branches:
      - when: x
        next: a
      - when: x
        next: a
`;

  it('reports every problem, sorted by position, each with its own line:col', () => {
    const r = validate(BROKEN);
    const got = r.errors.map((p) => `${p.line}:${p.col} ${p.code} ${p.path}`);
    const at = (search: string, offset = 0, nth = 1) => {
      const p = lineCol(BROKEN, search, offset, nth);
      return `${p.line}:${p.col}`;
    };
    expect(got).toEqual([
      `${at('3')} unsupported_version version`,
      `${at('start')} unknown_entry entry`,
      `${at('devv')} unknown_actor nodes[0].actor`,
      `${at('requires_confirmaton')} unknown_key nodes[0].requires_confirmaton`,
      `${at('id: b')} missing_actor nodes[1]`,
      `${at('id: b')} no_path_to_end nodes[1]`,
      `${at('nowhere')} unknown_target nodes[1].next`,
      `${at('id: a', 4, 2)} duplicate_node_id nodes[2].id`,
      `${at('verfy_or_test')} unknown_node_type nodes[2].type`,
      `${at('when: x', 6, 2)} duplicate_branch_label nodes[3].branches[1].when`,
    ]);
    expect(r.template).toBeUndefined();
    // the hints carry the fixes
    expect(r.errors.find((p) => p.code === 'unknown_actor')?.message).toContain('did you mean dev?');
    expect(r.errors.find((p) => p.code === 'unknown_node_type')?.message).toContain('did you mean verify_or_test?');
  });
});

describe('shipped presets', () => {
  it('lists branching, dev-first and test-first', () => {
    expect(listPresets()).toEqual(['branching', 'dev-first', 'test-first']);
  });

  it.each(['branching', 'dev-first', 'test-first'])('%s validates with no errors and no warnings', (name) => {
    const path = join(PRESETS_DIR, `${name}.yaml`);
    const r = validateTemplate(parseYamlText(path, readFileSync(path)));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.template?.entry).toBe('cto_breakdown');
    expect(r.template?.nodes.find((n) => n.end)?.id).toBe('controller_finish');
  });
});
