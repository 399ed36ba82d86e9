package dev.lockstep.lock;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@link LockEngine#SEGMENTS} stripes of a lock's key table, and the read-only views of them
 * (holders, waiters, counts) that statistics, snapshots and the wait-for graph use. Each view locks
 * one stripe at a time, so it is consistent per stripe, not across the table.
 *
 * <p>With the engine's fast path on, a key may also be held in its slot of the engine's {@link
 * FastSlots} (see {@link LockEngine}); {@link #isLocked}, {@link #holderOf} and {@link #activeKeys}
 * look there too, under the stripe lock, which is what moves a fast hold into the table
 * (inflation). The views the registry uses ({@link #inspect}, {@link #holdersOf}) only serve
 * engines without a fast path.
 */
final class Stripes {
  private final Segment[] segments = new Segment[LockEngine.SEGMENTS];

  /** The engine's slots, or null without a fast path. */
  private final FastSlots slots;

  Stripes(FastSlots slots) {
    this.slots = slots;
    for (int i = 0; i < segments.length; i++) {
      segments[i] = new Segment();
    }
  }

  /**
   * The fast hold of the key: its stamped holder's thread, its chain's last node, or null; caller
   * holds the key's stripe lock.
   */
  private Object fastHold(Object key, int hash) {
    return slots == null ? null : slots.fastHold(key, hash);
  }

  /** The stripe of a spread hash: its low bits. */
  Segment of(int hash) {
    return segments[hash & (LockEngine.SEGMENTS - 1)];
  }

  /** Whether the key is held right now. */
  boolean isLocked(Object key) {
    Objects.requireNonNull(key, "key must not be null");
    int hash = LockEngine.spread(key.hashCode());
    Segment s = of(hash);
    s.lock();
    try {
      if (fastHold(key, hash) != null) {
        return true;
      }
      Entry e = s.find(key, hash);
      return e != null && e.held();
    } finally {
      s.unlock();
    }
  }

  /** A description of the key's holders, or null. */
  String holderOf(Object key) {
    int hash = LockEngine.spread(key.hashCode());
    Segment s = of(hash);
    s.lock();
    try {
      Object fast = fastHold(key, hash);
      if (fast instanceof Node chain) {
        Node h = FastSlots.holder(chain); // the slot holds the chain's last node
        return h == null ? null : h.describeOwner();
      }
      if (fast != null) {
        return LockEngine.describe(fast); // a stamped hold's thread
      }
      Entry e = s.find(key, hash);
      return e == null ? null : e.describeHolders();
    } finally {
      s.unlock();
    }
  }

  /** Active keys summed stripe by stripe (exact only when nothing runs concurrently). */
  int activeKeys() {
    int sum = 0;
    for (int k = 0; k < segments.length; k++) {
      Segment s = segments[k];
      s.lock();
      try {
        sum += s.size();
        // The stripe's slots: inflation moves a fast hold into the table under this lock.
        for (int j = k; slots != null && j < FastSlots.SLOTS; j += segments.length) {
          if (slots.busy(j)) {
            sum++;
          }
        }
      } finally {
        s.unlock();
      }
    }
    return sum;
  }

  /** A consistent-per-stripe list of holders and waiters. */
  List<HeldOrWaiting> inspect() {
    List<HeldOrWaiting> out = new ArrayList<>();
    for (Segment s : segments) {
      s.lock();
      try {
        s.forEach(
            e -> {
              if (e.writer != null) {
                out.add(HeldOrWaiting.of(e.writer, true));
              }
              for (Node r = e.readers; r != null; r = r.next) {
                out.add(HeldOrWaiting.of(r, true));
              }
              for (Node w = e.head; w != null; w = w.next) {
                out.add(HeldOrWaiting.of(w, false));
              }
            });
      } finally {
        s.unlock();
      }
    }
    return out;
  }

  /** Holders of the key a waiter waits for, as owners; used by the wait-for graph. */
  List<Object> holdersOf(Waiter waiting) {
    Entry e = waiting.entry;
    Segment s = of(e.hash);
    s.lock();
    try {
      if (waiting.status() != Node.WAITING) {
        // Granted or gone: no edge (and its entry may already serve another key).
        return List.of();
      }
      List<Object> out = new ArrayList<>(1);
      if (e.writer != null) {
        out.add(e.writer.owner);
      }
      for (Node r = e.readers; r != null; r = r.next) {
        out.add(r.owner);
      }
      return out;
    } finally {
      s.unlock();
    }
  }

  /** One holder or waiter seen by {@link #inspect()}. */
  record HeldOrWaiting(
      String owner, Object key, LockMode mode, boolean held, long sinceNanos, boolean async) {
    static HeldOrWaiting of(Node n, boolean held) {
      Waiter w = n instanceof Waiter x ? x : null;
      return new HeldOrWaiting(
          n.describeOwner(),
          n.key,
          n.mode(),
          held,
          w == null ? 0 : held ? w.holdStart : w.waitStart,
          w != null && w.future != null);
    }
  }
}
