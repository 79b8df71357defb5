/** What triggers need from a Durable client: look an instance up, start one. */
export interface DurableStarter {
  runtimeStatus(instanceId: string): Promise<string | undefined>;
  start(orchestrator: string, instanceId: string, input: unknown): Promise<'started' | 'exists'>;
}

export interface TriggerLog {
  info(message: string): void;
  warn(message: string): void;
}
