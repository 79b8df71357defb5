import type * as DataTables from '@azure/data-tables';
import type { TableClient, TableEntity, TableEntityResult } from '@azure/data-tables';
import type { TokenCredential } from '@azure/core-auth';
import type { TimingObservation } from '../domain/timings/observation';
import type { TimingsPort } from '../ports/timings';

/**
 * Learned timings in Azure Table storage: one partition per region, one row per observation. The row
 * key starts with the inverted observation time, so a partition lists newest first (Table storage
 * returns rows in PartitionKey, RowKey order) and keeping the newest N is reading N and deleting the
 * rest. The observation itself is one JSON property: the shape can grow without a table migration.
 */
const INVERT_FROM = 9_999_999_999_999;

const FORBIDDEN = new Set(['/', '\\', '#', '?']);
const isControl = (code: number) => code < 0x20 || (code >= 0x7f && code <= 0x9f);

/** Keys must not contain / \ # ? or control characters (Table service data model). */
const safeKey = (text: string) =>
  [...text].map((c) => (FORBIDDEN.has(c) || isControl(c.charCodeAt(0)) ? '_' : c)).join('');

export function rowKeyOf(observation: TimingObservation): string {
  const inverted = String(INVERT_FROM - Date.parse(observation.observedAt)).padStart(13, '0');
  return `${inverted}_${safeKey(observation.requestId)}`.slice(0, 512);
}

interface ObservationEntity {
  observation: string;
  requestId: string;
  observedAt: string;
}

export class TableTimings implements TimingsPort {
  private created?: Promise<void>;

  constructor(
    private readonly client: TableClient,
    /** Observations kept per region. */
    private readonly keep: number,
  ) {}

  async record(observations: TimingObservation[]): Promise<void> {
    if (observations.length === 0) return;
    await this.ensureTable();
    for (const o of observations) {
      const entity: TableEntity<ObservationEntity> = {
        partitionKey: safeKey(o.region),
        rowKey: rowKeyOf(o),
        observation: JSON.stringify(o),
        requestId: o.requestId,
        observedAt: o.observedAt,
      };
      await this.client.upsertEntity(entity, 'Replace');
    }
    for (const region of new Set(observations.map((o) => safeKey(o.region)))) await this.trim(region);
  }

  async recent(regions: string[]): Promise<TimingObservation[]> {
    await this.ensureTable();
    const all: TimingObservation[] = [];
    for (const region of new Set(regions.map((r) => safeKey(r.toLowerCase())))) {
      const rows = await this.rows(region, ['observation']);
      for (const row of rows.slice(0, this.keep)) {
        try {
          all.push(JSON.parse(String(row.observation)) as TimingObservation);
        } catch {
          // A row someone edited by hand into something else: not history we can learn from.
        }
      }
    }
    return all;
  }

  /** Deletes a region's rows beyond the newest `keep`. */
  private async trim(region: string): Promise<void> {
    const rows = await this.rows(region, ['rowKey']);
    for (const row of rows.slice(this.keep)) {
      try {
        await this.client.deleteEntity(region, row.rowKey!);
      } catch (error) {
        // Another recorder trimmed it first.
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      }
    }
  }

  private async rows(region: string, select: string[]) {
    const rows: TableEntityResult<Record<string, unknown>>[] = [];
    const filter = `PartitionKey eq '${region.replace(/'/g, "''")}'`;
    for await (const row of this.client.listEntities<Record<string, unknown>>({
      queryOptions: { filter, select },
    }))
      rows.push(row);
    // Rows come in RowKey order from Table storage; sorting again costs nothing and assumes nothing.
    return rows.sort((a, b) => (a.rowKey! < b.rowKey! ? -1 : a.rowKey! > b.rowKey! ? 1 : 0));
  }

  private ensureTable(): Promise<void> {
    this.created ??= this.client.createTable().catch((error: unknown) => {
      this.created = undefined;
      throw error;
    });
    return this.created;
  }
}

/** Where the history lives: the account's table endpoint with the app's identity, or local Azurite. */
export type TimingsStore =
  | { table: string; keep: number; endpoint: string }
  | { table: string; keep: number; emulatorConnectionString: string };

/**
 * Learned timings are advisory: a store that is down must cost a pipeline a moment, not minutes. The
 * SDK's default (3 retries, exponential backoff, 2-minute socket timeout) turned an unreachable table
 * into ~6 s per read and per write; one attempt with a short timeout fails fast and the pipeline goes on
 * with the built-in model.
 */
export const TIMINGS_TIMEOUT_MS = 2_000;

export function timingsClientOptions(timeoutMs = TIMINGS_TIMEOUT_MS): DataTables.TableServiceClientOptions {
  return {
    retryOptions: { maxRetries: 0 },
    additionalPolicies: [
      {
        position: 'perCall',
        policy: {
          name: 'bifTimingsTimeout',
          sendRequest: (request, next) => {
            request.timeout = timeoutMs;
            return next(request);
          },
        },
      },
    ],
  };
}

/* eslint-disable @typescript-eslint/no-require-imports -- the SDK loads on first use, not at cold start */
export function tableTimings(
  store: TimingsStore,
  credential: () => TokenCredential,
  timeoutMs = TIMINGS_TIMEOUT_MS,
): TableTimings {
  const { TableClient } = require('@azure/data-tables') as typeof DataTables;
  const options = timingsClientOptions(timeoutMs);
  const client =
    'endpoint' in store
      ? new TableClient(store.endpoint, store.table, credential(), options)
      : // Azurite speaks plain http on 127.0.0.1; the SDK refuses that unless told.
        TableClient.fromConnectionString(store.emulatorConnectionString, store.table, {
          ...options,
          allowInsecureConnection: true,
        });
  return new TableTimings(client, store.keep);
}
/* eslint-enable @typescript-eslint/no-require-imports */
