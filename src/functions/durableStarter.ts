import type { DurableClient } from 'durable-functions';
import type { DurableStarter } from '../triggers/starter';

/** The Durable client as the small interface triggers use; "not found" and "already exists" become values. */
export function durableStarter(client: DurableClient): DurableStarter {
  return {
    async runtimeStatus(instanceId) {
      try {
        const status = await client.getStatus(instanceId);
        return status?.runtimeStatus ?? undefined;
      } catch (error) {
        if (/404/.test((error as Error).message)) return undefined;
        throw error;
      }
    },
    async start(orchestrator, instanceId, input) {
      try {
        await client.startNew(orchestrator, { instanceId, input });
        return 'started';
      } catch (error) {
        if (/409|already exists/i.test((error as Error).message)) return 'exists';
        throw error;
      }
    },
  };
}

export function triggerLog(context: { log(...a: unknown[]): void; warn(...a: unknown[]): void }) {
  return { info: (m: string) => context.log(m), warn: (m: string) => context.warn(m) };
}
