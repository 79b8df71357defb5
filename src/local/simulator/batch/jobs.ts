import { json, type SimRequest, type SimResponse } from '../http';
import type { BatchAccountState } from '../model';
import type { World } from '../world';
import { BatchFailure, invalidProperty } from './batchErrors';
import { iso, resourceHead } from './resourceHead';
import type { BatchRoute } from './batchRoute';
import { invalidUri, unsupportedVerb, missingProperty, requireBody, requireFields } from './batchRefusals';
import { checkActiveJobQuota } from './coreQuotas';
import { etag } from './poolCreation';
import { JOB_DELETE_MS, JOB_ENABLE_MS, type BatchJobState } from './jobModel';
import { runSchedules } from './scheduleClock';
import { jobPoolId, liveJobs, runningUntil, setJobState } from './jobClock';
import { BY_ID_AND_STATE, odata } from './listQuery';
import { serveCollection } from './collectionRoute';
import { serveTasks } from './tasks';

/*
 * Batch jobs (BatchService.json: Job_Add, Job_Get, Job_List, Job_Patch, Job_Update, Job_Disable,
 * Job_Enable, Job_Delete), with the rule the cutover depends on: a job's poolInfo changes only while the
 * job is disabled (Job_Patch / Job_Update: "You may change the Pool for a Job only when the Job is
 * disabled. The Patch Job call will fail if you include the poolInfo element and the Job is not
 * disabled"), answered 409 as Batch does.
 */
export const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;
const UPDATABLE = [
  'priority',
  'maxParallelTasks',
  'allowTaskPreemption',
  'constraints',
  'poolInfo',
  'metadata',
  'onAllTasksComplete',
];

export const serveJobs: BatchRoute = (world, req, account, rest, base) => {
  const [, id, action, ...more] = rest;
  runSchedules(world, account);
  const jobs = liveJobs(world, account);
  if (!id)
    return serveCollection(req, {
      name: 'jobs',
      metadata: `${base}/$metadata#jobs`,
      add: () => addJob(world, req, account, base),
      items: () => Object.values(jobs).map((j) => renderJob(j, base)),
      filterable: {
        ...BY_ID_AND_STATE,
        'executionInfo/poolId': (j) => (j.executionInfo as { poolId?: string }).poolId,
      },
    });
  const job = jobs[id.toLowerCase()];
  if (!job) throw new BatchFailure(404, 'JobNotFound', 'The specified job does not exist.');
  if (action === 'tasks') return serveTasks(world, req, account, job, more, base);
  if (action && req.method === 'POST') return jobAction(world, req, job, action);
  if (action) throw invalidUri();
  switch (req.method) {
    case 'GET':
      return odata(200, renderJob(job, base), { ETag: job.eTag });
    case 'PATCH':
    case 'PUT':
      return changeJob(world, req, job, base);
    case 'DELETE':
      if (job.state !== 'deleting') setJobState(job, 'deleting', world.now());
      job.deletingAtSimMs ??= world.now() + JOB_DELETE_MS;
      world.changed();
      return json(202);
    default:
      throw unsupportedVerb(req.method, 'a job');
  }
};

function addJob(world: World, req: SimRequest, account: BatchAccountState, base: string): SimResponse {
  const body = req.body as Record<string, unknown> | undefined;
  requireBody(body);
  requireFields(body, ['id', 'poolInfo']);
  if (!JOB_ID.test(String(body.id)))
    throw invalidProperty(
      'id',
      'A job id can contain any combination of alphanumeric characters including hyphens and underscores, and cannot contain more than 64 characters.',
    );
  const key = String(body.id).toLowerCase();
  if (account.jobs![key]) throw new BatchFailure(409, 'JobExists', 'The specified job already exists.');
  if (account.jobSchedules?.[key])
    throw new BatchFailure(
      409,
      'JobScheduleWithSameIdExists',
      'A job schedule with the specified job id exists.',
    );
  checkActiveJobQuota(account);
  const now = world.now();
  const job: BatchJobState = {
    id: String(body.id),
    spec: Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'id')),
    state: 'active',
    stateTransitionSimMs: now,
    createdAtSimMs: now,
    lastModifiedSimMs: now,
    eTag: etag(world),
    activeSinceSimMs: now,
    tasks: {},
  };
  account.jobs![key] = job;
  world.changed();
  return json(201, undefined, {
    ETag: job.eTag,
    DataServiceId: `${base}/jobs/${job.id}`,
    Location: `${base}/jobs/${job.id}`,
  });
}

/** PATCH changes what it names; PUT (Job_Update) replaces every updatable property. */
function changeJob(world: World, req: SimRequest, job: BatchJobState, base: string): SimResponse {
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (req.method === 'PUT' && !body.poolInfo) throw missingProperty('poolInfo');
  const newPool = (body.poolInfo as { poolId?: string } | undefined)?.poolId;
  const changesPool = body.poolInfo !== undefined && newPool?.toLowerCase() !== jobPoolId(job)?.toLowerCase();
  // PATCH: any poolInfo is refused (as documented); PUT must always carry it, so only a change is.
  if (body.poolInfo !== undefined && job.state !== 'disabled' && (changesPool || req.method === 'PATCH')) {
    throw new BatchFailure(
      409,
      'OperationInvalidForCurrentState',
      `The specified operation is not valid for the current state of the resource: a job's poolInfo can be changed only while the job is disabled (job ${job.id} is ${job.state}).`,
    );
  }
  refuseIfEnded(job);
  if (req.method === 'PUT') for (const k of UPDATABLE) delete job.spec[k];
  for (const k of UPDATABLE) if (k in body) job.spec[k] = body[k];
  job.lastModifiedSimMs = world.now();
  job.eTag = etag(world);
  world.changed();
  return json(200, undefined, { ETag: job.eTag, DataServiceId: `${base}/jobs/${job.id}` });
}

function jobAction(world: World, req: SimRequest, job: BatchJobState, action: string): SimResponse {
  const now = world.now();
  if (action === 'disable') {
    const option = String((req.body as { disableTasks?: string } | undefined)?.disableTasks ?? '');
    if (!['requeue', 'terminate', 'wait'].includes(option))
      throw invalidProperty('disableTasks', 'disableTasks must be one of requeue, terminate, wait.');
    if (job.state !== 'active')
      throw new BatchFailure(409, 'JobNotActive', `The specified job is not active (it is ${job.state}).`);
    disableJob(job, option as 'requeue' | 'terminate' | 'wait', now);
  } else if (action === 'enable') {
    if (job.state !== 'disabled' && job.state !== 'disabling')
      throw new BatchFailure(
        409,
        'OperationInvalidForCurrentState',
        `The specified job is not disabled (it is ${job.state}).`,
      );
    // Batch reports `enabling` until the job is active again (BatchService.json JobState).
    setJobState(job, 'enabling', now);
    job.activeSinceSimMs = now + JOB_ENABLE_MS;
  } else if (action === 'terminate') {
    refuseIfEnded(job);
    terminateRunningTasks(job, now, 'The task was terminated because its job was terminated.');
    setJobState(job, 'terminating', now);
    job.terminatedAtSimMs = now + JOB_DELETE_MS;
  } else {
    throw invalidUri();
  }
  job.lastModifiedSimMs = now;
  job.eTag = etag(world);
  world.changed();
  return json(202, undefined, { ETag: job.eTag });
}

/** requeue: running tasks go back to the queue; terminate: they end now; wait: they finish first. */
function disableJob(job: BatchJobState, option: 'requeue' | 'terminate' | 'wait', now: number): void {
  const running = Object.values(job.tasks).filter((t) => runningUntil(t, now) !== undefined);
  if (option === 'terminate')
    terminateRunningTasks(job, now, 'The task was terminated because its job was disabled.');
  for (const task of option === 'requeue' ? running : []) {
    task.startedAtSimMs = undefined;
    task.poolId = undefined;
    task.requeueCount += 1;
  }
  setJobState(job, option === 'wait' && running.length > 0 ? 'disabling' : 'disabled', now);
}

function terminateRunningTasks(job: BatchJobState, now: number, message: string): void {
  for (const task of Object.values(job.tasks).filter((t) => runningUntil(t, now) !== undefined)) {
    task.endedAtSimMs = now;
    task.failure = { category: 'usererror', code: 'TaskEnded', message };
  }
}

/** Batch's codes for a job that can no longer change (Batch status and error codes). */
export function refuseIfEnded(job: BatchJobState): void {
  const code = { completed: 'JobCompleted', terminating: 'JobBeingTerminated', deleting: 'JobBeingDeleted' }[
    job.state as string
  ];
  if (code) throw new BatchFailure(409, code, `The specified job is ${job.state}.`);
}

export function renderJob(job: BatchJobState, base: string): Record<string, unknown> {
  return {
    ...resourceHead(job, `${base}/jobs/${job.id}`),
    ...(job.previousState ? { previousState: job.previousState } : {}),
    priority: 0,
    onAllTasksComplete: 'noaction',
    ...job.spec,
    executionInfo: { startTime: iso(job.createdAtSimMs), poolId: jobPoolId(job) },
  };
}
