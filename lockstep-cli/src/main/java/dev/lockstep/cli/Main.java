package dev.lockstep.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code lockstep} command. */
@Command(
    name = "lockstep",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Locks, durable state documents and state machines for many concurrent workers.",
    subcommands = {
      VersionCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      LockCommand.class,
      DocCommand.class,
      FsmCommand.class
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    if (isVersionRequest(args)) {
      // Return instead of System.exit(0): exit sets up the Runtime.exit logger, which costs more
      // start-up time (~15 ms without an AOT cache) than the rest of `lockstep version`.
      System.out.println(VersionCommand.text());
      return;
    }
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit status (for tests). */
  public static int run(String... args) {
    // Start-up is part of the product: `lockstep version` answers without loading picocli.
    if (isVersionRequest(args)) {
      System.out.println(VersionCommand.text());
      return 0;
    }
    // So is `lockstep lock FILE -- CMD` (used in shell loops like flock(1)): its usual forms are
    // read without picocli; anything unusual falls through to picocli below.
    if (args.length > 2 && args[0].equals("lock")) {
      LockCommand quick = LockCommand.quick(args);
      if (quick != null) {
        try {
          return quick.call();
        } catch (Exception e) {
          System.err.println("lockstep lock: " + Problems.describe(e));
          return 1;
        }
      }
    }
    return commandLine().execute(args);
  }

  /** The command tree; every subcommand's -V prints the version line, as {@code lockstep -V}. */
  static CommandLine commandLine() {
    CommandLine main = new CommandLine(new Main());
    inheritVersion(main, new Version());
    return main;
  }

  private static void inheritVersion(CommandLine command, Version version) {
    for (CommandLine sub : command.getSubcommands().values()) {
      sub.getCommandSpec().versionProvider(version);
      inheritVersion(sub, version);
    }
  }

  private static boolean isVersionRequest(String[] args) {
    if (args.length != 1) {
      return false;
    }
    String arg = args[0];
    return arg.equals("version") || arg.equals("--version") || arg.equals("-V");
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
