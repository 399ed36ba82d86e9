package dev.lockstep.lock;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The algorithm behind every in-process lock: a striped table of active keys, each with its holders
 * and a FIFO wait queue.
 *
 * <p>Implementation notes. A key's state lives in an {@link Entry} that exists only while the key
 * is held or waited for; it sits in one of {@link #SEGMENTS} stripes, each a tiny hash table under
 * a spin lock. Every state change (grant, release, enqueue, cancel) happens under that stripe lock
 * and is O(1) apart from table resizing; waking (unpark, future completion) happens after the lock
 * is dropped. A waiter is granted by the releasing thread (direct hand-off), which is what makes
 * the queue FIFO: a newcomer finds the key held or the queue non-empty and lines up. A waiter that
 * gives up (timeout, interrupt, cancel) removes itself under the lock only if still WAITING; if it
 * was granted meanwhile, it either keeps the hold (timeout: the grant won) or releases it
 * (interrupt, cancel) — so a racing grant never leaves a key held by nobody.
 *
 * <p>Fast path: an exclusive lock without statistics, registry or key limit (the plain {@code
 * KeyedLock.create()}) takes a free key with one CAS of its slot in {@link FastSlots} and releases
 * it with another; a blocking acquire of a key held there, with nobody waiting yet, queues behind
 * the holder in the slot and is handed the key without the stripe lock (the hot key of two
 * threads); anything else inflates the slot and goes the way described above (see {@link FastSlots}
 * for how the two meet). The uncontended cycle stays in small methods ({@link #await}'s head,
 * {@link #enter}, {@link #release}) so that the JIT inlines all of it into the caller; the queueing
 * and waiting live in separate methods ({@link #awaitSlowly}, {@link #enterTable}).
 *
 * <p>Errors after a state change (an {@code OutOfMemoryError}, or a {@code StackOverflowError},
 * which any call can meet; and a recorder that throws): a hold is never left with nobody to close
 * it. One window stays open for a {@code StackOverflowError}: a give-back that meets the stack's
 * end again, possible when compiled and interpreted frames mix (Java code cannot reserve stack for
 * its error handlers; see {@code StackDepthScanTest#residual}). What a hold needs (its node, a new
 * key's entry and table room, the clock) is made before the CAS or the stripe-lock section that
 * takes it, so nothing after it allocates; the recorder is called in the frame above the one that
 * took the hold, and a recorder that throws is ignored (noted by a field write, logged later: see
 * {@link LockRecorder}); a try's {@code Optional} is made by the caller of {@link #tryNow}, a frame
 * above; a wait that ends by an error withdraws, or gives back a grant ({@link #giveBack}); a
 * future the caller will never see is cancelled. A release that retires its key's entry takes it
 * out of the table before it marks the node released (that call may resize: an error in it leaves
 * the handle held, and a second close releases). The stripe's unlock is no deeper than its lock
 * ({@link Segment#unlock}). {@code StackDepthScanTest} scans every depth of each acquire and close
 * for this.
 *
 * <p>Not made safe (left as is, each rare and needing an error at one call of a contended path): a
 * release's wake-ups after its state change ({@link Entry#promote} and {@link #wakeAll}: an error
 * there leaves granted waiters unwoken, so a waiter without a timeout may sleep on); {@link
 * #retire}'s bookkeeping after the entry leaves the table (an error leaves the slot inflated, which
 * is slower, never wrong, and for a lock with a key limit one place of the limit taken); the
 * wait-for graph's bookkeeping (an error leaves a stale registration, which never makes a false
 * cycle); a hand-off's grant after its claim ({@link FastSlots}).
 */
final class LockEngine {
  static final int SEGMENT_BITS = 6;
  static final int SEGMENTS = 1 << SEGMENT_BITS;

  /**
   * A platform thread spins this many status checks before parking, to catch quick hand-offs
   * cheaply (and reads the clock once per this many). A virtual thread parks at once: spinning
   * would occupy a carrier that the holder (or the next grantee) may need to run at all.
   */
  static final int SPINS = Runtime.getRuntime().availableProcessors() > 1 ? 64 : 0;

  /**
   * How long (ns) a platform thread waiting in a hand-off chain (see {@link FastSlots}) spins
   * before parking: about the time a parked thread takes to run again after its unpark on a
   * virtualized 2-core machine (tens of µs), so that a holder that was itself just unparked can
   * reach its release while its successor still spins. A chain has at most one waiter, the next in
   * line, so at most one thread per key spins this long. With the short spin only, two threads on a
   * hot key fell into a convoy: each grant went to a parked thread, and each hand-off cost a
   * wake-up (session 11: about 200,000 parks in 6 s; none to 1,300 with this spin).
   */
  static final long CHAIN_SPIN = 20_000;

  private static final ScheduledThreadPoolExecutor TIMER = newTimer();

  /** Set while a thread runs the callbacks of a granted asynchronous wait. */
  private static final ThreadLocal<Boolean> COMPLETING = new ThreadLocal<>();

  final String name;
  final boolean readWrite;
  final LockRecorder recorder;
  final boolean recording;
  final WaitGraph graph;
  private final int maxActiveKeys;
  private final boolean limited;
  private final AtomicInteger active = new AtomicInteger();

  /** Whether uncontended exclusive holds take the key's slot by CAS (see {@link FastSlots}). */
  final boolean fast;

  /** The fast path's slots, or null without a fast path. */
  final FastSlots slots;

  /** The entry of every fast hold until it is inflated; never in a table, never held. */
  final Entry fastEntry = new Entry(this);

  final Stripes stripes;

  LockEngine(LockOptions options, boolean readWrite, WaitGraph graph) {
    Objects.requireNonNull(options, "options must not be null");
    this.name = options.name();
    this.readWrite = readWrite;
    this.recorder = options.recorder();
    this.recording = recorder.enabled();
    this.graph = graph;
    this.maxActiveKeys = options.maxActiveKeys();
    this.limited = maxActiveKeys != Integer.MAX_VALUE;
    // Statistics, the wait-for graph and the key limit all work on the stripe table only.
    this.fast = !readWrite && !recording && graph == null && !limited;
    this.slots = fast ? new FastSlots(this) : null;
    this.stripes = new Stripes(slots);
  }

  // ---------------------------------------------------------------- acquiring

  /**
   * Takes the key now or returns null; never waits. The caller wraps the result in an {@code
   * Optional} in its own frame: that needs less stack than this call did, so it cannot throw a
   * {@code StackOverflowError} and lose the hold.
   */
  Node tryNow(Object key, LockMode mode) {
    Node n = enter(key, mode, false, null);
    if (recording && n != null) {
      try { // no call in the catch: nothing here can fail the acquire
        recorder.acquired(name, n.key, n.mode(), 0, false);
      } catch (Throwable t) {
        recorderErrors.pending = t; // see LockRecorder
      }
    }
    return n;
  }

  /**
   * Waits for the key. Returns the held node, or null on timeout when {@code throwOnTimeout} is
   * false.
   */
  Node await(Object key, LockMode mode, Duration timeout, boolean throwOnTimeout)
      throws InterruptedException {
    long nanos = nanos(timeout);
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    Objects.requireNonNull(key, "key must not be null");
    return awaitSlowly(key, spread(key.hashCode()), mode, nanos, timeout, throwOnTimeout);
  }

  /**
   * The blocking acquire of an exclusive {@link KeyedLock}: the key's handle (a stamped {@link
   * Node} or any other), or null on timeout when {@code throwOnTimeout} is false. With the fast
   * path, a FREE slot is taken with one CAS of its state, and a free node-mode slot with one CAS of
   * its value. The timeout is only checked here (converted on the slow way), to keep this method
   * small enough to inline. Every handle it returns is a {@link Node}, so that escape analysis can
   * remove the stamped one (see {@link Node}).
   */
  Node acquireHold(Object key, Duration timeout, boolean throwOnTimeout)
      throws InterruptedException {
    if (timeout == null || timeout.isNegative()) {
      nanos(timeout); // throws the argument's error
    }
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    Objects.requireNonNull(key, "key must not be null");
    int hash = spread(key.hashCode());
    FastSlots.Cell c = fast ? slots.cellOrNull(hash) : null;
    if (c != null) {
      Thread me = Thread.currentThread();
      long s = c.state;
      if ((s & FastSlots.MODE) == FastSlots.FREE) {
        Node h = new Node(fastEntry, c, key); // before the take: nothing after it allocates
        long stamp = FastSlots.take(c, s, key, me, hash);
        if (stamp != 0) {
          h.stamp = stamp;
          return h;
        }
      } else {
        Node n = slots.nodeTake(c, key, me, hash);
        if (n != null) {
          return n;
        }
      }
    }
    return awaitSlowly(key, hash, LockMode.EXCLUSIVE, nanos(timeout), timeout, throwOnTimeout);
  }

  /**
   * The try of an exclusive {@link KeyedLock}: the key's handle, or null if it is busy; as {@link
   * #acquireHold} for the handle. Its fast take is a copy of {@link #acquireHold}'s on purpose:
   * moving both into one {@code FastSlots} method (session 22) ran the hot key at 15.5–15.9 M/s
   * against 18.0–19.7 in alternating JMH runs.
   */
  Node tryHold(Object key) {
    Objects.requireNonNull(key, "key must not be null");
    int hash = spread(key.hashCode());
    FastSlots.Cell c = fast ? slots.cellOrNull(hash) : null;
    if (c != null) {
      Thread me = Thread.currentThread();
      long s = c.state;
      if ((s & FastSlots.MODE) == FastSlots.FREE) {
        Node h = new Node(fastEntry, c, key); // before the take: nothing after it allocates
        long stamp = FastSlots.take(c, s, key, me, hash);
        if (stamp != 0) {
          h.stamp = stamp;
          return h;
        }
      } else {
        Node n = slots.nodeTake(c, key, me, hash);
        if (n != null) {
          return n;
        }
      }
    }
    return tryTable(key, hash);
  }

  /** {@link #tryHold} in the stripe table, recorded. */
  private Node tryTable(Object key, int hash) {
    Node n = enterTable(key, hash, LockMode.EXCLUSIVE, false, null);
    if (recording && n != null) {
      try { // no call in the catch: nothing here can fail the acquire
        recorder.acquired(name, n.key, n.mode(), 0, false);
      } catch (Throwable t) {
        recorderErrors.pending = t; // see LockRecorder
      }
    }
    return n;
  }

  /**
   * {@link #await} once the fast path's plain take failed (or there is none): queues, in a hand-off
   * chain or the table, and waits. Kept out of {@link #await} so that the uncontended cycle stays
   * small enough for the JIT to inline into the caller (C2 inlines a hot method only up to 325
   * bytes of bytecode; {@code await} with this loop in it was 333).
   */
  private Node awaitSlowly(
      Object key, int hash, LockMode mode, long nanos, Duration timeout, boolean throwOnTimeout)
      throws InterruptedException {
    Node entered =
        fast && nanos > 0 ? slots.takeOrQueue(fastEntry, key, Thread.currentThread(), hash) : null;
    if (entered != null && entered.self == null) {
      return entered; // a stamped hold
    }
    if (entered == null) {
      entered = enterTable(key, hash, mode, nanos > 0, null);
    }
    if (entered == null) {
      return timedOut(key, 0, null, timeout, throwOnTimeout);
    }
    if (entered.status() == Node.HELD) {
      if (recording) {
        try { // no call in the catch: nothing here can fail the acquire
          recorder.acquired(name, entered.key, entered.mode(), 0, false);
        } catch (Throwable t) {
          recorderErrors.pending = t; // see LockRecorder
        }
      }
      return entered;
    }
    Waiter n = (Waiter) entered;
    try {
      checkDeadlock(n);
      return waitFor(n, nanos, timeout, throwOnTimeout);
    } catch (Throwable t) {
      // Whatever left the wait (an error, a recorder that threw) leaves no waiter queued and no
      // hold with nobody to close it. Timeouts, interrupts and deadlocks settled it already.
      if (withdraw(n) == WITHDRAWN_BUT_GRANTED && n.status() == Node.HELD) {
        giveBack(n, t);
      }
      throw t;
    }
  }

  /** The wait of {@link #awaitSlowly} for a queued waiter: spins, parks, gives up on time. */
  private Node waitFor(Waiter n, long nanos, Duration timeout, boolean throwOnTimeout)
      throws InterruptedException {
    Object key = n.key;
    boolean forever = nanos > Long.MAX_VALUE / 4;
    long now = System.nanoTime();
    long deadline = forever ? 0 : now + nanos;
    int spins = Thread.currentThread().isVirtual() ? 0 : SPINS;
    // A chain's waiter, its key's only waiter and next in line, goes on spinning (see CHAIN_SPIN).
    long spinEnd = spins > 0 && n.entry == fastEntry ? now + CHAIN_SPIN : now;
    while (n.status() != Node.HELD) {
      if (spins > 0 && --spins > 0) {
        Thread.onSpinWait(); // the clock is read once per SPINS spins only
        continue;
      }
      now = System.nanoTime();
      long remaining = forever ? Long.MAX_VALUE : deadline - now;
      if (remaining <= 0) {
        String holder = withdraw(n);
        if (holder != WITHDRAWN_BUT_GRANTED) {
          return timedOut(key, n.waitStart, holder, timeout, throwOnTimeout);
        }
        break;
      }
      if (now - spinEnd < 0) {
        spins = SPINS;
        continue;
      }
      if (!n.parked) {
        n.parked = true; // then look at the status once more: see Waiter.parked
        continue;
      }
      LockSupport.parkNanos(this, remaining);
      if (Thread.interrupted()) {
        if (withdraw(n) == WITHDRAWN_BUT_GRANTED) {
          granted(n);
          release(n);
        } else if (recording) {
          try {
            recorder.cancelled(name, key, System.nanoTime() - n.waitStart);
          } catch (Throwable t) {
            recorderErrors.pending = t;
          }
        }
        throw new InterruptedException("interrupted waiting for key '" + key + "' of " + this);
      }
    }
    granted(n);
    return n;
  }

  /** Asks for the key without blocking. */
  CompletableFuture<LockHandle> async(
      Object key, LockMode mode, Duration timeout, LockOwner owner) {
    long nanos;
    Node entered;
    try {
      nanos = nanos(timeout);
      entered =
          enter(
              key,
              mode,
              nanos > 0,
              owner != null ? owner : LockOwner.asyncOf(Thread.currentThread()));
      if (entered == null) {
        timedOut(key, 0, null, timeout, true);
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (entered.status() == Node.HELD) {
      try {
        if (recording) {
          try {
            recorder.acquired(name, entered.key, entered.mode(), 0, false);
          } catch (Throwable t) {
            recorderErrors.pending = t; // see LockRecorder
          }
        }
        return CompletableFuture.completedFuture(entered);
      } catch (RuntimeException e) {
        giveBack(entered, e);
        return CompletableFuture.failedFuture(e);
      } catch (Throwable t) {
        giveBack(entered, t);
        throw t;
      }
    }
    Waiter n = (Waiter) entered;
    // enter() attached the future before the node became visible to other threads.
    Waiter.WaitFuture f = n.future;
    try {
      checkDeadlock(n);
      if (nanos > 0 && nanos < Long.MAX_VALUE / 2) {
        // The timer thread only starts the timeout; callbacks on the failed future run elsewhere.
        n.timer =
            TIMER.schedule(
                () -> Thread.startVirtualThread(() -> abandon(n, timeout)),
                nanos,
                TimeUnit.NANOSECONDS);
        if (n.status() != Node.WAITING) {
          n.timer.cancel(false);
        }
      }
    } catch (DeadlockException e) {
      f.completeExceptionally(e);
    } catch (Throwable t) {
      // The caller never sees this future: withdraw the wait, or release a grant made meanwhile.
      f.cancel(false);
      throw t;
    }
    return f;
  }

  /**
   * Finds or creates the key's entry and either grants at once (returns a HELD node), enqueues
   * (when {@code mayWait}; returns a WAITING node) or returns null (busy).
   */
  private Node enter(Object key, LockMode mode, boolean mayWait, Object owner) {
    Objects.requireNonNull(key, "key must not be null");
    // The fast path's stamped holds are for blocking and try acquisitions ({@link #acquireHold}):
    // an asynchronous one (and a read-write lock's) goes to the table.
    return enterTable(key, spread(key.hashCode()), mode, mayWait, owner);
  }

  /**
   * {@link #enter} in the stripe table, once the fast path (if any) could not take the key: grants,
   * enqueues or returns null as {@link #enter} does.
   */
  private Node enterTable(Object key, int hash, LockMode mode, boolean mayWait, Object owner) {
    if (recording) {
      recorderErrors.report(this);
    }
    Object me = owner != null ? owner : Thread.currentThread();
    boolean async = owner != null;
    int slot = hash & FastSlots.MASK;
    Segment s = stripes.of(hash);
    Node n = null;
    String selfDeadlock = null;
    boolean capacity = false;
    s.lock();
    try {
      if (fast) {
        slots.inflate(s, slot);
      }
      Entry e = s.find(key, hash);
      if (e == null) {
        if (limited && !reserveKey()) {
          capacity = true;
        } else {
          try {
            n = enterNew(s, key, hash, me, mode);
          } catch (Throwable t) {
            if (limited) {
              unreserveKey(); // in the frame that reserved, by the same calls: it fits here
            }
            throw t;
          }
        }
      } else if (e.admitsNow(mode)) {
        Node h = newHold(e, me, mode); // before the hold: nothing after it allocates
        e.hold(h);
        n = h;
      } else if (e.heldBy(me)) {
        if (!mayWait) {
          return null;
        }
        selfDeadlock = "holds it already";
      } else if (readWrite && e.readerCount > 0 && e.readBy(me)) {
        if (mode == LockMode.EXCLUSIVE) {
          selfDeadlock = "";
        } else if (!mayWait) {
          return null;
        } else {
          selfDeadlock = "reads it already while a writer is queued";
        }
      } else if (!mayWait) {
        return null;
      } else {
        Waiter w = new Waiter(e, me, mode);
        if (async) {
          w.future = new Waiter.WaitFuture(w);
        }
        if (recording) {
          w.waitStart = System.nanoTime();
        }
        e.enqueue(w);
        return w;
      }
    } finally {
      try {
        if (fast) {
          slots.settle(slot); // inflated for nothing (busy try, error): undo
        }
      } finally {
        s.unlock();
      }
    }
    if (n != null) {
      return n; // the caller records it, in the frame above
    }
    if (capacity) {
      int count = active.get();
      if (recording) {
        try {
          recorder.rejected(name, key, "maxActiveKeys " + maxActiveKeys + " reached");
        } catch (Throwable t) {
          recorderErrors.pending = t;
        }
      }
      throw new CapacityExceededException(name, key, maxActiveKeys, count);
    }
    if (selfDeadlock.isEmpty()) {
      throw failed(key, new LockUpgradeException(name, key));
    }
    String edge =
        describe(me) + " waits for key '" + key + "' of lock '" + name + "' and " + selfDeadlock;
    throw failed(
        key,
        new DeadlockException(
            "self-deadlock: " + edge + " (Lockstep locks are not reentrant)", List.of(edge)));
  }

  /**
   * The first hold of a key without an entry, whose place in the key limit is reserved already: the
   * entry and the node are made, and the table made room for them, before anything changes, so that
   * an error (an {@code OutOfMemoryError}, a {@code StackOverflowError}) leaves no entry behind,
   * nor a reserved place. Caller holds the stripe lock.
   */
  private Node enterNew(Segment s, Object key, int hash, Object me, LockMode mode) {
    // The caller gives the reserved place back if this throws: a decrementAndGet in a finally
    // here went deeper than the reservation had, overflowed again in an interpreted run, and
    // lost the place for good (InterpretedScanTest, keyed+limit).
    Entry e = s.obtain(this, key, hash);
    Node n = newHold(e, me, mode);
    s.reserve();
    e.hold(n);
    insert(s, e);
    return n;
  }

  /** What this lock's recorder threw and nobody has reported yet (see {@link LockRecorder}). */
  private final RecorderErrors recorderErrors = new RecorderErrors();

  /** A new node for a hold taken at once; a recorded one knows when its hold began. */
  private Node newHold(Entry e, Object me, LockMode mode) {
    if (!recording) {
      return new Node(e, me, mode);
    }
    Waiter w = new Waiter(e, me, mode);
    w.holdStart = System.nanoTime();
    return w;
  }

  /**
   * Releases a hold whose acquire fails after its state change (an error such as a {@code
   * StackOverflowError} before the caller has its handle), as a close would: waking whoever that
   * grants, but without telling the recorder (the acquire failed). An error of the release itself
   * is added to {@code t} as suppressed. Also for a try whose {@code Optional} could not be made
   * (an {@code OutOfMemoryError}; or a {@code StackOverflowError}: a call from the try's frame is
   * not always shallower than the take was, when one is compiled and the other interpreted, as
   * StackDepthScanTest's registry cases met now and then); a no-op for null.
   */
  void giveBack(Node n, Throwable t) {
    if (n == null) {
      return;
    }
    try {
      if (n.self == null) {
        n.close(); // a stamped hold
      } else if (n.entry == fastEntry) {
        slots.release(n);
      } else {
        releaseTable(n, false); // not recorded: the acquire failed
      }
    } catch (Throwable u) {
      if (u != t) {
        t.addSuppressed(u);
      }
    }
  }

  /**
   * Adds a new entry to its stripe's table. Caller holds the stripe lock. The slot's count goes up
   * first: should the insert then fail, the slot stays inflated (slower, never wrong), where a
   * count short of the table's entries would let {@link FastSlots#settle} free a slot whose key is
   * in the table.
   */
  void insert(Segment s, Entry e) {
    if (fast) {
      slots.added(e.hash & FastSlots.MASK);
    }
    s.insert(e);
  }

  private boolean reserveKey() {
    while (true) {
      int c = active.get();
      if (c >= maxActiveKeys) {
        return false;
      }
      if (active.compareAndSet(c, c + 1)) {
        return true;
      }
    }
  }

  /** Gives back a place {@link #reserveKey} took, by the same calls (no deeper than it went). */
  private void unreserveKey() {
    while (true) {
      int c = active.get();
      if (active.compareAndSet(c, c - 1)) {
        return;
      }
    }
  }

  private void checkDeadlock(Waiter n) {
    if (graph == null) {
      return;
    }
    DeadlockException cycle = graph.register(n);
    if (cycle != null && withdraw(n) != WITHDRAWN_BUT_GRANTED) {
      throw failed(n.key, cycle);
    }
  }

  private LockException failed(Object key, LockException e) {
    if (recording) {
      try {
        recorder.error(name, key, e);
      } catch (Throwable t) {
        recorderErrors.pending = t;
      }
    }
    return e;
  }

  private Node timedOut(
      Object key, long waitStart, String holder, Duration timeout, boolean throwOnTimeout) {
    if (recording) {
      try {
        recorder.timedOut(name, key, waitStart == 0 ? 0 : System.nanoTime() - waitStart);
      } catch (Throwable t) {
        recorderErrors.pending = t;
      }
    }
    if (throwOnTimeout) {
      throw new LockTimeoutException(
          name, key, timeout, holder == null ? stripes.holderOf(key) : holder);
    }
    return null;
  }

  /** Bookkeeping once a waiting node has been granted, on the thread that sees the grant. */
  private void granted(Waiter n) {
    if (n.entry == fastEntry) {
      n.prev = null; // a chain's waiter unlinks the released past itself: see FastSlots.handOff
    }
    if (graph != null) {
      graph.unregister(n);
    }
    if (recording) {
      try {
        long now = System.nanoTime();
        n.holdStart = now;
        recorder.acquired(name, n.key, n.mode(), now - n.waitStart, true);
      } catch (Throwable t) {
        recorderErrors.pending = t; // the hold stands: see LockRecorder
      }
    }
  }

  // ---------------------------------------------------------------- releasing

  /** Releases a held node; a no-op for a node that is not held. */
  void release(Node n) {
    if (n.self == null) {
      n.close(); // a stamped hold
    } else if (n.entry == fastEntry) {
      slots.release(n);
    } else {
      releaseTable(n, true);
    }
  }

  /**
   * Releases a held node of the table, tells the recorder if {@code record}, and wakes what that
   * grants; false if it was not held.
   */
  private boolean releaseTable(Node n, boolean record) {
    Entry e = n.entry;
    Segment s = stripes.of(n.slot()); // not e.hash: a released node's entry may serve another key
    Waiter wake;
    s.lock();
    try {
      if (n.status() != Node.HELD) {
        return false; // released already
      }
      if (e.head == null
          && e.chainTail == null
          && (e.writer != null ? 1 : 0) + e.readerCount == 1) {
        // The last holder, nobody waiting: the entry leaves the table first, so that an error in
        // that call (it may resize) leaves everything as it was and the handle held; what follows
        // is shallower than it.
        s.remove(e);
        n.status(Node.RELEASED);
        e.unhold(n);
        retired(s, e);
        wake = null;
      } else {
        n.status(Node.RELEASED);
        e.unhold(n);
        wake = e.head == null ? null : e.promote();
        retire(s, e);
      }
    } finally {
      s.unlock();
    }
    if (record && recording) {
      try { // no call in the catch: a recorder that throws is ignored (see LockRecorder)
        recorder.released(name, n.key, System.nanoTime() - ((Waiter) n).holdStart);
      } catch (Throwable t) {
        recorderErrors.pending = t;
      }
    }
    wakeAll(wake);
    return true;
  }

  /** Turns a held write node into a read node, letting queued readers at the head in too. */
  LockHandle downgrade(Node n) {
    if (!readWrite || n.mode() != LockMode.EXCLUSIVE) {
      throw new IllegalStateException("only a write hold of a read-write lock can be downgraded");
    }
    Entry e = n.entry;
    Segment s = stripes.of(e.hash);
    Node reader = newHold(e, n.owner, LockMode.SHARED);
    Waiter wake;
    s.lock();
    try {
      if (n.status() != Node.HELD) {
        throw new IllegalStateException("cannot downgrade " + n + ": it is no longer held");
      }
      n.status(Node.RELEASED);
      e.unhold(n);
      e.hold(reader);
      wake = e.head == null ? null : e.promote();
    } finally {
      s.unlock();
    }
    if (recording) { // a recorder that throws is ignored (see LockRecorder)
      try {
        recorder.released(name, n.key, ((Waiter) reader).holdStart - ((Waiter) n).holdStart);
        recorder.acquired(name, n.key, LockMode.SHARED, 0, false);
      } catch (Throwable t) {
        recorderErrors.pending = t;
      }
    }
    wakeAll(wake);
    return reader;
  }

  /**
   * Ends a frozen hand-off chain (see {@link FastSlots}) if {@code last} is its last node: the key
   * passes to the entry's queue, or the entry retires. False if {@code last}'s successor has taken
   * the slot but not linked itself yet (wait for it); true as well if {@code last} is in no chain
   * (a racing close() released it by its slot's CAS).
   */
  boolean endChain(Node last) {
    Segment s = stripes.of(last.slot());
    Waiter wake;
    s.lock();
    try {
      Entry e = s.find(last.key, last.hash());
      Node tail = e == null ? null : e.chainTail;
      if (tail != last) {
        return !(tail instanceof Waiter w && w.prev == last);
      }
      e.chainTail = null;
      wake = e.head == null ? null : e.promote();
      retire(s, e);
    } finally {
      s.unlock();
    }
    wakeAll(wake);
    return true;
  }

  private void retire(Segment s, Entry e) {
    if (e.idle()) {
      s.remove(e);
      retired(s, e);
    }
  }

  /** The bookkeeping of an entry just removed from its stripe's table. */
  private void retired(Segment s, Entry e) {
    int slot = e.hash & FastSlots.MASK;
    s.recycle(e);
    if (limited) {
      active.decrementAndGet();
    }
    if (fast) {
      slots.removed(slot);
    }
  }

  /** Marks returned by {@link #withdraw} when the node had been granted before it could leave. */
  private static final String WITHDRAWN_BUT_GRANTED = new String("granted");

  /**
   * Removes a waiting node from its queue. Returns a description of the key's holders (possibly
   * null) if it was still waiting, or {@link #WITHDRAWN_BUT_GRANTED} if it had been granted.
   */
  private String withdraw(Waiter n) {
    if (n.entry == fastEntry) { // a waiter of a hand-off chain
      if (!FastSlots.cancel(n)) {
        return WITHDRAWN_BUT_GRANTED;
      }
      return n.prev.describeOwner(); // the holder it queued behind (it releases this node)
    }
    Entry e = n.entry;
    Segment s = stripes.of(e.hash);
    Waiter wake = null;
    String holders;
    s.lock();
    try {
      if (n.status() != Node.WAITING) {
        return WITHDRAWN_BUT_GRANTED;
      }
      holders = e.describeHolders();
      e.dequeue(n);
      n.status(Node.CANCELLED);
      wake = e.head == null ? null : e.promote();
      retire(s, e);
    } finally {
      s.unlock();
    }
    if (graph != null) {
      graph.unregister(n);
    }
    wakeAll(wake);
    return holders;
  }

  /**
   * Gives up an asynchronous wait: on its timeout (the requested timeout given), or when its future
   * was cancelled (null).
   */
  void abandon(Waiter n, Duration timeout) {
    String holders = withdraw(n);
    if (holders == WITHDRAWN_BUT_GRANTED) {
      return; // the grant won; the completer hands the hold over or releases it
    }
    if (n.timer != null) {
      n.timer.cancel(false);
    }
    long waited = recording ? System.nanoTime() - n.waitStart : 0;
    if (timeout != null) {
      if (recording) {
        try {
          recorder.timedOut(name, n.key, waited);
        } catch (Throwable t) {
          recorderErrors.pending = t;
        }
      }
      n.future.completeExceptionally(new LockTimeoutException(name, n.key, timeout, holders));
    } else if (recording) {
      try {
        recorder.cancelled(name, n.key, waited);
      } catch (Throwable t) {
        recorderErrors.pending = t;
      }
    }
  }

  /** Wakes granted nodes: unparks blocking waiters, completes futures. */
  private void wakeAll(Waiter first) {
    for (Waiter n = first; n != null; ) {
      Waiter next = n.wakeNext;
      n.wakeNext = null;
      if (n.future == null) {
        LockSupport.unpark((Thread) n.owner);
      } else {
        complete(n);
      }
      n = next;
    }
  }

  /**
   * Completes a granted asynchronous wait. The future's callbacks run on this thread, unless this
   * thread is already running such callbacks: then a new virtual thread completes it, so chains of
   * asynchronous waiters neither deepen the stack nor wait for each other (a callback may release a
   * key and then wait for the grant that release makes).
   */
  private void complete(Waiter n) {
    if (COMPLETING.get() != null) {
      Thread.startVirtualThread(() -> complete(n));
      return;
    }
    COMPLETING.set(Boolean.TRUE);
    try {
      try {
        if (n.timer != null) {
          n.timer.cancel(false);
        }
        granted(n);
      } catch (Throwable t) {
        // The recorder threw (granted() gave the hold back) or an error: the wait fails with it.
        release(n);
        n.future.completeExceptionally(t);
        return;
      }
      if (!n.future.complete(n)) {
        release(n); // cancelled or failed meanwhile: nobody will close this hold
      }
    } finally {
      COMPLETING.remove();
    }
  }

  // ---------------------------------------------------------------- inspection

  boolean isLocked(Object key) {
    return stripes.isLocked(key);
  }

  int activeKeys() {
    return limited ? active.get() : stripes.activeKeys(); // exact when limited: the limit's counter
  }

  List<Stripes.HeldOrWaiting> inspect() {
    return stripes.inspect();
  }

  List<Object> holdersOf(Waiter waiting) {
    return stripes.holdersOf(waiting);
  }

  // ---------------------------------------------------------------- helpers

  static long nanos(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout must not be null");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
    }
    try {
      return timeout.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * A key's table hash: its {@code hashCode()} mixed, then cut to {@link Node#HASH_BITS} bits so
   * that a node can keep its key's whole hash beside its status bits (a fast hold is inflated with
   * that hash, never by calling the key's {@code hashCode()} again from another thread).
   */
  static int spread(int h) {
    h ^= h >>> 16;
    h *= 0x45d9f3b;
    return (h ^ (h >>> 16)) & Node.HASH_MASK;
  }

  static String describe(Object owner) {
    return owner instanceof Thread t
        ? "thread '" + t.getName() + "' (#" + t.threadId() + ")"
        : owner.toString();
  }

  private static ScheduledThreadPoolExecutor newTimer() {
    ScheduledThreadPoolExecutor t =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread th = new Thread(r, "lockstep-lock-timeouts");
              th.setDaemon(true);
              return th;
            });
    t.setRemoveOnCancelPolicy(true);
    return t;
  }

  @Override
  public String toString() {
    return "lock '" + name + "'";
  }
}
