package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockstep.file.Durability;
import dev.lockstep.lock.LockTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The document lock: timeouts name the holder, retries wait it out, a deleted lock is refused. */
class LockingTest {
  private static final Duration START = Duration.ofSeconds(30);

  @TempDir Path dir;

  private DocumentStore<ObjectNode> open(Path file, DocumentOptions options) throws Exception {
    DocumentStore<ObjectNode> store = DocumentStore.open(file, DocumentCodecs.yaml(), options);
    store.createIfAbsent((ObjectNode) ChangeLog.JSON.readTree("{\"counter\":0}"));
    return store;
  }

  private static ObjectNode increment(ObjectNode d) {
    return d.put("counter", d.get("counter").asInt() + 1);
  }

  /**
   * A foreign process deletes the lock file while an update is in flight (from inside the
   * operator): the commit is refused with LockLostException, nothing committed is lost, and the
   * next update succeeds on the new lock file.
   *
   * <p>Checked against a broken variant: without the {@code isValid()} check in CommitWriter the
   * update "succeeds" and the first assertThrows fails.
   */
  @Test
  void aLockFileDeletedDuringAnUpdateRefusesTheCommit() throws Exception {
    Path file = dir.resolve("state.yaml");
    Path lockFile = dir.resolve("state.yaml.lock");
    try (DocumentStore<ObjectNode> store = open(file, DocumentOptions.defaults())) {
      store.update(LockingTest::increment);
      String before = Files.readString(file);
      List<Change> logBefore = store.history();

      LockLostException e =
          assertThrows(
              LockLostException.class,
              () ->
                  store.update(
                      d -> {
                        try {
                          assertEquals(
                              0, Procs.run(List.of("rm", "-f", lockFile.toString()), START));
                        } catch (Exception ex) {
                          throw new IllegalStateException(ex);
                        }
                        return increment(d);
                      }));
      assertTrue(e.getMessage().contains(lockFile.toString()), e.getMessage());
      assertEquals(lockFile, e.lockFile());
      assertEquals(before, Files.readString(file), "nothing written");
      assertEquals(logBefore, store.history(), "nothing logged");
      assertEquals(2, store.read().revision());

      Versioned<ObjectNode> next = store.update(LockingTest::increment);
      assertEquals(3, next.revision());
      assertEquals(2, next.value().get("counter").asInt());
      assertTrue(Files.exists(lockFile));
      assertTrue(store.verify().ok());
    }
  }

  /** A foreign holder makes the update time out, naming the holder's pid; nothing is written. */
  @Test
  void aTimeoutNamesTheHolder() throws Exception {
    Path file = dir.resolve("state.yaml");
    DocumentOptions options =
        DocumentOptions.defaults()
            .withLockTimeout(Duration.ofMillis(100))
            .withRetries(1, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(5));
    try (DocumentStore<ObjectNode> store = open(file, options);
        Procs holder =
            Procs.start(
                List.of(
                    "flock",
                    dir.resolve("state.yaml.lock").toString(),
                    "sh",
                    "-c",
                    "echo locked $PPID; exec cat >/dev/null"))) {
      String pid = holder.awaitLine("locked", START).split(" ")[1];
      LockTimeoutException e =
          assertThrows(LockTimeoutException.class, () -> store.update(LockingTest::increment));
      assertTrue(e.getMessage().contains("state.yaml.lock"), e.getMessage());
      assertTrue(e.getMessage().contains("pid " + pid), e.getMessage());
      assertEquals(1, store.read().revision());
      holder.process().getOutputStream().close();
      holder.waitFor(START);
      assertEquals(2, store.update(LockingTest::increment).revision());
    }
  }

  /**
   * Lock timeouts are retried with backoff up to the deadline: a holder that lets go after a while
   * is waited out although each attempt is far shorter than its hold.
   *
   * <p>Checked against a broken variant: with {@code retries = 0} the update fails with
   * LockTimeoutException.
   */
  @Test
  void timeoutsAreRetriedUntilTheHolderLetsGo() throws Exception {
    Path file = dir.resolve("state.yaml");
    DocumentOptions options =
        DocumentOptions.defaults()
            .withDurability(Durability.NONE)
            .withLockTimeout(Duration.ofMillis(20))
            .withRetries(1000, Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofSeconds(60));
    try (DocumentStore<ObjectNode> store = open(file, options);
        Procs holder =
            Procs.start(
                List.of(
                    "flock",
                    dir.resolve("state.yaml.lock").toString(),
                    "sh",
                    "-c",
                    "echo locked; sleep 0.5"))) {
      holder.awaitLine("locked", START);
      assertEquals(2, store.update(LockingTest::increment).revision());
      assertEquals(0, holder.waitFor(START));
    }
  }

  /**
   * With group commit, callers queued behind a leader that cannot get the lock time out on their
   * own deadlines (none hangs, none is committed), and commit normally once the holder is gone.
   */
  @Test
  void queuedCallersTimeOutOnTheirOwnDeadlines() throws Exception {
    Path file = dir.resolve("state.yaml");
    DocumentOptions options =
        DocumentOptions.defaults()
            .withLockTimeout(Duration.ofMillis(100))
            .withRetries(1, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofMillis(300));
    try (DocumentStore<ObjectNode> store = open(file, options)) {
      try (Procs holder =
          Procs.start(
              List.of(
                  "flock",
                  dir.resolve("state.yaml.lock").toString(),
                  "sh",
                  "-c",
                  "echo locked; exec cat >/dev/null"))) {
        holder.awaitLine("locked", START);
        java.util.concurrent.ExecutorService pool =
            java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
          List<java.util.concurrent.Future<Versioned<ObjectNode>>> calls =
              new java.util.ArrayList<>();
          for (int i = 0; i < 4; i++) {
            calls.add(pool.submit(() -> store.update(LockingTest::increment)));
          }
          for (var call : calls) {
            java.util.concurrent.ExecutionException e =
                assertThrows(java.util.concurrent.ExecutionException.class, call::get);
            assertTrue(e.getCause() instanceof LockTimeoutException, e.getCause().toString());
          }
        } finally {
          pool.shutdownNow();
        }
        assertEquals(1, store.read().revision());
      }
      assertEquals(2, store.update(LockingTest::increment).revision());
      assertEquals(2, store.history().size());
    }
  }
}
