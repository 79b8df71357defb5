/** host.json `extensions.queues.messageEncoding`: `base64` (the default) or `none`. */
export type MessageEncoding = 'base64' | 'none';

/** Reads the setting as the extension does (case-insensitive); anything else stops the host, naming the field. */
export function messageEncodingFrom(value: unknown): MessageEncoding {
  if (value === undefined) return 'base64';
  const v = String(value).toLowerCase();
  if (v === 'base64' || v === 'none') return v;
  throw new Error(
    `host.json extensions.queues.messageEncoding is "${String(value)}"; it must be "base64" (the default) or "none".`,
  );
}

/**
 * The bytes the trigger receives for a message as stored. base64: strict base64 as .NET's
 * Convert.FromBase64String reads it (whitespace ignored, padding required); undefined when the text
 * is not base64 — the function never sees such a message. none: the text's UTF-8 bytes.
 */
export function decodeQueueMessage(text: string, encoding: MessageEncoding): Buffer | undefined {
  if (encoding === 'none') return Buffer.from(text, 'utf8');
  const compact = text.replace(/[ \t\r\n]/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}

/** The text a producer (or an output binding) must store so the trigger receives `text`. */
export function encodeQueueMessage(text: string, encoding: MessageEncoding): string {
  return encoding === 'none' ? text : Buffer.from(text, 'utf8').toString('base64');
}
