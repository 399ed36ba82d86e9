package dev.lockstep.lock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The dedicated engine behind {@link ReadWriteLock#create}: one state word for the fast paths, a
 * FIFO queue under a spin lock for the contended ones.
 *
 * <p>Implementation notes. {@link #state} packs the reader count (low 32 bits), {@link #WRITER} and
 * {@link #QUEUED}. QUEUED is set, under the queue lock, before a waiter is appended, and cleared,
 * under the queue lock, with the CAS that takes the last waiter out; so it is set exactly while the
 * queue is not empty. An arrival enters on the fast path with one CAS only when the word shows no
 * writer and no queue (a reader) or is zero (a writer): nobody barges past a waiter, and while
 * QUEUED is set the only changes to the word outside the queue lock are releases. A release is one
 * atomic add on the word (after the CAS HELD → RELEASED on the handle that makes close exactly
 * once; a read held in a reader slot releases by the slot's CAS instead, see below); it takes the
 * queue lock to grant the head only if the word it replaced had QUEUED set and the release can
 * matter to the head: every write release, and the read release that drops the count to zero. That
 * is enough because the queue lock is never dropped with a grantable head (enqueue appends only
 * what cannot enter now, and every withdrawal and downgrade promotes), and a waiting head is a
 * writer blocked by readers (woken by the last reader) or anything blocked by a writer (woken by
 * the writer). Grants are hand-offs made under the queue lock (FIFO: one writer, or every reader up
 * to the next writer); waking (unpark, future completion) happens after it is dropped. Giving up
 * (timeout, interrupt, cancel) removes a waiter only if it is still WAITING; a waiter granted
 * meanwhile keeps the hold (timeout) or releases it (interrupt, cancel).
 *
 * <p>A blocking read on a platform thread that finds a writer holding or waiting spins on the word
 * before it queues ({@link #spinToRead}), and enters with the fast path's CAS once the word admits
 * readers: as a reader arriving at that moment would, so it never passes a waiter. Two threads
 * mixing reads and short writes thus take turns through the word; only a writer that meets readers
 * queues (and sets QUEUED, which stops new readers). A grant unparks only a waiter that has parked
 * ({@link RwWaiter#parked}).
 *
 * <p>A scoped read ({@link #read}) enters with the same CAS as a reader's fast path and leaves with
 * the same add as a read release, with no node in between: the scope makes the release exactly
 * once. Busy, it first spins as a blocking read does, still without a node; if that fails (or when
 * recording) it takes the node path and releases the node.
 *
 * <p>Reader slots (visible readers, as BRAVO: Dice and Kogan, 2019). A handle read of a lock that
 * does not record first tries {@link #slotRead}: while the word shows {@link #BIAS} it takes one of
 * {@link #SLOTS} padded slots of this lock (chosen by thread id, one more probed) with a CAS from
 * an even value v to the odd stamp v + 1, then reads the word again: the hold stands if BIAS is
 * still set, else it leaves the slot. Its close is the slot's CAS from the stamp to stamp + 1, and
 * that CAS is the exactly-once decision ({@link RwSlotRead}): no status CAS and no add on the word.
 * A writer shuts the slots before it can hold: from exactly BIAS with one CAS to {@link #SHUTTING}
 * (WRITER and DRAIN: not a hold), then it scans the slots and stores WRITER (every slot even: it
 * holds) or drops WRITER (it waits as a writer meeting readers); otherwise BIAS → DRAIN. While
 * DRAIN alone is set no writer is granted, readers still enter through the word, and a slot
 * reader's close that sees it (or the writer's own scan) ends the drain under the queue lock once
 * every slot is even, granting the head. An arrival in {@link #enter} that finds SHUTTING waits out
 * the few loads it lasts, without the queue lock: it neither queues nor fails behind a write that
 * nobody holds, and nothing else changes the word meanwhile. BIAS comes back when a handle read
 * finds no writer holding, waiting or draining; it never stands beside WRITER, QUEUED or DRAIN, so
 * a waiting writer stops slot readers as it stops word readers. The table is per lock and small (8
 * slots, each alone on 128 bytes: about 1.2 KiB per lock): only {@link ReadWriteLock#create} has
 * it, not the keyed read-write locks, whose keys share their engine's nodes.
 *
 * <p>Errors after a state change (an {@code OutOfMemoryError}, a {@code StackOverflowError}; a
 * recorder that throws): a hold is never left with nobody to close it. One window stays open for a
 * {@code StackOverflowError}: a give-back that meets the stack's end again, possible when compiled
 * and interpreted frames mix (Java code cannot reserve stack for its error handlers; see {@code
 * StackDepthScanTest#residual}). Every acquire makes its node and fetches its thread's {@link
 * ReadOwners.Chain} before the CAS that takes the hold (a slot's, the word's, a grant's), and reads
 * the clock before it too, so from the CAS to the handle's return it calls nothing; a waiter and
 * its future are made before QUEUED is set. The recorder is called in the frame above the one that
 * took the hold, and a recorder that throws is ignored (see {@link LockRecorder}). A release's
 * decisive CAS (the status's, or the slot's) is followed only by field writes and a CAS no deeper
 * than it (the calling thread is read before it; {@code getAndAdd} goes a frame deeper when
 * interpreted), and a scope releases in the frame that acquired; the queue lock's unlock is no
 * deeper than its lock. A wait that ends by an error withdraws or gives the grant back; a future
 * the caller will never see is cancelled. {@code StackDepthScanTest} scans every depth of each
 * acquire and close for this.
 *
 * <p>Not made safe (left as is, each needing an error at one call of a path that races with another
 * thread): a slot read that finds the slots revoked after its CAS and leaves the slot (its store,
 * then {@link #drained}); a writer's {@link #drained} after it gave SHUTTING up for readers in
 * slots; a release's {@link #promoteLocked} and {@link RwWaiter#wakeAll} (an error leaves the head
 * ungranted or unwoken: a waiter without a timeout may sleep on); a close by another thread than
 * the reader's ({@link ReadOwners.Chain#closedElsewhere}); a downgrade made for another thread.
 *
 * <p>Ownership, for non-reentrancy checks: the last write hold is kept in {@link #writer}, read
 * holds (scoped ones included) in {@link ReadOwners}. Asynchronous acquisitions have owners of
 * their own that hold nothing else, so they are never checked (as in {@link LockEngine}).
 */
final class SingleReadWriteLock implements ReadWriteLock {
  static final Object RESOURCE =
      new Object() {
        @Override
        public String toString() {
          return "resource";
        }
      };

  private static final long READERS = 0xFFFF_FFFFL;
  private static final long WRITER = 1L << 32;
  private static final long QUEUED = 1L << 33;

  /** Readers may take a reader slot ({@link #slotRead}). */
  private static final long BIAS = 1L << 34;

  /** The slots were revoked and may still hold readers: no writer is granted until they leave. */
  private static final long DRAIN = 1L << 35;

  /**
   * WRITER and DRAIN at once: a writer that found exactly BIAS shut the slots and is scanning them
   * ({@link #fast}); not a hold. It becomes WRITER (it holds) or DRAIN (readers were in slots)
   * after a few loads, without the queue lock. Nobody else changes the word meanwhile: it admits no
   * reader or writer, {@link #enter} waits it out instead of queueing, {@link #endDrainLocked}
   * leaves it alone, and the CAS that set it found no hold in the word and nobody queued.
   */
  private static final long SHUTTING = WRITER | DRAIN;

  private static final VarHandle STATE;
  private static final VarHandle MUTEX;
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

  /** Reader slots per lock. */
  private static final int SLOTS = 8;

  /** Longs between two slots: each slot alone on 128 bytes, so two readers share no line. */
  private static final int STRIDE = 16;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      STATE = l.findVarHandle(SingleReadWriteLock.class, "state", long.class);
      MUTEX = l.findVarHandle(SingleReadWriteLock.class, "mutex", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The shortest timeout for which a reader spins before queueing ({@link #spinToRead}). */
  private static final Duration SPIN_TO_READ_MIN = Duration.ofNanos(LockEngine.CHAIN_SPIN);

  /** Returned by {@link #withdraw} when the waiter had been granted before it could leave. */
  private static final String WITHDRAWN_BUT_GRANTED = new String("granted");

  private final String name;
  private final LockRecorder recorder;
  private final boolean recording;

  @SuppressWarnings("unused") // accessed through STATE
  private volatile long state;

  /** The queue lock: 1 while held. Not volatile: see {@link Segment}'s lock word, made the same. */
  private int mutex;

  /** Who reads, for the non-reentrancy checks. */
  private final ReadOwners readers = new ReadOwners();

  /**
   * The reader slots: slot {@code k} (0 ≤ k < {@link #SLOTS}) is {@code slots[(k + 1) * STRIDE]}
   * (the first line is left to the array's header). Even: free; odd: a read holds it. A read makes
   * it v → v + 1 and its close v + 1 → v + 2, so values only grow and a stale handle's stamp never
   * matches again.
   */
  private final long[] slots = new long[(SLOTS + 1) * STRIDE];

  /**
   * The latest write hold. Written by the grantee's thread (fast path) or the granting thread
   * before the grant is published; only ever compared with the calling thread, which wrote it if it
   * is its own, so a stale read is harmless (a stale hold is no longer {@linkplain RwNode#isHeld
   * held}).
   */
  private RwNode writer;

  /** The wait queue, oldest first; guarded by the queue lock. */
  private RwWaiter head;

  private RwWaiter tail;

  SingleReadWriteLock(LockOptions options) {
    Objects.requireNonNull(options, "options must not be null");
    this.name = options.name();
    this.recorder = options.recorder();
    this.recording = recorder.enabled();
  }

  @Override
  public String name() {
    return name;
  }

  // ---------------------------------------------------------------- acquiring

  @Override
  public LockHandle acquireRead(Duration timeout) throws InterruptedException {
    return acquire(true, timeout, true);
  }

  @Override
  public LockHandle acquireWrite(Duration timeout) throws InterruptedException {
    return acquire(false, timeout, true);
  }

  // A try's hold is wrapped in its Optional in the frame above the one that took it, and given back
  // if that throws: an OutOfMemoryError, or a StackOverflowError (that call is not always
  // shallower than the taking was, when one runs compiled and the other interpreted).

  @Override
  public Optional<LockHandle> tryAcquireRead() {
    RwNode n = tryNow(true);
    try {
      return Optional.ofNullable(n);
    } catch (Throwable t) {
      giveBack(n, t); // see giveBack
      throw t;
    }
  }

  @Override
  public Optional<LockHandle> tryAcquireWrite() {
    RwNode n = tryNow(false);
    try {
      return Optional.ofNullable(n);
    } catch (Throwable t) {
      giveBack(n, t); // see giveBack
      throw t;
    }
  }

  @Override
  public CompletableFuture<LockHandle> acquireReadAsync(Duration timeout) {
    return async(true, timeout);
  }

  @Override
  public CompletableFuture<LockHandle> acquireWriteAsync(Duration timeout) {
    return async(false, timeout);
  }

  @Override
  public <T, X extends Exception> T read(Duration timeout, LockedCall<T, X> body)
      throws InterruptedException, X {
    Objects.requireNonNull(body, "body must not be null");
    if (!recording) {
      if (timeout.isNegative()) { // NPE for null, as LockEngine.nanos
        LockEngine.nanos(timeout); // throws the usual IllegalArgumentException
      }
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      // The fast path of a read without a handle: the admission of fast(), the count of track().
      // The count enters the word in this frame, right before the try whose finally takes it out:
      // no call in between that could throw and leave it there.
      ReadOwners.Chain c = readers.mine();
      boolean entered = false;
      long s = state;
      while ((s & (WRITER | QUEUED)) == 0 && (s & READERS) != READERS) {
        if (STATE.weakCompareAndSet(this, s, s + 1)) {
          entered = true;
          break;
        }
        s = state;
      }
      if (entered || spinToRead(timeout)) {
        c.opened++;
        try {
          return body.call();
        } finally {
          c.opened--; // before the word, as in release()
          // The entry's CAS again, not getAndAdd (a frame deeper when interpreted): an exit
          // needs no more stack than the entry had.
          long was;
          do {
            was = state;
          } while (!STATE.weakCompareAndSet(this, was, was - 1));
          if ((was & QUEUED) != 0 && (was & READERS) == 1) {
            promoteLocked();
          }
        }
      }
    }
    RwNode held = acquire(true, timeout, true);
    try {
      return body.call();
    } finally {
      release(held); // in the frame that acquired: no deeper than the acquire went
    }
  }

  /**
   * A reader that found a writer holding or waiting, on a platform thread of a lock that does not
   * record, spins (up to {@link LockEngine#CHAIN_SPIN}, the clock read once per {@link
   * LockEngine#SPINS} spins) until the word admits readers, and then enters with the fast path's
   * CAS; true if it entered. It does not queue meanwhile, so it is exactly a reader arriving later:
   * it never passes a writer that waits (QUEUED) or holds, and a writer arriving meanwhile goes
   * first. Two threads mixing reads and writes so hand each other the lock through the word, with
   * no queue, grant or wake-up for a reader that meets a short write. Only for waits of at least
   * the spin (a shorter timeout queues at once, as before).
   */
  private boolean spinToRead(Duration timeout) {
    if (recording
        || LockEngine.SPINS == 0
        || Thread.currentThread().isVirtual()
        || timeout.compareTo(SPIN_TO_READ_MIN) < 0) {
      return false;
    }
    int spins = LockEngine.SPINS;
    long end = 0;
    while (true) {
      long s = state;
      if ((s & (WRITER | QUEUED)) == 0) {
        if ((s & READERS) == READERS) {
          return false;
        }
        if (STATE.weakCompareAndSet(this, s, s + 1)) {
          return true;
        }
        continue;
      }
      if (--spins > 0) {
        Thread.onSpinWait();
        continue;
      }
      long now = System.nanoTime();
      if (end == 0) {
        end = now + LockEngine.CHAIN_SPIN;
      } else if (now - end >= 0) {
        return false;
      }
      spins = LockEngine.SPINS;
    }
  }

  @Override
  public <T, X extends Exception> T write(Duration timeout, LockedCall<T, X> body)
      throws InterruptedException, X {
    Objects.requireNonNull(body, "body must not be null");
    RwNode held = acquire(false, timeout, true);
    try {
      return body.call();
    } finally {
      // In the frame that acquired, and straight to the word (a write is never in a slot): the
      // release goes no deeper than the acquire did, so it cannot overflow the stack where the
      // acquire did not, and leave WRITER set with nobody to clear it.
      releaseWord(held, true);
    }
  }

  /**
   * One CAS when nobody writes or waits (a reader: in a slot, else in the word) or nobody holds (a
   * writer); else null.
   */
  private RwNode fast(Thread me, boolean shared) {
    if (shared) {
      if (!recording) {
        RwNode n = slotRead(me);
        if (n != null) {
          return n;
        }
      }
      long s = state;
      if ((s & (WRITER | QUEUED)) == 0 && (s & READERS) != READERS) {
        return wordRead(me, s);
      }
      return null;
    }
    long s = state;
    if ((s & BIAS) != 0) {
      if (s == BIAS) {
        return shutSlots(me);
      }
      revoke();
      return null;
    }
    if (s == 0) {
      RwNode n = newHold(me, false); // before the CAS: nothing after it may throw
      if (STATE.compareAndSet(this, 0L, WRITER)) {
        writer = n;
        return n;
      }
    }
    return null;
  }

  /**
   * A read through the word, as {@link #fast}'s reader: the node and the thread's chain are made
   * before the CAS, so that between the CAS and the handle's return nothing is called that could
   * throw (an {@code OutOfMemoryError}, a {@code StackOverflowError}) and leave a count in the word
   * that no handle releases.
   */
  private RwNode wordRead(Thread me, long s) {
    ReadOwners.Chain c = readers.of(me);
    RwNode n = newHold(me, true);
    do {
      if (STATE.weakCompareAndSet(this, s, s + 1)) {
        c.opened++;
        n.chain = c;
        return n;
      }
      s = state;
    } while ((s & (WRITER | QUEUED)) == 0 && (s & READERS) != READERS);
    return null;
  }

  /**
   * A writer that found exactly {@link #BIAS} shuts the slots (BIAS → {@link #SHUTTING}) and holds
   * if none is busy. SHUTTING is not a hold and nobody else changes the word while it stands, so
   * anything that throws before it is resolved puts BIAS back, as if this writer never came.
   */
  private RwNode shutSlots(Thread me) {
    RwNode n = newHold(me, false);
    if (!STATE.compareAndSet(this, BIAS, SHUTTING)) {
      return null;
    }
    boolean busy;
    try {
      busy = slotsBusy();
    } catch (Throwable t) {
      STATE.setRelease(this, BIAS);
      throw t;
    }
    if (!busy) {
      // The CAS shut the slots; nobody was in one. A store is enough: while the word shows
      // SHUTTING nobody else changes it (enter() waits it out).
      STATE.setRelease(this, WRITER);
      writer = n;
      return n;
    }
    // Readers sit in slots: give WRITER up and wait as any writer meeting readers.
    STATE.getAndAdd(this, -WRITER);
    drained();
    return null;
  }

  /** A new held node of the calling thread, not yet published (made before the hold's CAS). */
  private RwNode newHold(Object me, boolean shared) {
    if (!recording) {
      return new RwNode(this, me, shared, RwNode.HELD);
    }
    RwWaiter n = new RwWaiter(this, me, shared, RwNode.HELD);
    n.holdStart = System.nanoTime(); // the clock read before the CAS, not after
    return n;
  }

  // ---------------------------------------------------------------- reader slots

  /**
   * The visible-reader path: the calling thread's slot (or the next one) goes from even to odd,
   * then the word is read again; the hold stands if the word still shows {@link #BIAS}. The CAS is
   * the StoreLoad: a writer sets the word first and reads the slots after, so either the writer
   * sees this slot odd or this read sees the writer. Enables BIAS when the word shows nobody
   * writing, waiting or draining. Null if the slots are off or both probed slots are busy.
   */
  private RwNode slotRead(Thread me) {
    long s = state;
    if ((s & (BIAS | WRITER | QUEUED | DRAIN)) != BIAS
        && ((s & (BIAS | WRITER | QUEUED | DRAIN)) != 0
            || !STATE.compareAndSet(this, s, s | BIAS))) {
      return null;
    }
    // The chain and the node come before the slot's CAS: from the CAS to the handle's return
    // nothing is called, so nothing can throw and leave the slot odd with no handle to close it.
    ReadOwners.Chain c = readers.of(me);
    int i = (int) ((me.threadId() * 0x9E3779B97F4A7C15L) >>> 61) * STRIDE + STRIDE;
    for (int probe = 0; probe < 2; probe++) {
      long v = (long) SLOT.getVolatile(slots, i);
      if ((v & 1) == 0) {
        RwSlotRead n = new RwSlotRead(this, me, i, v + 1);
        if (SLOT.compareAndSet(slots, i, v, v + 1)) {
          if ((state & BIAS) != 0) {
            c.opened++;
            n.chain = c;
            return n;
          }
          SLOT.setVolatile(slots, i, v + 2); // revoked meanwhile: leave as a close would
          if ((state & DRAIN) != 0) {
            drained();
          }
          return null;
        }
      }
      i = i == SLOTS * STRIDE ? STRIDE : i + STRIDE;
    }
    return null;
  }

  /**
   * Releases a slot read: the slot's CAS from the hold's stamp is the exactly-once decision. A
   * close that loses it waits for the winner to mark the handle released, so that {@code isHeld()}
   * reads false once any close has returned.
   */
  private void releaseSlot(RwSlotRead n) {
    Thread me = Thread.currentThread(); // before the CAS, as in releaseWord()
    ReadOwners.Chain c = n.chain;
    if (!SLOT.compareAndSet(slots, n.slot, n.stamp, n.stamp + 1)) {
      while (n.status() == RwNode.HELD) {
        Thread.yield();
      }
      return;
    }
    if (c != null) {
      if (n.owner == me) {
        c.opened--;
      } else {
        c.closedElsewhere();
      }
    }
    n.released(); // a field write: no deeper than the slot's CAS
    if ((state & DRAIN) != 0) { // after the slot's CAS: a writer that revoked sees it, or we see it
      drained();
    }
  }

  /** Whether a read holds a slot (or is about to find the slots revoked and leave it). */
  private boolean slotsBusy() {
    return slotReaders() != 0;
  }

  /** How many reads hold slots now. */
  private int slotReaders() {
    int n = 0;
    for (int i = STRIDE; i <= SLOTS * STRIDE; i += STRIDE) {
      n += (int) ((long) SLOT.getVolatile(slots, i) & 1);
    }
    return n;
  }

  /**
   * A writer that found {@link #BIAS} with readers counted in the word revokes the slots (BIAS →
   * DRAIN) and goes on as a writer meeting readers; the last slot reader to leave ends the drain.
   */
  private void revoke() {
    long s;
    while (((s = state) & BIAS) != 0) {
      if (STATE.compareAndSet(this, s, s - BIAS + DRAIN)) {
        if (!slotsBusy()) {
          drained();
        }
        return;
      }
    }
  }

  /** Ends a drain whose slots are empty, under the queue lock, and wakes what that grants. */
  private void drained() {
    RwWaiter wake;
    lock();
    try {
      wake = endDrainLocked();
    } finally {
      unlock();
    }
    RwWaiter.wakeAll(wake);
  }

  /**
   * Clears DRAIN if no slot holds a read and grants what can enter then. Caller holds the queue
   * lock: only this clears DRAIN (and a writer ending {@link #SHUTTING}, which is left to it), so
   * the DRAIN seen here is the one the scan was for (a DRAIN of a later revocation cannot replace
   * it meanwhile).
   */
  private RwWaiter endDrainLocked() {
    if ((state & SHUTTING) != DRAIN || slotsBusy()) {
      return null;
    }
    long s;
    do {
      s = state;
    } while (!STATE.compareAndSet(this, s, s & ~DRAIN));
    return (s & QUEUED) != 0 ? promote() : null;
  }

  private RwNode tryNow(boolean shared) {
    if (recording) {
      recorderErrors.report(this);
    }
    Thread me = Thread.currentThread();
    RwNode n = fast(me, shared);
    if (n == null) {
      n = enter(me, shared, false);
    }
    if (recording && n != null) {
      try {
        try {
          recorder.acquired(name, RESOURCE, n.mode(), 0, false);
        } catch (Throwable t) {
          recorderErrors.pending = t; // see LockRecorder
        }
      } catch (Throwable t) {
        giveBack(n, t);
        throw t;
      }
    }
    return n;
  }

  private RwNode acquire(boolean shared, Duration timeout, boolean throwOnTimeout)
      throws InterruptedException {
    if (recording) {
      recorderErrors.report(this);
    }
    if (timeout.isNegative()) { // NPE for null, as LockEngine.nanos
      LockEngine.nanos(timeout); // throws the usual IllegalArgumentException
    }
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    Thread me = Thread.currentThread();
    RwNode entered = fast(me, shared);
    if (entered != null) {
      if (recording) {
        try { // no call in the catch: nothing here can fail the acquire
          recorder.acquired(name, RESOURCE, entered.mode(), 0, false);
        } catch (Throwable t) {
          recorderErrors.pending = t; // see LockRecorder
        }
      }
      return entered;
    }
    if (shared && !recording) {
      ReadOwners.Chain c = readers.of(me); // before spinToRead's CAS, as in wordRead
      RwNode n = newHold(me, true);
      if (spinToRead(timeout)) {
        c.opened++;
        n.chain = c;
        return n;
      }
    }
    return await(me, shared, LockEngine.nanos(timeout), timeout, throwOnTimeout);
  }

  /** The slow path of {@link #acquire}: enter or queue, then wait for the grant. */
  private RwNode await(
      Thread me, boolean shared, long nanos, Duration timeout, boolean throwOnTimeout)
      throws InterruptedException {
    ReadOwners.Chain c = shared ? readers.of(me) : null; // before the grant: see granted()
    RwNode entered = enter(me, shared, nanos > 0);
    if (entered == null) {
      return timedOut(0, null, timeout, throwOnTimeout);
    }
    if (entered.status() == RwNode.HELD) {
      if (recording) {
        try { // no call in the catch: nothing here can fail the acquire
          recorder.acquired(name, RESOURCE, entered.mode(), 0, false);
        } catch (Throwable t) {
          recorderErrors.pending = t; // see LockRecorder
        }
      }
      return entered;
    }
    RwWaiter n = (RwWaiter) entered;
    try {
      return waitFor(n, c, nanos, timeout, throwOnTimeout);
    } catch (Throwable t) {
      // Whatever left the wait (an error, a recorder that threw) leaves no waiter queued and no
      // hold with nobody to close it. Timeouts and interrupts settled it already: a no-op then.
      if (withdraw(n) == WITHDRAWN_BUT_GRANTED && n.status() == RwNode.HELD) {
        giveBack(n, t);
      }
      throw t;
    }
  }

  /** The wait of {@link #await} for a queued waiter: spins, parks, and gives up on time. */
  private RwNode waitFor(
      RwWaiter n, ReadOwners.Chain c, long nanos, Duration timeout, boolean throwOnTimeout)
      throws InterruptedException {
    Thread me = Thread.currentThread();
    boolean forever = nanos > Long.MAX_VALUE / 4;
    long now = System.nanoTime();
    long deadline = forever ? 0 : now + nanos;
    int spins = me.isVirtual() ? 0 : LockEngine.SPINS; // platform threads spin, virtual ones don't
    // A waiter first in line when it queued (its own enqueue set prev: null) spins as long as a
    // hand-off chain's waiter does (LockEngine.CHAIN_SPIN); one behind others, SPINS checks only.
    long spinEnd = spins > 0 && n.prev == null ? now + LockEngine.CHAIN_SPIN : now;
    while (n.status() != RwNode.HELD) {
      if (spins > 0 && --spins > 0) {
        Thread.onSpinWait(); // the clock is read once per LockEngine.SPINS spins only
        continue;
      }
      now = System.nanoTime();
      long remaining = forever ? Long.MAX_VALUE : deadline - now;
      if (remaining <= 0) {
        String holder = withdraw(n);
        if (holder != WITHDRAWN_BUT_GRANTED) {
          return timedOut(n.waitStart, holder, timeout, throwOnTimeout);
        }
        break;
      }
      if (now - spinEnd < 0) {
        spins = LockEngine.SPINS;
        continue;
      }
      if (!n.parked) {
        n.parked = true; // then look at the status once more: see RwWaiter.parked
        continue;
      }
      LockSupport.parkNanos(this, remaining);
      if (Thread.interrupted()) {
        if (withdraw(n) == WITHDRAWN_BUT_GRANTED) {
          granted(n, c);
          release(n);
        } else if (recording) {
          try {
            recorder.cancelled(name, RESOURCE, System.nanoTime() - n.waitStart);
          } catch (Throwable t) {
            recorderErrors.pending = t;
          }
        }
        throw new InterruptedException("interrupted waiting for " + this);
      }
    }
    granted(n, c);
    return n;
  }

  private CompletableFuture<LockHandle> async(boolean shared, Duration timeout) {
    long nanos;
    RwNode entered;
    try {
      nanos = LockEngine.nanos(timeout);
      entered = enter(LockOwner.asyncOf(Thread.currentThread()), shared, nanos > 0);
      if (entered == null) {
        timedOut(0, null, timeout, true);
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (entered.status() == RwNode.HELD) {
      try {
        if (recording) {
          try {
            recorder.acquired(name, RESOURCE, entered.mode(), 0, false);
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
    RwWaiter n = (RwWaiter) entered;
    RwWaiter.WaitFuture f = n.future; // attached before the waiter became visible
    if (nanos > 0 && nanos < Long.MAX_VALUE / 2) {
      try {
        // The timer thread only starts the timeout; callbacks on the failed future run elsewhere.
        n.timer =
            RwWaiter.Timeouts.TIMER.schedule(
                () -> Thread.startVirtualThread(() -> abandon(n, timeout)),
                nanos,
                TimeUnit.NANOSECONDS);
        if (n.status() != RwNode.WAITING) {
          n.timer.cancel(false);
        }
      } catch (Throwable t) {
        // The caller never sees this future: withdraw the wait, or release a grant made meanwhile.
        f.cancel(false);
        throw t;
      }
    }
    return f;
  }

  /**
   * The slow path, under the queue lock: grants now (a HELD node), enqueues when {@code mayWait} (a
   * WAITING node), returns null (busy), or throws for a self-deadlock or an upgrade.
   */
  private RwNode enter(Object me, boolean shared, boolean mayWait) {
    boolean async = !(me instanceof Thread);
    // Whatever a grant or an enqueue needs is made before the CAS that grants or sets QUEUED, so
    // that nothing called after it can throw and leave a count, WRITER or QUEUED with no handle.
    ReadOwners.Chain c = shared && !async ? readers.of((Thread) me) : null;
    RwNode held = null;
    RwWaiter w = null;
    RwNode n;
    String selfDeadlock;
    lock();
    // Whether this frame holds the queue lock: it lets go of it to wait out SHUTTING, and an error
    // meanwhile (a StackOverflowError in the wait or in lock()'s slow path, which calls more than
    // its first CAS did) must not make the finally unlock a queue lock another thread now holds.
    // lock() calls nothing after the CAS that takes it, so the flag is set exactly when it holds.
    boolean locked = true;
    try {
      while (true) {
        long s = state;
        if ((s & SHUTTING) == SHUTTING) {
          // A writer is shutting the slots (fast()): not a hold, over in a few loads. Wait it out,
          // without the queue lock, rather than queue (or fail) behind a write nobody holds; so
          // nobody queues meanwhile, and that writer may end SHUTTING with a plain store.
          unlock();
          locked = false;
          for (int spins = 1; (state & SHUTTING) == SHUTTING; spins++) {
            if (spins % 100 == 0) {
              Thread.yield();
            } else {
              Thread.onSpinWait();
            }
          }
          lock();
          locked = true;
          continue;
        }
        if (!shared && (s & BIAS) != 0) {
          // A writer shuts the slots before it queues (QUEUED never stands beside BIAS). Nobody
          // is queued, so ending the drain here grants nobody.
          if (STATE.compareAndSet(this, s, s - BIAS + DRAIN)) {
            endDrainLocked();
          }
          continue;
        }
        if (shared ? (s & (WRITER | QUEUED)) == 0 && (s & READERS) != READERS : s == 0) {
          if (held == null) {
            // An asynchronous hold is an RwWaiter either way; a recorded one knows when it began.
            held =
                async && !recording
                    ? new RwWaiter(this, me, shared, RwNode.HELD)
                    : newHold(me, shared);
          }
          if (!STATE.compareAndSet(this, s, shared ? s + 1 : WRITER)) {
            continue;
          }
          n = held;
          if (!shared) {
            writer = n;
          } else if (c != null) {
            c.opened++;
            n.chain = c;
          }
          selfDeadlock = null;
          break;
        }
        if (!async) {
          RwNode wr = writer;
          if ((s & WRITER) != 0 && wr != null && wr.owner == me && wr.isHeld()) {
            if (!mayWait) {
              return null;
            }
            n = null;
            selfDeadlock = "holds it already";
            break;
          }
          // Asked whatever the word's count says (a read in a slot is not counted there). A
          // reader never meets SHUTTING here (waited out above): QUEUED beside its read is a
          // writer.
          if ((!shared || (s & QUEUED) != 0) && readers.readBy((Thread) me)) {
            if (!shared) {
              n = null;
              selfDeadlock = "";
              break;
            }
            if (!mayWait) {
              return null;
            }
            n = null;
            selfDeadlock = "reads it already while a writer is queued";
            break;
          }
        }
        if (!mayWait) {
          return null;
        }
        if ((s & READERS) == READERS) {
          throw new IllegalStateException(this + ": too many read holds (" + READERS + ")");
        }
        if (w == null) {
          w = new RwWaiter(this, me, shared, RwNode.WAITING);
          if (async) {
            w.future = new RwWaiter.WaitFuture(w);
          }
          if (recording) {
            w.waitStart = System.nanoTime();
          }
        }
        if ((s & QUEUED) == 0 && !STATE.compareAndSet(this, s, s | QUEUED)) {
          continue;
        }
        w.prev = tail;
        if (tail == null) {
          head = w;
        } else {
          tail.next = w;
        }
        tail = w;
        return w;
      }
    } finally {
      if (locked) {
        unlock();
      }
    }
    if (n != null) {
      return n;
    }
    LockException e;
    if (selfDeadlock.isEmpty()) {
      e = new LockUpgradeException(name, RESOURCE);
    } else {
      String edge =
          LockEngine.describe(me)
              + " waits for key 'resource' of lock '"
              + name
              + "' and "
              + selfDeadlock;
      e =
          new DeadlockException(
              "self-deadlock: " + edge + " (Lockstep locks are not reentrant)", List.of(edge));
    }
    if (recording) {
      try {
        recorder.error(name, RESOURCE, e);
      } catch (Throwable t) {
        recorderErrors.pending = t;
      }
    }
    throw (RuntimeException) e;
  }

  private RwNode timedOut(long waitStart, String holder, Duration timeout, boolean throwOnTimeout) {
    if (recording) {
      try {
        recorder.timedOut(name, RESOURCE, waitStart == 0 ? 0 : System.nanoTime() - waitStart);
      } catch (Throwable t) {
        recorderErrors.pending = t;
      }
    }
    if (throwOnTimeout) {
      throw new LockTimeoutException(
          name, RESOURCE, timeout, holder == null ? describeHolders() : holder);
    }
    return null;
  }

  /** What this lock's recorder threw and nobody has reported yet (see {@link LockRecorder}). */
  private final RecorderErrors recorderErrors = new RecorderErrors();

  /**
   * Releases a hold whose acquire fails after its state change (an error such as a {@code
   * StackOverflowError} before the caller has its handle), as a close would: waking whoever that
   * grants. An error of the release itself is added to {@code t} as suppressed.
   */
  private void giveBack(RwNode n, Throwable t) {
    if (n == null) {
      return; // a try that took nothing (see tryAcquireRead)
    }
    try {
      if (n instanceof RwSlotRead r) {
        releaseSlot(r);
      } else {
        releaseWord(n, false); // not recorded: the acquire failed
      }
    } catch (Throwable u) {
      if (u != t) {
        t.addSuppressed(u);
      }
    }
  }

  /**
   * Bookkeeping once a waiter has been granted, on the thread that sees the grant: counts a
   * blocking read in the chain fetched before it queued ({@code c}; null for writes and
   * asynchronous waits) and tells the recorder (a recorder that throws is ignored).
   */
  void granted(RwWaiter n, ReadOwners.Chain c) {
    if (c != null) {
      c.opened++;
      n.chain = c;
    }
    if (recording) {
      try {
        long now = System.nanoTime();
        n.holdStart = now;
        recorder.acquired(name, RESOURCE, n.mode(), now - n.waitStart, true);
      } catch (Throwable t) {
        recorderErrors.pending = t; // the hold stands: see LockRecorder
      }
    }
  }

  // ---------------------------------------------------------------- releasing

  /** Releases a held node; a no-op for a node that is not held. */
  void release(RwNode n) {
    if (n instanceof RwSlotRead r) {
      releaseSlot(r);
      return;
    }
    releaseWord(n, true);
  }

  /**
   * Releases a hold counted in the word, telling the recorder if {@code record}; false if it was
   * not held. Between the status CAS that decides the release and the word's update nothing is
   * called that needs more stack than that CAS did (the calling thread is read before it, the
   * owner's count is a field write, the word's update is a CAS as the status's is: {@code
   * getAndAdd} goes one frame deeper when interpreted), so a {@code StackOverflowError} cannot fall
   * between the two and leave the word counting a hold whose handle is released.
   */
  private boolean releaseWord(RwNode n, boolean record) {
    Thread me = Thread.currentThread();
    ReadOwners.Chain c = n.chain;
    long delta = n.shared() ? -1L : -WRITER;
    if (!n.leave()) {
      return false;
    }
    if (c != null) { // before the word: whoever sees the reader gone sees its count down too
      if (n.owner == me) {
        c.opened--;
      } else {
        c.closedElsewhere();
      }
    }
    long s;
    do {
      s = state;
    } while (!STATE.compareAndSet(this, s, s + delta));
    if (record && recording) {
      try { // no call in the catch: a recorder that throws is ignored (see LockRecorder)
        recorder.released(name, RESOURCE, System.nanoTime() - ((RwWaiter) n).holdStart);
      } catch (Throwable t) {
        recorderErrors.pending = t;
      }
    }
    // A writer's release may let the head in; a reader's only if it was the last reader.
    if ((s & QUEUED) != 0 && (delta == -WRITER || (s & READERS) == 1)) {
      promoteLocked();
    }
    return true;
  }

  /** Turns a held write node into a read node, letting queued readers at the head in too. */
  LockHandle downgrade(RwNode n) {
    if (n.shared()) {
      throw new IllegalStateException("only a write hold of a read-write lock can be downgraded");
    }
    RwNode reader = newHold(n.owner, true);
    ReadOwners.Chain c = n.owner == Thread.currentThread() ? readers.mine() : null;
    if (!n.leave()) {
      throw new IllegalStateException("cannot downgrade " + n + ": it is no longer held");
    }
    if (c != null) {
      c.opened++;
      reader.chain = c;
    } else if (n.owner instanceof Thread) {
      lock();
      try {
        readers.trackStray(reader);
      } finally {
        unlock();
      }
    }
    long s = (long) STATE.getAndAdd(this, 1L - WRITER);
    if (recording) { // a recorder that throws is ignored (see LockRecorder)
      try {
        recorder.released(name, RESOURCE, ((RwWaiter) reader).holdStart - ((RwWaiter) n).holdStart);
        recorder.acquired(name, RESOURCE, LockMode.SHARED, 0, false);
      } catch (Throwable t) {
        recorderErrors.pending = t;
      }
    }
    if ((s & QUEUED) != 0) {
      promoteLocked(); // readers at the head join the new reader
    }
    return reader;
  }

  private void promoteLocked() {
    RwWaiter wake;
    lock();
    try {
      wake = promote();
    } finally {
      unlock();
    }
    RwWaiter.wakeAll(wake);
  }

  /**
   * Grants waiters at the head that can enter now: one writer, or every reader up to the next
   * writer; clears QUEUED with the grant of the last waiter. Returns the granted waiters chained
   * through {@link RwWaiter#wakeNext}. Caller holds the queue lock.
   */
  private RwWaiter promote() {
    RwWaiter first = null;
    RwWaiter last = null;
    while (head != null) {
      RwWaiter h = head;
      long s = state;
      boolean shared = h.shared();
      if (shared ? (s & WRITER) != 0 : (s & (WRITER | READERS | DRAIN)) != 0) {
        break;
      }
      long next = shared ? s + 1 : s | WRITER;
      if (h.next == null) {
        next &= ~QUEUED;
      }
      if (!STATE.compareAndSet(this, s, next)) {
        continue; // a release changed the word; look again
      }
      unlink(h);
      if (!shared) {
        writer = h;
      }
      h.status(RwNode.HELD);
      if (first == null) {
        first = h;
      } else {
        last.wakeNext = h;
      }
      last = h;
      if (!shared) {
        break;
      }
    }
    return first;
  }

  private void unlink(RwWaiter n) {
    RwWaiter p = n.prev;
    RwWaiter x = n.next;
    if (p != null) {
      p.next = x;
    } else {
      head = x;
    }
    if (x != null) {
      x.prev = p;
    } else {
      tail = p;
    }
    n.prev = null;
    n.next = null;
  }

  /**
   * Removes a waiting node from the queue. Returns a description of the holders (possibly null) if
   * it was still waiting, or {@link #WITHDRAWN_BUT_GRANTED} if it had been granted.
   */
  private String withdraw(RwWaiter n) {
    RwWaiter wake;
    String holders;
    lock();
    try {
      if (n.status() != RwNode.WAITING) {
        return WITHDRAWN_BUT_GRANTED;
      }
      holders = describeHolders();
      unlink(n);
      n.status(RwNode.CANCELLED);
      if (head == null) {
        long s;
        do {
          s = state;
        } while (!STATE.compareAndSet(this, s, s & ~QUEUED));
        wake = null;
      } else {
        wake = promote();
      }
    } finally {
      unlock();
    }
    RwWaiter.wakeAll(wake);
    return holders;
  }

  /** Gives up an asynchronous wait: on its timeout, or when its future was cancelled (null). */
  void abandon(RwWaiter n, Duration timeout) {
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
          recorder.timedOut(name, RESOURCE, waited);
        } catch (Throwable t) {
          recorderErrors.pending = t;
        }
      }
      n.future.completeExceptionally(new LockTimeoutException(name, RESOURCE, timeout, holders));
    } else if (recording) {
      try {
        recorder.cancelled(name, RESOURCE, waited);
      } catch (Throwable t) {
        recorderErrors.pending = t;
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Whether nobody holds or waits (for tests). */
  boolean idle() {
    return (state & ~BIAS) == 0 && !slotsBusy();
  }

  /** Whether a waiter is queued (for tests). */
  boolean queued() {
    return (state & QUEUED) != 0;
  }

  /** The holders, for timeout messages: the writer's owner, or how many read. */
  private String describeHolders() {
    long s = state;
    if ((s & WRITER) != 0) {
      RwNode w = writer;
      return w != null && w.isHeld() ? w.describeOwner() : "a writer";
    }
    long readers = (s & READERS) + slotReaders();
    return readers == 0 ? null : readers == 1 ? "1 reader" : readers + " readers";
  }

  /** Takes the queue lock: held only for a few field writes, never across a wait. */
  private void lock() {
    if (MUTEX.compareAndSet(this, 0, 1)) {
      return;
    }
    int spins = 0;
    while (true) {
      if ((int) MUTEX.getVolatile(this) == 0 && MUTEX.compareAndSet(this, 0, 1)) {
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

  private void unlock() {
    VarHandle.releaseFence(); // a release store no deeper than the lock's CAS: see Segment.unlock
    mutex = 0;
  }

  @Override
  public String toString() {
    return "ReadWriteLock[" + name + "]";
  }
}
