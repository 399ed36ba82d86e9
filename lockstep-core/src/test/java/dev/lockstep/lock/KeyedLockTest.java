package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class KeyedLockTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  @Test
  void acquireAndReleaseLeavesNoEntry() throws Exception {
    KeyedLock<String> lock = KeyedLock.create();
    try (LockHandle h = lock.acquire("alice", LONG)) {
      assertTrue(h.isHeld());
      assertEquals("alice", h.key());
      assertEquals(LockMode.EXCLUSIVE, h.mode());
      assertTrue(lock.isLocked("alice"));
      assertEquals(1, lock.activeKeys());
    }
    assertFalse(lock.isLocked("alice"));
    assertEquals(0, lock.activeKeys());
  }

  @Test
  void secondCloseIsANoOpAndDoesNotReleaseTheNextHolder() throws Exception {
    KeyedLock<String> lock = KeyedLock.create();
    LockHandle first = lock.acquire("k", LONG);
    first.close();
    LockHandle second = lock.acquire("k", LONG);
    first.close();
    assertTrue(second.isHeld());
    assertTrue(lock.tryAcquire("k").isEmpty());
    second.close();
    assertEquals(0, lock.activeKeys());
  }

  @Test
  void handleFromAnotherLockIsRejected() throws Exception {
    KeyedLock<String> a = KeyedLock.create(LockOptions.named("a"));
    KeyedLock<String> b = KeyedLock.create(LockOptions.named("b"));
    try (LockHandle h = a.acquire("k", LONG)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.release(h));
      assertTrue(e.getMessage().contains("'b'"), e.getMessage());
      assertTrue(h.isHeld());
    }
  }

  @Test
  void selfDeadlockFailsAtOnce() throws Exception {
    KeyedLock<String> lock = KeyedLock.create(LockOptions.named("users"));
    try (LockHandle h = lock.acquire("alice", LONG)) {
      DeadlockException e =
          assertThrows(DeadlockException.class, () -> lock.acquire("alice", LONG));
      assertTrue(e.getMessage().contains("alice"), e.getMessage());
      assertTrue(lock.tryAcquire("alice").isEmpty());
      assertTrue(h.isHeld());
    }
    assertEquals(0, lock.activeKeys());
  }

  @Test
  void asyncWaitForOwnKeyIsLegitimateUnlessOwnerIsShared() throws Exception {
    KeyedLock<String> lock = KeyedLock.create();
    LockHandle h = lock.acquire("k", LONG);
    CompletableFuture<LockHandle> later = lock.acquireAsync("k", LONG);
    assertFalse(later.isDone());
    h.close();
    later.get(10, TimeUnit.SECONDS).close();

    LockOwner task = LockOwner.named("task-7");
    LockHandle held = lock.acquireAsync("k", LONG, task).get(10, TimeUnit.SECONDS);
    CompletableFuture<LockHandle> again = lock.acquireAsync("k", LONG, task);
    ExecutionException ee = assertThrows(ExecutionException.class, again::get);
    assertTrue(ee.getCause() instanceof DeadlockException, ee.toString());
    assertTrue(ee.getCause().getMessage().contains("task-7"), ee.getCause().getMessage());
    held.close();
    assertEquals(0, lock.activeKeys());
  }

  @Test
  void timeoutNamesKeyAndHolderAndLeavesHolderAlone() throws Exception {
    KeyedLock<String> lock = KeyedLock.create(LockOptions.named("users"));
    LockHandle held = lock.acquire("bob", LONG);
    Thread t =
        Thread.ofPlatform()
            .start(
                () -> {
                  LockTimeoutException e =
                      assertThrows(
                          LockTimeoutException.class,
                          () -> lock.acquire("bob", Duration.ofMillis(50)));
                  assertTrue(e.getMessage().contains("'bob'"), e.getMessage());
                  assertTrue(e.getMessage().contains(Thread.currentThread().getName()) == false);
                  assertTrue(e.getMessage().contains("held by thread"), e.getMessage());
                });
    t.join();
    assertTrue(held.isHeld());
    held.close();
    assertEquals(0, lock.activeKeys());
  }

  @Test
  void badInputIsRefusedClearly() {
    KeyedLock<String> lock = KeyedLock.create();
    assertThrows(NullPointerException.class, () -> lock.acquire(null, LONG));
    assertThrows(NullPointerException.class, () -> lock.acquire("k", null));
    IllegalArgumentException neg =
        assertThrows(
            IllegalArgumentException.class, () -> lock.acquire("k", Duration.ofSeconds(-1)));
    assertTrue(neg.getMessage().contains("timeout"));
    IllegalArgumentException max =
        assertThrows(
            IllegalArgumentException.class, () -> LockOptions.DEFAULTS.withMaxActiveKeys(0));
    assertTrue(max.getMessage().contains("maxActiveKeys"));
    assertEquals(0, lock.activeKeys());
  }

  @Test
  void zeroTimeoutMeansDoNotWait() throws Exception {
    KeyedLock<String> lock = KeyedLock.create();
    try (LockHandle h = lock.acquire("k", Duration.ZERO)) {
      Thread t =
          Thread.ofVirtual()
              .start(
                  () -> {
                    assertThrows(
                        LockTimeoutException.class, () -> lock.acquire("k", Duration.ZERO));
                  });
      t.join();
      assertTrue(h.isHeld());
    }
  }

  @Test
  void capacityRefusesNewKeysOnly() throws Exception {
    KeyedLock<Integer> lock = KeyedLock.create(LockOptions.named("users").withMaxActiveKeys(2));
    LockHandle a = lock.acquire(1, LONG);
    LockHandle b = lock.acquire(2, LONG);
    CapacityExceededException e =
        assertThrows(CapacityExceededException.class, () -> lock.acquire(3, LONG));
    assertEquals(2, e.limit());
    assertEquals(2, e.active());
    assertTrue(e.getMessage().contains("maxActiveKeys is 2"), e.getMessage());
    // An active key still queues.
    CompletableFuture<LockHandle> w =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return lock.acquire(1, LONG);
              } catch (InterruptedException ex) {
                throw new IllegalStateException(ex);
              }
            });
    a.close();
    w.get(10, TimeUnit.SECONDS).close();
    b.close();
    lock.acquire(3, LONG).close();
    assertEquals(0, lock.activeKeys());
  }

  @Test
  void fifoHandOff() throws Exception {
    KeyedLock<String> lock = KeyedLock.create();
    LockHandle first = lock.acquire("k", LONG);
    List<Integer> order = new ArrayList<>();
    List<CompletableFuture<LockHandle>> waits = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int id = i;
      waits.add(
          lock.acquireAsync("k", LONG)
              .thenApply(
                  h -> {
                    synchronized (order) {
                      order.add(id);
                    }
                    return h;
                  }));
    }
    first.close();
    for (CompletableFuture<LockHandle> w : waits) {
      w.get(10, TimeUnit.SECONDS).close();
    }
    assertEquals(List.of(0, 1, 2, 3, 4), order);
    assertEquals(0, lock.activeKeys());
  }

  @Test
  void cancelledAsyncWaitIsRemovedAndNeverLeavesTheKeyHeld() throws Exception {
    KeyedLock<String> lock = KeyedLock.create();
    LockHandle h = lock.acquire("k", LONG);
    CompletableFuture<LockHandle> w = lock.acquireAsync("k", LONG);
    assertTrue(w.cancel(false));
    assertThrows(CancellationException.class, w::join);
    h.close();
    assertEquals(0, lock.activeKeys());
  }

  @Test
  void asyncTimeoutFailsTheFuture() throws Exception {
    KeyedLock<String> lock = KeyedLock.create();
    try (LockHandle h = lock.acquire("k", LONG)) {
      CompletableFuture<LockHandle> w = lock.acquireAsync("k", Duration.ofMillis(30));
      ExecutionException e = assertThrows(ExecutionException.class, w::get);
      assertTrue(e.getCause() instanceof LockTimeoutException, e.toString());
      assertTrue(h.isHeld());
    }
    assertEquals(0, lock.activeKeys());
  }

  @Test
  void interruptedWaiterLeaves() throws Exception {
    KeyedLock<String> lock = KeyedLock.create();
    LockHandle h = lock.acquire("k", LONG);
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    Thread t =
        Thread.ofPlatform()
            .start(
                () -> {
                  started.countDown();
                  try {
                    lock.acquire("k", LONG).close();
                  } catch (InterruptedException e) {
                    interrupted.set(true);
                  }
                });
    started.await();
    Thread.sleep(50);
    t.interrupt();
    t.join();
    assertTrue(interrupted.get());
    h.close();
    assertEquals(0, lock.activeKeys());
  }

  @Test
  void releaseFromAnotherThread() throws Exception {
    KeyedLock<String> lock = KeyedLock.create();
    LockHandle h = lock.acquire("k", LONG);
    Thread t = Thread.ofVirtual().start(h::close);
    t.join();
    assertFalse(h.isHeld());
    LockHandle again = lock.acquire("k", Duration.ZERO);
    assertSame(LockMode.EXCLUSIVE, again.mode());
    again.close();
  }
}
