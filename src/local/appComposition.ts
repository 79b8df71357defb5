import { join } from 'node:path';
import type * as Composition from '../compositionRoot';

/**
 * The composition root of the app the host loaded from dist/ — the same module instance, so the local
 * world can hand the app its virtual clock. (Local code may reach into the app; never the reverse.)
 */
export function loadedComposition(root: string): typeof Composition {
  const path = join(root, 'dist', 'compositionRoot.js');
  // Requiring it before the app did would make a second instance the app never sees (e.g. if "main"
  // pointed at a bundle): the clock override would silently miss.
  if (!require.cache[path])
    throw new Error(`The loaded app did not load ${path}; the host cannot hand it the virtual clock.`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- must be the instance the app required, by path
  return require(path) as typeof Composition;
}
