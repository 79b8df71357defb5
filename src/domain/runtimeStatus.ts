/**
 * Which Durable runtime statuses mean "the instance still runs". Azure's Durable client accepts a raised
 * event and refuses a new start under the same id for exactly these (DurableClient.IsOrchestrationRunning:
 * Running, Suspended, Pending, ContinuedAsNew); a suspended instance resumes and may still answer, release
 * or complete, so every door treats it as alive.
 */
export const LIVE_STATUSES: readonly string[] = ['Running', 'Pending', 'ContinuedAsNew', 'Suspended'];

/** The instance still runs (or waits to run): events reach it and it may still finish. */
export function isAlive(status: string | null | undefined): boolean {
  return status !== undefined && status !== null && LIVE_STATUSES.includes(status);
}
