import { findPolicyFile, loadPolicy, type Policy, parsePolicy } from '@parapet/core';

/** The policy from --policy, else parapet.config.{json,yaml} in the working directory, else defaults. */
export async function resolvePolicy(path: string | undefined, cwd: string): Promise<Policy> {
  if (path !== undefined) return loadPolicy(path);
  const found = findPolicyFile(cwd);
  return found === undefined ? parsePolicy({}) : loadPolicy(found);
}
