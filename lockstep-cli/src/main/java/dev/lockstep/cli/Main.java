package dev.lockstep.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code lockstep} command. */
@Command(
    name = "lockstep",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Locks, durable state documents and state machines for many concurrent workers.",
    subcommands = {VersionCommand.class, DemoCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit status (for tests). */
  public static int run(String... args) {
    return new CommandLine(new Main()).execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Supplies the version string shown by {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {VersionCommand.text()};
    }
  }
}
