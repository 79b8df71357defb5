import { parseDurationMs, formatMinutes, MINUTE_MS } from '../duration';
import { finding, type Finding } from '../findings';

/** Azure Batch guidance: fixed-size pools need at least 15 minutes per 1000 VMs. */
const MINUTES_PER_THOUSAND_NODES = 15;
/** Batch's default resize timeout, and so our floor. */
const DEFAULT_RESIZE_TIMEOUT_MINUTES = 15;
/** Batch rejects anything shorter. */
const BATCH_MINIMUM_RESIZE_TIMEOUT_MINUTES = 5;

export function requiredResizeTimeoutMinutes(nodes: number): number {
  return Math.max(DEFAULT_RESIZE_TIMEOUT_MINUTES, Math.ceil(nodes / 1000) * MINUTES_PER_THOUSAND_NODES);
}

/** The resize timeout to use for a pool: the override when it passes the rules, else the rule's value. */
export function planResizeTimeout(
  nodes: number,
  override: string | undefined,
  path: string,
): { resizeTimeout: string; findings: Finding[] } {
  const requiredMinutes = requiredResizeTimeoutMinutes(nodes);
  const required = formatMinutes(requiredMinutes);
  if (override === undefined) return { resizeTimeout: required, findings: [] };

  const ms = parseDurationMs(override);
  if (ms === undefined) {
    return {
      resizeTimeout: required,
      findings: [
        finding(
          'RESIZE_TIMEOUT_INVALID',
          path,
          `${path} "${override}" is not an ISO-8601 duration; write it like ${required}.`,
        ),
      ],
    };
  }
  if (ms < BATCH_MINIMUM_RESIZE_TIMEOUT_MINUTES * MINUTE_MS) {
    return {
      resizeTimeout: required,
      findings: [
        finding(
          'RESIZE_TIMEOUT_BELOW_BATCH_MINIMUM',
          path,
          `${path} ${override} is below Batch's minimum of PT${BATCH_MINIMUM_RESIZE_TIMEOUT_MINUTES}M; for ${nodes} nodes use ${required} or more, or omit it.`,
        ),
      ],
    };
  }
  if (ms < requiredMinutes * MINUTE_MS) {
    return {
      resizeTimeout: required,
      findings: [
        finding(
          'RESIZE_TIMEOUT_TOO_SHORT',
          path,
          `${path} ${override} is too short for ${nodes} nodes: Batch needs at least ${MINUTES_PER_THOUSAND_NODES} minutes per 1000 VMs, so use ${required} or more, or omit it.`,
        ),
      ],
    };
  }
  return { resizeTimeout: override, findings: [] };
}
