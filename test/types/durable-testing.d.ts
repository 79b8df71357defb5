// durable-functions ships the factory df.app.orchestration registers, without typings for its path.
declare module 'durable-functions/lib/src/util/testingUtils' {
  export function createOrchestrator(fn: unknown): (trigger: unknown, context: unknown) => Promise<unknown>;
}
