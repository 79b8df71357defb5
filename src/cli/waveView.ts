import type { PlannedWave, WaveLine } from '../domain/cutover/waves';
import { renderTable } from './table';

/** The waves in `bif status`: one line each, with what it waits for and since when. */
export function renderWaves(waves: readonly WaveLine[] | undefined, requestId = '<requestId>'): string[] {
  return (waves ?? []).map((w) => {
    const waits =
      w.state === 'awaiting-approval'
        ? `  since ${w.awaitingApprovalSince}: bif approve ${requestId} --wave ${w.wave}`
        : w.state === 'soaking'
          ? `  soak until ${w.soakUntil}`
          : '';
    const approved = w.approvedAt ? `  approved${w.approvedBy ? ` by ${w.approvedBy}` : ''}` : '';
    const reason = w.reason && ['failed', 'skipped'].includes(w.state) ? `  ${w.reason}` : '';
    return `  wave ${w.wave}  ${w.state.padEnd(17)} ${w.regions.join(', ')}${waits}${approved}${reason}`;
  });
}

/** The cutover order in `bif plan`: a table, one row per wave. */
export function renderPlannedWaves(waves: readonly PlannedWave[] | undefined): string[] {
  if (!waves?.length) return [];
  const rows = waves.map((w) => [
    w.wave,
    w.regions.join(', '),
    w.approval ? `yes (timeout ${w.approvalTimeoutMinutes} min)` : 'no',
    w.soakMinutes ? `${w.soakMinutes} min` : '-',
  ]);
  return [
    'Waves (cutover order)',
    renderTable(['wave', 'regions', 'approval before', 'soak after'], rows),
    '',
  ];
}
