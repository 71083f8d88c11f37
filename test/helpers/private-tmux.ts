/**
 * A private tmux server for one e2e test file (`tmux -L <socket>`; only this server is ever killed), with
 * a controller pane and the CLI environment that puts workers on that server.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

/** Whether tmux runs here (tests that need it are skipped otherwise). */
export const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** One private tmux server: `tmux(...)` runs a tmux command on it (trimmed stdout). */
export interface PrivateTmux {
  socket: string;
  tmux(...args: string[]): string;
  /**
   * Starts the controller's pane (a session `controller` running `cat`) and returns the CLI environment:
   * the tmux backend on this server, `AGENT_TEAM_HOME` = `home`, `TMUX_PANE` = that pane, no other
   * multiplexer, 4 s delivery and 8 s start bounds; `extra` is added last.
   */
  controllerEnv(home: string, extra?: Record<string, string | undefined>): Record<string, string | undefined>;
  /** Kills this server and removes its socket file; no error when it is already gone. */
  kill(): void;
}

/** A private server whose socket name starts with `agent-team-<name>-` and is unique to this process. */
export function privateTmux(name: string): PrivateTmux {
  const socket = `agent-team-${name}-${process.pid}-${Date.now()}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' }).trim();
  return {
    socket,
    tmux,
    controllerEnv(home, extra = {}) {
      const controller = tmux('new-session', '-d', '-s', 'controller', '-P', '-F', '#{pane_id}', 'cat > /dev/null');
      return {
        AGENT_TEAM_BACKEND: 'tmux',
        AGENT_TEAM_TMUX_SOCKET: socket,
        AGENT_TEAM_HOME: home,
        TMUX: undefined,
        TMUX_PANE: controller,
        WEZTERM_PANE: undefined,
        AGENT_TEAM_PANE: undefined,
        AGENT_TEAM_DELIVERY_TIMEOUT_MS: '4000',
        AGENT_TEAM_START_TIMEOUT_MS: '8000',
        ...extra,
      };
    },
    kill() {
      try {
        const socketPath = tmux('display-message', '-p', '#{socket_path}');
        tmux('kill-server');
        rmSync(socketPath, { force: true });
      } catch {
        // already gone
      }
    },
  };
}
