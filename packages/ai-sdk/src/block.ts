import { type Guard, GuardBlockedError, type Verdict } from '@parapet/core';

/**
 * Applies a block: the policy's own handling (`guard.enforceBlock`) unless the adapter's `onBlock` overrides
 * it. Returns the fallback text or throws `GuardBlockedError`.
 */
export function resolveBlock(
  guard: Guard,
  onBlock: 'throw' | 'fallback' | undefined,
  verdict: Verdict,
  tenant: string | undefined,
): string {
  if (onBlock === undefined) return guard.enforceBlock(verdict, { tenant });
  if (onBlock === 'throw') throw new GuardBlockedError({ verdict, guardName: guard.name });
  const base = guard.policy.onBlock;
  const override = tenant === undefined ? undefined : guard.policy.tenants[tenant]?.onBlock;
  // The same merge as the guard's own: the tenant's fields over the policy's.
  const fallback = override?.fallback ?? base.fallback;
  if (verdict.stage !== 'output') return fallback;
  return override?.outputFallback ?? base.outputFallback ?? fallback;
}

export function isGuardBlocked(error: unknown): error is GuardBlockedError {
  return GuardBlockedError.isInstance(error) && error.code === 'GUARD_BLOCKED';
}
