package dev.lockstep.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attempt ids of two processes can repeat on one entity (same millisecond, counters that meet). The
 * engine's lookup after a lost commit answer must then find its own row, not the other process's
 * older one.
 *
 * <p>Shown to fail: with {@link FsmStore#attempt(Attempt)} not overridden (the id lookup returns
 * the first row by seq, the engine's filter then drops it), our attempt was reported not recorded.
 */
class SqliteRepeatedAttemptIdTest {
  @TempDir Path dir;

  private static Attempt row(long id, Instant at, String event) {
    return new Attempt(
        id,
        at,
        "turn",
        "e0",
        event,
        "IDLE",
        null,
        null,
        GuardResult.NONE,
        Outcome.NOT_ALLOWED,
        null,
        0);
  }

  @Test
  void theLookupMatchesTimeAndEventAsWellAsTheId() {
    try (SqliteFsmStore store =
        SqliteFsmStore.open(dir.resolve("r.db"), SqliteOptions.defaults())) {
      Instant t = Instant.parse("2026-11-23T12:00:00.000001Z");
      Attempt theirs = row(42, t, "other"); // another process, logged first
      Attempt ours = row(42, t.plusNanos(1_000), "go");
      store.log(theirs);
      store.log(ours);
      Attempt found = store.attempt(ours).orElseThrow(() -> new AssertionError("ours not found"));
      assertEquals(ours.time(), found.time());
      assertEquals("go", found.event());
      assertEquals("other", store.attempt(theirs).orElseThrow().event());
      assertTrue(store.attempt(row(42, t.plusNanos(2_000), "go")).isEmpty(), "no such time");
      assertTrue(store.attempt(row(42, t.plusNanos(1_000), "stop")).isEmpty(), "no such event");
    }
  }
}
