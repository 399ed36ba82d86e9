package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The fast path's hand-off chain (see {@link FastSlots}): a blocking waiter queued behind a fast
 * hold without the stripe lock, then a frozen chain with the stripe entry's queue behind it. Each
 * test builds a known queue (a waiter counts as queued once its thread parks) and checks grant
 * order, that a waiter giving up never leaves the key held by nobody, and that nothing is retained.
 *
 * <p>Shown to fail against deliberately broken variants (then reverted): (1) {@code
 * FastSlots.handOff} returning when its grant CAS fails instead of releasing the cancelled waiter
 * on its behalf: "key held by nobody" after a chain waiter timed out or was interrupted; (2) {@code
 * Entry.promote} without its chain guard: a table waiter behind the chain is granted while the
 * chain's holder holds (the withdrawal of the waiter behind it promotes it: "granted out of turn");
 * (3) {@code FastSlots.takeOrQueue} without its own-node check: a holder asking again queues behind
 * itself and times out instead of failing at once with {@link DeadlockException}.
 */
class HandOffChainTest {
  private static final Duration LONG = Duration.ofSeconds(30);
  private static final String KEY = "hot";

  private final KeyedLock<String> lock = KeyedLock.create();
  private final LockEngine engine = ((ExclusiveKeyedLock<String>) lock).engine;
  private final ConcurrentLinkedQueue<String> granted = new ConcurrentLinkedQueue<>();

  private Object slot() {
    return engine.slots.get(LockEngine.spread(KEY.hashCode()) & FastSlots.MASK);
  }

  /** Starts a platform thread that waits for the key, records its grant and releases at once. */
  private Thread waiter(String name, Duration timeout, List<Throwable> failures) {
    Thread t =
        new Thread(
            () -> {
              try (LockHandle h = lock.acquire(KEY, timeout)) {
                granted.add(name);
                assertTrue(h.isHeld());
              } catch (Throwable e) {
                failures.add(e);
              }
            },
            name);
    t.start();
    awaitParked(t);
    return t;
  }

  /** Waits (without a time limit of its own) until the thread parks in its wait. */
  private static void awaitParked(Thread t) {
    while (t.getState() != Thread.State.TIMED_WAITING && t.isAlive()) {
      Thread.onSpinWait();
    }
  }

  private void assertNothingLeft() {
    LockHandle again = lock.tryAcquire(KEY).orElse(null);
    assertTrue(again != null, "key held by nobody");
    again.close();
    assertEquals(0, lock.activeKeys(), "keys retained");
    assertNull(slot(), "slot not freed");
  }

  @Test
  void grantsTheChainThenTheTableQueueInArrivalOrder() throws Exception {
    List<Throwable> failures = new ArrayList<>();
    LockHandle a = lock.acquire(KEY, LONG); // a fast hold
    Thread b = waiter("b", LONG, failures); // queues in the slot, behind a
    assertInstanceOf(Waiter.class, slot(), "b should wait in the slot's chain");
    Thread c = waiter("c", LONG, failures); // finds a waiter there: inflates, table queue
    assertEquals(FastSlots.INFLATED, slot());
    Thread d = waiter("d", LONG, failures);
    a.close();
    for (Thread t : List.of(b, c, d)) {
      t.join();
    }
    assertTrue(failures.isEmpty(), () -> "failures: " + failures);
    assertEquals(List.of("b", "c", "d"), List.copyOf(granted));
    assertNothingLeft();
  }

  @Test
  void aChainWaiterThatTimesOutLeavesTheKeyToTheNext() throws Exception {
    List<Throwable> failures = new ArrayList<>();
    LockHandle a = lock.acquire(KEY, LONG);
    Thread b = waiter("b", Duration.ofMillis(50), failures);
    b.join(); // timed out: still linked behind a, cancelled
    assertEquals(1, failures.size());
    LockTimeoutException e = assertInstanceOf(LockTimeoutException.class, failures.get(0));
    assertTrue(e.getMessage().contains(Thread.currentThread().getName()), e.getMessage());
    failures.clear();
    a.close(); // hands off to the cancelled b: releases it on its behalf
    assertTrue(granted.isEmpty());
    assertNothingLeft();

    // The same with a table queue behind the cancelled chain waiter.
    a = lock.acquire(KEY, LONG);
    b = waiter("b", Duration.ofMillis(50), failures);
    Thread c = waiter("c", LONG, failures); // behind b (inflates: the chain freezes)
    b.join();
    assertFalse(granted.contains("c"));
    a.close();
    c.join();
    assertEquals(1, failures.size()); // b's timeout only
    assertEquals(List.of("c"), List.copyOf(granted));
    assertNothingLeft();
  }

  @Test
  void anInterruptedChainWaiterLeavesNothingBehind() throws Exception {
    List<Throwable> failures = new ArrayList<>();
    LockHandle a = lock.acquire(KEY, LONG);
    Thread b = waiter("b", LONG, failures);
    b.interrupt();
    b.join();
    assertEquals(1, failures.size());
    assertInstanceOf(InterruptedException.class, failures.get(0));
    a.close();
    assertNothingLeft();
  }

  @Test
  void aTableWaiterGivingUpDoesNotLetTheNextOneOvertakeTheChain() throws Exception {
    List<Throwable> failures = new ArrayList<>();
    LockHandle a = lock.acquire(KEY, LONG);
    Thread b = waiter("b", LONG, failures); // chain
    Thread c = waiter("c", Duration.ofMillis(300), failures); // table queue, gives up
    Thread d = waiter("d", LONG, failures); // table queue, behind c
    c.join(); // its withdrawal must not grant d while a (then b) holds the key
    assertTrue(granted.isEmpty(), () -> "granted out of turn: " + granted);
    assertTrue(a.isHeld());
    a.close();
    b.join();
    d.join();
    assertEquals(1, failures.size()); // c's timeout
    assertEquals(List.of("b", "d"), List.copyOf(granted));
    assertNothingLeft();
  }

  @Test
  void aHolderAskingAgainBehindItsOwnChainFailsAtOnce() throws Exception {
    List<Throwable> failures = new ArrayList<>();
    LockHandle a = lock.acquire(KEY, LONG);
    Thread b = waiter("b", LONG, failures); // the slot now holds b's node, not a's
    assertThrows(DeadlockException.class, () -> lock.acquire(KEY, Duration.ofSeconds(5)));
    assertTrue(a.isHeld());
    a.close();
    b.join();
    assertTrue(failures.isEmpty(), () -> "failures: " + failures);
    assertNothingLeft();

    // A holder asking again while it is alone in the slot (no chain yet).
    a = lock.acquire(KEY, LONG);
    assertThrows(DeadlockException.class, () -> lock.acquire(KEY, Duration.ofSeconds(5)));
    a.close();
    assertNothingLeft();
  }

  @Test
  void aSecondCloseOfAHandedOffHoldIsANoOp() throws Exception {
    List<Throwable> failures = new ArrayList<>();
    LockHandle a = lock.acquire(KEY, LONG);
    Thread b = waiter("b", LONG, failures);
    a.close();
    b.join();
    a.close(); // its node links to b's: must not hand off again
    assertFalse(a.isHeld());
    assertTrue(failures.isEmpty(), () -> "failures: " + failures);
    assertNothingLeft();
  }

  /**
   * Two threads that keep a hot key busy with no gap form one endless chain: a released node must
   * not stay reachable from the slot (through the holder's prev) or from a closed handle (through
   * its next). Shown to fail (then reverted) with the hand-off that leaves prev and next set: the
   * first waiter's node stayed reachable ("released chain node retained"); since session 11 the
   * granted waiter clears its own prev (the releaser no longer writes it), and the test failed the
   * same way with that clearing left out of {@code LockEngine.granted}.
   */
  @Test
  void aGaplessChainDoesNotRetainItsReleasedNodes() throws Exception {
    List<Throwable> failures = new ArrayList<>();
    AtomicReference<LockHandle> bHandle = new AtomicReference<>();
    CountDownLatch bRelease = new CountDownLatch(1);
    LockHandle a = lock.acquire(KEY, LONG); // a fast hold; kept (closed) to the end
    Thread b =
        new Thread(
            () -> {
              try {
                LockHandle h = lock.acquire(KEY, LONG);
                bHandle.set(h);
                bRelease.await();
                h.close();
              } catch (Throwable e) {
                failures.add(e);
              }
            },
            "b");
    b.start();
    awaitParked(b);
    assertInstanceOf(Waiter.class, slot(), "b should wait in the slot's chain");
    a.close(); // b holds
    while (bHandle.get() == null) {
      Thread.onSpinWait();
    }
    WeakReference<LockHandle> bNode = new WeakReference<>(bHandle.getAndSet(null));
    CountDownLatch cHolds = new CountDownLatch(1);
    CountDownLatch cRelease = new CountDownLatch(1);
    Thread c =
        new Thread(
            () -> {
              try (LockHandle h = lock.acquire(KEY, LONG)) {
                cHolds.countDown();
                cRelease.await();
              } catch (Throwable e) {
                failures.add(e);
              }
            },
            "c");
    c.start();
    awaitParked(c); // queued behind b, without a gap
    bRelease.countDown(); // b hands the key to c
    b.join();
    cHolds.await();
    // c holds: the slot's node is c's; b's node is reachable only through c's prev or a's next.
    for (int i = 0; i < 20 && bNode.get() != null; i++) {
      System.gc();
      Thread.sleep(5);
    }
    cRelease.countDown();
    c.join();
    assertTrue(failures.isEmpty(), () -> "failures: " + failures);
    assertNull(bNode.get(), "released chain node retained");
    assertFalse(a.isHeld());
    assertNothingLeft();
  }
}
