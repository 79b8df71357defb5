/** What the durable-functions library's orchestrator handler returns for one replay. */
export interface OrchestratorAnswer {
  isDone: boolean;
  actions: unknown;
  output?: unknown;
  customStatus?: unknown;
  error?: string;
}

const OUT_OF_PROC_MARKER = '$OutOfProcData$:';

/** A failed orchestrator throws "…$OutOfProcData$:{state}": the error is in that state. */
export function readFailure(error: unknown): OrchestratorAnswer {
  const message = error instanceof Error ? error.message : String(error);
  const at = message.indexOf(OUT_OF_PROC_MARKER);
  if (at >= 0) {
    try {
      const state = JSON.parse(message.slice(at + OUT_OF_PROC_MARKER.length)) as OrchestratorAnswer;
      return { ...state, error: state.error ?? 'orchestrator failed' };
    } catch {
      // fall through
    }
  }
  return { isDone: false, actions: [], error: message };
}
