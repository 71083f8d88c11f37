/** One rule per kind of name: what `workflow create` accepts is what validation accepts, and the other way. */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { assertName } from '../../src/worker/ids.js';
import { createWorkflow } from '../../src/workflow/presets.js';
import { slugify } from '../../src/workflow/names.js';
import { TemplateSchema } from '../../src/workflow/schema.js';
import { parse } from 'yaml';
import { tempRepo } from '../helpers/repo.js';

const repo = tempRepo();
afterAll(() => repo.cleanup());

describe('workflow names', () => {
  it.each(['Feature.v2', 'release_1', 'a'])('workflow create --name %s writes a template that validates with that name', (name) => {
    const { path } = createWorkflow({ name, cwd: repo.dir });
    const parsed = TemplateSchema.safeParse(parse(readFileSync(path, 'utf8')));
    expect(parsed.success).toBe(true);
    expect(parsed.data?.name).toBe(name);
  });

  it.each(['-x', 'a/b', '.hidden', ''])('workflow create --name %j is refused, as validation refuses it', (name) => {
    expect(() => createWorkflow({ name, cwd: repo.dir })).toThrow(UsageError);
  });

  it('role names: the --*-role flags, worker ids and template roles follow one rule', () => {
    for (const role of ['qa', 'vite-react-dev', 'dev2']) {
      expect(assertName('role', role)).toBe(role);
      expect(() => createWorkflow({ name: `r-${role}`, cwd: repo.dir, qaRole: role })).not.toThrow();
    }
    for (const role of ['QA', 'dev_x', 'a.b']) {
      expect(() => assertName('role', role)).toThrow(UsageError);
      expect(() => createWorkflow({ name: `bad-${role.toLowerCase().replace(/[^a-z]/g, '')}`, cwd: repo.dir, qaRole: role })).toThrow(UsageError);
    }
  });
});

describe('slugify', () => {
  it('one slug rule for run ids and change folders: lowercase, accents folded, runs of other characters one dash, cut at the limit', () => {
    expect(slugify('Add the Café login page!', { max: 50, empty: 'task' })).toBe('add-the-cafe-login-page');
    expect(slugify('***', { max: 50, empty: 'task' })).toBe('task');
    expect(slugify('x'.repeat(80) + ' y', { max: 40, empty: 'run' })).toBe('x'.repeat(40));
    expect(slugify('ab -- cd', { max: 3, empty: 'run' })).toBe('ab');
  });
});
