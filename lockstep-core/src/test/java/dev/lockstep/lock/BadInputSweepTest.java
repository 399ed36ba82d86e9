package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Section 6 of the issue as one sweep over every kind of keyed lock: each bad call fails with a
 * clear exception that names the argument (or is a documented no-op), and the lock still works
 * after it: a key is acquired and released, and no key is left active.
 */
class BadInputSweepTest {
  private static final Duration SECOND = Duration.ofSeconds(1);

  /** The operations the sweep needs, over one kind of lock. */
  interface Face {
    LockHandle acquire(String key, Duration timeout) throws InterruptedException;

    Optional<LockHandle> tryAcquire(String key);

    CompletableFuture<LockHandle> acquireAsync(String key, Duration timeout);

    CompletableFuture<LockHandle> acquireAsync(String key, Duration timeout, LockOwner owner);

    void release(LockHandle handle);

    int activeKeys();
  }

  static Face keyed(KeyedLock<String> l) {
    return new Face() {
      public LockHandle acquire(String key, Duration t) throws InterruptedException {
        return l.acquire(key, t);
      }

      public Optional<LockHandle> tryAcquire(String key) {
        return l.tryAcquire(key);
      }

      public CompletableFuture<LockHandle> acquireAsync(String key, Duration t) {
        return l.acquireAsync(key, t);
      }

      public CompletableFuture<LockHandle> acquireAsync(String key, Duration t, LockOwner o) {
        return l.acquireAsync(key, t, o);
      }

      public void release(LockHandle h) {
        l.release(h);
      }

      public int activeKeys() {
        return l.activeKeys();
      }

      @Override
      public String toString() {
        return l.toString();
      }
    };
  }

  static Face writes(KeyedReadWriteLock<String> l) {
    return new Face() {
      public LockHandle acquire(String key, Duration t) throws InterruptedException {
        return l.acquireWrite(key, t);
      }

      public Optional<LockHandle> tryAcquire(String key) {
        return l.tryAcquireWrite(key);
      }

      public CompletableFuture<LockHandle> acquireAsync(String key, Duration t) {
        return l.acquireWriteAsync(key, t);
      }

      public CompletableFuture<LockHandle> acquireAsync(String key, Duration t, LockOwner o) {
        return l.acquireWriteAsync(key, t, o);
      }

      public void release(LockHandle h) {
        l.release(h);
      }

      public int activeKeys() {
        return l.activeKeys();
      }

      @Override
      public String toString() {
        return l.toString() + " (writes)";
      }
    };
  }

  static List<Face> faces() {
    LockRegistry registry =
        LockRegistry.create(RegistryOptions.DEFAULTS.withWatchdogInterval(Duration.ZERO));
    LockRegistry quiet =
        LockRegistry.create(
            RegistryOptions.DEFAULTS.withStatistics(false).withWatchdogInterval(Duration.ZERO));
    return List.of(
        keyed(KeyedLock.create()),
        keyed(KeyedLock.create(LockOptions.named("limited").withMaxActiveKeys(1))),
        keyed(registry.keyed("registry")),
        keyed(quiet.keyed("quiet")),
        writes(KeyedReadWriteLock.create()),
        writes(registry.readWrite("registry-rw")));
  }

  @ParameterizedTest
  @MethodSource("faces")
  void everyBadCallIsRefusedClearlyAndLeavesTheLockWorking(Face l) throws Exception {
    refused(l, NullPointerException.class, "key", () -> l.acquire(null, SECOND));
    refused(l, NullPointerException.class, "key", () -> l.tryAcquire(null));
    refused(l, NullPointerException.class, "timeout", () -> l.acquire("k", null));
    refused(
        l, IllegalArgumentException.class, "timeout", () -> l.acquire("k", Duration.ofNanos(-1)));
    refused(l, NullPointerException.class, "owner", () -> l.acquireAsync("k", SECOND, null));
    refused(l, NullPointerException.class, "handle", () -> l.release(null));
    // Asynchronous bad arguments fail the future, as KeyedLock#acquireAsync says.
    failed(l, NullPointerException.class, l.acquireAsync(null, SECOND));
    failed(l, NullPointerException.class, l.acquireAsync("k", null));
    failed(l, IllegalArgumentException.class, l.acquireAsync("k", Duration.ofSeconds(-1)));

    // Zero and huge timeouts: a free key is taken; a zero timeout on a busy key does not wait.
    l.acquire("k", Duration.ZERO).close();
    l.acquire("k", Duration.ofSeconds(Long.MAX_VALUE)).close();
    l.acquireAsync("k", Duration.ofSeconds(Long.MAX_VALUE)).get().close();
    works(l);

    // Double release, by close and by release, and a stale handle after a new holder came.
    LockHandle h = l.acquire("k", Duration.ZERO);
    h.close();
    h.close();
    l.release(h);
    assertFalse(h.isHeld());
    LockHandle next = l.acquire("k", Duration.ZERO);
    h.close();
    l.release(h);
    assertTrue(next.isHeld());
    next.close();
    works(l);

    // Handles from other locks, of any kind, while this lock holds the same key.
    try (LockHandle mine = l.acquire("k", Duration.ZERO)) {
      for (LockHandle foreign :
          List.of(
              KeyedLock.<String>create().acquire("k", Duration.ZERO),
              KeyedReadWriteLock.<String>create().acquireRead("k", Duration.ZERO),
              ReadWriteLock.create().acquireRead(Duration.ZERO))) {
        Throwable e = assertThrows(IllegalArgumentException.class, () -> l.release(foreign));
        assertTrue(e.getMessage().contains("not issued by"), e.getMessage());
        assertTrue(foreign.isHeld());
        foreign.close();
      }
      assertTrue(mine.isHeld());
      Throwable e = assertThrows(DeadlockException.class, () -> l.acquire("k", SECOND));
      assertTrue(e.getMessage().contains("self-deadlock"), e.getMessage());
      assertEquals(Optional.empty(), l.tryAcquire("k"));
      assertTrue(mine.isHeld());
    }
    works(l);
  }

  private static void refused(
      Face l, Class<? extends Throwable> type, String named, Executable call) {
    Throwable e = assertThrows(type, call, l.toString());
    assertTrue(e.getMessage() != null && e.getMessage().contains(named), l + ": " + e);
    works(l);
  }

  private static void failed(
      Face l, Class<? extends Throwable> type, CompletableFuture<LockHandle> future) {
    ExecutionException e = assertThrows(ExecutionException.class, future::get, l.toString());
    assertTrue(type.isInstance(e.getCause()), l + ": " + e.getCause());
    works(l);
  }

  /** The lock still works: a key is taken and given back, and nothing stays active. */
  private static void works(Face l) {
    try {
      LockHandle h = l.acquire("probe", SECOND);
      assertTrue(h.isHeld(), l.toString());
      h.close();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    assertEquals(0, l.activeKeys(), l + " kept a key");
  }
}
