import type { z } from 'zod';
import { ArgumentError, ConfigError, type ConfigIssue } from './errors.js';

function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out.length === 0 ? String(key) : `.${String(key)}`;
  }
  return out.length === 0 ? '(root)' : out;
}

/** Converts zod issues to `{ path, message }` pairs; messages never echo the offending value. */
export function toIssues(error: z.ZodError, prefix: string): ConfigIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(prefix, issue.path), message: issue.message }));
}

function summarize(issues: readonly ConfigIssue[]): string {
  const shown = issues.slice(0, 5).map((issue) => `  - ${issue.path}: ${issue.message}`);
  if (issues.length > 5) shown.push(`  - … and ${issues.length - 5} more`);
  return shown.join('\n');
}

/** Parses configuration with a zod schema; throws a ConfigError naming each bad field. */
export function parseConfig<T extends z.ZodType>(schema: T, value: unknown, where: string, prefix = ''): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = toIssues(result.error, prefix);
  throw new ConfigError({ message: `Invalid ${where}:\n${summarize(issues)}`, issues, cause: result.error });
}

/** Parses a function argument with a zod schema; throws an ArgumentError naming each bad field. */
export function parseArgument<T extends z.ZodType>(schema: T, value: unknown, where: string, prefix = ''): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = toIssues(result.error, prefix);
  throw new ArgumentError({
    message: `Invalid argument to ${where}:\n${summarize(issues)}`,
    issues,
    cause: result.error,
  });
}
