package dev.lockstep.cli;

import picocli.CommandLine.Command;

/** {@code lockstep version}: prints the Lockstep version and the Java runtime. */
@Command(
    name = "version",
    mixinStandardHelpOptions = true,
    description = "Print the Lockstep version and the Java runtime.")
final class VersionCommand implements Runnable {

  /**
   * The version line, e.g. {@code lockstep 0.1.0-SNAPSHOT (java 25.0.3+9-LTS)}. Built without
   * string-concatenation bootstraps or streams ({@code Runtime.version().toString()} uses both)
   * because {@code lockstep version} is the start-up benchmark.
   */
  static String text() {
    String v = Main.class.getPackage().getImplementationVersion();
    return new StringBuilder(64)
        .append("lockstep ")
        .append(v == null ? "dev" : v)
        .append(" (java ")
        .append(System.getProperty("java.runtime.version"))
        .append(')')
        .toString();
  }

  @Override
  public void run() {
    System.out.println(text());
  }
}
