// Spreads the heartbeat over its interval: connections are dealt round-robin into slots, and
// each tick visits one slot, so every connection is still pinged once per interval but 10,000
// agents are not pinged (and do not pong) in the same millisecond. Pinging them all in one loop
// stalled the event loop twice a minute and showed up as the ack latency tail
// (bench/fleet-sim.ts). No timer in here: the gateway calls tick() every interval / slots.
export class HeartbeatWheel<T> {
  private readonly slots: Array<Set<T>>;
  private readonly slotOf = new Map<T, number>();
  private nextSlot = 0;
  private cursor = 0;

  constructor(slotCount: number) {
    if (!Number.isInteger(slotCount) || slotCount < 1)
      throw new RangeError('slotCount must be a positive integer');
    this.slots = Array.from({ length: slotCount }, () => new Set<T>());
  }

  /** Slots for an interval: about one tick a second, at least 1, at most 60. */
  static slotsFor(intervalSeconds: number): number {
    return Math.max(1, Math.min(60, Math.round(intervalSeconds)));
  }

  get slotCount(): number {
    return this.slots.length;
  }

  get size(): number {
    return this.slotOf.size;
  }

  add(item: T): void {
    if (this.slotOf.has(item)) return;
    const slot = this.nextSlot;
    this.nextSlot = (this.nextSlot + 1) % this.slots.length;
    this.slots[slot]!.add(item);
    this.slotOf.set(item, slot);
  }

  remove(item: T): void {
    const slot = this.slotOf.get(item);
    if (slot === undefined) return;
    this.slots[slot]!.delete(item);
    this.slotOf.delete(item);
  }

  /** The items due now (one slot's), advancing to the next slot. */
  tick(): T[] {
    const due = [...this.slots[this.cursor]!];
    this.cursor = (this.cursor + 1) % this.slots.length;
    return due;
  }
}
