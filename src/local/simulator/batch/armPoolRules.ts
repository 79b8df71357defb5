import type { BatchAccountState, BatchPoolState } from '../model';
import type { World } from '../world';
import { ArmFailure } from '../arm/armErrors';
import { armToDataPlane, dataPlaneToArm } from './armPoolView';
import { startAutoScale } from './autoScale';
import { applyResize } from './poolResize';

type Json = Record<string, any>;

const USER_ASSIGNED_ID =
  /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.managedidentity\/userassignedidentities\/[^/]+$/i;

/**
 * ScaleSettings (BatchManagement.json): fixedScale and autoScale are mutually exclusive; autoScale
 * requires a formula. Batch answers 400 for either mistake.
 */
export function checkScaleSettings(properties: Json): void {
  const scale = properties.scaleSettings as Json | undefined;
  if (scale?.fixedScale && scale.autoScale)
    throw new ArmFailure(
      400,
      'InvalidRequestBody',
      'scaleSettings.fixedScale and scaleSettings.autoScale are mutually exclusive; send one.',
      'properties.scaleSettings',
    );
  if (scale?.autoScale && !scale.autoScale.formula)
    throw new ArmFailure(
      400,
      'MissingRequiredProperty',
      'scaleSettings.autoScale needs a formula.',
      'properties.scaleSettings.autoScale.formula',
    );
}

/**
 * BatchPoolIdentity: type UserAssigned (with identities given as resource ids of
 * Microsoft.ManagedIdentity/userAssignedIdentities) or None. Pools get identities only through the
 * management plane.
 */
export function checkIdentity(identity: Json | undefined): void {
  if (identity === undefined) return;
  const fail = (message: string) => new ArmFailure(400, 'InvalidRequestBody', message, 'identity');
  if (identity.type !== 'UserAssigned' && identity.type !== 'None')
    throw fail(`identity.type '${String(identity.type)}' is not valid: use UserAssigned or None.`);
  const ids = Object.keys((identity.userAssignedIdentities ?? {}) as Json);
  if (identity.type === 'UserAssigned' && ids.length === 0)
    throw fail('identity.type UserAssigned needs at least one entry in identity.userAssignedIdentities.');
  const bad = ids.find((id) => !USER_ASSIGNED_ID.test(id));
  if (bad)
    throw fail(
      `identity.userAssignedIdentities key '${bad}' is not a Microsoft.ManagedIdentity/userAssignedIdentities resource id.`,
    );
}

const DEALLOCATION = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : undefined);

/**
 * MetadataItem (BatchManagement.json): `name` and `value` are both required; ARM's request validation
 * answers 400 naming the missing field (code assumed: MissingRequiredProperty, as for our other required
 * properties).
 */
export function checkMetadata(properties: Json): void {
  const metadata = properties.metadata as unknown;
  if (metadata === undefined) return;
  if (!Array.isArray(metadata))
    throw new ArmFailure(
      400,
      'InvalidRequestBody',
      'metadata must be a list of {name, value}.',
      'properties.metadata',
    );
  metadata.forEach((item: Json | null, i) => {
    for (const field of ['name', 'value'])
      if (typeof item?.[field] !== 'string')
        throw new ArmFailure(
          400,
          'MissingRequiredProperty',
          `metadata[${i}].${field} is required: every metadata item needs a name and a value (string).`,
          `properties.metadata[${i}].${field}`,
        );
  });
}

/**
 * PATCH (and PUT on an existing pool): scale changes resize; other properties replace what was there.
 * All or nothing, as Azure refuses a request without changing the resource: the changes are made on a
 * copy of the pool and copied back only once every check (a resize of a resizing pool: 409) has passed.
 */
export function patchArmPool(
  world: World,
  account: BatchAccountState,
  pool: BatchPoolState,
  properties: Json,
  identity: Json | undefined,
): void {
  checkScaleSettings(properties);
  checkIdentity(identity);
  checkMetadata(properties);
  const draft = structuredClone(pool);
  applyPatch(world, account, draft, properties, identity);
  for (const key of Object.keys(pool)) if (!(key in draft)) delete (pool as Json)[key];
  Object.assign(pool, draft);
}

function applyPatch(
  world: World,
  account: BatchAccountState,
  pool: BatchPoolState,
  properties: Json,
  identity: Json | undefined,
): void {
  const { scaleSettings, ...rest } = properties;
  const merged = { ...(pool.arm?.properties ?? dataPlaneToArm(pool.spec)), ...rest };
  const view = armToDataPlane(pool.id, merged);
  for (const key of Object.keys(view))
    if (!['id', 'targetDedicatedNodes', 'targetLowPriorityNodes', 'resizeTimeout'].includes(key))
      pool.spec[key] = view[key];
  if (scaleSettings?.fixedScale) {
    const fixed = scaleSettings.fixedScale as Json;
    delete pool.autoScale;
    delete pool.spec.enableAutoScale;
    applyResize(world, account, pool, {
      targetDedicatedNodes: fixed.targetDedicatedNodes ?? 0,
      targetLowPriorityNodes: fixed.targetLowPriorityNodes ?? 0,
      resizeTimeout: fixed.resizeTimeout,
      nodeDeallocationOption: DEALLOCATION(fixed.nodeDeallocationOption),
    });
  } else if (scaleSettings?.autoScale) {
    const run = startAutoScale(
      scaleSettings.autoScale.formula,
      scaleSettings.autoScale.evaluationInterval,
      world.now(),
    );
    pool.autoScale = run.state;
    applyResize(world, account, pool, {
      targetDedicatedNodes: run.dedicated,
      targetLowPriorityNodes: run.lowPriority,
    });
  }
  pool.arm = {
    properties: { ...merged, ...(scaleSettings ? { scaleSettings } : {}) },
    ...((identity ?? pool.arm?.identity) ? { identity: identity ?? pool.arm?.identity } : {}),
  };
}
