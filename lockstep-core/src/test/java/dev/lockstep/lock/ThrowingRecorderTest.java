package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A recorder that throws (a user's bug: {@link LockRecorder} says it must not) never wedges a lock,
 * and the caller sees what {@link LockRecorder}'s javadoc promises: the state change stands, so an
 * acquire whose {@code acquired} call throws returns its handle (a blocking, a try, a granted
 * waiter and an asynchronous acquire alike), and a close whose {@code released} call throws returns
 * normally, having released and woken the next waiter.
 *
 * <p>Shown to fail on the code before the fix: the acquire threw the recorder's exception with the
 * hold taken and no handle ("a fresh thread could not take the lock"), and a close whose recorder
 * threw skipped the wake-up of the queued waiter (which then timed out).
 */
class ThrowingRecorderTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Throws from the chosen calls, and counts them. */
  static final class Throwing implements LockRecorder {
    final boolean onAcquired;
    final boolean onReleased;
    final AtomicInteger thrown = new AtomicInteger();

    Throwing(boolean onAcquired, boolean onReleased) {
      this.onAcquired = onAcquired;
      this.onReleased = onReleased;
    }

    @Override
    public void acquired(String lock, Object key, LockMode mode, long waitNanos, boolean c) {
      if (onAcquired) {
        thrown.incrementAndGet();
        throw new IllegalStateException("recorder bug on acquired");
      }
    }

    @Override
    public void released(String lock, Object key, long holdNanos) {
      if (onReleased) {
        thrown.incrementAndGet();
        throw new IllegalStateException("recorder bug on released");
      }
    }
  }

  /** One lock seen through the operations the test needs. */
  interface Target {
    LockHandle acquire(boolean shared) throws InterruptedException;

    Optional<LockHandle> tryAcquire(boolean shared);

    CompletableFuture<LockHandle> acquireAsync(boolean shared);
  }

  static Target single(LockRecorder r) {
    ReadWriteLock l = ReadWriteLock.create(LockOptions.named("single").withRecorder(r));
    return new Target() {
      @Override
      public LockHandle acquire(boolean shared) throws InterruptedException {
        return shared ? l.acquireRead(WAIT) : l.acquireWrite(WAIT);
      }

      @Override
      public Optional<LockHandle> tryAcquire(boolean shared) {
        return shared ? l.tryAcquireRead() : l.tryAcquireWrite();
      }

      @Override
      public CompletableFuture<LockHandle> acquireAsync(boolean shared) {
        return shared ? l.acquireReadAsync(WAIT) : l.acquireWriteAsync(WAIT);
      }
    };
  }

  static Target keyedReadWrite(LockRecorder r) {
    KeyedReadWriteLock<String> l =
        KeyedReadWriteLock.create(LockOptions.named("keyed-rw").withRecorder(r));
    return new Target() {
      @Override
      public LockHandle acquire(boolean shared) throws InterruptedException {
        return shared ? l.acquireRead("k", WAIT) : l.acquireWrite("k", WAIT);
      }

      @Override
      public Optional<LockHandle> tryAcquire(boolean shared) {
        return shared ? l.tryAcquireRead("k") : l.tryAcquireWrite("k");
      }

      @Override
      public CompletableFuture<LockHandle> acquireAsync(boolean shared) {
        return shared ? l.acquireReadAsync("k", WAIT) : l.acquireWriteAsync("k", WAIT);
      }
    };
  }

  static Target keyed(LockRecorder r) {
    KeyedLock<String> l = KeyedLock.create(LockOptions.named("keyed").withRecorder(r));
    return new Target() {
      @Override
      public LockHandle acquire(boolean shared) throws InterruptedException {
        return l.acquire("k", WAIT);
      }

      @Override
      public Optional<LockHandle> tryAcquire(boolean shared) {
        return l.tryAcquire("k");
      }

      @Override
      public CompletableFuture<LockHandle> acquireAsync(boolean shared) {
        return l.acquireAsync("k", WAIT);
      }
    };
  }

  /** The lock is free: another thread takes the write hold at once, and lets it go. */
  static void freeForAnotherThread(Target t) throws Exception {
    CompletableFuture<Boolean> took = new CompletableFuture<>();
    Thread.ofPlatform()
        .start(
            () -> {
              Optional<LockHandle> h = t.tryAcquire(false);
              h.ifPresent(LockHandle::close);
              took.complete(h.isPresent());
            });
    assertTrue(took.get(10, TimeUnit.SECONDS), "another thread could not take the lock at once");
  }

  /**
   * Holds the write lock while another thread queues for it, then closes: the waiter must be
   * granted, woken and handed a held handle.
   */
  static void handOffToAWaiter(Target t) throws Exception {
    LockHandle first = t.acquire(false);
    CompletableFuture<LockHandle> waiting = new CompletableFuture<>();
    Thread w =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    waiting.complete(t.acquire(false));
                  } catch (Throwable e) {
                    waiting.completeExceptionally(e);
                  }
                });
    Thread.sleep(50);
    first.close();
    LockHandle granted = waiting.get(10, TimeUnit.SECONDS);
    assertTrue(granted.isHeld());
    granted.close();
    w.join();
  }

  private static void throwingAcquired(Target t, Throwing r) throws Exception {
    for (boolean shared : new boolean[] {true, false}) {
      LockHandle h = t.acquire(shared); // the hold stands: a handle, not the recorder's exception
      assertTrue(h.isHeld());
      h.close();
      assertFalse(h.isHeld());
      freeForAnotherThread(t);
      Optional<LockHandle> tried = t.tryAcquire(shared);
      assertTrue(tried.isPresent());
      tried.get().close();
      freeForAnotherThread(t);
      LockHandle async = t.acquireAsync(shared).get(10, TimeUnit.SECONDS);
      assertTrue(async.isHeld());
      async.close();
      freeForAnotherThread(t);
    }
    // A waiter granted by a release: its recorder call throws on the granted thread's side.
    handOffToAWaiter(t);
    // An asynchronous waiter granted by a release: its recorder call throws on the releaser's side.
    LockHandle second = t.acquire(false);
    CompletableFuture<LockHandle> asyncWaiting = t.acquireAsync(false);
    second.close();
    LockHandle grantedAsync = asyncWaiting.get(10, TimeUnit.SECONDS);
    assertTrue(grantedAsync.isHeld());
    grantedAsync.close();
    freeForAnotherThread(t);
    assertTrue(r.thrown.get() > 0);
  }

  private static void throwingReleased(Target t, Throwing r) throws Exception {
    for (boolean shared : new boolean[] {true, false}) {
      LockHandle h = t.acquire(shared);
      h.close(); // returns normally: the release stands
      assertFalse(h.isHeld());
      freeForAnotherThread(t);
    }
    // A queued waiter is woken by a close whose recorder throws.
    handOffToAWaiter(t);
    freeForAnotherThread(t);
    assertTrue(r.thrown.get() > 0);
  }

  /** Each kind of lock with its own recorder of the given kind. */
  private static void eachLock(boolean onAcquired, boolean onReleased, Check check)
      throws Exception {
    Throwing a = new Throwing(onAcquired, onReleased);
    check.run(single(a), a);
    Throwing b = new Throwing(onAcquired, onReleased);
    check.run(keyed(b), b);
    Throwing c = new Throwing(onAcquired, onReleased);
    check.run(keyedReadWrite(c), c);
  }

  @FunctionalInterface
  interface Check {
    void run(Target t, Throwing r) throws Exception;
  }

  @Test
  void aRecorderThrowingFromAcquiredWedgesNoLock() throws Exception {
    eachLock(true, false, ThrowingRecorderTest::throwingAcquired);
  }

  @Test
  void aRecorderThrowingFromReleasedWedgesNoLock() throws Exception {
    eachLock(false, true, ThrowingRecorderTest::throwingReleased);
  }

  @Test
  void aRecorderThrowingEverywhereWedgesNoLock() throws Exception {
    eachLock(
        true,
        true,
        (t, r) -> {
          throwingAcquired(t, r);
          throwingReleased(t, r);
        });
  }
}
