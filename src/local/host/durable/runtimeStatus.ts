import type { RuntimeStatus } from './store';

/**
 * The statuses an instance never leaves on its own, as the Durable Task Framework counts them: ContinuedAsNew
 * is a passing state of a running instance, not an end.
 */
export const TERMINAL_STATUSES: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];

export function isTerminal(status: RuntimeStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}
