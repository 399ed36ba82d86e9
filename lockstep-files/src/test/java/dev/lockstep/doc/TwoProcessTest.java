package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight threads in each of two child JVMs update one document: no update is lost, revisions are
 * contiguous, and the log has one line per commit. ({@code -Dlockstep.twoprocess.processes=8
 * -Dlockstep.twoprocess.threads=1 -Dlockstep.twoprocess.updates=50} runs the 8 x 50 case
 * with default options: nothing lost, nothing refused.)
 *
 * <p>Checked against a broken variant: {@code -Dlockstep.twoprocess.variant=nolock} gives the
 * children a lock that excludes nobody; the counter then ends short and the log has repeated
 * revisions (or a garbled line from two appenders).
 */
class TwoProcessTest {
  private static final int PROCESSES = Integer.getInteger("lockstep.twoprocess.processes", 2);
  private static final int THREADS = Integer.getInteger("lockstep.twoprocess.threads", 8);
  private static final int UPDATES = Integer.getInteger("lockstep.twoprocess.updates", 25);
  private static final Duration LIMIT = Duration.ofMinutes(3);

  @TempDir Path dir;

  @Test
  void eightThreadsInEachOfTwoProcessesLoseNoUpdate() throws Exception {
    Path file = dir.resolve("state.yaml");
    String variant = System.getProperty("lockstep.twoprocess.variant", "");
    try (DocumentStore<ObjectNode> store = DocumentStore.open(file, DocumentCodecs.yaml())) {
      store.createIfAbsent((ObjectNode) ChangeLog.JSON.readTree("{\"counter\":0}"));
      List<Procs> children = new ArrayList<>();
      try {
        for (int i = 0; i < PROCESSES; i++) {
          List<String> args =
              new ArrayList<>(List.of("count", file.toString(), "" + THREADS, "" + UPDATES));
          if (!variant.isEmpty()) {
            args.add(variant);
          }
          children.add(Procs.jvm(ChildUpdater.class, args.toArray(String[]::new)));
        }
        for (Procs child : children) {
          child.awaitLine("done", LIMIT);
          assertEquals(0, child.waitFor(LIMIT), child.transcript());
        }
      } finally {
        children.forEach(Procs::close);
      }
      int total = PROCESSES * THREADS * UPDATES;
      Versioned<ObjectNode> doc = store.read();
      assertEquals(total, doc.value().get("counter").asInt(), "lost updates");
      assertEquals(total + 1, doc.revision());
      List<Change> log = store.history();
      assertEquals(total + 1, log.size());
      for (int i = 0; i < log.size(); i++) {
        assertEquals(i + 1, log.get(i).revision(), "log contiguous");
        assertEquals(
            i == 0 ? Change.Operation.CREATE : Change.Operation.UPDATE, log.get(i).operation());
      }
      assertEquals(
          PROCESSES, log.stream().map(Change::pid).distinct().count() - 1, "every child wrote");
      assertTrue(store.verify().ok(), store.verify().toString());
    }
  }
}
