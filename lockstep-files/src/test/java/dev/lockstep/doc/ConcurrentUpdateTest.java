package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Eight threads of one JVM update one document: no update is lost, every caller gets its own
 * revision, revisions are contiguous and the log has one line per commit; with group commit, one
 * write covers several commits.
 *
 * <p>Checked against broken variants: with {@link NoLock} for the three stores, every test fails
 * with "revision given twice" (two engines commit on the same base: a lost update); with group
 * commit off, {@link #groupCommitSharesWrites} fails ("400 writes for 400 commits").
 */
class ConcurrentUpdateTest {
  private static final int THREADS = 8;
  private static final int UPDATES = 50;

  @TempDir Path dir;

  @ParameterizedTest(name = "groupCommit={0}")
  @ValueSource(booleans = {true, false})
  void eightThreadsLoseNoUpdate(boolean groupCommit) throws Exception {
    DocumentOptions options = DocumentOptions.defaults().withGroupCommit(groupCommit);
    run(options, DocumentFiles.REAL);
  }

  @Test
  void groupCommitSharesWrites() throws Exception {
    FaultyFiles counting = new FaultyFiles();
    DocumentOptions options = DocumentOptions.defaults().withBackups(0);
    run(options, counting);
    int writes = counting.count(FaultyFiles.Kind.RENAME);
    assertTrue(
        writes < THREADS * UPDATES,
        "group commit must cover several commits per write: "
            + writes
            + " writes for "
            + THREADS * UPDATES
            + " commits");
  }

  private void run(DocumentOptions options, DocumentFiles files) throws Exception {
    Path file = dir.resolve("state.yaml");
    // a and b share one engine (same path, codec, options: they combine); c has another owner,
    // so another engine, excluded from the first only by the file lock
    try (DocumentStore<ObjectNode> a =
            FileDocumentStore.open(file, DocumentCodecs.yaml(), options, files);
        DocumentStore<ObjectNode> b =
            FileDocumentStore.open(file, DocumentCodecs.yaml(), options, files);
        DocumentStore<ObjectNode> c =
            FileDocumentStore.open(
                file, DocumentCodecs.yaml(), options.withOwner("other"), files)) {
      a.createIfAbsent((ObjectNode) ChangeLog.JSON.readTree("{\"counter\":0}"));
      if (files instanceof FaultyFiles f) {
        f.resetCounts();
      }
      Set<Long> revisions = ConcurrentHashMap.newKeySet();
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          DocumentStore<ObjectNode> store = List.of(a, b, c).get(t % 3);
          done.add(
              pool.submit(
                  () -> {
                    go.await();
                    for (int i = 0; i < UPDATES; i++) {
                      Versioned<ObjectNode> v =
                          store.update(d -> d.put("counter", d.get("counter").asInt() + 1));
                      assertTrue(revisions.add(v.revision()), "revision given twice");
                    }
                    return null;
                  }));
        }
        go.countDown();
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      int total = THREADS * UPDATES;
      Versioned<ObjectNode> last = a.read();
      assertEquals(total, last.value().get("counter").asInt(), "lost updates");
      assertEquals(total + 1, last.revision());
      assertEquals(total, revisions.size());
      List<Change> log = a.history();
      assertEquals(total + 1, log.size());
      for (int i = 0; i < log.size(); i++) {
        assertEquals(i + 1, log.get(i).revision(), "revisions contiguous in the log");
      }
      assertEquals(new TreeSet<>(revisions).first(), 2L);
      assertEquals(total, a.at(total + 1).value().get("counter").asInt());
      assertEquals(total / 2, a.at(total / 2 + 1).value().get("counter").asInt());
      assertTrue(a.verify().ok(), a.verify().toString());
    }
  }
}
