import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { checkBuildRequestText } from '../domain/planRequest';
import { appServices } from '../compositionRoot';
import type { Services } from '../activities/services';
import { MAX_REQUEST_BYTES } from '../triggers/intake';
import { historyExtent, learnedAfterPools, learnedProfile, learnedSizeGb } from '../domain/timings/learn';
import { predictTimeline, type PredictOptions } from '../domain/timings/predict';
import { whatIfReport, type TimingsSource } from '../domain/timings/report';
import { readJsonText } from './jsonBody';

/**
 * POST /api/simulate: the what-if in the Function App. In Azure there is no simulator process to run
 * the pipeline against, so this adds up the timing model along the plan (src/domain/timings/predict.ts)
 * with the figures learned for these regions when there are some: the same model, profile, barrier
 * and report as `bif simulate`, minus the run itself (poll lag, retries and throttling are not in it).
 * 200 with the report, 422 with the findings of an invalid request.
 */
export async function simulateHandler(
  request: HttpRequest,
  context?: InvocationContext,
  services: Pick<Services, 'clock' | 'timings'> = appServices(),
): Promise<HttpResponseInit> {
  const body = await readJsonText(request, MAX_REQUEST_BYTES);
  if ('refusal' in body) return body.refusal;
  const check = checkBuildRequestText(body.text, { now: services.clock.now() });
  if (!check.ok || !check.summary.valid) return { status: 422, jsonBody: check.summary };
  const asks = check.plan.regions.map((r) => ({
    region: r.name,
    replicaCount: r.replicaCount,
    nodes: r.capacity,
  }));
  let learned: PredictOptions = {};
  let source: TimingsSource = { kind: 'model' };
  let warning: string | undefined;
  try {
    const history = (await services.timings?.recent(asks.map((a) => a.region))) ?? [];
    if (history.length) {
      // Replication at the size the history saw (a request's size is unknown until it runs), and the
      // gate and retirement the regions took: without them the makespan is the pools' alone.
      const sizeGb = learnedSizeGb(history);
      learned = {
        profile: learnedProfile(history, asks),
        afterPools: learnedAfterPools(history, asks),
        ...(sizeGb !== undefined ? { assumedSizeGb: sizeGb } : {}),
      };
      source = { kind: 'learned', ...historyExtent(history) };
    }
  } catch (error) {
    // History helps; without it the built-in model still answers.
    warning = `learned timings could not be read, the built-in model was used: ${(error as Error).message}`;
    context?.warn(warning);
  }
  const timeline = predictTimeline(check.request, check.plan, learned);
  return {
    status: 200,
    jsonBody: { ...whatIfReport(timeline, source, 'model'), ...(warning ? { warning } : {}) },
  };
}

app.http('simulate', {
  route: 'simulate',
  methods: ['POST'],
  authLevel: 'function',
  handler: simulateHandler,
});
