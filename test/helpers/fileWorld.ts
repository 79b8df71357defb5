import { startTestWorld, type TestWorld } from './world';

type WorldOptions = NonNullable<Parameters<typeof startTestWorld>[0]>;

/**
 * One world and one host for a whole test file: started before its first test, stopped after its
 * last. `options` may be a function so a file can build its scenario when the world starts, not when
 * the file loads. `ready` receives the world before the host starts, so a failed host start still
 * leaves the world for the stop hook to end.
 *
 *   let world: TestWorld;
 *   useFileWorld({ speed: 600 }, (w) => (world = w));
 */
export function useFileWorld(
  options: WorldOptions | (() => WorldOptions),
  ready: (world: TestWorld) => void,
): void {
  let world: TestWorld | undefined;
  beforeAll(async () => {
    world = await startTestWorld(typeof options === 'function' ? options() : options);
    ready(world);
    await world.startHost();
  });
  afterAll(() => world?.stop());
}
