package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockstep.file.Durability;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In a batch, an operator that throws (or a compare-and-set that is stale) fails only its own
 * caller: the others commit, each with its own revision and log line.
 *
 * <p>Checked against a broken variant: failing the whole batch when one body throws (in {@code
 * DocumentEngine.commitBatch}) makes successful callers see the other callers' exceptions, and the
 * counts below disagree.
 */
class GroupCommitTest {
  @TempDir Path dir;

  @Test
  void aFailingOperatorFailsOnlyItsCaller() throws Exception {
    Path file = dir.resolve("state.json");
    DocumentOptions options = DocumentOptions.defaults().withDurability(Durability.NONE);
    try (DocumentStore<ObjectNode> store =
        DocumentStore.open(file, DocumentCodecs.json(), options)) {
      store.createIfAbsent((ObjectNode) ChangeLog.JSON.readTree("{\"counter\":0}"));
      int threads = 8;
      int updates = 40;
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger refused = new AtomicInteger();
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int thread = t;
          done.add(
              pool.submit(
                  () -> {
                    go.await();
                    for (int i = 0; i < updates; i++) {
                      boolean fail = (thread + i) % 3 == 0;
                      IllegalStateException boom = new IllegalStateException("boom " + thread);
                      try {
                        store.update(
                            d -> {
                              if (fail) {
                                d.put("poison", true); // mutations of a failed body never leak
                                throw boom;
                              }
                              return d.put("counter", d.get("counter").asInt() + 1);
                            });
                        assertTrue(!fail, "a failing operator was committed");
                        ok.incrementAndGet();
                      } catch (IllegalStateException e) {
                        assertSame(boom, e, "each caller gets its own failure");
                        refused.incrementAndGet();
                      }
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
      assertEquals(threads * updates, ok.get() + refused.get());
      assertTrue(refused.get() > 0);
      Versioned<ObjectNode> doc = store.read();
      assertEquals(ok.get(), doc.value().get("counter").asInt());
      assertTrue(doc.value().get("poison") == null, "a failed body's mutation leaked");
      assertEquals(ok.get() + 1, doc.revision());
      List<Change> log = store.history();
      assertEquals(ok.get() + 1, log.size());
      for (int i = 0; i < log.size(); i++) {
        assertEquals(i + 1, log.get(i).revision());
      }
    }
  }
}
