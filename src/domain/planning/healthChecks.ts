import { finding, type Finding } from '../findings';
import type { BuildRequest } from '../buildRequest';
import { healthPolicy } from '../cutover/healthGate';

/**
 * A pool's health gate after merging defaults, the request's `health` and the pool's own: the pool must
 * stay healthy `settleSeconds` before the gate passes, and the gate fails `timeoutSeconds` after it
 * started. A settle longer than the timeout can never pass: every such pool would be rolled back.
 */
export function checkHealth(request: BuildRequest): Finding[] {
  return request.pools.flatMap((pool, index) => {
    const { settleSeconds, timeoutSeconds } = healthPolicy(request.health, pool.health);
    if (settleSeconds <= timeoutSeconds) return [];
    const from = (field: 'settleSeconds' | 'timeoutSeconds') =>
      pool.health?.[field] !== undefined
        ? `pools[${index}].health`
        : request.health?.[field] !== undefined
          ? 'health'
          : 'the default';
    const at = `pools[${index}].health.settleSeconds`;
    return [
      finding(
        'HEALTH_SETTLE_EXCEEDS_TIMEOUT',
        at,
        `${at} is ${settleSeconds} (from ${from('settleSeconds')}) but timeoutSeconds is ${timeoutSeconds} (from ${from('timeoutSeconds')}): the gate would fail before the pool could settle. Lower settleSeconds or raise timeoutSeconds.`,
      ),
    ];
  });
}
