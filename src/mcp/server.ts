/**
 * `agent-team mcp`: a Model Context Protocol server on stdio (@modelcontextprotocol/sdk) whose tools
 * (tools.ts) run the CLI's own commands in-process. A tool's result is one text item holding exactly the
 * CLI's `--json` document (pretty-printed, as stdout would carry it), then one text item per warning
 * (`warning: …`, what the CLI prints on stderr); `isError` is set when the CLI would exit non-zero, and
 * `_meta.exit_code` carries that exit code (0, 1 or 2). stdout is the protocol channel: nothing else is
 * ever written to it while the server runs.
 */
import { readFileSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { invokeCommand } from './invoke.js';
import { TOOLS } from './tools.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** A server with every tool of {@link TOOLS} registered (not yet connected). */
export function createMcpServer(): McpServer {
  const server = new McpServer(
    { name: 'agent-team', version: pkg.version },
    { instructions: 'Drive agent-team workflow runs: run (with wait) → judgement → run. Tools return the CLI\'s --json documents; the skill agent-team explains each kind of step.' },
  );
  for (const tool of TOOLS) {
    server.registerTool(
      tool.name,
      { description: tool.description, inputSchema: tool.input, annotations: { readOnlyHint: tool.readOnly, openWorldHint: false } },
      async (args: Record<string, unknown>) => {
        const r = await invokeCommand(tool.line(args));
        return {
          content: [{ type: 'text' as const, text: JSON.stringify(r.json, null, 2) }, ...r.warnings.map((w) => ({ type: 'text' as const, text: `warning: ${w}` }))],
          isError: r.exitCode !== 0,
          _meta: { exit_code: r.exitCode },
        };
      },
    );
  }
  return server;
}

/** Serves {@link createMcpServer} on stdin/stdout until stdin closes. */
export async function serveStdio(): Promise<void> {
  const server = createMcpServer();
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close();
}
