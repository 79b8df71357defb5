import { createHash } from 'node:crypto';
import type { SimRequest } from './http';

/**
 * Who is calling, for ARM's per-principal throttling and the request record: the token's object id
 * when it is a JWT, else a hash of the token.
 */
export function principalOf(request: SimRequest): string {
  const auth = String(request.headers.authorization ?? '');
  const token = auth.replace(/^Bearer\s+/i, '');
  if (!token) return 'anonymous';
  const [, payload] = token.split('.');
  if (payload) {
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
        oid?: string;
        appid?: string;
      };
      if (claims.oid || claims.appid) return String(claims.oid ?? claims.appid);
    } catch {
      // not a JWT
    }
  }
  return createHash('sha256').update(token).digest('hex').slice(0, 16);
}
