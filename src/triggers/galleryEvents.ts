import type { FactoryConfig } from '../domain/factoryConfig';
import { imageDefinitionId } from '../domain/factoryConfig';
import { isOfType, parseResourceId, RESOURCE_TYPES, sameResourceId } from '../domain/resourceId';
import { compareVersions } from '../domain/version';
import { planFollowerRollout } from '../domain/planning/followers';
import { ORCHESTRATORS, OWNER_TAG, rolloutInstanceId, type OrchestrationSettings } from '../domain/pipeline';
import type { GalleryPort } from '../ports';
import type { DurableStarter, TriggerLog } from './starter';

export const WRITE_SUCCESS = 'Microsoft.Resources.ResourceWriteSuccess';
export const VERSION_WRITE = 'Microsoft.Compute/galleries/images/versions/write';

/** The parts of an Event Grid or CloudEvents event we read. */
export interface GalleryEvent {
  type: string;
  subject: string;
  resourceUri?: string;
  operationName?: string;
  status?: string;
  /** `data.httpRequest.method`: ARM puts it on updates (PATCH, a PUT over an existing resource) and deletes only. */
  httpMethod?: string;
}

/** Accepts either schema: Event Grid (`eventType`, `data`) or CloudEvents 1.0 (`type`, `data`). */
function normalizeEvent(raw: unknown): GalleryEvent | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const e = raw as {
    eventType?: string;
    type?: string;
    subject?: string;
    data?: {
      resourceUri?: string;
      operationName?: string;
      status?: string;
      httpRequest?: { method?: unknown };
    };
  };
  const type = e.eventType ?? e.type;
  if (typeof type !== 'string') return undefined;
  return {
    type,
    subject: e.subject ?? '',
    resourceUri: e.data?.resourceUri,
    operationName: e.data?.operationName,
    status: e.data?.status,
    httpMethod: typeof e.data?.httpRequest?.method === 'string' ? e.data.httpRequest.method : undefined,
  };
}

export type GalleryEventDecision =
  | { action: 'ignored'; reason: string }
  | { action: 'duplicate'; instanceId: string }
  | { action: 'started'; instanceId: string; versionId: string };

/**
 * A gallery change → a rollout of the pools that follow that image definition. Event Grid can deliver
 * twice and before replication finishes, and ResourceWriteSuccess fires for every write, ours included:
 * PUTs, but also PATCHes (retention retiring an old version, a replica change). So: only a new version
 * rolls out — updates (an event carrying httpRequest) and versions older than the definition's newest are left alone —, dedupe
 * by version, confirm with a GET and a list, and leave versions a pipeline of ours is rolling out.
 */
export async function handleGalleryEvent(
  raw: unknown,
  deps: {
    factory: FactoryConfig;
    gallery: GalleryPort;
    starter: DurableStarter;
    log: TriggerLog;
    settings: OrchestrationSettings;
    /** The plan's clock (node agent SKU end of life); the system clock when not given. */
    now?: () => Date;
  },
): Promise<GalleryEventDecision> {
  const ignore = (reason: string): GalleryEventDecision => {
    deps.log.info(`galleryEvents: ignored — ${reason}`);
    return { action: 'ignored', reason };
  };
  const event = normalizeEvent(raw);
  if (!event) return ignore('not an Event Grid or CloudEvents event');
  if (event.type !== WRITE_SUCCESS) return ignore(`event type ${event.type} is not ${WRITE_SUCCESS}`);
  if (event.operationName && event.operationName.toLowerCase() !== VERSION_WRITE.toLowerCase())
    return ignore(`operation ${event.operationName} is not an image version write`);
  const versionId = event.resourceUri ?? event.subject;
  // ARM puts httpRequest only on updates of an existing resource (PATCH, or a PUT over it) and deletes
  // (event-schema-resource-groups.md): a creation never carries it.
  if (event.httpMethod)
    return ignore(`${versionId} was updated (${event.httpMethod.toUpperCase()}), which is not a new version`);
  const parsed = parseResourceId(versionId);
  if (!parsed.ok || !isOfType(parsed.id, RESOURCE_TYPES.galleryImageVersion))
    return ignore(`${versionId} is not a gallery image version`);
  const definitionId = versionId.replace(/\/versions\/[^/]+\/?$/i, '');
  const watched = deps.factory.images.find((w) => sameResourceId(imageDefinitionId(w.image), definitionId));
  if (!watched) return ignore(`image definition ${definitionId} is not watched in the factory config`);
  if (watched.followers.length === 0) return ignore(`image definition ${definitionId} has no follower pools`);

  const instanceId = rolloutInstanceId(versionId);
  const existing = await deps.starter.runtimeStatus(instanceId);
  if (existing) {
    deps.log.info(
      `galleryEvents: version ${versionId} is already being rolled out by ${instanceId} (${existing}).`,
    );
    return { action: 'duplicate', instanceId };
  }
  const version = await deps.gallery.getReplication(versionId);
  if (version.provisioningState === 'NotFound') return ignore(`version ${versionId} no longer exists`);
  if (version.tags[OWNER_TAG])
    return ignore(
      `version ${versionId} was written by pipeline ${version.tags[OWNER_TAG]}, which rolls it out itself`,
    );
  // Only the newest version is worth a rollout: an older one written now is a fix-up, not a release.
  const name = versionId.split('/').at(-1)!;
  const versionNames = (await deps.gallery.listVersions(definitionId)).map((v) => v.name);
  const newest = [...versionNames].sort(compareVersions).at(-1);
  if (newest && compareVersions(name, newest) < 0)
    return ignore(`version ${name} is older than ${newest}, the newest version of ${definitionId}`);

  const input = planFollowerRollout(
    watched,
    versionId,
    { now: deps.now?.() ?? new Date(), versionNames, existingTargets: version.targetRegions },
    deps.settings,
  );
  const started = await deps.starter.start(ORCHESTRATORS.rolloutVersion, instanceId, input);
  if (started === 'exists') return { action: 'duplicate', instanceId };
  deps.log.info(`galleryEvents: started ${ORCHESTRATORS.rolloutVersion} ${instanceId} for ${versionId}.`);
  return { action: 'started', instanceId, versionId };
}
