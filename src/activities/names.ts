/** Activity names: the only thing orchestrators know about activities, besides their typed inputs. */
export const ACTIVITIES = {
  preflight: 'preflight',
  beginSnapshot: 'beginSnapshot',
  beginSnapshotCopy: 'beginSnapshotCopy',
  getProvisioning: 'getProvisioning',
  ensureGallery: 'ensureGallery',
  ensureImageDefinition: 'ensureImageDefinition',
  createImageVersion: 'createImageVersion',
  getReplication: 'getReplication',
  updateTargetRegions: 'updateTargetRegions',
  createPool: 'createPool',
  getPool: 'getPool',
  drainPool: 'drainPool',
  deletePool: 'deletePool',
  shrinkPool: 'shrinkPool',
  restoreShrunkPool: 'restoreShrunkPool',
  readCapacityFacts: 'readCapacityFacts',
  updatePoolInPlace: 'updatePoolInPlace',
  countPoolNodes: 'countPoolNodes',
  readNodeErrors: 'readNodeErrors',
  publishEvents: 'publishEvents',
  applyRetention: 'applyRetention',
  deleteIntermediates: 'deleteIntermediates',
  sendToLedger: 'sendToLedger',
  replyToInstance: 'replyToInstance',
  listVersionNames: 'listVersionNames',
  instanceStatuses: 'instanceStatuses',
  deleteOwnedSnapshots: 'deleteOwnedSnapshots',
  sweepLeftovers: 'sweepLeftovers',
  startSmokeTest: 'startSmokeTest',
  readSmokeTest: 'readSmokeTest',
  deleteJob: 'deleteJob',
  listPoolWork: 'listPoolWork',
  moveSchedules: 'moveSchedules',
  advanceJobMove: 'advanceJobMove',
  recordTimings: 'recordTimings',
  expectTimings: 'expectTimings',
} as const;

/** Activities that message other instances: registered with a Durable client input binding. */
export const MESSAGING_ACTIVITIES: readonly ActivityName[] = [
  'sendToLedger',
  'replyToInstance',
  'sweepLeftovers',
  'instanceStatuses',
  // Shrink-old-first: whether the build named by a pool's `bif-shrink` marker still runs.
  'preflight',
  'readCapacityFacts',
  'shrinkPool',
  'restoreShrunkPool',
];

export type ActivityName = (typeof ACTIVITIES)[keyof typeof ACTIVITIES];
