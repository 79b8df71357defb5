import type { Services } from './services';
import type { ActivityName } from './names';
import { preflight } from './preflight';
import {
  beginSnapshot,
  beginSnapshotCopy,
  createImageVersion,
  deleteIntermediates,
  ensureGallery,
  ensureImageDefinition,
  getProvisioning,
  getReplication,
  updateTargetRegions,
} from './provisioning';
import { createPool, deletePool, drainPool, getPool } from './pools';
import { restoreShrunkPool, shrinkPool, updatePoolInPlace } from './cutover';
import { readCapacityFacts } from './capacityFacts';
import { countPoolNodes, readNodeErrors } from './poolHealth';
import { publishEvents } from './events';
import { applyRetention } from './retention';
import { instanceStatuses, listVersionNames, replyToInstance, sendToLedger } from './ledger';
import { deleteOwnedSnapshots, sweepLeftovers } from './cleanup';
import {
  advanceJobMove,
  deleteJob,
  listPoolWork,
  moveSchedules,
  readSmokeTest,
  startSmokeTest,
} from './jobs';
import { expectTimings, recordTimings } from './timings';

/**
 * Every activity, keyed by the name Azure registers it under. Inputs and outputs are JSON; each does one
 * step through the ports. Orchestrators import `Activities` (the type only) so a call's input and result
 * come from the function itself; `satisfies` keeps the keys equal to the registered names.
 */
export const ACTIVITY_IMPLEMENTATIONS = {
  preflight,
  beginSnapshot,
  beginSnapshotCopy,
  getProvisioning,
  ensureGallery,
  ensureImageDefinition,
  createImageVersion,
  getReplication,
  updateTargetRegions,
  createPool,
  getPool,
  drainPool,
  deletePool,
  shrinkPool,
  restoreShrunkPool,
  readCapacityFacts,
  updatePoolInPlace,
  countPoolNodes,
  readNodeErrors,
  publishEvents,
  applyRetention,
  deleteIntermediates,
  sendToLedger,
  replyToInstance,
  listVersionNames,
  instanceStatuses,
  deleteOwnedSnapshots,
  sweepLeftovers,
  startSmokeTest,
  readSmokeTest,
  deleteJob,
  listPoolWork,
  moveSchedules,
  advanceJobMove,
  recordTimings,
  expectTimings,
} satisfies Record<ActivityName, (services: Services, input: never) => Promise<unknown>>;

export type Activities = typeof ACTIVITY_IMPLEMENTATIONS;

export { ACTIVITIES, MESSAGING_ACTIVITIES } from './names';
export type { Services } from './services';
