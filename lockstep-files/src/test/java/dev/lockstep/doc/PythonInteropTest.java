package dev.lockstep.doc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lockstep.file.FileLockMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Python updater written the seed's way ({@code filelock.FileLock} on {@code state.yaml.lock},
 * {@code yaml.safe_load}, bump {@code revision} and a counter, write a temp file and {@code
 * os.replace}) and a Java {@link DocumentStore} update one {@code state.yaml} at the same time: no
 * update is lost, and the log's revisions increase, Python's commits appearing as external edits.
 *
 * <p>Checked against a broken variant: {@code -Dlockstep.python.variant=posix} makes the Java store
 * take POSIX locks, which Python's flock-based filelock does not see; the counter then ends short
 * of the sum.
 */
class PythonInteropTest {
  private static final Duration LIMIT = Duration.ofMinutes(2);
  private static final int PYTHON_UPDATES = 60;
  private static final int JAVA_THREADS = 2;
  private static final int JAVA_UPDATES = 30;

  private static final String UPDATER =
      String.join(
          "\n",
          "import os, sys, yaml, filelock",
          "path, n = sys.argv[1], int(sys.argv[2])",
          "print('started', flush=True)",
          "for i in range(n):",
          "    with filelock.FileLock(path + '.lock', timeout=60):",
          "        with open(path) as f:",
          "            data = yaml.safe_load(f)",
          "        data['revision'] = int(data.get('revision', 0)) + 1",
          "        data['counter'] = int(data['counter']) + 1",
          "        tmp = path + '.tmp'",
          "        with open(tmp, 'w') as f:",
          "            yaml.safe_dump(data, f, sort_keys=False)",
          "        os.replace(tmp, path)",
          "print('done', flush=True)");

  @TempDir Path dir;

  @BeforeAll
  static void pythonHasFilelockAndYaml() throws Exception {
    assumeTrue(
        Procs.run(List.of(Procs.PYTHON, "-c", "import filelock, yaml"), LIMIT) == 0,
        "needs /usr/bin/python3 with python3-filelock and python3-yaml");
  }

  @Test
  void pythonAndJavaUpdatersLoseNoUpdate() throws Exception {
    Path file = dir.resolve("state.yaml");
    DocumentOptions options = DocumentOptions.defaults();
    if (System.getProperty("lockstep.python.variant", "").equals("posix")) {
      options = options.withLockMode(FileLockMode.POSIX);
    }
    try (DocumentStore<ObjectNode> store =
        DocumentStore.open(file, DocumentCodecs.yaml(), options)) {
      store.createIfAbsent((ObjectNode) ChangeLog.JSON.readTree("{\"counter\":0}"));
      ExecutorService pool = Executors.newFixedThreadPool(JAVA_THREADS);
      try (Procs python =
          Procs.start(List.of(Procs.PYTHON, "-c", UPDATER, file.toString(), "" + PYTHON_UPDATES))) {
        python.awaitLine("started", LIMIT);
        List<Future<?>> java = new ArrayList<>();
        for (int t = 0; t < JAVA_THREADS; t++) {
          java.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < JAVA_UPDATES; i++) {
                      store.update(d -> d.put("counter", d.get("counter").asInt() + 1));
                    }
                    return null;
                  }));
        }
        for (Future<?> f : java) {
          f.get();
        }
        python.awaitLine("done", LIMIT);
        assertEquals(0, python.waitFor(LIMIT), python.transcript());
      } finally {
        pool.shutdownNow();
      }
      int total = PYTHON_UPDATES + JAVA_THREADS * JAVA_UPDATES;
      Versioned<ObjectNode> doc = store.read();
      assertEquals(total, doc.value().get("counter").asInt(), "lost updates");
      assertEquals(total + 1, doc.revision(), "one revision per update");

      store.recover(); // logs Python's last commits if Java did not commit after them
      List<Change> log = store.history();
      for (int i = 1; i < log.size(); i++) {
        assertTrue(
            log.get(i).revision() > log.get(i - 1).revision(),
            "revisions increase along the log: " + log.get(i - 1) + " then " + log.get(i));
      }
      assertEquals(total + 1, log.get(log.size() - 1).revision());
      assertEquals(
          JAVA_THREADS * JAVA_UPDATES,
          log.stream().filter(c -> c.operation() == Change.Operation.UPDATE).count());
      assertTrue(
          log.stream().anyMatch(c -> c.operation() == Change.Operation.EXTERNAL_EDIT),
          "Python's commits are logged as external edits");
      assertTrue(store.verify().ok(), store.verify().toString());
    }
  }
}
