package dev.lockstep.cli;

/**
 * Entry point of the {@code lockstep} command: answers {@code version} and the usual forms of
 * {@code lock} itself, and hands everything else to the picocli tree ({@link Root}). It names no
 * picocli type, so that linking it loads nothing from the shaded jar (see {@link Root}).
 */
public final class Main {
  private Main() {}

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
    return Root.execute(args);
  }

  private static boolean isVersionRequest(String[] args) {
    if (args.length != 1) {
      return false;
    }
    String arg = args[0];
    return arg.equals("version") || arg.equals("--version") || arg.equals("-V");
  }
}
