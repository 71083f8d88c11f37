/** Handler of `agent-team doctor [--fix]`: render the doctor's findings. */
import { EXIT } from '../../errors.js';
import { projectRoot } from '../../store/paths.js';
import { runDoctor } from '../../worker/doctor.js';
import type { CommandResult, CommonOptions } from '../output.js';

/** Options of `doctor`. */
export interface DoctorCommandOptions extends CommonOptions {
  fix?: boolean;
}

/** `doctor`: exit 0 when nothing is wrong (or everything found was fixed), 1 when findings remain. */
export async function doctor(_args: string[], o: DoctorCommandOptions): Promise<CommandResult> {
  const fix = o.fix === true;
  const report = await runDoctor(projectRoot(), { fix });
  const open = report.findings.filter((f) => f.fixed !== true);
  const lines = report.findings.map((f) => {
    const state = f.fixed === true ? 'fixed' : f.fixed === false ? `not fixed (${f.error ?? 'failed'})` : f.fixable ? 'fixable with --fix' : 'fix by hand';
    return `${f.kind}  ${f.path}\n  ${f.message}\n  ${state}: ${f.fix}`;
  });
  const fixable = open.filter((f) => f.fixable && f.fixed === undefined).length;
  const summary =
    report.findings.length === 0
      ? 'no problems found'
      : `${report.findings.length} finding(s), ${report.findings.length - open.length} fixed, ${open.length} open${fixable ? `; run agent-team doctor --fix to repair ${fixable}` : ''}`;
  return {
    json: { ok: open.length === 0, root: report.root, findings: report.findings, open: open.length },
    text: [...lines, summary].join('\n'),
    exitCode: open.length === 0 ? EXIT.ok : EXIT.failed,
  };
}
