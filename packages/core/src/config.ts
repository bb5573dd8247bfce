import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, join, resolve } from 'node:path';
import { ConfigError } from './errors.js';
import { type Policy, parsePolicy } from './policy.js';

// The YAML parser is loaded on the first YAML policy, not when the package is imported.
let yamlParse: ((text: string) => unknown) | undefined;
function parseYaml(text: string): unknown {
  yamlParse ??= (createRequire(import.meta.url)('yaml') as { parse(text: string): unknown }).parse;
  return yamlParse(text);
}

/** File names looked up, in order, by `findPolicyFile`. */
export const POLICY_FILE_NAMES = ['parapet.config.json', 'parapet.config.yaml', 'parapet.config.yml'] as const;

/** The first `parapet.config.{json,yaml,yml}` in `directory`, or undefined. */
export function findPolicyFile(directory: string = process.cwd()): string | undefined {
  for (const name of POLICY_FILE_NAMES) {
    const candidate = join(directory, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Parses policy text (JSON or YAML, by `format`) and validates it. */
export function parsePolicyText(text: string, format: 'json' | 'yaml', source = 'policy'): Policy {
  let raw: unknown;
  try {
    raw = format === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError({
      message: `Cannot parse ${source} as ${format.toUpperCase()}: ${(error as Error).message}. Fix the syntax, or check the file extension.`,
      cause: error,
    });
  }
  // A config file may hold the policy at the top level or under "policy".
  const body =
    raw !== null && typeof raw === 'object' && 'policy' in raw && Object.keys(raw).length === 1
      ? (raw as { policy: unknown }).policy
      : raw;
  try {
    return parsePolicy(body ?? {}, 'policy');
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new ConfigError({ message: `${source}: ${error.message}`, issues: error.issues, cause: error.cause });
    }
    throw error;
  }
}

/** Reads and validates a policy file (`.json`, `.yaml` or `.yml`). */
export async function loadPolicy(path: string): Promise<Policy> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new ConfigError({
      message: 'loadPolicy(path): path must be a non-empty string naming a .json or .yaml file.',
    });
  }
  const full = resolve(path);
  const extension = extname(full).toLowerCase();
  if (extension !== '.json' && extension !== '.yaml' && extension !== '.yml') {
    throw new ConfigError({ message: `loadPolicy: ${path} must end in .json, .yaml or .yml.` });
  }
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (error) {
    throw new ConfigError({
      message: `Cannot read policy file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}. Check the path.`,
      cause: error,
    });
  }
  return parsePolicyText(text, extension === '.json' ? 'json' : 'yaml', path);
}
