import type {
  BatchJobsPort,
  BatchPoolsPort,
  Clock,
  ComputePort,
  EventPublisher,
  BatchAccountRef,
  GalleryPort,
  InstancesPort,
  TimingsPort,
} from '../ports';

/** Everything activities may touch, built once by the composition root. */
export interface Services {
  compute: ComputePort;
  gallery: GalleryPort;
  batch: BatchPoolsPort;
  /** Jobs, schedules and tasks (smoke test, job migration). */
  batchJobs: BatchJobsPort;
  events: EventPublisher;
  clock: Clock;
  /** Learned timings; absent (as in tests that do not care): nothing recorded, nothing learned. */
  timings?: TimingsPort;
  /** Where snapshots go when the request does not say (config), else the source's resource group. */
  workingResourceGroupId?: string;
  /** The Batch accounts of the factory's follower pools of a definition (config): retention counts their pools. */
  followerAccounts?(definitionId: string): BatchAccountRef[];
  /** Only for the activities that message other instances (the definition ledger); bound per invocation. */
  instances?: InstancesPort;
}
