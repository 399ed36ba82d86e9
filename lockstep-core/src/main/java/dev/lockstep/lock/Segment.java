package dev.lockstep.lock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * One stripe of a lock's key table: a spin lock guarding a small open-addressing hash table of the
 * stripe's active entries.
 *
 * <p>Implementation notes: the spin lock only ever guards a few field writes and a table probe,
 * never a wait, so it is held for nanoseconds and is safe for virtual threads (nothing parks while
 * holding it). The table uses linear probing with backward-shift deletion (no tombstones), grows at
 * half full and shrinks at one eighth full, so an idle lock keeps only {@link #MIN_CAPACITY} slots
 * per stripe.
 */
final class Segment {
  static final int MIN_CAPACITY = 4;

  private static final VarHandle LOCK;

  static {
    try {
      LOCK = MethodHandles.lookup().findVarHandle(Segment.class, "lockWord", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * 1 while locked. Not volatile: taken by the VarHandle's CAS, read with getVolatile, and cleared
   * by a release fence and a plain store (see {@link #unlock}).
   */
  private int lockWord;

  // Padding: stripes are allocated together, and without it two or three of them share a cache
  // line, so threads working on unrelated keys still pull one line back and forth (false sharing).
  // Fourteen longs keep each stripe's hot fields at least 128 bytes from the next stripe's.
  @SuppressWarnings("unused")
  private long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13;

  /** Idle entries kept for reuse, so that an uncontended hold allocates only its handle. */
  static final int MAX_FREE = 4;

  private Entry[] table = new Entry[MIN_CAPACITY];
  private int size;
  private Entry free;
  private int freeCount;

  void lock() {
    if (!LOCK.compareAndSet(this, 0, 1)) {
      lockSlow();
    }
  }

  private void lockSlow() {
    int spins = 0;
    while (true) {
      if ((int) LOCK.getVolatile(this) == 0 && LOCK.compareAndSet(this, 0, 1)) {
        return;
      }
      if (++spins < 100) {
        Thread.onSpinWait();
      } else {
        spins = 0;
        Thread.yield();
      }
    }
  }

  void unlock() {
    // A release store, as setRelease, but made of a fence and a field write: interpreted,
    // setRelease goes a frame deeper than the CAS that locked, so a StackOverflowError could hit
    // an unlock whose lock succeeded and leave the stripe locked for good; the fence goes less
    // deep.
    VarHandle.releaseFence();
    lockWord = 0;
  }

  /** The entry for the key, or null. Caller holds the lock. */
  Entry find(Object key, int hash) {
    Entry[] t = table;
    int mask = t.length - 1;
    for (int i = index(hash, mask); ; i = (i + 1) & mask) {
      Entry e = t[i];
      if (e == null) {
        return null;
      }
      if (e.hash == hash && (e.key == key || e.key.equals(key))) {
        return e;
      }
    }
  }

  /** An idle entry for the key, reused from the free list when possible. Caller holds the lock. */
  Entry obtain(LockEngine engine, Object key, int hash) {
    Entry e = free;
    if (e != null) {
      free = e.nextFree;
      e.nextFree = null;
      freeCount--;
    } else {
      e = new Entry(engine);
    }
    e.key = key;
    e.hash = hash;
    return e;
  }

  /** Takes back an idle entry removed from the table. Caller holds the lock. */
  void recycle(Entry e) {
    e.key = null; // never keep a caller's key alive
    if (freeCount < MAX_FREE) {
      e.nextFree = free;
      free = e;
      freeCount++;
    }
  }

  /** Makes room for one more entry, so that the next {@link #insert} allocates nothing. */
  void reserve() {
    if ((size + 1) * 2 > table.length) {
      resize(table.length * 2);
    }
  }

  /** Adds an entry whose key is absent. Caller holds the lock. */
  void insert(Entry e) {
    if ((size + 1) * 2 > table.length) {
      resize(table.length * 2);
    }
    place(table, e);
    size++;
  }

  /**
   * Removes an entry that is present. Caller holds the lock. Changes nothing if it throws (an
   * {@code OutOfMemoryError}, a {@code StackOverflowError}): a table that shrinks is built without
   * the entry first, and the removal in place calls nothing deeper than its first call.
   */
  void remove(Entry e) {
    Entry[] t = table;
    if ((size - 1) * 8 < t.length && t.length > MIN_CAPACITY) {
      Entry[] shrunk = new Entry[Math.max(MIN_CAPACITY, t.length / 2)];
      for (Entry x : t) {
        if (x != null && x != e) {
          place(shrunk, x);
        }
      }
      table = shrunk;
      size--;
      return;
    }
    int mask = t.length - 1;
    int i = index(e.hash, mask);
    while (t[i] != e) {
      i = (i + 1) & mask;
    }
    t[i] = null;
    size--;
    // Backward-shift deletion: pull later members of the probe run into the hole.
    for (int j = (i + 1) & mask; t[j] != null; j = (j + 1) & mask) {
      int home = index(t[j].hash, mask);
      boolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!stays) {
        t[i] = t[j];
        t[j] = null;
        i = j;
      }
    }
  }

  int size() {
    return size;
  }

  /** Visits every entry. Caller holds the lock. */
  void forEach(Consumer<Entry> action) {
    for (Entry e : table) {
      if (e != null) {
        action.accept(e);
      }
    }
  }

  private void resize(int capacity) {
    Entry[] grown = new Entry[Math.max(MIN_CAPACITY, capacity)];
    for (Entry e : table) {
      if (e != null) {
        place(grown, e);
      }
    }
    table = grown;
  }

  private static void place(Entry[] t, Entry e) {
    int mask = t.length - 1;
    int i = index(e.hash, mask);
    while (t[i] != null) {
      i = (i + 1) & mask;
    }
    t[i] = e;
  }

  private static int index(int hash, int mask) {
    // The low bits chose the segment; use the others inside it.
    return (hash >>> LockEngine.SEGMENT_BITS) & mask;
  }
}
