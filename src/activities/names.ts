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
  retryRegion: 'retryRegion',
  createPool: 'createPool',
  getPool: 'getPool',
  drainPool: 'drainPool',
  deletePool: 'deletePool',
  publishEvents: 'publishEvents',
  applyRetention: 'applyRetention',
  deleteIntermediates: 'deleteIntermediates',
} as const;

export type ActivityName = (typeof ACTIVITIES)[keyof typeof ACTIVITIES];
