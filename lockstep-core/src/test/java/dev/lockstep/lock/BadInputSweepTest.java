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
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntSupplier;
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

  /** A blocking acquire of one kind of lock. */
  interface Acquire {
    LockHandle call(String key, Duration timeout) throws InterruptedException;
  }

  /** An asynchronous acquire on behalf of an explicit owner. */
  interface OwnedAsync {
    CompletableFuture<LockHandle> call(String key, Duration timeout, LockOwner owner);
  }

  /** The operations the sweep needs, over one kind of lock. */
  record Face(
      String name,
      Acquire acquire,
      Function<String, Optional<LockHandle>> tryAcquire,
      BiFunction<String, Duration, CompletableFuture<LockHandle>> async,
      OwnedAsync ownedAsync,
      Consumer<LockHandle> release,
      IntSupplier activeKeys) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Face keyed(KeyedLock<String> l) {
    return new Face(
        l.toString(),
        l::acquire,
        l::tryAcquire,
        l::acquireAsync,
        l::acquireAsync,
        l::release,
        l::activeKeys);
  }

  static Face writes(KeyedReadWriteLock<String> l) {
    return new Face(
        l + " (writes)",
        l::acquireWrite,
        l::tryAcquireWrite,
        l::acquireWriteAsync,
        l::acquireWriteAsync,
        l::release,
        l::activeKeys);
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
    refused(l, NullPointerException.class, "key", () -> l.acquire().call(null, SECOND));
    refused(l, NullPointerException.class, "key", () -> l.tryAcquire().apply(null));
    refused(l, NullPointerException.class, "timeout", () -> l.acquire().call("k", null));
    refused(
        l,
        IllegalArgumentException.class,
        "timeout",
        () -> l.acquire().call("k", Duration.ofNanos(-1)));
    refused(l, NullPointerException.class, "owner", () -> l.ownedAsync().call("k", SECOND, null));
    refused(l, NullPointerException.class, "handle", () -> l.release().accept(null));
    // Asynchronous bad arguments fail the future, as KeyedLock#acquireAsync says.
    failed(l, NullPointerException.class, l.async().apply(null, SECOND));
    failed(l, NullPointerException.class, l.async().apply("k", null));
    failed(l, IllegalArgumentException.class, l.async().apply("k", Duration.ofSeconds(-1)));

    // Zero and huge timeouts: a free key is taken; a zero timeout on a busy key does not wait.
    l.acquire().call("k", Duration.ZERO).close();
    l.acquire().call("k", Duration.ofSeconds(Long.MAX_VALUE)).close();
    l.async().apply("k", Duration.ofSeconds(Long.MAX_VALUE)).get().close();
    works(l);

    // Double release, by close and by release, and a stale handle after a new holder came.
    LockHandle h = l.acquire().call("k", Duration.ZERO);
    h.close();
    h.close();
    l.release().accept(h);
    assertFalse(h.isHeld());
    LockHandle next = l.acquire().call("k", Duration.ZERO);
    h.close();
    l.release().accept(h);
    assertTrue(next.isHeld());
    next.close();
    works(l);

    // Handles from other locks, of any kind, while this lock holds the same key.
    try (LockHandle mine = l.acquire().call("k", Duration.ZERO)) {
      for (LockHandle foreign :
          List.of(
              KeyedLock.<String>create().acquire("k", Duration.ZERO),
              KeyedReadWriteLock.<String>create().acquireRead("k", Duration.ZERO),
              ReadWriteLock.create().acquireRead(Duration.ZERO))) {
        Throwable e =
            assertThrows(IllegalArgumentException.class, () -> l.release().accept(foreign));
        assertTrue(e.getMessage().contains("not issued by"), e.getMessage());
        assertTrue(foreign.isHeld());
        foreign.close();
      }
      assertTrue(mine.isHeld());
      Throwable e = assertThrows(DeadlockException.class, () -> l.acquire().call("k", SECOND));
      assertTrue(e.getMessage().contains("self-deadlock"), e.getMessage());
      assertEquals(Optional.empty(), l.tryAcquire().apply("k"));
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
      LockHandle h = l.acquire().call("probe", SECOND);
      assertTrue(h.isHeld(), l.toString());
      h.close();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    assertEquals(0, l.activeKeys().getAsInt(), l + " kept a key");
  }
}
