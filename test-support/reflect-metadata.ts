// @peculiar/x509 registers its algorithms with tsyringe, which refuses to load unless the
// Reflect metadata API exists (normally the reflect-metadata package). These three functions
// are all tsyringe calls, so we install them instead of adding a dependency.
// Import this module before @peculiar/x509.
type Target = object;
const store = new WeakMap<Target, Map<unknown, unknown>>();

const metadataApi = {
  defineMetadata(key: unknown, value: unknown, target: Target): void {
    let entries = store.get(target);
    if (!entries) store.set(target, (entries = new Map()));
    entries.set(key, value);
  },
  getOwnMetadata(key: unknown, target: Target): unknown {
    return store.get(target)?.get(key);
  },
  getMetadata(key: unknown, target: Target): unknown {
    for (let current: Target | null = target; current !== null; current = Object.getPrototypeOf(current) as Target | null) {
      const entries = store.get(current);
      if (entries?.has(key)) return entries.get(key);
    }
    return undefined;
  },
};

if (typeof (Reflect as unknown as Record<string, unknown>).getMetadata !== 'function') Object.assign(Reflect, metadataApi);
