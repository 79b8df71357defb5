import { generate } from 'selfsigned';

export interface LocalCertificate {
  /** PEM certificate; also the CA that clients must trust. */
  cert: string;
  key: string;
}

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made at start. Azure SDK pipelines refuse
 * bearer tokens over plain HTTP, so every local stand-in for an Azure endpoint serves HTTPS.
 */
export function makeLocalCertificate(): LocalCertificate {
  const pems = generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    days: 30,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
