import { type Guard, GuardBlockedError, type Verdict } from '@parapet/core';

/** The policy's fallback text for the verdict's stage, honouring the tenant's override. */
export function fallbackText(guard: Guard, verdict: Verdict, tenant: string | undefined): string {
  const base = guard.policy.onBlock;
  const tenantBlock = tenant === undefined ? undefined : guard.policy.tenants[tenant]?.onBlock;
  const fallback = tenantBlock?.fallback ?? base.fallback;
  if (verdict.stage !== 'output') return fallback;
  return tenantBlock?.outputFallback ?? tenantBlock?.fallback ?? base.outputFallback ?? fallback;
}

/**
 * What a block turns into: the fallback text, or the `GuardBlockedError` to throw. `mode` is the adapter's
 * `onBlock`; without it the guard's policy decides (`guard.enforceBlock`).
 */
export function blockOutcome(
  guard: Guard,
  mode: 'throw' | 'fallback' | undefined,
  verdict: Verdict,
  tenant: string | undefined,
): { text: string } | { error: Error } {
  if (mode === 'throw') return { error: new GuardBlockedError({ verdict, guardName: guard.name }) };
  if (mode === 'fallback') return { text: fallbackText(guard, verdict, tenant) };
  try {
    return { text: guard.enforceBlock(verdict, tenant !== undefined ? { tenant } : undefined) };
  } catch (error) {
    return { error: error as Error };
  }
}
