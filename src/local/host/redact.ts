/** What a redacted secret reads as in status and list answers. */
export const REDACTED = '[redacted]';

const SECRET_NAME = /(password|secret|token|connectionstring|sas|credential|apikey|accountkey|privatekey)/i;
/** A URL carrying a SAS signature (a resource file's httpUrl, a container URL): its query is the secret. */
const SAS_URL = /^([a-z][a-z0-9+.-]*:\/\/[^?\s]*)\?(?:[^\s]*&)?sig=/i;

/**
 * A copy of a status payload with secrets replaced: the values of start-task `environmentSettings`
 * (which carry whatever a team passes to its nodes), any field whose name says it is a secret (SSH
 * private keys included) and the query of any URL with a SAS signature (`sig=`).
 * The durable store keeps the real values — replays need them — only answers are redacted.
 */
export function redactSecrets(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    if (key === 'environmentSettings')
      return value.map((item: unknown) =>
        item && typeof item === 'object' && 'value' in item ? { ...item, value: REDACTED } : REDACTED,
      );
    return value.map((item) => redactSecrets(item));
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      out[k] = typeof v === 'string' && SECRET_NAME.test(k) ? REDACTED : redactSecrets(v, k);
    return out;
  }
  if (typeof value === 'string' && SAS_URL.test(value)) return value.replace(/\?.*$/s, `?${REDACTED}`);
  if (typeof value === 'string' && key !== '' && (value.startsWith('{') || value.startsWith('['))) {
    // History events carry inputs as JSON text: redact inside them too.
    try {
      return JSON.stringify(redactSecrets(JSON.parse(value) as unknown));
    } catch {
      return value;
    }
  }
  return value;
}
