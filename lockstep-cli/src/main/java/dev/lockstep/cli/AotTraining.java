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
      for (String[] command :
          new String[][] {
            {"version"},
            {"--help"},
            {"--version"},
            {"bench", "--help"},
            // `lockstep lock FILE -- CMD` runs in shell loops: its classes (JNA, the lock table,
            // the process launch) belong in the cache.
            {"lock", lockFile, "--", "true"},
            {"lock", "--shared", "--timeout", "1s", lockFile, "--", "true"}
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
