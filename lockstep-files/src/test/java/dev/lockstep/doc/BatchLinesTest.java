package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log lines of batched commits, computed beside the temp file's write ({@link BatchLines}),
 * each patch against the state just before its own commit: every logged revision rebuilds ({@code
 * at}) to the document it was. Shown to fail with every patch of a batch taken against the batch's
 * first state: {@code at(3)} held three entries in {@code seen} instead of two.
 */
class BatchLinesTest {
  @TempDir Path dir;

  @Test
  void everyRevisionOfABatchRebuildsFromTheLog() throws Exception {
    int threads = 8;
    int each = 25;
    try (DocumentStore<ObjectNode> store =
        DocumentStore.open(dir.resolve("state.yaml"), DocumentCodecs.yaml())) {
      store.createIfAbsent((ObjectNode) ChangeLog.JSON.readTree("{\"counter\":0,\"seen\":[]}"));
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int id = t;
          Callable<Void> work =
              () -> {
                for (int i = 0; i < each; i++) {
                  store.update(
                      d -> {
                        d.put("counter", d.get("counter").asInt() + 1);
                        d.withArray("seen").add(id);
                        return d;
                      });
                }
                return null;
              };
          done.add(pool.submit(work));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
      long last = store.read().revision();
      assertEquals(1 + threads * each, last);
      for (long r = 1; r <= last; r++) {
        ObjectNode at = store.at(r).value();
        assertEquals(r - 1, at.get("counter").asLong(), "counter at revision " + r);
        assertEquals(r - 1, at.get("seen").size(), "seen at revision " + r);
      }
    }
  }
}
