package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WAL is checkpointed by the store's own checkpoint thread, not inside the writer's COMMITs,
 * and close() leaves neither that thread nor a WAL file behind.
 *
 * <p>Shown to fail: with the writer's {@code checkpointer.request()} call removed, no background
 * checkpoint ever ran and the first assertion failed after its bounded wait.
 */
class SqliteCheckpointerTest {
  @TempDir Path dir;

  @Test
  void theCheckpointThreadCheckpointsAndStopsOnClose() throws Exception {
    Path db = dir.resolve("c.db");
    try (SqliteFsmStore store =
            SqliteFsmStore.open(
                db, SqliteOptions.defaults().withSynchronous(SqliteOptions.Synchronous.NORMAL));
        FsmEngine engine = FsmEngine.builder(store).machine(SqliteSharedFileTest.AGENT).build()) {
      engine.create("agent-turn", "e");
      String[] cycle = {"think", "respond", "done"};
      for (int i = 0; i < 2 * SqliteCheckpointer.EVERY; i++) {
        assertTrue(
            engine.fire("agent-turn", "e", cycle[i % 3], Map.of())
                instanceof FireResult.Transitioned);
      }
      for (int i = 0; i < 3000 && store.checkpoints() == 0; i++) {
        Thread.sleep(10); // waiting for the thread, bounded; nothing is asserted on time
      }
      assertTrue(store.checkpoints() > 0, "no background checkpoint ran");
      assertEquals(2L * SqliteCheckpointer.EVERY, store.read("e").orElseThrow().version());
    }
    assertFalse(
        Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.isAlive() && t.getName().startsWith("lockstep-fsm-")),
        "a lockstep-fsm thread outlived close()");
    assertFalse(Files.exists(dir.resolve("c.db-wal")), "the WAL outlived the last connection");
  }
}
