import type { BatchAccountState, WorldState } from './model';

/**
 * Which parts of the world a request may have changed. Handlers take a resource, an operation or a
 * pool out of the world and change it in place, so the tracker hands out the world's collections
 * behind proxies that note every entry taken, set or deleted. The state file then journals only
 * those entries (a read that changed nothing is dropped when it serialises as before). Listing keys
 * (`Object.keys`) notes nothing; walking every value (`Object.values`) notes everything, which is
 * correct, only slower.
 */
export class ChangeTracker {
  readonly resources = new Set<string>();
  readonly operations = new Set<string>();
  readonly accounts = new Set<string>();
  /** Pools by account name. */
  readonly pools = new Map<string, Set<string>>();
  /** A whole collection was replaced: only a full snapshot describes the change. */
  everything = false;

  private readonly accountViews = new WeakMap<BatchAccountState, BatchAccountState>();

  /** The state as handlers see it: the same objects, with every entry reached through a collection noted. */
  track(state: WorldState): WorldState {
    const views = new Map<string | symbol, unknown>();
    const view = (key: string | symbol): unknown => {
      const value = Reflect.get(state, key) as unknown;
      if (key === 'resources') return noting(state.resources, (k) => this.resources.add(k));
      if (key === 'operations') return noting(state.operations, (k) => this.operations.add(k));
      if (key === 'batchAccounts')
        return noting(
          state.batchAccounts,
          (k) => this.accounts.add(k),
          (name, account) => this.accountView(name, account),
        );
      return value;
    };
    return new Proxy(state, {
      get: (target, key) => {
        const value = Reflect.get(target, key) as unknown;
        if (typeof value !== 'object' || value === null) return value;
        const cached = views.get(key);
        if (cached !== undefined) return cached;
        const made = view(key);
        views.set(key, made);
        return made;
      },
      set: (target, key, value) => {
        views.delete(key);
        if (key === 'resources' || key === 'operations' || key === 'batchAccounts') this.everything = true;
        return Reflect.set(target, key, value);
      },
    });
  }

  clear(): void {
    this.resources.clear();
    this.operations.clear();
    this.accounts.clear();
    this.pools.clear();
    this.everything = false;
  }

  private accountView(name: string, account: BatchAccountState): BatchAccountState {
    let view = this.accountViews.get(account);
    if (view) return view;
    let pools: Record<string, unknown> | undefined;
    let poolsOf: Record<string, unknown> | undefined;
    view = new Proxy(account, {
      get: (target, key) => {
        if (key !== 'pools') return Reflect.get(target, key) as unknown;
        if (poolsOf !== target.pools) {
          poolsOf = target.pools;
          pools = noting(target.pools, (pool) => this.poolsOf(name).add(pool));
        }
        return pools;
      },
      set: (target, key, value) => {
        if (key === 'pools') this.everything = true;
        return Reflect.set(target, key, value);
      },
    });
    this.accountViews.set(account, view);
    return view;
  }

  private poolsOf(account: string): Set<string> {
    let set = this.pools.get(account);
    if (!set) this.pools.set(account, (set = new Set()));
    return set;
  }
}

/** A record whose entries, when taken, set or deleted, are reported to `note`. */
function noting<V>(
  record: Record<string, V>,
  note: (key: string) => void,
  wrap?: (key: string, value: V) => V,
): Record<string, V> {
  return new Proxy(record, {
    get: (target, key) => {
      if (typeof key !== 'string' || !Object.hasOwn(target, key)) return Reflect.get(target, key) as unknown;
      note(key);
      const value = target[key]!;
      return wrap ? wrap(key, value) : value;
    },
    set: (target, key, value) => {
      if (typeof key === 'string') note(key);
      return Reflect.set(target, key, value);
    },
    deleteProperty: (target, key) => {
      if (typeof key === 'string') note(key);
      return Reflect.deleteProperty(target, key);
    },
  });
}
