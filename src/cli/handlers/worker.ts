/** Handlers of `agent-team worker …`: create, open, assign, status, merge, close, delete. */
import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { UsageError } from '../../errors.js';
import { assertName } from '../../worker/ids.js';
import { assignWorker } from '../../worker/assign.js';
import { createWorker } from '../../worker/create.js';
import { mergeWorker } from '../../worker/merge.js';
import { openWorker } from '../../worker/open.js';
import { closeWorker, deleteWorker } from '../../worker/remove.js';
import { workerStatus } from '../../worker/status.js';
import { recordResolveAssignment } from '../../workflow/builds-on-conflict.js';
import { forecastLines } from '../../worker/forecast.js';
import { assertModel, assertProvider, listProviders } from '../../worker/providers.js';
import { recordWorkerEvent } from '../../worker/events.js';
import { resolveRole } from '../../worker/roles.js';
import { mainRepoRoot } from '../../worker/root.js';
import { worktreeBase } from '../../worker/paths.js';
import { snakeKeys, type CommandResult, type CommonOptions } from '../output.js';
import { readOptionFile } from '../read-input.js';
import { renderTable } from '../table.js';

/** Options of `worker create`. */
export interface CreateOptions extends CommonOptions {
  provider?: string;
  model?: string;
  yes?: boolean;
  /** Go's "re-install skills": always so here (the worker skill is copied at every open). */
  fresh?: boolean;
}

/** Options of `worker open`. */
export interface OpenOptions extends CommonOptions {
  provider?: string;
  model?: string;
  newWindow?: boolean;
  /** Start a new agent conversation instead of resuming the recorded one. */
  fresh?: boolean;
}

/** Options of `worker assign`: `--proposal`/`--design` name a file, or `-` for stdin. */
export interface AssignOptions extends CommonOptions {
  proposal?: string;
  design?: string;
  /** When assign has to open the worker: switch to this model (Go `-m`). */
  model?: string;
  newWindow?: boolean;
  /** When opening: a new agent conversation. */
  fresh?: boolean;
  /** `--builds-on <branch>`, repeatable. */
  buildsOn?: string[];
  /** `--change`: give this existing change again. */
  change?: string;
  /** `--run <state-file>` with `--node <id>`: the assignment resolves that blocked node's builds_on conflict. */
  run?: string;
  node?: string;
}

/** Options of `worker event`: `--root` names the project (hooks may run anywhere). */
export interface EventOptions extends CommonOptions {
  root?: string;
}

/**
 * Whether using global role `role` is confirmed: `--yes`, else a prompt on a TTY, else a UsageError
 * naming `--yes` (exit 2).
 */
async function confirmGlobalRole(role: string, path: string, yes: boolean): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UsageError(`role ${role} is a global role (${path}) and there is no terminal to confirm it; rerun with --yes to use it`, {
      code: 'global_role_needs_confirmation',
      hint: `agent-team worker create ${role} --yes`,
    });
  }
  const { confirm } = await import('@inquirer/prompts');
  return confirm({ message: `Use the global role ${role} from ${path}?`, default: true }, { output: process.stderr });
}

/** The provider given as the Go positional `[provider]` or `--provider` (UsageError when both differ). */
function providerArgument(positional: string | undefined, flag: string | undefined): string | undefined {
  if (positional !== undefined && flag !== undefined && positional !== flag) {
    throw new UsageError(`provider given twice: ${JSON.stringify(positional)} and --provider ${JSON.stringify(flag)}; give one`);
  }
  return positional ?? flag;
}

/** `worker create <role> [provider]`: prints the new id. */
export async function create([role, positionalProvider]: string[], o: CreateOptions): Promise<CommandResult> {
  assertName('role', role);
  const root = await mainRepoRoot();
  const requested = providerArgument(positionalProvider, o.provider);
  if (requested !== undefined) assertProvider(root, requested);
  const model = o.model;
  if (model !== undefined) assertModel(model);
  const resolved = resolveRole(root, role as string);
  let allowGlobal = false;
  if (resolved.scope === 'global') {
    allowGlobal = await confirmGlobalRole(resolved.name, resolved.path, o.yes === true);
    if (!allowGlobal) throw new UsageError(`not using the global role ${resolved.name}`, { code: 'declined' });
  }
  const created = await createWorker(root, role as string, { provider: requested, model, allowGlobal });
  const provider = created.config.provider;
  return {
    json: { ok: true, worker_id: created.id, role: created.role.name, role_scope: created.role.scope, role_path: created.role.path, provider, model: model ?? null, config: created.config },
    text: created.id,
  };
}

/** `worker open <id>`. */
export async function open([id]: string[], o: OpenOptions): Promise<CommandResult> {
  assertName('worker id', id);
  const root = await mainRepoRoot();
  const r = await openWorker(root, id as string, { provider: o.provider, model: o.model, newWindow: o.newWindow === true, fresh: o.fresh === true });
  const text = [
    ...(r.alreadyRunning
      ? [`${r.id} is already running (pane ${r.paneId})`]
      : [
          `opened ${r.id} in pane ${r.paneId} (${r.backend})`,
          `worktree: ${r.worktree} (${r.branch})`,
          `launched: ${r.launchCommand}`,
          ...(r.sessionId ? [`conversation: ${r.sessionId}${r.resumed ? ' (resumed)' : ' (new)'}`] : []),
          ...(r.activity ? [`activity: ${r.activity.activity}${r.activity.reason ? ` (${r.activity.reason})` : ''}`] : []),
          ...(r.activity?.activity === 'attention' && r.activity.screen ? ['--- pane ---', ...r.activity.screen.slice(-12)] : []),
        ]),
    ...(r.attachCommand ? [`watch it: ${r.attachCommand}`] : []),
  ].join('\n');
  return { json: snakeKeys({ ok: true, ...r }), text, warnings: r.warnings };
}

/** `worker assign <id> <description> [provider]`; provider and `--model` apply when the worker is opened. */
export async function assign([id, description, provider]: string[], o: AssignOptions): Promise<CommandResult> {
  assertName('worker id', id);
  if (provider !== undefined) assertProvider(await mainRepoRoot(), provider);
  if (o.model !== undefined) assertModel(o.model);
  if (o.proposal === '-' && o.design === '-') throw new UsageError('only one of --proposal and --design can read stdin (-)');
  const proposal = readOptionFile('--proposal', o.proposal);
  const design = readOptionFile('--design', o.design);
  if ((o.run === undefined) !== (o.node === undefined)) throw new UsageError('--run <state-file> and --node <id> go together: the blocked node this assignment resolves');
  const root = await mainRepoRoot();
  const r = await assignWorker(root, id as string, description ?? '', { proposal, design, newWindow: o.newWindow === true, fresh: o.fresh === true, provider, model: o.model, buildsOn: o.buildsOn ?? [], ...(o.change !== undefined ? { change: o.change } : {}), ...(o.run !== undefined ? { onUpdateConflict: 'keep' as const } : {}) });
  const lines = [
    ...(r.opened ? [`opened ${r.id} in pane ${r.opened.paneId}`] : []),
    ...r.builtOn.map((b) => `merged ${b} into team/${r.id}`),
    ...(r.update.method === 'fast-forward' || r.update.method === 'rebase' ? [`brought ${r.id} up to ${r.update.upstream} (${r.update.method})`] : []),
    `change: ${r.change.dir}`,
    `assigned to ${r.id}: ${description} (${r.delivery === 'confirmed' ? 'the agent confirmed it' : r.delivery === 'submitted' ? 'it left the agent\'s input box' : 'typed; not confirmed'}${r.onCommandLine ? ', on the launch command line' : ''}${r.redelivery ? `; its earlier delivery was cut short: ${r.redelivery === 'taken' ? 'the agent had taken it, nothing was typed' : r.redelivery === 'entered' ? 'the text in its input box was submitted' : 'typed again into an empty input box'}` : ''})`,
  ];
  const warnings = [...r.warnings];
  let tied = false;
  if (o.run !== undefined && o.node !== undefined) {
    tied = await recordResolveAssignment(o.run, process.cwd(), o.node, r.id, r.change.relativeDir);
    if (tied) lines.push(`tied to node ${o.node} of ${o.run}: workflow run --wait waits for ${r.id}'s reply`);
    else warnings.push(`node ${o.node} of ${o.run} is not blocked by a builds_on conflict: the assignment was given but is not tied to it`);
  }
  return { json: snakeKeys({ ok: true, ...r, ...(o.run !== undefined ? { tiedToNode: tied } : {}) }), text: lines.join('\n'), warnings };
}

/** `worker status`. */
export async function status(): Promise<CommandResult> {
  const root = await mainRepoRoot();
  const s = await workerStatus(root);
  const header = ['WORKER', 'ROLE', 'PROVIDER', 'STATE', 'ACTIVITY', 'BRANCH', 'AHEAD', 'TREE', 'CHANGES'];
  const rows = s.workers.map((w) => [
    w.id,
    w.role,
    `${w.provider}${w.model ? `/${w.model}` : ''}`,
    w.error ? 'error' : `${w.state}${w.backend ? ` (${w.backend})` : ''}`,
    `${w.activity}${w.activitySince ? ` since ${w.activitySince.slice(11, 19)}` : ''}`,
    w.branchExists ? w.branch : `${w.branch} (none)`,
    String(w.ahead),
    w.worktree,
    String(w.activeChanges.length),
  ]);
  const base = worktreeBase(root);
  const inside = !relative(root, base).startsWith('..') && !isAbsolute(relative(root, base));
  // worktrees inside the repository are crawled by tools started at its root (test runners, linters)
  const where = `worktrees: ${base}${inside && s.workers.length ? ' (inside the repository: test runners started at its root also see workers\' unmerged code; set worktree_dir: in .agents/config.yaml to keep them outside)' : ''}`;
  const replies = s.workers.flatMap((w) => (w.lastReply ? [`${w.id} replied ${w.lastReply.at} (${w.lastReply.status}${w.lastReply.change ? `, change ${w.lastReply.change}` : ''}${w.lastReply.runs?.length ? `, run ${w.lastReply.runs.join(', ')}` : ', no run waited for it'}): ${w.lastReply.message}`] : []));
  const undelivered = s.workers.flatMap((w) => (w.undelivered ? [`${w.id}: ${w.undelivered.change} (${w.undelivered.state === 'entered' ? 'Enter sent, never confirmed' : 'typed, Enter never sent'}); deliver it: ${w.undelivered.fix}`] : []));
  const forecast = s.forecast.length ? ['', 'conflict forecast (git merge-tree, nothing checked out):', ...forecastLines(s.forecast).map((l) => `  ${l}`)] : [];
  const text = s.workers.length ? [renderTable(header, rows), where, ...(replies.length ? ['', 'last replies (reply-main):', ...replies.map((l) => `  ${l.replace(/\n/g, '\n    ')}`)] : []), ...(undelivered.length ? ['', 'never confirmed delivered (the command typing the task stopped):', ...undelivered.map((l) => `  ${l}`)] : []), ...forecast].join('\n') : 'no workers (create one: agent-team worker create <role>)';
  const warnings = s.workers.filter((w) => w.error).map((w) => `${w.id}: ${w.error}`);
  return { json: snakeKeys({ controllerRef: s.controllerRef, worktreeDir: base, worktreesInsideRepository: inside, workers: s.workers, forecast: s.forecast }), text, warnings };
}

/** `worker merge <id>`. */
export async function merge([id]: string[], o: CommonOptions & { squash?: boolean }): Promise<CommandResult> {
  assertName('worker id', id);
  const root = await mainRepoRoot();
  const r = await mergeWorker(root, id as string, { squash: o.squash === true });
  const text = r.merged ? `merged ${r.branch} into ${r.into} (${r.commits} commit(s)${r.squash ? ', squashed' : ''}); HEAD ${r.head.slice(0, 12)}` : `${r.branch} is already merged into ${r.into}; nothing to do`;
  return { json: snakeKeys({ ok: true, ...r }), text };
}

/** `worker close <id>`. */
export async function close([id]: string[]): Promise<CommandResult> {
  assertName('worker id', id);
  const root = await mainRepoRoot();
  const r = await closeWorker(root, id as string);
  return { json: snakeKeys({ ok: true, ...r }), text: r.paneId ? `closed ${r.id} (pane ${r.paneId}); worktree, branch and config kept` : `${r.id} has no pane; nothing to close` };
}

/** `worker delete <id>`. */
export async function remove([id]: string[], o: CommonOptions & { force?: boolean }): Promise<CommandResult> {
  assertName('worker id', id);
  const root = await mainRepoRoot();
  const r = await deleteWorker(root, id as string, { force: o.force === true });
  if (r.removedReservedFolder) return { json: snakeKeys({ ok: true, ...r }), text: `deleted ${r.id}: removed its reserved id folder (it had no worker.yaml, worktree or branch)` };
  const kept = r.archived.map((a) => `kept ${a.source === 'uncommitted' ? 'its uncommitted changes' : `commit ${a.sha.slice(0, 12)} (${a.source})`} on ${a.ref} (restore: git switch -c ${r.id}-restored ${a.ref})`);
  const text = [`deleted ${r.id}${r.forced ? ' (forced)' : ''}: ${[r.killedPane ? 'pane' : '', r.removedWorktree ? 'worktree' : '', r.deletedBranch ? 'branch' : '', 'config'].filter(Boolean).join(', ')} removed`, ...kept].join('\n');
  return { json: snakeKeys({ ok: true, ...r }), text, warnings: o.json ? kept : [] };
}

/** `worker event <id> <event>`: the payload is read from stdin when stdin is not a terminal. */
export async function event([id, name]: string[], o: EventOptions): Promise<CommandResult> {
  assertName('worker id', id);
  const root = o.root ?? (await mainRepoRoot());
  let payload = '';
  if (!process.stdin.isTTY) {
    try {
      payload = readFileSync(0, 'utf8');
    } catch {
      payload = '';
    }
  }
  const record = await recordWorkerEvent(root, id as string, name ?? '', payload);
  return { json: { ok: true, worker_id: id, ...record }, text: `${id}: ${record.event}${record.session_id ? ` (session ${record.session_id})` : ''}` };
}

/** `provider list`. */
export async function providers(): Promise<CommandResult> {
  const root = await mainRepoRoot();
  const rows = await listProviders(root);
  const text = rows
    .map((r) => `${r.name.padEnd(10)} ${(r.path ? (r.version ?? 'installed') : 'not on PATH').padEnd(28)} ${r.source === 'builtin' ? 'built-in' : `project${r.like ? ` (like ${r.like})` : ''}`}${r.events ? ', events' : ''}: ${r.command}`)
    .join('\n');
  return { json: { ok: true, providers: rows.map((r) => snakeKeys(r)) }, text };
}
