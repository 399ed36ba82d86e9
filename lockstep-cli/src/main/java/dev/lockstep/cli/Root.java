package dev.lockstep.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code lockstep} command tree (picocli). Kept apart from {@link Main} so that the entry class
 * names no picocli type: linking {@code Main} loads nothing from the 7,700-entry shaded jar, and
 * {@code lockstep version} never opens it (session 24: with these in {@code Main}, the JVM loaded
 * {@code CommandLine$IVersionProvider} while linking it, and {@code version} took 48 ms instead of
 * ~25).
 */
@Command(
    name = "lockstep",
    mixinStandardHelpOptions = true,
    versionProvider = Root.Version.class,
    description = "Locks, durable state documents and state machines for many concurrent workers.",
    subcommands = {
      VersionCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      LockCommand.class,
      DocCommand.class,
      FsmCommand.class
    })
final class Root implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the command line through picocli and returns its exit status. */
  static int execute(String[] args) {
    return commandLine().execute(args);
  }

  /** The command tree; every subcommand's -V prints the version line, as {@code lockstep -V}. */
  static CommandLine commandLine() {
    CommandLine main = new CommandLine(new Root());
    inheritVersion(main, new Version());
    return main;
  }

  private static void inheritVersion(CommandLine command, Version version) {
    for (CommandLine sub : command.getSubcommands().values()) {
      sub.getCommandSpec().versionProvider(version);
      inheritVersion(sub, version);
    }
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
