/**
 * Changes: one assignment given to a worker, in `<worktree>/.tasks/changes/<YYYY-MM-DD-HH-MM-SS>-<slug>/`
 * with `change.yaml` (Go `Change`: name, description, status, created_at, assigned_to) and optional
 * `proposal.md` / `design.md`. The folder name uses local time and Go's `Slugify(desc, 50)`.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { OperationError, UnreadableFileError, UsageError } from '../errors.js';
import { createFileExclusiveSync, writeFileAtomicSync } from '../store/atomic-write.js';
import { readYamlFile, toYaml } from '../store/yaml-file.js';
import { slugify } from '../workflow/names.js';
import { goTimestamp } from './config.js';

/** Change statuses of the Go lifecycle. */
export const CHANGE_STATUSES = ['draft', 'assigned', 'implementing', 'verifying', 'done', 'archived'] as const;

/** Statuses that no longer count as active work (`superseded`: a loop re-entered the node with a new change). */
const FINISHED = new Set(['done', 'archived', 'superseded']);


/** `.tasks/changes` relative to a worktree. */
export const CHANGES_DIR = '.tasks/changes';


/** Go `time.Now().Format("2006-01-02-15-04-05")` in local time. */
export function localStamp(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}-${p(now.getHours())}-${p(now.getMinutes())}-${p(now.getSeconds())}`;
}

/** What to create: description (required), optional proposal and design texts. */
export interface NewChange {
  description: string;
  assignedTo: string;
  proposal?: string;
  design?: string;
  now?: Date;
  /** Answers already given on the change this one takes over (a reassigned node), kept as its `answers:`. */
  answers?: ChangeAnswer[];
}

/** A created change: its name, absolute folder, folder relative to the worktree, and files written. */
export interface CreatedChange {
  name: string;
  dir: string;
  relativeDir: string;
  files: string[];
}

/** Writes `<worktree>/.tasks/config.yaml` with the Go defaults when missing (serialized here, not at import: start-up time). */
export function initTasksDir(worktree: string): void {
  const defaults = toYaml({ version: 1, defaults: { verify: { timeout: '5m' }, lifecycle: [...CHANGE_STATUSES] } });
  createFileExclusiveSync(join(worktree, '.tasks', 'config.yaml'), defaults);
}

/**
 * Creates a change folder (a `-2`, `-3`… suffix when the name is taken within the same second) with
 * `change.yaml` (status `assigned`) and the given proposal/design. Throws OperationError on I/O failure.
 */
export function createChange(worktree: string, change: NewChange): CreatedChange {
  const now = change.now ?? new Date();
  const base = `${localStamp(now)}-${slugify(change.description, { max: 50, empty: 'task' })}`;
  const parent = join(worktree, CHANGES_DIR);
  mkdirSync(parent, { recursive: true });
  initTasksDir(worktree);
  let name = base;
  for (let n = 2; ; n++) {
    try {
      mkdirSync(join(parent, name));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n > 1000) throw new OperationError(`cannot create ${join(parent, name)}: ${(err as Error).message}`, { cause: err });
      name = `${base}-${n}`;
    }
  }
  const dir = join(parent, name);
  const files = ['change.yaml'];
  writeFileAtomicSync(
    join(dir, 'change.yaml'),
    toYaml({ name, description: change.description, status: 'assigned', created_at: goTimestamp(now), assigned_to: change.assignedTo, ...(change.answers?.length ? { answers: change.answers } : {}) }),
  );
  if (change.proposal !== undefined) {
    writeFileAtomicSync(join(dir, 'proposal.md'), change.proposal);
    files.push('proposal.md');
  }
  if (change.design !== undefined) {
    writeFileAtomicSync(join(dir, 'design.md'), change.design);
    files.push('design.md');
  }
  return { name, dir, relativeDir: `${CHANGES_DIR}/${name}/`, files };
}

/** A change as listed: name, status and description from its change.yaml. */
export interface ChangeSummary {
  name: string;
  status: string;
  description: string;
}

/** Every change of a worktree (oldest first); unreadable change.yaml files are listed with status `unreadable`. */
export function listChanges(worktree: string): ChangeSummary[] {
  const parent = join(worktree, CHANGES_DIR);
  if (!existsSync(parent)) return [];
  return readdirSync(parent)
    .sort()
    .filter((name) => existsSync(join(parent, name, 'change.yaml')))
    .map((name) => {
      try {
        const data = readChangeYaml(join(parent, name, 'change.yaml'));
        return { name, status: String(data.status ?? 'draft'), description: String(data.description ?? '') };
      } catch {
        return { name, status: 'unreadable', description: '' };
      }
    });
}

/**
 * The fields of one `change.yaml` (through the YAML boundary: bounded read, core schema, duplicate keys
 * and alias bombs refused). Throws {@link UnreadableFileError} (exit 2) when the file is missing, not
 * YAML, or not a mapping.
 */
function readChangeYaml(file: string): Record<string, unknown> {
  const { data } = readYamlFile(file, 'change.yaml');
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new UnreadableFileError(file, 'is not a mapping of change fields (name, description, status, created_at, assigned_to)', {
      hint: `rewrite ${file} as "key: value" lines, or remove the change folder`,
    });
  }
  return data as Record<string, unknown>;
}

/**
 * The fields of change `change` (any form {@link normalizeChange} takes) of `worktree`. Throws OperationError
 * `unknown_change` when it does not exist, {@link UnreadableFileError} when its change.yaml is not a mapping.
 */
export function readChange(worktree: string, change: string): Record<string, unknown> {
  return readChangeYaml(join(existingChange(worktree, change).dir, 'change.yaml'));
}

/** Changes of a worktree that are not done or archived. */
export function activeChanges(worktree: string): ChangeSummary[] {
  return listChanges(worktree).filter((c) => !FINISHED.has(c.status));
}

/**
 * `.tasks/changes/<name>/` for a change given as its name, its folder relative to the worktree (with or
 * without the trailing slash) or an absolute path inside `.tasks/changes/`. Throws UsageError otherwise.
 */
export function normalizeChange(arg: string): string {
  const trimmed = arg.replace(/\/+$/, '');
  const name = trimmed.includes('/') ? trimmed.slice(trimmed.lastIndexOf('/') + 1) : trimmed;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || (trimmed.includes('/') && !trimmed.includes(CHANGES_DIR))) {
    throw new UsageError(`--change ${JSON.stringify(arg)}: give a change folder name from ${CHANGES_DIR}/ (e.g. 2026-03-13-15-30-00-add-login)`, { code: 'invalid_change' });
  }
  return `${CHANGES_DIR}/${name}/`;
}

/** The newest change of the worktree that is still open, as `.tasks/changes/<name>/`, or undefined. */
export function newestOpenChange(worktree: string): string | undefined {
  const open = activeChanges(worktree);
  const last = open[open.length - 1];
  return last ? `${CHANGES_DIR}/${last.name}/` : undefined;
}

/**
 * Sets `status` in the change's `change.yaml` (atomic rewrite keeping the other fields), plus `extra`
 * fields (e.g. the worker's `reply` and `replied_at`). Throws OperationError `unknown_change` when the
 * change does not exist and {@link UnreadableFileError} (exit 2, file untouched) when its change.yaml is
 * not YAML or not a mapping.
 */
export function setChangeStatus(worktree: string, change: string, status: string, extra: Record<string, string> = {}): void {
  const { dir } = existingChange(worktree, change);
  const file = join(dir, 'change.yaml');
  writeFileAtomicSync(file, toYaml({ ...readChangeYaml(file), status, ...extra }));
}

/** An existing change of the worktree as {@link createChange} describes one. Throws OperationError `unknown_change` when it does not exist. */
export function existingChange(worktree: string, change: string): CreatedChange {
  const relativeDir = normalizeChange(change);
  const dir = join(worktree, relativeDir);
  if (!existsSync(join(dir, 'change.yaml'))) throw new OperationError(`${worktree} has no change ${relativeDir}`, { code: 'unknown_change', hint: `list them with: ls ${join(worktree, CHANGES_DIR)}` });
  const name = relativeDir.slice(CHANGES_DIR.length + 1, -1);
  const files = ['change.yaml', 'proposal.md', 'design.md'].filter((f) => existsSync(join(dir, f)));
  return { name, dir, relativeDir, files };
}

/**
 * One answer of the controller kept on a change (`answers:` in change.yaml, ours; the Go reader ignores
 * unknown fields): when (RFC 3339 UTC), the text (`reply <id> "<text>"`), and the worker's question it
 * answers (the change's `reply` while its status was `needs-input`), when there was one.
 */
export interface ChangeAnswer {
  at: string;
  question?: string;
  text: string;
}

/** The answers kept on `change` (see {@link ChangeAnswer}), oldest first; entries that are not well formed are left out. */
export function changeAnswers(worktree: string, change: string): ChangeAnswer[] {
  const { dir } = existingChange(worktree, change);
  const answers = readChangeYaml(join(dir, 'change.yaml')).answers;
  if (!Array.isArray(answers)) return [];
  return answers.flatMap((a: unknown) => {
    const { at, question, text } = (a ?? {}) as Record<string, unknown>;
    if (typeof text !== 'string' || typeof at !== 'string') return [];
    return [{ at, ...(typeof question === 'string' ? { question } : {}), text }];
  });
}

/**
 * Appends the controller's answer `text` to `change`'s `answers:` (atomic rewrite keeping the other
 * fields), with the worker's open question when the change waits for one. Returns the entry. Throws as
 * {@link setChangeStatus} does (unknown change, unreadable change.yaml left untouched).
 */
export function recordChangeAnswer(worktree: string, change: string, text: string, at: string): ChangeAnswer {
  const { dir } = existingChange(worktree, change);
  const file = join(dir, 'change.yaml');
  const data = readChangeYaml(file);
  const question = data.status === 'needs-input' && typeof data.reply === 'string' ? data.reply : undefined;
  const answer: ChangeAnswer = { at, ...(question !== undefined ? { question } : {}), text };
  const answers = Array.isArray(data.answers) ? data.answers : [];
  writeFileAtomicSync(file, toYaml({ ...data, answers: [...answers, answer] }));
  return answer;
}
