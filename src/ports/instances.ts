/**
 * Durable instances as activities see them: what the ledger messaging needs from a Durable client
 * (an activity with a durableClient input binding in Azure, the engine's HTTP API locally).
 */
export interface InstancesPort {
  runtimeStatus(instanceId: string): Promise<string | undefined>;
  /** The input of its latest execution and its last custom status; undefined when it does not exist. */
  lastState(instanceId: string): Promise<{ input?: unknown; customStatus?: unknown } | undefined>;
  /** Every instance that still runs (isAlive), with its custom status. */
  alive(): Promise<{ instanceId: string; customStatus?: unknown }[]>;
  /**
   * Every instance, whatever its status, with its input and custom status: read only when a ledger is
   * started again (rare), to learn what the builds of its definition named.
   */
  listAll(): Promise<
    { instanceId: string; runtimeStatus?: string; input?: unknown; customStatus?: unknown }[]
  >;
  start(orchestrator: string, instanceId: string, input: unknown): Promise<'started' | 'exists'>;
  /** False when the instance does not exist or no longer runs (the event went nowhere). */
  raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<boolean>;
}
