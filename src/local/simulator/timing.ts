/**
 * The simulator's timings are the product's built-in timing model (src/domain/timings/model.ts): the
 * same figures the what-if predictor uses when it has no learned history. A scenario's `timing`
 * overrides them per region (replication minutes, nodes per minute).
 */
export { TIMING, allocationMs, replicationMs, type TimingOverrides } from '../../domain/timings/model';
