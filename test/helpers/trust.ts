/** Trusting a test project without spawning the CLI (`agent-team trust` itself is tested in test/trust/). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { toYaml } from '../../src/store/yaml-file.js';
import { commandsHash, projectCommands } from '../../src/trust/commands.js';
import { projectKey, trustFile } from '../../src/trust/store.js';

/**
 * Writes the trust record `agent-team trust` would write for the project at `root` (its current template
 * and config commands, hashed by the trust module's own functions) as the only record of a fresh
 * agent-team home `home`. Synchronous, for fixtures.
 */
export function trustInHome(root: string, home: string): void {
  const commands = projectCommands(root);
  const file = trustFile({ AGENT_TEAM_HOME: home });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, toYaml({ version: 1, projects: [{ path: projectKey(root), hash: commandsHash(commands), trusted_at: new Date().toISOString(), commands }] }));
}
