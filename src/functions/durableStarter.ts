import type { DurableClient, OrchestrationRuntimeStatus } from 'durable-functions';
import type { DurableStarter } from '../triggers/starter';
import type { InstancesPort } from '../ports';
import { durableAnswer, unlessMissing } from '../azure/durableAnswers';
import { isAlive, LIVE_STATUSES } from '../domain/runtimeStatus';
import { INTERNAL_ID_PREFIX } from '../domain/instanceId';
import { executionStampOf, regionInstanceId, type PipelineInput } from '../domain/pipeline';

/** The Durable client as the small interface triggers use; "not found" and "already exists" become values. */
export function durableStarter(client: DurableClient): DurableStarter {
  return {
    async runtimeStatus(instanceId) {
      const status = await unlessMissing(client.getStatus(instanceId));
      return status?.runtimeStatus ?? undefined;
    },
    async endEarlierChildren(instanceId) {
      const status = await unlessMissing(client.getStatus(instanceId, { showInput: true }));
      const listed = (status?.customStatus as { regionInstances?: unknown } | undefined)?.regionInstances;
      const input = status?.input as Partial<PipelineInput> | undefined;
      if (!Array.isArray(listed) || typeof listed[0] !== 'string' || !input?.request) return [];
      // The status lists only the first children (it is bounded); all share the execution stamp, and the
      // rest follow from the regions of the request that run was given.
      const stamp = executionStampOf(listed[0], instanceId);
      const regions = [...new Set(input.request.pools.map((p) => p.account.region))];
      // A long requestId's child ids end in a hash and cannot be parsed: the listed ones are all we know.
      const children = stamp
        ? regions.map((region) => regionInstanceId(instanceId, region, stamp))
        : (listed as string[]);
      const ended: string[] = [];
      for (const child of children) {
        const state = await unlessMissing(client.getStatus(child));
        if (!isAlive(state?.runtimeStatus)) continue;
        await client.terminate(child, `its parent ${instanceId} is being restarted with a new request`);
        ended.push(child);
      }
      return ended;
    },
    async start(orchestrator, instanceId, input) {
      try {
        await client.startNew(orchestrator, { instanceId, input });
        return 'started';
      } catch (error) {
        if (durableAnswer(error) === 'exists') return 'exists';
        throw error;
      }
    },
  };
}

export function triggerLog(context: { log(...a: unknown[]): void; warn(...a: unknown[]): void }) {
  return { info: (m: string) => context.log(m), warn: (m: string) => context.warn(m) };
}

/** The Durable client as the instances port: a raise to a missing or finished instance returns false. */
export function durableInstances(client: DurableClient): InstancesPort {
  const starter = durableStarter(client);
  return {
    ...starter,
    async lastState(instanceId) {
      try {
        const status = await client.getStatus(instanceId, { showInput: true });
        return status ? { input: status.input, customStatus: status.customStatus } : undefined;
      } catch (error) {
        if (/404/.test((error as Error).message)) return undefined;
        throw error;
      }
    },
    async alive() {
      // The client follows x-ms-continuation-token through every page.
      const statuses = await client.getStatusBy({
        runtimeStatus: LIVE_STATUSES.map((s) => s as OrchestrationRuntimeStatus),
      });
      return statuses.map((s) => ({ instanceId: s.instanceId, customStatus: s.customStatus }));
    },
    async listAll() {
      // The list API shows inputs unless told not to (showInput); ask one by one where it did not.
      const statuses = await client.getStatusAll();
      const out = [];
      for (const s of statuses) {
        let input: unknown = s.input;
        if ((input === null || input === undefined) && !s.instanceId.startsWith(INTERNAL_ID_PREFIX))
          input = (await unlessMissing(client.getStatus(s.instanceId, { showInput: true })))?.input;
        out.push({
          instanceId: s.instanceId,
          runtimeStatus: s.runtimeStatus,
          input,
          customStatus: s.customStatus,
        });
      }
      return out;
    },
    async raiseEvent(instanceId, eventName, data) {
      // The client resolves on 410 (no longer running) too: ask first so a lost event is seen.
      const status = await starter.runtimeStatus(instanceId);
      if (!isAlive(status)) return false;
      try {
        await client.raiseEvent(instanceId, eventName, data);
        return true;
      } catch (error) {
        if (durableAnswer(error) === 'notFound') return false;
        throw error;
      }
    },
  };
}
