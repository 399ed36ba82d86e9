package dev.lockstep.cli;

import picocli.CommandLine.Command;

/** {@code lockstep version}: prints the Lockstep version and the Java runtime. */
@Command(name = "version", description = "Print the Lockstep version and the Java runtime.")
final class VersionCommand implements Runnable {

  static String text() {
    String v = Main.class.getPackage().getImplementationVersion();
    return "lockstep " + (v == null ? "dev" : v) + " (java " + Runtime.version() + ")";
  }

  @Override
  public void run() {
    System.out.println(text());
  }
}
