import { z } from 'zod';

/** Wave progress on Service Bus (src/domain/cutover/waves.ts); part of the event catalogue in ../events.ts. */
export const WAVE_EVENT_TYPES = {
  waveAwaitingApproval: 'BatchImageFactory.Wave.AwaitingApproval',
  waveApproved: 'BatchImageFactory.Wave.Approved',
  waveStarted: 'BatchImageFactory.Wave.Started',
  wavePassed: 'BatchImageFactory.Wave.Passed',
  waveFailed: 'BatchImageFactory.Wave.Failed',
} as const;

const wave = {
  imageVersionId: z.string(),
  wave: z.number().int().describe('The wave, numbered from 1 in the order of the request.'),
  regions: z.array(z.string()),
};

/** The data schemas, given the fields every event shares (requestId, instanceId). */
export function waveEventSchemas<C extends z.ZodRawShape>(common: C) {
  return {
    [WAVE_EVENT_TYPES.waveAwaitingApproval]: z.object({
      ...common,
      ...wave,
      since: z.string(),
      timeoutAt: z.string().describe('Without an approval by then, the wave fails.'),
      approve: z.string().describe('How to approve, e.g. the bif command.'),
    }),
    [WAVE_EVENT_TYPES.waveApproved]: z.object({
      ...common,
      ...wave,
      approvedAt: z.string(),
      approvedBy: z.string().optional(),
      comment: z.string().optional(),
    }),
    [WAVE_EVENT_TYPES.waveStarted]: z.object({ ...common, ...wave, startedAt: z.string() }),
    [WAVE_EVENT_TYPES.wavePassed]: z.object({
      ...common,
      ...wave,
      poolsReady: z.array(z.string()),
      soakUntil: z.string().optional().describe('The next wave starts after this time.'),
    }),
    [WAVE_EVENT_TYPES.waveFailed]: z.object({
      ...common,
      ...wave,
      reason: z.string(),
      wavesStopped: z.array(z.number().int()).describe('Later waves: their regions get no pool work.'),
      regionsStopped: z.array(z.string()),
    }),
  };
}
