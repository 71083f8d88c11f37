/** Handler of `agent-team trust [dir] [--list | --revoke]`. */
import { UsageError } from '../../errors.js';
import { describeCommand } from '../../trust/commands.js';
import { trustStatus } from '../../trust/check.js';
import { readTrustRecords, revokeTrust, trustFile, trustProject } from '../../trust/store.js';
import { mainRepoRoot } from '../../worker/root.js';
import { snakeKeys, type CommandResult, type CommonOptions } from '../output.js';

/** Options of `agent-team trust`. */
export interface TrustOptions extends CommonOptions {
  list?: boolean;
  revoke?: boolean;
}

/** `agent-team trust`: records (default), lists (`--list`) or revokes (`--revoke`) trust. */
export async function trust([dir]: string[], o: TrustOptions): Promise<CommandResult> {
  if (o.list === true && o.revoke === true) throw new UsageError('--list and --revoke cannot be combined; give one', { code: 'usage' });
  if (o.list === true) {
    const records = readTrustRecords();
    const text = records.length
      ? records.map((r) => [`${r.path}  (trusted ${r.trusted_at}, ${r.commands.length} command(s))`, ...r.commands.map((c) => `  ${describeCommand(c)}`)].join('\n')).join('\n')
      : `no trusted repositories (${trustFile()})`;
    return { json: { ok: true, file: trustFile(), projects: records }, text };
  }
  const root = await mainRepoRoot(dir ?? process.cwd());
  if (o.revoke === true) {
    const revoked = await revokeTrust(root);
    return { json: { ok: true, path: root, revoked }, text: revoked ? `no longer trusted: ${root}` : `${root} was not trusted; nothing to revoke` };
  }
  const before = trustStatus(root);
  const record = await trustProject(root);
  const lines = [
    `trusted ${record.path}${before.state === 'changed' ? ' (again: its commands had changed)' : ''}; agent-team may now run:`,
    ...(record.commands.length ? record.commands.map((c) => `  ${describeCommand(c)}`) : ['  (no template command: or config provider yet; built-in providers never need trust)']),
  ];
  return { json: snakeKeys({ ok: true, path: record.path, hash: record.hash, trustedAt: record.trusted_at, previous: before.state, commands: record.commands }), text: lines.join('\n') };
}
