package dev.lockstep.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Stands in for the benchmarks runner in tests: writes its arguments, one a line, to the file after
 * {@code --json}, and exits with status 3.
 */
public final class FakeBenchRunner {

  private FakeBenchRunner() {}

  /** Entry point of the fake runner jar. */
  public static void main(String[] args) throws IOException {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--json")) {
        Files.write(Path.of(args[i + 1]), java.util.List.of(args));
      }
    }
    System.exit(3);
  }
}
