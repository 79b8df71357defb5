// durable-functions ships the factory df.app.orchestration registers, without typings for its path.
declare module 'durable-functions/lib/src/util/testingUtils' {
  export function createOrchestrator(fn: unknown): (trigger: unknown, context: unknown) => Promise<unknown>;
}

// The library's own Durable client class: how its errors are read (test/unit/azure/durableAnswers.test.ts),
// and built from the clientData a durableClient binding receives.
declare module 'durable-functions/lib/src/durableClient/DurableClient' {
  import type { DurableClient as Client } from 'durable-functions';
  export const DurableClient: new (clientData: unknown) => Client;
}
