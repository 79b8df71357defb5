import { json, type SimRequest, type SimResponse } from '../http';
import type { BatchAccountState } from '../model';
import type { World } from '../world';
import { BatchFailure, invalidProperty } from './batchErrors';
import { resourceHead } from './resourceHead';
import type { BatchRoute } from './batchRoute';
import { invalidUri, unsupportedVerb, missingProperty, requireFields } from './batchRefusals';
import { etag } from './poolCreation';
import type { BatchJobScheduleState } from './jobModel';
import { setJobState } from './jobClock';
import { JOB_ID } from './jobs';
import { BY_ID_AND_STATE, odata } from './listQuery';
import { serveCollection } from './collectionRoute';
import { runSchedules } from './scheduleClock';
import { JOB_DELETE_MS } from './jobModel';

/*
 * Job schedules (JobSchedule_Add, _Get, _List, _Patch, _Update, _Delete). A schedule's
 * jobSpecification.poolInfo can change at any time (it applies to the jobs it creates next); a PATCH
 * that carries jobSpecification replaces it whole, and only jobs created after it see it
 * (JobSchedule_Patch: "currently running Jobs are unaffected"). The schedule makes its jobs as Batch
 * does (scheduleClock.ts); `executionInfo.recentJob` names the last one. A completed, terminating or
 * deleted schedule refuses changes with 409 JobScheduleCompleted / JobScheduleBeingTerminated /
 * JobScheduleBeingDeleted (Batch status and error codes). The list filters on id and state only
 * (Batch's OData filter table has no pool property for schedules), so callers filter by pool themselves.
 */
const UPDATABLE = ['schedule', 'jobSpecification', 'metadata'];

export const serveJobSchedules: BatchRoute = (world, req, account, rest, base) => {
  const schedules = (account.jobSchedules ??= {});
  runSchedules(world, account);
  const [, id, action] = rest;
  if (!id)
    return serveCollection(req, {
      name: 'job schedules',
      metadata: `${base}/$metadata#jobschedules`,
      add: () => addSchedule(world, req, account, base),
      items: () => Object.values(schedules).map((s) => render(s, base)),
      filterable: BY_ID_AND_STATE,
    });
  const schedule = schedules[id.toLowerCase()];
  if (!schedule)
    throw new BatchFailure(404, 'JobScheduleNotFound', 'The specified job schedule does not exist.');
  if (action === 'terminate' && req.method === 'POST')
    return endSchedule(world, account, schedule, 'terminating');
  if (action) throw invalidUri();
  switch (req.method) {
    case 'GET':
      return odata(200, render(schedule, base), { ETag: schedule.eTag });
    case 'PATCH':
    case 'PUT': {
      refuseIfEnded(schedule);
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (req.method === 'PUT') for (const k of UPDATABLE) delete schedule.spec[k];
      for (const k of UPDATABLE) if (k in body) schedule.spec[k] = body[k];
      checkSpecification(schedule.spec);
      schedule.lastModifiedSimMs = world.now();
      schedule.eTag = etag(world);
      world.changed();
      return json(200, undefined, {
        ETag: schedule.eTag,
        DataServiceId: `${base}/jobschedules/${schedule.id}`,
      });
    }
    case 'DELETE':
      return endSchedule(world, account, schedule, 'deleting');
    default:
      throw unsupportedVerb(req.method, 'a job schedule');
  }
};

function addSchedule(world: World, req: SimRequest, account: BatchAccountState, base: string): SimResponse {
  const body = req.body as Record<string, unknown> | undefined;
  requireFields(body, ['id', 'schedule', 'jobSpecification']);
  if (!JOB_ID.test(String(body!.id)))
    throw invalidProperty(
      'id',
      'A job schedule id can contain alphanumeric characters, hyphens and underscores, at most 64.',
    );
  const key = String(body!.id).toLowerCase();
  if (account.jobSchedules![key])
    throw new BatchFailure(409, 'JobScheduleExists', 'The specified job schedule already exists.');
  if (account.jobs?.[key])
    throw new BatchFailure(409, 'JobWithSameIdExists', 'A job with the specified job schedule id exists.');
  const spec = Object.fromEntries(Object.entries(body!).filter(([k]) => k !== 'id'));
  checkSpecification(spec);
  const now = world.now();
  const schedule: BatchJobScheduleState = {
    id: String(body!.id),
    spec,
    state: 'active',
    createdAtSimMs: now,
    lastModifiedSimMs: now,
    eTag: etag(world),
  };
  account.jobSchedules![key] = schedule;
  runSchedules(world, account); // its first job, when due now
  world.changed();
  return json(201, undefined, { ETag: schedule.eTag, DataServiceId: `${base}/jobschedules/${schedule.id}` });
}

/** Terminate or delete: the schedule ends in the background (its active job with it). */
function endSchedule(
  world: World,
  account: BatchAccountState,
  schedule: BatchJobScheduleState,
  to: 'terminating' | 'deleting',
): SimResponse {
  if (to === 'terminating') refuseIfEnded(schedule);
  const now = world.now();
  if (schedule.state !== to) {
    schedule.state = to;
    schedule.stateTransitionSimMs = now;
    schedule.endsAtSimMs = now + JOB_DELETE_MS;
  }
  const recent = schedule.recentJobId ? account.jobs?.[schedule.recentJobId.toLowerCase()] : undefined;
  if (recent && to === 'terminating' && !['completed', 'deleting'].includes(recent.state))
    setJobState(recent, 'terminating', now);
  schedule.eTag = etag(world);
  world.changed();
  return json(202, undefined, { ETag: schedule.eTag });
}

const ENDED_CODES = {
  completed: 'JobScheduleCompleted',
  terminating: 'JobScheduleBeingTerminated',
  deleting: 'JobScheduleBeingDeleted',
} as const;

function refuseIfEnded(schedule: BatchJobScheduleState): void {
  if (schedule.state in ENDED_CODES)
    throw new BatchFailure(
      409,
      ENDED_CODES[schedule.state as keyof typeof ENDED_CODES],
      `The specified job schedule is ${schedule.state}.`,
    );
}

/** jobSpecification.poolInfo is required (JobSpecification in BatchService.json). */
function checkSpecification(spec: Record<string, unknown>): void {
  const jobSpec = spec.jobSpecification as { poolInfo?: unknown } | undefined;
  if (!jobSpec?.poolInfo) throw missingProperty('jobSpecification.poolInfo');
}

function render(schedule: BatchJobScheduleState, base: string): Record<string, unknown> {
  return {
    ...resourceHead(schedule, `${base}/jobschedules/${schedule.id}`),
    ...schedule.spec,
    executionInfo: schedule.recentJobId
      ? { recentJob: { id: schedule.recentJobId, url: `${base}/jobs/${schedule.recentJobId}` } }
      : {},
  };
}
