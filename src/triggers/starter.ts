/** What triggers need from a Durable client: look an instance up, start one. */
export interface DurableStarter {
  runtimeStatus(instanceId: string): Promise<string | undefined>;
  start(orchestrator: string, instanceId: string, input: unknown): Promise<'started' | 'exists'>;
  /**
   * Terminates the region children an ended execution of `instanceId` left running (terminating a parent
   * does not terminate its sub-orchestrations, in Azure either), so a restart never races them for the
   * same pools. Returns the ids it terminated.
   */
  endEarlierChildren(instanceId: string): Promise<string[]>;
}

export interface TriggerLog {
  info(message: string): void;
  warn(message: string): void;
}
