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
    this.slots = fast ? new FastSlots() : null;
    this.stripes = new Stripes(slots);
  }

  // ---------------------------------------------------------------- acquiring

  /** Takes the key now or returns null; never waits. */
  Node tryNow(Object key, LockMode mode) {
    return enter(key, mode, false, null);
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
    int hash = spread(key.hashCode());
    if (fast) {
      Node n = slots.take(fastEntry, key, Thread.currentThread(), hash);
      if (n != null) {
        return n;
      }
    }
    return awaitSlowly(key, hash, mode, nanos, timeout, throwOnTimeout);
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
    if (entered == null) {
      entered = enterTable(key, hash, mode, nanos > 0, null);
    }
    if (entered == null) {
      return timedOut(key, 0, null, timeout, throwOnTimeout);
    }
    if (entered.status() == Node.HELD) {
      return entered;
    }
    Waiter n = (Waiter) entered;
    checkDeadlock(n);
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
          recorder.cancelled(name, key, System.nanoTime() - n.waitStart);
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
      return CompletableFuture.completedFuture(entered);
    }
    Waiter n = (Waiter) entered;
    // enter() attached the future before the node became visible to other threads.
    Waiter.WaitFuture f = n.future;
    try {
      checkDeadlock(n);
    } catch (DeadlockException e) {
      f.completeExceptionally(e);
      return f;
    }
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
    return f;
  }

  /**
   * Finds or creates the key's entry and either grants at once (returns a HELD node), enqueues
   * (when {@code mayWait}; returns a WAITING node) or returns null (busy).
   */
  private Node enter(Object key, LockMode mode, boolean mayWait, Object owner) {
    Objects.requireNonNull(key, "key must not be null");
    int hash = spread(key.hashCode());
    if (fast) {
      Node n = slots.take(fastEntry, key, owner != null ? owner : Thread.currentThread(), hash);
      if (n != null) {
        return n;
      }
    }
    return enterTable(key, hash, mode, mayWait, owner);
  }

  /**
   * {@link #enter} in the stripe table, once the fast path (if any) could not take the key: grants,
   * enqueues or returns null as {@link #enter} does.
   */
  private Node enterTable(Object key, int hash, LockMode mode, boolean mayWait, Object owner) {
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
          e = s.obtain(this, key, hash);
          insert(s, e);
          n = recording ? new Waiter(e, me, mode) : new Node(e, me, mode);
          e.hold(n);
        }
      } else if (e.admitsNow(mode)) {
        n = recording ? new Waiter(e, me, mode) : new Node(e, me, mode);
        e.hold(n);
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
      if (fast) {
        slots.settle(slot); // inflated for nothing (busy try, error): undo
      }
      s.unlock();
    }
    if (n != null) {
      if (recording) {
        ((Waiter) n).holdStart = System.nanoTime();
        recorder.acquired(name, key, mode, 0, false);
      }
      return n;
    }
    if (capacity) {
      int count = active.get();
      if (recording) {
        recorder.rejected(name, key, "maxActiveKeys " + maxActiveKeys + " reached");
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

  /** Adds a new entry to its stripe's table. Caller holds the stripe lock. */
  void insert(Segment s, Entry e) {
    s.insert(e);
    if (fast) {
      slots.added(e.hash & FastSlots.MASK);
    }
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
      recorder.error(name, key, e);
    }
    return e;
  }

  private Node timedOut(
      Object key, long waitStart, String holder, Duration timeout, boolean throwOnTimeout) {
    if (recording) {
      recorder.timedOut(name, key, waitStart == 0 ? 0 : System.nanoTime() - waitStart);
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
      long now = System.nanoTime();
      n.holdStart = now;
      recorder.acquired(name, n.key, n.mode(), now - n.waitStart, true);
    }
  }

  // ---------------------------------------------------------------- releasing

  /** Releases a held node; a no-op for a node that is not held. */
  void release(Node n) {
    if (n.entry == fastEntry) {
      slots.release(this, n);
      return;
    }
    Entry e = n.entry;
    Segment s = stripes.of(n.slot()); // not e.hash: a released node's entry may serve another key
    Waiter wake;
    s.lock();
    try {
      if (n.status() != Node.HELD) {
        return; // released already
      }
      n.status(Node.RELEASED);
      e.unhold(n);
      wake = e.head == null ? null : e.promote();
      retire(s, e);
    } finally {
      s.unlock();
    }
    if (recording) {
      recorder.released(name, n.key, System.nanoTime() - ((Waiter) n).holdStart);
    }
    wakeAll(wake);
  }

  /** Turns a held write node into a read node, letting queued readers at the head in too. */
  LockHandle downgrade(Node n) {
    if (!readWrite || n.mode() != LockMode.EXCLUSIVE) {
      throw new IllegalStateException("only a write hold of a read-write lock can be downgraded");
    }
    Entry e = n.entry;
    Segment s = stripes.of(e.hash);
    Node reader =
        recording ? new Waiter(e, n.owner, LockMode.SHARED) : new Node(e, n.owner, LockMode.SHARED);
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
    if (recording) {
      long now = System.nanoTime();
      recorder.released(name, n.key, now - ((Waiter) n).holdStart);
      ((Waiter) reader).holdStart = now;
      recorder.acquired(name, n.key, LockMode.SHARED, 0, false);
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
      s.recycle(e);
      if (limited) {
        active.decrementAndGet();
      }
      if (fast) {
        slots.removed(e.hash & FastSlots.MASK);
      }
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
        recorder.timedOut(name, n.key, waited);
      }
      n.future.completeExceptionally(new LockTimeoutException(name, n.key, timeout, holders));
    } else if (recording) {
      recorder.cancelled(name, n.key, waited);
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
      if (n.timer != null) {
        n.timer.cancel(false);
      }
      granted(n);
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
