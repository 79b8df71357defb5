import { json, type SimRequest, type SimResponse } from '../http';
import type { BatchAccountState } from '../model';
import type { World } from '../world';
import { BatchFailure, invalidProperty } from './batchErrors';
import { unsupportedVerb, requireFields } from './batchRefusals';
import { etag } from './poolCreation';
import { DEFAULT_TASK_RUN_MS, type BatchJobState, type BatchTaskState } from './jobModel';
import { jobPoolId } from './jobClock';
import { BY_ID_AND_STATE, odata } from './listQuery';
import { serveCollection } from './collectionRoute';
import { refuseIfEnded } from './jobs';
import { checkResourceFiles } from './resourceFiles';

/*
 * Tasks of a job (Task_Add, Task_Get, Task_List): active until the job's pool has nodes, running for
 * the time the account's task rules give, then completed with their exit code (executionInfo.exitCode,
 * result success|failure as BatchService.json's TaskExecutionInformation reports them).
 */
export function serveTasks(
  world: World,
  req: SimRequest,
  account: BatchAccountState,
  job: BatchJobState,
  rest: string[],
  base: string,
): SimResponse {
  const [taskId, extra] = rest;
  const url = `${base}/jobs/${job.id}/tasks`;
  if (!taskId)
    return serveCollection(req, {
      name: 'tasks',
      metadata: `${base}/$metadata#tasks`,
      add: () => addTask(world, req, account, job, url),
      items: () => Object.values(job.tasks).map((t) => renderTask(t, world.now(), url)),
      filterable: BY_ID_AND_STATE,
    });
  const task = job.tasks[taskId.toLowerCase()];
  if (!task) throw new BatchFailure(404, 'TaskNotFound', 'The specified task does not exist.');
  if (extra || req.method !== 'GET') throw unsupportedVerb(req.method, 'this task resource');
  return odata(200, renderTask(task, world.now(), url), { ETag: task.eTag });
}

function addTask(
  world: World,
  req: SimRequest,
  account: BatchAccountState,
  job: BatchJobState,
  url: string,
): SimResponse {
  refuseIfEnded(job);
  const body = req.body as Record<string, unknown> | undefined;
  requireFields(body, ['id', 'commandLine']);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(String(body!.id)))
    throw invalidProperty(
      'id',
      'A task id can contain alphanumeric characters, hyphens and underscores, at most 64.',
    );
  checkResourceFiles(body!.resourceFiles);
  const key = String(body!.id).toLowerCase();
  if (job.tasks[key]) throw new BatchFailure(409, 'TaskExists', 'The specified task already exists.');
  const rule = (account.taskRules ?? []).find(
    (r) =>
      (!r.jobIdPrefix || job.id.toLowerCase().startsWith(r.jobIdPrefix.toLowerCase())) &&
      (!r.poolId || r.poolId.toLowerCase() === jobPoolId(job)?.toLowerCase()),
  );
  const task: BatchTaskState = {
    id: String(body!.id),
    spec: Object.fromEntries(Object.entries(body!).filter(([k]) => k !== 'id')),
    createdAtSimMs: world.now(),
    eTag: etag(world),
    runMs: rule?.runMinutes !== undefined ? rule.runMinutes * 60_000 : DEFAULT_TASK_RUN_MS,
    exitCode: rule?.exitCode ?? 0,
    requeueCount: 0,
  };
  job.tasks[key] = task;
  world.changed();
  return json(201, undefined, {
    ETag: task.eTag,
    DataServiceId: `${url}/${task.id}`,
    Location: `${url}/${task.id}`,
  });
}

export function renderTask(task: BatchTaskState, now: number, url: string): Record<string, unknown> {
  const iso = (ms: number) => new Date(ms).toISOString();
  const state =
    task.endedAtSimMs !== undefined ? 'completed' : task.startedAtSimMs !== undefined ? 'running' : 'active';
  const at = task.endedAtSimMs ?? task.startedAtSimMs ?? task.createdAtSimMs;
  const failed = task.failure !== undefined || (state === 'completed' && task.exitCode !== 0);
  return {
    id: task.id,
    url: `${url}/${task.id}`,
    eTag: task.eTag,
    creationTime: iso(task.createdAtSimMs),
    lastModified: iso(task.createdAtSimMs),
    state,
    stateTransitionTime: iso(Math.min(at, now)),
    ...task.spec,
    executionInfo: {
      retryCount: 0,
      requeueCount: task.requeueCount,
      ...(task.startedAtSimMs !== undefined ? { startTime: iso(task.startedAtSimMs) } : {}),
      ...(state === 'completed'
        ? {
            endTime: iso(task.endedAtSimMs!),
            ...(task.failure ? { failureInfo: task.failure } : { exitCode: task.exitCode }),
            result: failed ? 'failure' : 'success',
          }
        : {}),
    },
    ...(task.poolId
      ? { nodeInfo: { poolId: task.poolId, nodeId: `tvmps_${task.poolId.toLowerCase()}_0` } }
      : {}),
  };
}
