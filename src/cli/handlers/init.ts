/** Handler of `agent-team init`. */
import { projectRoot } from '../../store/paths.js';
import { initProject } from '../../worker/init.js';
import type { CommandResult } from '../output.js';

/** `init`: lists what was created and what already existed. */
export function run(): CommandResult {
  const r = initProject(projectRoot());
  const text = [
    ...r.created.map((p) => `created ${p}`),
    ...r.existing.map((p) => `exists  ${p}`),
    r.created.length === 0 ? 'already initialized; nothing changed' : '',
  ].filter((l) => l !== '');
  return { json: { ok: true, ...r }, text: text.join('\n') };
}
