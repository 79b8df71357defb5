/**
 * Preloaded (`node --require`) into a child the local world starts, such as Azurite, whose code we do
 * not own. A `kill -9` of the parent gives the child no signal, so the child watches for itself: the
 * parent's end of its stdin pipe closes when the parent dies for any reason, and as a second line its
 * parent PID changes (re-parented to init or a subreaper). Either way it exits, so nothing is left
 * holding ports and files. Linux `prctl(PR_SET_PDEATHSIG)` would do this, but Node cannot call it.
 */
const parentPid = Number(process.env.BIF_PARENT_PID);

if (parentPid > 0) {
  const leave = () => process.exit(0);
  if (process.ppid !== parentPid) leave();
  process.stdin.on('end', leave);
  process.stdin.on('error', leave);
  process.stdin.resume();
  // A SIGINT or SIGTERM is someone stopping us on purpose. Azurite's services close their server on
  // SIGINT (the queue service also on SIGTERM) and wait for the event loop to empty, which the open
  // stdin above would never let happen: every stop would end in the parent's SIGKILL fallback. So stop
  // watching. Azurite's table service handles SIGINT and IPC 'shutdown' only: a SIGTERM would kill it
  // before its last save and lose what it acknowledged, so a SIGTERM becomes its SIGINT. A service with
  // neither handler gets the signal's default again: it dies of it.
  const release = () => {
    process.stdin.removeListener('end', leave);
    process.stdin.removeListener('error', leave);
    process.stdin.destroy();
  };
  const onInterrupt = () => {
    process.removeListener('SIGTERM', onTerminate);
    release();
    if (process.listenerCount('SIGINT') === 0) process.kill(process.pid, 'SIGINT');
  };
  const onTerminate = () => {
    process.removeListener('SIGINT', onInterrupt);
    release();
    if (process.listenerCount('SIGTERM') > 0) return;
    if (process.listenerCount('SIGINT') > 0) process.emit('SIGINT', 'SIGINT');
    else process.kill(process.pid, 'SIGTERM');
  };
  process.once('SIGINT', onInterrupt);
  process.once('SIGTERM', onTerminate);
  setInterval(() => {
    if (process.ppid !== parentPid) leave();
  }, 250).unref();
}

/**
 * Azurite keeps its queue metadata in LokiJS and saves it every 5 s; a `kill -9` would lose the last
 * seconds of queue writes (a message just sent, or one just deleted coming back). Azure Storage loses
 * nothing it acknowledged, so the mirror saves much sooner (Loki only saves when something changed).
 */
const SAVE_EVERY_MS = Number(process.env.BIF_AZURITE_SAVE_MS ?? 100);
// eslint-disable-next-line @typescript-eslint/no-require-imports -- patched before Azurite loads it
const Module = require('node:module') as { _load: (request: string, ...rest: unknown[]) => unknown };
const load = Module._load;
let patched: unknown;
Module._load = function (request: string, ...rest: unknown[]) {
  const loaded = load.call(this, request, ...rest);
  if (request !== 'lokijs') return loaded;
  patched ??= patchLoki(loaded as LokiClass);
  return patched;
};

type LokiClass = new (file: string, options?: Record<string, unknown>) => object;

function patchLoki(Loki: LokiClass): LokiClass {
  const Patched = function (this: unknown, file: string, options?: Record<string, unknown>) {
    const sooner =
      options?.autosave === true
        ? { ...options, autosaveInterval: Math.min(Number(options.autosaveInterval ?? 5000), SAVE_EVERY_MS) }
        : options;
    return new Loki(file, sooner);
  } as unknown as LokiClass;
  Object.setPrototypeOf(Patched, Loki);
  (Patched as unknown as { prototype: object }).prototype = Loki.prototype;
  return Patched;
}
