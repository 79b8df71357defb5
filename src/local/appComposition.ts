import { join } from 'node:path';
import type * as Composition from '../compositionRoot';

/**
 * The composition root of the app the host loaded from dist/ — the same module instance, so the local
 * world can hand the app its virtual clock. (Local code may reach into the app; never the reverse.)
 */
export function loadedComposition(root: string): typeof Composition {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- must be the instance the app required, by path
  return require(join(root, 'dist', 'compositionRoot.js')) as typeof Composition;
}
