package dev.lockstep.cli;

import java.io.OutputStream;
import java.io.PrintStream;

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
    try {
      System.setOut(sink);
      System.setErr(sink);
      for (String[] command :
          new String[][] {{"version"}, {"--help"}, {"--version"}, {"bench", "--help"}}) {
        if (Main.run(command) != 0) {
          failures++;
        }
      }
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    if (failures > 0) {
      System.err.println("lockstep: AOT training: " + failures + " command(s) failed");
      System.exit(1);
    }
  }
}
