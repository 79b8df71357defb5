import type { OrchestrationContext } from 'durable-functions';
import type { BuildRequest } from '../domain/buildRequest';
import type { Finding } from '../domain/findings';
import type { LeaseReply } from '../domain/ledger';
import { askLedger } from './ledgerCalls';
import { StepFailedError } from './steps';
import type { PipelineRun } from './pipelineRun';

/**
 * How many versions an "auto" build leases before it gives up. A leased version found made by someone
 * else means the ledger handed it out twice (its record was lost, e.g. terminated mid-grant) or a
 * writer outside the factory took it; a new lease steps past it. Bounded: each try costs a preflight.
 */
export const AUTO_LEASES = 3;

/** The version to lease: the source version's own name when rolling one out, else the requested one. */
function leasedVersion(request: BuildRequest): string {
  return request.source.type === 'galleryImageVersion'
    ? request.source.id.split('/').at(-1)!
    : request.image.version;
}

/**
 * Asks the definition's ledger for this execution's version (a restart must not get the earlier run's);
 * rolling out an existing version only shares it. `renew`: the "auto" version found taken.
 */
export function* leaseVersion(
  context: OrchestrationContext,
  run: PipelineRun,
  ledger: string,
  renew?: string,
) {
  const { request } = run;
  return yield* askLedger<LeaseReply>(context, ledger, {
    kind: 'lease',
    execution: run.execution,
    version: leasedVersion(request),
    ...(request.source.type === 'galleryImageVersion' ? { shared: true } : {}),
    ...(renew !== undefined ? { renew } : {}),
  });
}

/** An "auto" build whose only preflight errors say its version exists and is not its own. */
export function autoVersionTakenIn(request: BuildRequest, findings: readonly Finding[]): boolean {
  const errors = findings.filter((f) => f.severity === 'error');
  return (
    request.image.version === 'auto' &&
    request.source.type !== 'galleryImageVersion' &&
    errors.length > 0 &&
    errors.every((f) => f.code === 'IMAGE_VERSION_EXISTS')
  );
}

/** An "auto" build whose createImageVersion found the version made by someone else meanwhile. */
export function autoVersionTakenBy(request: BuildRequest, error: unknown): boolean {
  return (
    request.image.version === 'auto' &&
    request.source.type !== 'galleryImageVersion' &&
    error instanceof StepFailedError &&
    error.failure.code === 'VersionExists'
  );
}

/** The finding after the last try: what happened, and what to do. */
export function autoLeasesExhausted(versions: readonly string[]): Finding {
  return {
    code: 'IMAGE_VERSION_EXISTS',
    severity: 'error',
    path: 'image.version',
    message: `"auto" was given ${versions.join(', ')} in turn, and each was made by someone else before this build could create it (${AUTO_LEASES} tries). Another writer is creating versions of this definition: submit again, or name a version explicitly.`,
  };
}
