/**
 * A set of `site + id` keys that can hold more entries than one JS Set allows (V8 caps a Set at
 * 2^24 ≈ 16.7 M entries; the full Stack Overflow dump has 20 M+ questions). Hand-written because it
 * is a few lines: numeric ids are stored as numbers (cheaper than strings) and spread over shards.
 */
const SHARDS = 16;

export class IdSet {
  private readonly sites = new Map<string, Set<number | string>[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  private shard(site: string, id: string): [Set<number | string>, number | string] {
    let shards = this.sites.get(site);
    if (!shards) {
      shards = Array.from({ length: SHARDS }, () => new Set<number | string>());
      this.sites.set(site, shards);
    }
    // Canonical decimal ids only (no leading zero), so '7' and '007' stay distinct keys.
    const n = /^(0|[1-9]\d{0,14})$/.test(id) ? Number(id) : NaN;
    if (!Number.isNaN(n)) return [shards[n % SHARDS], n];
    let h = 0;
    for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
    return [shards[h % SHARDS], id];
  }

  has(site: string, id: string): boolean {
    const [s, k] = this.shard(site, id);
    return s.has(k);
  }

  /** Adds the key; returns false when it was already there. */
  add(site: string, id: string): boolean {
    const [s, k] = this.shard(site, id);
    if (s.has(k)) return false;
    s.add(k);
    this.count++;
    return true;
  }
}
