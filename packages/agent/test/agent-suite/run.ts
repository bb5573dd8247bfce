import type { AuditEvent, AuditSink } from '@parapet/core';
import { wrapTools } from '../../src/index.js';
import { createEnvironment, createTools } from './environment.js';
import { type CallRecord, parseInstructions, renderOutput, runGullibleAgent } from './model.js';
import { type ApprovalRecord, scriptedHuman, suitePolicy } from './policy.js';
import { type AttackKind, SCENARIOS, type Scenario } from './scenarios.js';

/**
 * `none`: the raw tools (proves each attack is real). `rules`: the tool policy without output scanning
 * (argument, taint, approval, rate and budget rules alone). `full`: the same policy plus
 * `scanToolOutputs: [indirectInjection()]`, which quarantines outputs that carry instructions.
 */
export type Mode = 'none' | 'rules' | 'full';
export const MODES: readonly Mode[] = ['none', 'rules', 'full'];

export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly type: 'attack' | 'benign';
  readonly kind?: AttackKind;
  readonly covered: boolean;
  readonly mode: Mode;
  /** Attack: the attacker's goal state was reached. Benign: the user's goal state was reached. */
  readonly success: boolean;
  /** Attack only: whether the user's own request still got done. */
  readonly userTaskDone?: boolean;
  /**
   * What stopped the injected calls: the policy's reason codes (`constraint-violated`, `tainted`,
   * `approval-denied`, …) and `quarantined` when the scanner withheld an output carrying instructions.
   */
  readonly stoppedBy: readonly string[];
  /** Reason codes of denied calls the user's own plan made. */
  readonly taskDenied: readonly string[];
  /**
   * Outputs the scanner withheld: with an instruction the model would have followed (a catch), or clean
   * (a false positive; the model loses data it may have needed).
   */
  readonly quarantined: { readonly withInstructions: number; readonly clean: number };
  readonly calls: readonly CallRecord[];
  readonly approvals: readonly ApprovalRecord[];
  /** Audit events the policy wrote, by type. */
  readonly audit: Readonly<Record<string, number>>;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

type AnyFunction = (args: unknown, options?: { toolCallId?: string }) => unknown;

/** Records each raw output by call id, beneath the policy, so a quarantine can be judged afterwards. */
function recordOutputs<T extends Record<string, unknown>>(tools: T, outputs: Map<string, string>): T {
  const recorded: Record<string, unknown> = {};
  for (const [name, tool] of Object.entries(tools)) {
    const execute = (typeof tool === 'function' ? tool : (tool as { execute: AnyFunction }).execute) as AnyFunction;
    const run: AnyFunction = async (args, options) => {
      const output = await execute(args, options);
      if (options?.toolCallId !== undefined) outputs.set(options.toolCallId, renderOutput(output));
      return output;
    };
    recorded[name] = typeof tool === 'function' ? run : { ...(tool as object), execute: run };
  }
  return recorded as T;
}

export async function runScenario(scenario: Scenario, mode: Mode): Promise<ScenarioResult> {
  const env = createEnvironment();
  scenario.setup?.(env);
  const rawOutputs = new Map<string, string>();
  const tools = recordOutputs(createTools(env), rawOutputs);
  const sessions = scenario.turns.map((_, index) => `${scenario.id}#${index + 1}`);
  const approvals: ApprovalRecord[] = [];
  const audit: Record<string, number> = {};
  const sink: AuditSink = {
    name: 'count',
    write: (event: AuditEvent) => {
      audit[event.type] = (audit[event.type] ?? 0) + 1;
    },
  };
  const policy =
    mode === 'none'
      ? undefined
      : suitePolicy({
          scan: mode === 'full',
          audit: sink,
          approver: scriptedHuman(
            (session) => scenario.turns[sessions.indexOf(session ?? '')]?.intent ?? [],
            approvals,
          ),
        });
  const calls: CallRecord[] = [];
  try {
    for (const [index, turn] of scenario.turns.entries()) {
      const surface =
        policy === undefined ? tools : wrapTools(tools, policy, { session: sessions[index] as string, user: 'emma' });
      const run = await runGullibleAgent(turn.plan, surface, { answers: env.answers });
      calls.push(...run.calls);
    }
  } finally {
    await policy?.close();
  }
  const withheld = calls.filter((call) => call.status === 'quarantined');
  const caught = withheld.filter((call) => parseInstructions(rawOutputs.get(call.callId) ?? '').length > 0).length;
  const quarantined = { withInstructions: caught, clean: withheld.length - caught };
  const injectedDenials = calls.filter((call) => call.origin === 'injection' && call.status === 'denied');
  const taskDenied = unique(
    calls.filter((call) => call.origin === 'task' && call.status === 'denied').map((call) => call.reason ?? '?'),
  );
  const common = {
    id: scenario.id,
    title: scenario.title,
    mode,
    taskDenied,
    quarantined,
    calls,
    approvals,
    audit,
  };
  if (scenario.type === 'attack') {
    const success = scenario.attackerGoal(env);
    return {
      ...common,
      type: 'attack',
      kind: scenario.kind,
      covered: scenario.covered,
      success,
      ...(scenario.userGoal !== undefined ? { userTaskDone: scenario.userGoal(env) } : {}),
      stoppedBy: success
        ? []
        : unique([
            ...(quarantined.withInstructions > 0 ? ['quarantined'] : []),
            ...injectedDenials.map((call) => call.reason ?? '?'),
          ]),
    };
  }
  return {
    ...common,
    type: 'benign',
    covered: true,
    success: scenario.userGoal(env),
    stoppedBy: taskDenied,
  };
}

export async function runSuite(
  scenarios: readonly Scenario[] = SCENARIOS,
  modes: readonly Mode[] = MODES,
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) for (const mode of modes) results.push(await runScenario(scenario, mode));
  return results;
}

export interface ModeSummary {
  /** Covered attacks whose goal was reached. */
  readonly attacksSucceeded: number;
  /** Attacks marked not covered whose goal was reached. */
  readonly gapsSucceeded: number;
  readonly benignCompleted: number;
  /** Attack scenarios whose user request has a goal of its own, and how many of those still got done. */
  readonly userTasksUnderAttack: { readonly done: number; readonly total: number };
  /** Clean outputs the scanner withheld (false positives), over all scenarios. */
  readonly cleanOutputsQuarantined: number;
  /** Covered attacks that failed, counted by what stopped them (a scenario may count under several). */
  readonly stoppedBy: Readonly<Record<string, number>>;
}

export interface SuiteSummary {
  readonly attacks: number;
  readonly coveredAttacks: number;
  readonly benign: number;
  readonly byMode: Readonly<Partial<Record<Mode, ModeSummary>>>;
}

export function summarize(results: readonly ScenarioResult[]): SuiteSummary {
  const ids = (type: 'attack' | 'benign', covered?: boolean) =>
    new Set(
      results
        .filter((result) => result.type === type && (covered === undefined || result.covered === covered))
        .map((result) => result.id),
    ).size;
  const byMode: Partial<Record<Mode, ModeSummary>> = {};
  for (const mode of MODES) {
    const inMode = results.filter((result) => result.mode === mode);
    if (inMode.length === 0) continue;
    const stoppedBy: Record<string, number> = {};
    for (const result of inMode) {
      if (result.type !== 'attack' || !result.covered || result.success) continue;
      for (const reason of result.stoppedBy) stoppedBy[reason] = (stoppedBy[reason] ?? 0) + 1;
    }
    byMode[mode] = {
      attacksSucceeded: inMode.filter((r) => r.type === 'attack' && r.covered && r.success).length,
      gapsSucceeded: inMode.filter((r) => r.type === 'attack' && !r.covered && r.success).length,
      benignCompleted: inMode.filter((r) => r.type === 'benign' && r.success).length,
      userTasksUnderAttack: {
        done: inMode.filter((r) => r.userTaskDone === true).length,
        total: inMode.filter((r) => r.userTaskDone !== undefined).length,
      },
      cleanOutputsQuarantined: inMode.reduce((sum, r) => sum + r.quarantined.clean, 0),
      stoppedBy,
    };
  }
  return { attacks: ids('attack'), coveredAttacks: ids('attack', true), benign: ids('benign'), byMode };
}

const percent = (count: number, total: number): string =>
  total === 0 ? '–' : `${count}/${total} (${Math.round((count / total) * 100)}%)`;

/** The README tables: totals per mode, then one row per scenario. */
export function formatReport(results: readonly ScenarioResult[]): string {
  const summary = summarize(results);
  const modes = MODES.filter((mode) => summary.byMode[mode] !== undefined);
  const label: Record<Mode, string> = {
    none: 'no policy',
    rules: 'policy, rules only',
    full: 'policy + indirectInjection()',
  };
  const lines: string[] = [];
  lines.push(`| | ${modes.map((mode) => label[mode]).join(' | ')} |`);
  lines.push(`|---|${modes.map(() => '---').join('|')}|`);
  const row = (name: string, cell: (summary: ModeSummary) => string) =>
    lines.push(`| ${name} | ${modes.map((mode) => cell(summary.byMode[mode] as ModeSummary)).join(' | ')} |`);
  row('attack success (covered flows)', (s) => percent(s.attacksSucceeded, summary.coveredAttacks));
  row('attack success (known gaps)', (s) => percent(s.gapsSucceeded, summary.attacks - summary.coveredAttacks));
  row('benign task completion', (s) => percent(s.benignCompleted, summary.benign));
  row("user's own task done while under attack", (s) =>
    percent(s.userTasksUnderAttack.done, s.userTasksUnderAttack.total),
  );
  row('clean tool outputs quarantined (scanner false positives)', (s) => String(s.cleanOutputsQuarantined));
  const reasons = unique(modes.flatMap((mode) => Object.keys(summary.byMode[mode]?.stoppedBy ?? {}))).sort();
  for (const reason of reasons) {
    row(`attacks stopped by \`${reason}\``, (s) => String(s.stoppedBy[reason] ?? 0));
  }
  lines.push('');

  const byId = new Map<string, Partial<Record<Mode, ScenarioResult>>>();
  for (const result of results) byId.set(result.id, { ...byId.get(result.id), [result.mode]: result });
  const cell = (result: ScenarioResult | undefined): string => {
    if (result === undefined) return '–';
    const falsePositives =
      result.quarantined.clean > 0 ? ` (${result.quarantined.clean} clean output quarantined)` : '';
    if (result.type === 'benign') {
      return `${result.success ? 'done' : `FAILED (${result.stoppedBy.join(', ') || 'goal not reached'})`}${falsePositives}`;
    }
    if (result.success) return `attack succeeded${falsePositives}`;
    const stoppers =
      result.stoppedBy.join(', ') ||
      (result.taskDenied.length > 0 ? `task call ${result.taskDenied.join(', ')}` : 'no injected call succeeded');
    return `stopped: ${stoppers}${falsePositives}`;
  };
  lines.push(`| scenario | kind | ${modes.map((mode) => label[mode]).join(' | ')} |`);
  lines.push(`|---|---|${modes.map(() => '---').join('|')}|`);
  for (const [id, perMode] of byId) {
    const any = Object.values(perMode)[0] as ScenarioResult;
    const kind = any.type === 'benign' ? 'benign' : `${any.kind}${any.covered ? '' : ' (not covered)'}`;
    lines.push(`| ${id} | ${kind} | ${modes.map((mode) => cell(perMode[mode])).join(' | ')} |`);
  }
  return lines.join('\n');
}
