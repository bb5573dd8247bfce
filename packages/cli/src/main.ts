import { ParapetError } from '@parapet/core';
import { type CliIo, EXIT, processIo, UsageError } from './io.js';

const HELP = `parapet — guardrails for LLM applications

Usage:
  parapet scan [TEXT | --file F | -] [--stage S] [--policy F] [--detector ID ...] [--audit-jsonl F] [--format text|json]
  parapet eval --dataset F.jsonl [--detector ID ...] [--policy F] [--stage S] [--format json|table] [--map FROM=TO]
  parapet audit query|tail|verify|stats …   read and check an audit trail (JSONL or SQLite)
  parapet detectors            list the detectors, by id
  parapet help [COMMAND]

Exit codes: 0 allow, 1 flag or redact, 2 block, 3 usage or configuration error.
`;

/** Runs the CLI with `argv` (without the node and script paths). Returns the exit code; never calls process.exit. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      // Each command loads only what it needs: `audit` never loads the detectors, so it starts faster.
      case 'scan':
        return await (await import('./commands/scan.js')).scanCommand(rest, io);
      case 'eval':
        return await (await import('./commands/eval.js')).evalCommand(rest, io);
      case 'audit':
        return await (await import('./commands/audit.js')).auditCommand(rest, io);
      case 'detectors': {
        const { registry } = await import('./registry.js');
        for (const factory of [...registry.values()].sort((a, b) => a.id.localeCompare(b.id))) {
          io.stdout.write(`${factory.id.padEnd(22)} ${factory.stages.join(',').padEnd(36)} ${factory.description}\n`);
        }
        return EXIT.allow;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(
          rest[0] === 'scan'
            ? (await import('./commands/scan.js')).SCAN_HELP
            : rest[0] === 'eval'
              ? (await import('./commands/eval.js')).EVAL_HELP
              : rest[0] === 'audit'
                ? (await import('./commands/audit.js')).AUDIT_HELP
                : HELP,
        );
        return EXIT.allow;
      default:
        throw new UsageError(`Unknown command "${command}". Run "parapet help".`);
    }
  } catch (error) {
    if (
      error instanceof UsageError ||
      ParapetError.isInstance(error) ||
      (error as { code?: string })?.code?.startsWith?.('ERR_PARSE_ARGS')
    ) {
      io.stderr.write(`parapet: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}
