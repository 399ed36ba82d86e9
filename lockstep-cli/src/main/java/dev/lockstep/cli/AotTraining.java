package dev.lockstep.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Training workload for the start-up cache the {@code ./lockstep} launcher creates (a JDK 25 AOT
 * cache, or a CDS archive on JDK 21-24): runs the common commands once in one JVM, with their
 * output discarded, so that the classes they load are in the cache. Not a user command.
 */
public final class AotTraining {

  private static final String MACHINE =
      """
      name: training
      initial: A
      states: [A, B]
      guards:
        small: "payload.n < 10"
      transitions:
        - {from: A, on: go, to: B, guard: small}
        - {from: B, on: back, to: A}
      """;

  private AotTraining() {}

  /** Runs the training commands; exits with 1 if one of them fails. */
  public static void main(String[] args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), true);
    int failures = 0;
    Path dir = null;
    try {
      System.setOut(sink);
      System.setErr(sink);
      dir = Files.createTempDirectory("lockstep-aot-training-");
      String lockFile = dir.resolve("training.lock").toString();
      String yaml = dir.resolve("state.yaml").toString();
      String json = dir.resolve("state.json").toString();
      String def = Files.writeString(dir.resolve("machine.yaml"), MACHINE).toString();
      String db = dir.resolve("training.db").toString();
      for (String[] command :
          new String[][] {
            {"version"},
            {"--help"},
            {"--version"},
            {"bench", "--help"},
            // `lockstep lock FILE -- CMD` runs in shell loops: its classes (JNA, the lock table,
            // the process launch) belong in the cache.
            {"lock", lockFile, "--", "true"},
            {"lock", "--shared", "--timeout", "1s", lockFile, "--", "true"},
            // doc and fsm: Jackson, the store, SQLite's native library, CEL.
            {"doc", "set", yaml, "a.b=1", "c=text"},
            {"doc", "incr", yaml, "a.b", "--repeat", "2"},
            {"doc", "get", yaml, "a"},
            {"doc", "history", yaml},
            {"doc", "set", json, "a=1"},
            {"doc", "get", json},
            {"fsm", "validate", def},
            {"fsm", "render", def},
            {"fsm", "create", "--db", db, "--def", def, "e1"},
            {"fsm", "fire", "--db", db, "--def", def, "e1", "go", "--payload", "{\"n\": 1}"},
            {"fsm", "state", "--db", db, "e1"},
            {"fsm", "history", "--db", db, "e1"},
            {"fsm", "check", "--db", db}
          }) {
        if (Main.run(command) != 0) {
          failures++;
        }
      }
    } catch (IOException e) {
      failures++;
    } finally {
      System.setOut(out);
      System.setErr(err);
      deleteQuietly(dir);
    }
    if (failures > 0) {
      System.err.println("lockstep: AOT training: " + failures + " command(s) failed");
      System.exit(1);
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }
}
