package dev.lockstep.cli;

import picocli.CommandLine.Command;

/** {@code lockstep demo}: simulates many users sending messages through per-user locks. */
@Command(name = "demo", description = "Simulate users sending messages through per-user locks.")
final class DemoCommand implements Runnable {
  @Override
  public void run() {
    System.out.println("demo: not yet implemented");
  }
}
