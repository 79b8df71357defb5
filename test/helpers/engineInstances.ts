import type { DurableEngine } from '../../src/local/host/durable/engine';
import type { InstancesPort } from '../../src/ports';
import { LIVE_STATUSES } from '../../src/domain/runtimeStatus';

/** The instances port straight on an embedded engine, for unit tests that run orchestrators without a host. */
export function engineInstances(engine: DurableEngine): InstancesPort {
  return {
    runtimeStatus: async (id) => engine.status(id)?.runtimeStatus,
    lastState: async (id) => {
      const status = engine.status(id, { showInput: true });
      return status ? { input: status.input, customStatus: status.customStatus } : undefined;
    },
    alive: async () =>
      engine
        .list({ runtimeStatus: [...LIVE_STATUSES] })
        .map((s) => ({ instanceId: s.instanceId, customStatus: s.customStatus })),
    listAll: async () =>
      engine.list({}).map((s) => ({
        instanceId: s.instanceId,
        runtimeStatus: s.runtimeStatus,
        input: engine.status(s.instanceId, { showInput: true })?.input,
        customStatus: s.customStatus,
      })),
    start: async (name, id, input) => {
      try {
        engine.startNew(name, id, input);
        return 'started';
      } catch (error) {
        if (/already exists/.test((error as Error).message)) return 'exists';
        throw error;
      }
    },
    raiseEvent: async (id, name, data) => engine.raiseEvent(id, name, data),
  };
}
