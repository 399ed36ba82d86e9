package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A FULL store answers a fire only after the WAL sync that covers its commit, and shows no one a
 * state whose sync is still pending. The sync is held by {@link SqliteWalSyncer#beforeSyncHook}.
 *
 * <p>Shown to fail, each once: with the writer answering each batch right after COMMIT (before the
 * sync), the two held-sync tests saw fires answered and {@code currentWaitsForTheSync} saw the held
 * sync belong to an earlier batch (IDLE); with {@link SqliteFsmStore#read} not waiting for the
 * sync, {@code currentWaitsForTheSync} saw THINKING while it was held; with a failed sync ignored,
 * the fire was Transitioned; with the syncer's close failing what it holds instead of syncing it,
 * the close test saw Failed.
 */
class SqliteWalSyncerTest {
  @TempDir Path dir;

  @AfterEach
  void noHook() {
    SqliteWalSyncer.beforeSyncHook = null;
  }

  private static final MachineDefinition TURN =
      MachineDefinition.builder("turn")
          .states("IDLE", "THINKING")
          .initial("IDLE")
          .transition(t -> t.from("IDLE").on("go").to("THINKING"))
          .build();

  /**
   * A hook that holds every sync until released; closing releases it (declared after the store in
   * try-with-resources, so that a failing assertion cannot leave close() waiting on a held sync).
   */
  private static final class Gate implements SqliteWalSyncer.Hook, AutoCloseable {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public void beforeSync() throws IOException {
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new IOException("interrupted", e);
      }
    }

    @Override
    public void close() {
      release.countDown();
    }
  }

  @Test
  void noFireIsAnsweredBeforeItsSync() throws Exception {
    try (SqliteFsmStore store = SqliteFsmStore.open(dir.resolve("s.db"), SqliteOptions.defaults());
        FsmEngine engine = FsmEngine.builder(store).machine(TURN).build()) {
      int n = 8;
      for (int i = 0; i < n; i++) {
        engine.create("turn", "e" + i, Map.of());
      }
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
          Gate gate = new Gate()) {
        SqliteWalSyncer.beforeSyncHook = gate;
        List<Future<FireResult>> fires = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          String id = "e" + i;
          fires.add(pool.submit(() -> engine.fire("turn", id, "go", Map.of())));
        }
        assertTrue(gate.entered.await(30, TimeUnit.SECONDS), "a sync started");
        // wait (polling, nothing asserted on time) until every fire has committed: each entity
        // then reads THINKING on the writer's side, whatever the sync is doing
        try (SqliteConnection c =
            new SqliteConnection(
                store.file(), SqliteOptions.defaults(), SqlResources.statements())) {
          for (int i = 0; committed(c, n) < n; i++) {
            assertTrue(i < 30_000, "the fires did not commit");
            Thread.sleep(1);
          }
        }
        assertNoneAnswered(fires);
        gate.release.countDown();
        for (Future<FireResult> f : fires) {
          assertInstanceOf(FireResult.Transitioned.class, f.get());
        }
      }
    }
  }

  /** How many of e0..e(n-1) are THINKING, read on a connection of the test's own. */
  private static int committed(SqliteConnection c, int n) throws Exception {
    int count = 0;
    for (int i = 0; i < n; i++) {
      var ps = c.ps("read_entity");
      ps.setString(1, "e" + i);
      try (var rs = ps.executeQuery()) {
        if (rs.next() && rs.getString(2).equals("THINKING")) {
          count++;
        }
      }
    }
    return count;
  }

  @Test
  void currentWaitsForTheSync() throws Exception {
    try (SqliteFsmStore store = SqliteFsmStore.open(dir.resolve("c.db"), SqliteOptions.defaults());
        FsmEngine engine = FsmEngine.builder(store).machine(TURN).build()) {
      engine.create("turn", "e0", Map.of());
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
          Gate gate = new Gate()) {
        SqliteWalSyncer.beforeSyncHook = gate;
        Future<FireResult> fire = pool.submit(() -> engine.fire("turn", "e0", "go", Map.of()));
        assertTrue(gate.entered.await(30, TimeUnit.SECONDS), "a sync started");
        Future<String> seen =
            pool.submit(() -> engine.current("e0").map(EntityState::state).orElseThrow());
        // the pre-read of a fire does not wait: it sees the committed state at once
        assertEquals("THINKING", store.readForFire("e0").orElseThrow().state());
        try {
          String early = seen.get(200, TimeUnit.MILLISECONDS);
          throw new AssertionError("current() answered " + early + " while the sync was held");
        } catch (java.util.concurrent.TimeoutException expected) {
          // still waiting for the sync, as it must (no time is asserted: it may never answer)
        }
        gate.release.countDown();
        assertEquals("THINKING", seen.get());
        assertInstanceOf(FireResult.Transitioned.class, fire.get());
      }
    }
  }

  @Test
  void aFailedSyncFailsItsCallersAndTheStore() throws Exception {
    Path file = dir.resolve("f.db");
    try (SqliteFsmStore store = SqliteFsmStore.open(file, SqliteOptions.defaults());
        FsmEngine engine = FsmEngine.builder(store).machine(TURN).build()) {
      engine.create("turn", "e0", Map.of());
      SqliteWalSyncer.beforeSyncHook =
          () -> {
            throw new IOException("injected: EIO");
          };
      FireResult r = engine.fire("turn", "e0", "go", Map.of());
      assertInstanceOf(FireResult.Failed.class, r, "durability unknown: never Transitioned");
      SqliteWalSyncer.beforeSyncHook = null; // later syncs would succeed: the store still refuses
      FsmStoreException read = assertThrows(FsmStoreException.class, () -> engine.current("e0"));
      assertTrue(read.getMessage().contains(file.toString()), read.getMessage());
      assertTrue(read.getMessage().contains("syncing the WAL failed"), read.getMessage());
      FsmStoreException write =
          assertThrows(FsmStoreException.class, () -> engine.create("turn", "e1", Map.of()));
      assertTrue(write.getMessage().contains(file.toString()), write.getMessage());
      assertThrows(FsmStoreException.class, () -> store.readForFire("e0"));
      assertThrows(FsmStoreException.class, () -> store.history("e0"));
    }
    // reopened, the file holds what reached it; here the page cache had it all
    try (SqliteFsmStore again = SqliteFsmStore.open(file, SqliteOptions.defaults())) {
      assertTrue(again.read("e0").isPresent());
    }
  }

  @Test
  void closeAnswersEveryHeldBatchAfterItsSyncAndLeavesNoThread() throws Exception {
    SqliteFsmStore store = SqliteFsmStore.open(dir.resolve("x.db"), SqliteOptions.defaults());
    FsmEngine engine = FsmEngine.builder(store).machine(TURN).build();
    int n = 8;
    for (int i = 0; i < n; i++) {
      engine.create("turn", "e" + i, Map.of());
    }
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        AutoCloseable closeAnyway = () -> closeBoth(engine, store);
        Gate gate = new Gate()) { // closed in reverse: the gate opens first
      SqliteWalSyncer.beforeSyncHook = gate;
      List<Future<FireResult>> fires = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String id = "e" + i;
        fires.add(pool.submit(() -> engine.fire("turn", id, "go", Map.of())));
      }
      assertTrue(gate.entered.await(30, TimeUnit.SECONDS), "a sync started");
      try (SqliteConnection c =
          new SqliteConnection(store.file(), SqliteOptions.defaults(), SqlResources.statements())) {
        for (int i = 0; committed(c, n) < n; i++) {
          assertTrue(i < 30_000, "the fires did not commit");
          Thread.sleep(1);
        }
      }
      Future<?> closing =
          pool.submit(
              () -> {
                engine.close();
                store.close();
                return null;
              });
      try {
        closing.get(200, TimeUnit.MILLISECONDS);
        throw new AssertionError("close() returned while a sync was held");
      } catch (java.util.concurrent.TimeoutException expected) {
        // close waits for the held sync (no time is asserted)
      }
      assertNoneAnswered(fires);
      gate.release.countDown();
      closing.get();
      for (Future<FireResult> f : fires) {
        assertInstanceOf(FireResult.Transitioned.class, f.get(), "answered after the sync");
      }
    }
    List<String> left =
        Thread.getAllStackTraces().keySet().stream()
            .filter(Thread::isAlive)
            .map(Thread::getName)
            .filter(name -> name.startsWith("lockstep-fsm-sqlite-"))
            .toList();
    assertEquals(List.of(), left, "threads left after close()");
  }

  /** Closes both (again: closing twice does nothing) once the gate is released. */
  private static void closeBoth(FsmEngine engine, SqliteFsmStore store) {
    engine.close();
    store.close();
  }

  /**
   * Gives the fire threads (committed, their sync held) a moment to return, then asserts none did.
   * The wait only lets a wrong answer show: a correct store never answers here, however long.
   */
  private static void assertNoneAnswered(List<Future<FireResult>> fires) throws Exception {
    for (int i = 0; i < 300 && fires.stream().noneMatch(Future::isDone); i++) {
      Thread.sleep(1);
    }
    for (Future<FireResult> f : fires) {
      assertFalse(f.isDone(), "a fire was answered while the sync of its batch was held");
    }
  }
}
