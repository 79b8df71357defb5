export type * from './compute';
export type * from './gallery';
export type * from './batch';
export type * from './events';
export type { Clock } from './clock';
export type { InstancesPort } from './instances';
export type * from './batchJobs';
export type { TimingsPort } from './timings';
