package dev.lockstep.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LockRegistryTest {
  private static final Duration LONG = Duration.ofSeconds(30);

  @Test
  void sameNameSameLockAndTypeMismatchRefused() {
    try (LockRegistry r = LockRegistry.create()) {
      KeyedLock<String> a = r.keyed("users");
      assertSame(a, r.keyed("users"));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> r.readWrite("users"));
      assertTrue(e.getMessage().contains("'users'"), e.getMessage());
    }
  }

  /**
   * A recorder in the options of a registry's lock would be replaced by the registry's statistics
   * without a word: it is refused, naming the lock. A limit left at its default takes the lock
   * whatever its limit (as keyed(name) does); another limit is refused. (The recorder part failed
   * before: the recorder was accepted and never called.)
   */
  @Test
  void optionsTheRegistryWouldIgnoreAreRefused() throws Exception {
    try (LockRegistry r = LockRegistry.create()) {
      LockRecorder mine = new LockRecorder() {};
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> r.keyed(LockOptions.named("users").withRecorder(mine)));
      assertTrue(
          e.getMessage().contains("'users'") && e.getMessage().contains("recorder"),
          e.getMessage());
      assertThrows(
          IllegalArgumentException.class,
          () -> r.readWrite(LockOptions.named("docs").withRecorder(mine)));
      KeyedLock<String> limited = r.keyed(LockOptions.named("users").withMaxActiveKeys(2));
      assertSame(limited, r.keyed("users"));
      assertSame(limited, r.keyed(LockOptions.named("users")));
      assertThrows(
          IllegalArgumentException.class,
          () -> r.keyed(LockOptions.named("users").withMaxActiveKeys(3)));
      try (LockHandle h = limited.acquire("a", LONG)) {
        assertTrue(h.isHeld());
      }
      assertEquals(1, r.snapshot().lock("users").orElseThrow().counters().acquisitions());
    }
  }

  /**
   * Two threads each hold one key and ask for the other's: the second ask closes the cycle and
   * fails at once; the first proceeds when the refused thread lets go. (Caught when detection is
   * switched off: the test then hangs until its 30 s wait times out.)
   */
  @Test
  void twoLockCycleIsDetectedOnTheClosingAcquire() throws Exception {
    try (LockRegistry r = LockRegistry.create()) {
      KeyedLock<String> files = r.keyed("files");
      KeyedLock<String> users = r.keyed("users");
      CountDownLatch bothHold = new CountDownLatch(2);
      CountDownLatch firstWaits = new CountDownLatch(1);
      CompletableFuture<String> first = new CompletableFuture<>();
      Thread t1 =
          Thread.ofPlatform()
              .name("worker-1")
              .start(
                  () -> {
                    try (LockHandle f = files.acquire("a.txt", LONG)) {
                      bothHold.countDown();
                      bothHold.await();
                      firstWaits.countDown();
                      try (LockHandle u = users.acquire("alice", LONG)) {
                        first.complete("proceeded");
                      }
                    } catch (Throwable e) {
                      first.completeExceptionally(e);
                    }
                  });
      DeadlockException refused;
      try (LockHandle u = users.acquire("alice", LONG)) {
        bothHold.countDown();
        bothHold.await();
        firstWaits.await();
        // Give worker-1 time to be queued on "alice".
        while (r.snapshot().lock("users").orElseThrow().waiters().isEmpty()) {
          Thread.sleep(1);
        }
        refused = assertThrows(DeadlockException.class, () -> files.acquire("a.txt", LONG));
      }
      assertEquals("proceeded", first.get(10, TimeUnit.SECONDS));
      t1.join();
      String msg = refused.getMessage();
      assertTrue(msg.contains("a.txt") && msg.contains("alice"), msg);
      assertTrue(msg.contains("worker-1"), msg);
      assertEquals(2, refused.cycle().size(), refused.cycle().toString());
      assertEquals(0, files.activeKeys());
      assertEquals(0, users.activeKeys());
    }
  }

  @Test
  void asyncWaitsWithOwnersTakePartInCycles() throws Exception {
    try (LockRegistry r = LockRegistry.create()) {
      KeyedLock<String> lock = r.keyed("jobs");
      LockOwner a = LockOwner.named("task-a");
      LockOwner b = LockOwner.named("task-b");
      LockHandle ha = lock.acquireAsync("x", LONG, a).get();
      LockHandle hb = lock.acquireAsync("y", LONG, b).get();
      CompletableFuture<LockHandle> aWaits = lock.acquireAsync("y", LONG, a);
      CompletableFuture<LockHandle> bWaits = lock.acquireAsync("x", LONG, b);
      ExecutionException e = assertThrows(ExecutionException.class, bWaits::get);
      assertTrue(e.getCause() instanceof DeadlockException, e.toString());
      hb.close();
      aWaits.get(10, TimeUnit.SECONDS).close();
      ha.close();
      assertEquals(0, lock.activeKeys());
    }
  }

  @Test
  void snapshotCountsAndListsHoldersAndWaiters() throws Exception {
    try (LockRegistry r = LockRegistry.create()) {
      KeyedLock<String> users = r.keyed(LockOptions.named("users").withMaxActiveKeys(2));
      users.acquire("a", LONG).close();
      LockHandle held = users.acquire("b", LONG);
      CompletableFuture<LockHandle> waiting = users.acquireAsync("b", LONG);
      users.acquire("c", LONG).close();
      Thread other =
          Thread.ofVirtual()
              .start(
                  () ->
                      assertThrows(
                          LockTimeoutException.class,
                          () -> users.acquire("b", Duration.ofMillis(5))));
      other.join();
      LockHandle c = users.acquire("c", LONG);
      assertThrows(CapacityExceededException.class, () -> users.acquire("d", LONG));
      LockSnapshot s = r.snapshot().lock("users").orElseThrow();
      assertEquals(1, s.holders().size() - 1); // "b" and "c"
      assertEquals(1, s.waiters().size());
      assertEquals("b", s.waiters().get(0).key());
      assertTrue(s.waiters().get(0).async());
      assertEquals(1, s.counters().timeouts());
      assertEquals(1, s.counters().rejections());
      assertEquals(4, s.counters().acquisitions());
      assertEquals(2, s.counters().releases());
      assertEquals(4, s.waitTime().count());
      assertTrue(s.recent().size() >= 8, s.recent().toString());
      String json = r.snapshot().toJson();
      assertTrue(json.startsWith("{\"takenAt\":"), json);
      assertTrue(json.contains("\"name\":\"users\""), json);
      assertTrue(json.contains("\"p99Micros\""), json);
      held.close();
      waiting.get(10, TimeUnit.SECONDS).close();
      c.close();
      LockSnapshot after = r.snapshot().lock("users").orElseThrow();
      assertEquals(0, after.activeKeys());
      assertEquals(after.counters().acquisitions(), after.counters().releases());
      assertEquals(1, after.counters().contended());
    }
  }

  @Test
  void statisticsOffRecordsNothingButStillDetectsSelfDeadlock() throws Exception {
    try (LockRegistry r = LockRegistry.create(RegistryOptions.DEFAULTS.withStatistics(false))) {
      KeyedLock<String> users = r.keyed("users");
      try (LockHandle h = users.acquire("a", LONG)) {
        assertThrows(DeadlockException.class, () -> users.acquire("a", LONG));
        assertEquals(1, r.snapshot().lock("users").orElseThrow().holders().size());
      }
      assertEquals(0, r.snapshot().lock("users").orElseThrow().counters().acquisitions());
    }
  }

  @Test
  void watchdogReportsLongHoldsAndWaitsOnce() throws Exception {
    List<WatchdogAlert> alerts = new CopyOnWriteArrayList<>();
    RegistryOptions o =
        RegistryOptions.DEFAULTS
            .withThresholds(Duration.ofMillis(20), Duration.ofMillis(20))
            .withWatchdogInterval(Duration.ofMillis(5))
            .withListener(alerts::add);
    try (LockRegistry r = LockRegistry.create(o)) {
      KeyedLock<String> users = r.keyed("users");
      LockHandle h = users.acquire("slow", LONG);
      CompletableFuture<LockHandle> w = users.acquireAsync("slow", LONG);
      while (alerts.size() < 2) {
        Thread.sleep(5);
      }
      Thread.sleep(50);
      assertEquals(2, alerts.size(), alerts.toString());
      assertTrue(
          alerts.stream().anyMatch(a -> a.kind() == WatchdogAlert.Kind.LONG_HOLD),
          alerts.toString());
      assertTrue(
          alerts.stream().anyMatch(a -> a.message().startsWith("potential deadlock")),
          alerts.toString());
      assertEquals(2, r.snapshot().alerts().size());
      h.close();
      w.get(10, TimeUnit.SECONDS).close();
    }
  }
}
