/** `agent-team mcp`: the MCP server on stdio (src/mcp/). */
import { Command } from 'commander';
import { jsonOption } from '../options.js';

/** `agent-team mcp`. */
export function makeMcpCommand(): Command {
  return new Command('mcp')
    .description('Serve the controller\'s tools over the Model Context Protocol on stdio (for Claude Code, Codex, Gemini/agy, OpenCode)')
    .addOption(jsonOption('accepted like everywhere; the server always speaks MCP (JSON-RPC) on stdout'))
    .addHelpText('after', '\nRegister it, e.g.:\n  claude mcp add agent-team -- agent-team mcp\nEvery tool returns the JSON document of the matching `--json` command; isError and _meta.exit_code give its exit code.')
    .action(async () => {
      const { serveStdio } = await import('../../mcp/server.js');
      await serveStdio();
    });
}
