/**
 * A Map for the common case of one entry: the first entry lives in fields, a
 * real Map is made only for a second. A connection usually carries one view,
 * and an idle session should not pay for a hash table it never fills.
 * Iteration order: the inline entry first, then the rest in insertion order.
 */
export class SmallMap<K, V> {
  private has1 = false;
  private k1: K | undefined;
  private v1: V | undefined;
  private rest: Map<K, V> | undefined;

  get size(): number {
    return (this.has1 ? 1 : 0) + (this.rest?.size ?? 0);
  }

  get(key: K): V | undefined {
    if (this.has1 && this.k1 === key) return this.v1;
    return this.rest?.get(key);
  }

  set(key: K, value: V): this {
    if (this.has1 && this.k1 === key) this.v1 = value;
    else if (this.rest?.has(key) === true) this.rest.set(key, value);
    else if (!this.has1) {
      this.has1 = true;
      this.k1 = key;
      this.v1 = value;
    } else (this.rest ??= new Map()).set(key, value);
    return this;
  }

  delete(key: K): boolean {
    if (this.has1 && this.k1 === key) {
      this.has1 = false;
      this.k1 = undefined;
      this.v1 = undefined;
      return true;
    }
    return this.rest?.delete(key) ?? false;
  }

  clear(): void {
    this.has1 = false;
    this.k1 = undefined;
    this.v1 = undefined;
    this.rest = undefined;
  }

  *[Symbol.iterator](): IterableIterator<[K, V]> {
    if (this.has1) yield [this.k1 as K, this.v1 as V];
    if (this.rest !== undefined) yield* this.rest;
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this) yield v;
  }
}
