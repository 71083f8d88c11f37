/**
 * `agent-team init`: the project folders (`.agents/teams/`, `.agents/workflow/`, `.agents/workers/`) and a
 * commented `.agents/config.yaml`. Idempotent: nothing that exists is touched. No other command needs it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createFileExclusiveSync } from '../store/atomic-write.js';
import { relativeToRoot } from '../store/paths.js';
import { PROJECT_CONFIG_TEMPLATE } from './project-config.js';
import { projectConfigPath } from './paths.js';

/** What {@link initProject} did: repository-relative paths created and those that already existed. */
export interface InitResult {
  root: string;
  created: string[];
  existing: string[];
}

/** Creates the agent-team folders and config under `root` where missing. Throws OperationError on I/O failure. */
export function initProject(root: string): InitResult {
  const result: InitResult = { root, created: [], existing: [] };
  for (const dir of ['teams', 'workflow', 'workers'].map((d) => join(root, '.agents', d))) {
    const rel = `${relativeToRoot(root, dir)}/`;
    if (existsSync(dir)) result.existing.push(rel);
    else {
      mkdirSync(dir, { recursive: true });
      result.created.push(rel);
    }
  }
  const config = projectConfigPath(root);
  (createFileExclusiveSync(config, PROJECT_CONFIG_TEMPLATE) ? result.created : result.existing).push(relativeToRoot(root, config));
  return result;
}
