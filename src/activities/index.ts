import type { Services } from './services';
import { ACTIVITIES, type ActivityName } from './names';
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
  retryRegion,
} from './provisioning';
import { createPool, deletePool, drainPool, getPool } from './pools';
import { publishEvents } from './events';
import { applyRetention } from './retention';
import { instanceStatuses, listVersionNames, replyToInstance, sendToLedger } from './ledger';
import { deleteOwnedSnapshots, sweepLeftovers } from './cleanup';

/** Every activity by name. Inputs and outputs are JSON; each does one step through the ports. */
export const ACTIVITY_IMPLEMENTATIONS: Record<
  ActivityName,
  (services: Services, input: never) => Promise<unknown>
> = {
  [ACTIVITIES.preflight]: preflight,
  [ACTIVITIES.beginSnapshot]: beginSnapshot,
  [ACTIVITIES.beginSnapshotCopy]: beginSnapshotCopy,
  [ACTIVITIES.getProvisioning]: getProvisioning,
  [ACTIVITIES.ensureGallery]: ensureGallery,
  [ACTIVITIES.ensureImageDefinition]: ensureImageDefinition,
  [ACTIVITIES.createImageVersion]: createImageVersion,
  [ACTIVITIES.getReplication]: getReplication,
  [ACTIVITIES.retryRegion]: retryRegion,
  [ACTIVITIES.createPool]: createPool,
  [ACTIVITIES.getPool]: getPool,
  [ACTIVITIES.drainPool]: drainPool,
  [ACTIVITIES.deletePool]: deletePool,
  [ACTIVITIES.publishEvents]: publishEvents,
  [ACTIVITIES.applyRetention]: applyRetention,
  [ACTIVITIES.deleteIntermediates]: deleteIntermediates,
  [ACTIVITIES.sendToLedger]: sendToLedger,
  [ACTIVITIES.replyToInstance]: replyToInstance,
  [ACTIVITIES.listVersionNames]: listVersionNames,
  [ACTIVITIES.instanceStatuses]: instanceStatuses,
  [ACTIVITIES.deleteOwnedSnapshots]: deleteOwnedSnapshots,
  [ACTIVITIES.sweepLeftovers]: sweepLeftovers,
};

export { ACTIVITIES, MESSAGING_ACTIVITIES } from './names';
export type { Services } from './services';
