package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The registry's options and watchdog given what a careless user gives them. */
class WatchdogBadInputTest {
  private static final Duration LONG = Duration.ofSeconds(30);
  private static final Duration FOREVER = Duration.ofSeconds(Long.MAX_VALUE);

  /**
   * Thresholds and an interval too long for a {@code long} of nanoseconds mean "never": the lock is
   * created, works and is watched without an error. (Failed before they were saturated: {@code
   * keyed} threw {@code ArithmeticException: long overflow}, and so did the watchdog's thread.)
   */
  @Test
  void hugeThresholdsAndIntervalMeanNever() throws Exception {
    RegistryOptions forever = RegistryOptions.DEFAULTS.withThresholds(FOREVER, FOREVER);
    try (LockRegistry r = LockRegistry.create(forever.withWatchdogInterval(Duration.ofMillis(1)))) {
      KeyedLock<String> lock = r.keyed("forever");
      try (LockHandle h = lock.acquire("k", LONG)) {
        WatchedLockRegistry watched = (WatchedLockRegistry) r;
        watched.look(new java.util.HashSet<>()); // what the watchdog thread does, on this thread
        assertTrue(h.isHeld());
      }
      LockSnapshot s = r.snapshot().lock("forever").orElseThrow();
      assertEquals(1, s.counters().releases());
      assertTrue(r.snapshot().alerts().isEmpty());
    }
    LockRegistry slow = LockRegistry.create(forever.withWatchdogInterval(FOREVER));
    long start = System.nanoTime();
    slow.close(); // interrupts a sleep of "forever", promptly
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
  }

  /** A ring buffer is allocated in full: an absurd size is refused, naming the property. */
  @Test
  void recentOperationsHasAnUpperLimit() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RegistryOptions.DEFAULTS.withRecentOperations(Integer.MAX_VALUE));
    assertTrue(e.getMessage().contains("recentOperations"), e.getMessage());
    RegistryOptions most =
        RegistryOptions.DEFAULTS.withRecentOperations(RegistryOptions.MAX_RECENT_OPERATIONS);
    assertEquals(RegistryOptions.MAX_RECENT_OPERATIONS, most.recentOperations());
  }

  /**
   * A listener that throws an {@code Error} (a failed assertion, say) loses that alert, not the
   * watchdog: the next long hold is still reported. A key whose {@code toString()} throws still
   * shows in snapshots and alerts. (Failed before: the listener's {@code AssertionError} ended the
   * watchdog's thread, and the snapshot threw the key's exception.)
   */
  @Test
  void watchdogOutlivesThrowingListenersAndKeys() throws Exception {
    List<WatchdogAlert> seen = new CopyOnWriteArrayList<>();
    RegistryOptions o =
        RegistryOptions.DEFAULTS
            .withThresholds(Duration.ofMillis(20), Duration.ofMillis(20))
            .withWatchdogInterval(Duration.ofMillis(5))
            .withListener(
                a -> {
                  seen.add(a);
                  throw new AssertionError("listener fails on " + a.key());
                });
    Object hostile =
        new Object() {
          @Override
          public String toString() {
            throw new IllegalStateException("no text for this key");
          }
        };
    try (LockRegistry r = LockRegistry.create(o)) {
      KeyedLock<Object> lock = r.keyed("watched");
      try (LockHandle first = lock.acquire("first", LONG)) {
        awaitAlerts(seen, 1);
        assertTrue(first.isHeld());
      }
      try (LockHandle second = lock.acquire(hostile, LONG)) {
        awaitAlerts(seen, 2);
        String key = seen.get(1).key();
        assertTrue(key.contains("toString() threw"), key);
        LockSnapshot s = r.snapshot().lock("watched").orElseThrow();
        assertEquals(key, s.holders().get(0).key());
        assertTrue(r.snapshot().toJson().contains("toString() threw"));
        assertTrue(second.isHeld());
      }
      try (LockHandle h = lock.acquire("after", LONG)) {
        assertTrue(h.isHeld());
      }
      assertEquals(0, lock.activeKeys());
    }
  }

  /**
   * A listener that closes the registry (say, to shut down on a potential deadlock) returns at
   * once, and the watchdog stops: close() interrupts the watchdog's thread first, so its join of
   * that same thread returns at once instead of waiting out its 5 s.
   */
  @Test
  void aListenerMayCloseTheRegistry() throws Exception {
    LockRegistry[] registry = new LockRegistry[1];
    List<Long> closeNanos = new CopyOnWriteArrayList<>();
    RegistryOptions o =
        RegistryOptions.DEFAULTS
            .withThresholds(Duration.ofMillis(10), Duration.ofMillis(10))
            .withWatchdogInterval(Duration.ofMillis(5))
            .withListener(
                a -> {
                  long start = System.nanoTime();
                  registry[0].close();
                  closeNanos.add(System.nanoTime() - start);
                });
    registry[0] = LockRegistry.create(o);
    KeyedLock<String> lock = registry[0].keyed("closing");
    try (LockHandle h = lock.acquire("k", LONG)) {
      long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (closeNanos.isEmpty() && System.nanoTime() < end) {
        Thread.sleep(5);
      }
      assertTrue(h.isHeld());
    }
    assertEquals(1, closeNanos.size(), closeNanos.toString());
    assertTrue(closeNanos.get(0) < Duration.ofSeconds(1).toNanos(), closeNanos.toString());
    registry[0].close(); // again, from another thread: a no-op
  }

  private static void awaitAlerts(List<WatchdogAlert> seen, int count) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (seen.size() < count) {
      assertTrue(System.nanoTime() < end, "no alert " + count + " in 10 s; seen: " + seen);
      Thread.sleep(5);
    }
  }
}
