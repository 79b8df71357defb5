import type { TokenCredential } from '@azure/core-auth';
import type { BatchServiceClient, BatchServiceModels } from '@azure/batch';
import type { BatchAccountRef } from '../ports/batch';
import type {
  BatchJobsPort,
  JobReading,
  ScheduleReading,
  SmokeTaskAdd,
  SmokeTaskReading,
} from '../ports/batchJobs';
import { mustParse, resourceName } from '../domain/resourceId';
import { PermanentError } from '../domain/errors';
import { hasEnded } from '../domain/cutover/migration';
import { patchScheduleRaw } from './batchRawPatch';
import { BatchDataClients, type BatchEndpointResolver } from './batchDataClients';
import { azureCall, isSdkNotFound, toFactoryError } from './errors';

/**
 * Jobs, job schedules and tasks through the Batch data plane (@azure/batch, Entra ID auth): the
 * management plane has no jobs. Every SDK failure leaves as a typed error (errors.ts); a 404 of a job
 * or schedule is an answer ("missing"), not an error, where the port says so.
 */
export class AzureBatchJobsAdapter implements BatchJobsPort {
  private readonly clients: BatchDataClients;

  constructor(
    credential: TokenCredential,
    resolveEndpoint: BatchEndpointResolver = (account) => account.endpoint,
    ca?: string,
    maxRetries = 3,
  ) {
    this.clients = new BatchDataClients(credential, resolveEndpoint, ca, maxRetries);
  }

  private client(account: BatchAccountRef): BatchServiceClient {
    return this.clients.of(account);
  }

  private call<T>(operation: string, account: BatchAccountRef, what: string, run: () => Promise<T>) {
    return azureCall(operation, `${resourceName(mustParse(account.id))}/${what}`, run);
  }

  listJobsOnPool(account: BatchAccountRef, poolId: string): Promise<JobReading[]> {
    return this.call('Listing jobs of pool', account, `pools/${poolId}`, async () => {
      const client = this.client(account);
      const filter = `executionInfo/poolId eq '${poolId.replace(/'/g, "''")}'`;
      const out: JobReading[] = [];
      let page = await client.job.list({ jobListOptions: { filter } });
      for (;;) {
        out.push(...page.map(toJobReading));
        if (!page.odatanextLink) return out;
        page = await client.job.listNext(page.odatanextLink);
      }
    });
  }

  async getJob(account: BatchAccountRef, jobId: string): Promise<JobReading | undefined> {
    try {
      return toJobReading(await this.client(account).job.get(jobId));
    } catch (error) {
      if (isSdkNotFound(error)) return undefined;
      throw toFactoryError(error, 'Reading job', `${resourceName(mustParse(account.id))}/jobs/${jobId}`);
    }
  }

  addJob(account: BatchAccountRef, jobId: string, poolId: string): Promise<'created' | 'exists'> {
    return this.call('Adding job', account, `jobs/${jobId}`, async () => {
      try {
        await this.client(account).job.add({ id: jobId, poolInfo: { poolId } });
        return 'created';
      } catch (error) {
        if ((error as { code?: string }).code !== 'JobExists') throw error;
      }
      // Ours only if it runs on this pool (Batch ids are case-insensitive): else someone else's job.
      const existing = await this.client(account).job.get(jobId);
      const on = existing.poolInfo?.poolId ?? existing.executionInfo?.poolId;
      if (on?.toLowerCase() !== poolId.toLowerCase())
        throw new PermanentError(
          `Job ${jobId} already exists on pool ${on ?? '(auto pool)'}, not on ${poolId}: it is not this pipeline's job. Delete or rename it, then retry.`,
          'JobExists',
          `jobs/${jobId}`,
        );
      return 'exists';
    });
  }

  patchJob(
    account: BatchAccountRef,
    jobId: string,
    changes: { poolId?: string; metadata?: { name: string; value: string }[] },
  ): Promise<void> {
    return this.call('Updating job', account, `jobs/${jobId}`, async () => {
      await this.client(account).job.patch(jobId, {
        ...(changes.poolId ? { poolInfo: { poolId: changes.poolId } } : {}),
        ...(changes.metadata ? { metadata: changes.metadata } : {}),
      });
    });
  }

  disableJob(account: BatchAccountRef, jobId: string, disableTasks: 'requeue' | 'terminate' | 'wait') {
    return this.call('Disabling job', account, `jobs/${jobId}`, async () => {
      await this.client(account).job.disable(jobId, disableTasks);
    });
  }

  enableJob(account: BatchAccountRef, jobId: string): Promise<void> {
    return this.call('Enabling job', account, `jobs/${jobId}`, async () => {
      await this.client(account).job.enable(jobId);
    });
  }

  async deleteJob(account: BatchAccountRef, jobId: string): Promise<void> {
    try {
      await this.client(account).job.deleteMethod(jobId);
    } catch (error) {
      if (isSdkNotFound(error)) return;
      throw toFactoryError(error, 'Deleting job', `${resourceName(mustParse(account.id))}/jobs/${jobId}`);
    }
  }

  listSchedules(account: BatchAccountRef): Promise<ScheduleReading[]> {
    return this.call('Listing job schedules', account, 'jobschedules', async () => {
      const client = this.client(account);
      const out: ScheduleReading[] = [];
      let page = await client.jobSchedule.list();
      for (;;) {
        out.push(
          ...page.map((s) => ({
            scheduleId: s.id ?? '',
            state: s.state ?? 'active',
            poolId: s.jobSpecification?.poolInfo?.poolId,
            recentJobId: s.executionInfo?.recentJob?.id,
          })),
        );
        if (!page.odatanextLink) return out;
        page = await client.jobSchedule.listNext(page.odatanextLink);
      }
    });
  }

  moveSchedule(account: BatchAccountRef, scheduleId: string, fromPool: string, toPool: string) {
    return this.call('Moving job schedule', account, `jobschedules/${scheduleId}`, async () => {
      const client = this.client(account);
      let schedule: BatchServiceModels.JobScheduleGetResponse;
      try {
        schedule = await client.jobSchedule.get(scheduleId);
      } catch (error) {
        if (isSdkNotFound(error)) return 'missing' as const;
        throw error;
      }
      const spec = schedule.jobSpecification;
      const current = spec?.poolInfo?.poolId?.toLowerCase();
      if (current === toPool.toLowerCase()) return 'already' as const;
      if (!spec || current !== fromPool.toLowerCase()) return 'elsewhere' as const;
      if (hasEnded(schedule.state ?? 'active')) return 'ended' as const;
      // A PATCH that carries jobSpecification replaces it whole: send back the text Batch returned (not
      // the SDK's model of it, which lacks newer properties and adds defaults) with only the pool changed.
      const raw = rawJobSpecification(schedule._response.bodyAsText) ?? spec;
      try {
        await patchScheduleRaw(
          client,
          scheduleId,
          { jobSpecification: { ...raw, poolInfo: { poolId: toPool } } },
          schedule.eTag,
        );
      } catch (error) {
        // Ended between the read and the PATCH: nothing to move any more.
        if (SCHEDULE_ENDED_CODES.includes((error as { code?: string }).code ?? '')) return 'ended' as const;
        throw error;
      }
      return 'moved' as const;
    });
  }

  addTasks(account: BatchAccountRef, jobId: string, tasks: SmokeTaskAdd[]): Promise<void> {
    return this.call('Adding tasks to job', account, `jobs/${jobId}`, async () => {
      const client = this.client(account);
      for (const task of tasks) {
        try {
          await client.task.add(jobId, task as BatchServiceModels.TaskAddParameter);
        } catch (error) {
          if ((error as { code?: string }).code !== 'TaskExists') throw error;
        }
      }
    });
  }

  async listTasks(account: BatchAccountRef, jobId: string): Promise<SmokeTaskReading[] | undefined> {
    try {
      const client = this.client(account);
      const out: SmokeTaskReading[] = [];
      let page = await client.task.list(jobId);
      for (;;) {
        out.push(...page.map(toTaskReading));
        if (!page.odatanextLink) return out;
        page = await client.task.listNext(page.odatanextLink);
      }
    } catch (error) {
      if (isSdkNotFound(error)) return undefined;
      throw toFactoryError(
        error,
        'Listing tasks of job',
        `${resourceName(mustParse(account.id))}/jobs/${jobId}`,
      );
    }
  }
}

/** Batch's 409 codes for a schedule that can no longer change (Batch status and error codes). */
const SCHEDULE_ENDED_CODES = [
  'JobScheduleCompleted',
  'JobScheduleBeingTerminated',
  'JobScheduleBeingDeleted',
];

function rawJobSpecification(text: string | undefined): Record<string, unknown> | undefined {
  try {
    return (JSON.parse(text ?? '') as { jobSpecification?: Record<string, unknown> }).jobSpecification;
  } catch {
    return undefined;
  }
}

function toJobReading(job: BatchServiceModels.CloudJob): JobReading {
  return {
    jobId: job.id ?? '',
    state: job.state ?? 'active',
    poolId: job.poolInfo?.poolId ?? job.executionInfo?.poolId,
    metadata: (job.metadata ?? []).map((m) => ({ name: m.name, value: m.value })),
  };
}

function toTaskReading(task: BatchServiceModels.CloudTask): SmokeTaskReading {
  const info = task.executionInfo;
  return {
    taskId: task.id ?? '',
    state: task.state ?? 'active',
    ...(info?.exitCode !== undefined ? { exitCode: info.exitCode } : {}),
    ...(info?.result ? { result: info.result } : {}),
    ...(info?.failureInfo ? { failure: `${info.failureInfo.code}: ${info.failureInfo.message}` } : {}),
  };
}
