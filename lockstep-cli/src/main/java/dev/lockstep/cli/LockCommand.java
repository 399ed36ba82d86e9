package dev.lockstep.cli;

import dev.lockstep.file.FileLock;
import dev.lockstep.file.FileLockHandle;
import dev.lockstep.file.FileLockMode;
import dev.lockstep.lock.LockTimeoutException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lockstep lock FILE -- COMMAND [ARGS...]}: runs a command while holding a {@link FileLock},
 * like util-linux {@code flock(1)}, and exits with the command's status.
 *
 * <p>Unlike {@code flock(1)}, the command does not inherit the lock's descriptor (Java closes it in
 * children), so the lock lives exactly as long as this process. On SIGTERM or SIGINT this process
 * stops the command before letting the lock go; after a SIGKILL of this process, the command would
 * run on without the lock.
 */
@Command(
    name = "lock",
    mixinStandardHelpOptions = true,
    modelTransformer = LockCommand.StopAtCommand.class,
    showEndOfOptionsDelimiterInUsageHelp = true,
    description = {
      "Run COMMAND while holding a lock on FILE, like flock(1); exit with its status.",
      "FILE is created when missing and never deleted.",
      "Default: flock(2), the lock of Python's filelock, fcntl.flock and flock(1).",
      "--posix: fcntl record locks (FileChannel.lock, fcntl.lockf) instead.",
      "The two kinds do not see each other."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "  0..255:COMMAND's exit status",
      "      2:usage error",
      "     66:FILE cannot be opened or created (one this user may read but not write is"
          + " opened read-only, as flock(1) does; enough except for an exclusive --posix"
          + " lock)",
      "     75:the lock was not granted in time (--timeout, --nonblock); the message names the"
          + " holder's pid when the kernel tells it",
      "    127:COMMAND cannot be started"
    })
final class LockCommand implements Callable<Integer> {
  static final int EX_NOINPUT = 66;
  static final int EX_TEMPFAIL = 75;
  static final int CANNOT_RUN = 127;

  @Spec CommandSpec spec;

  @Option(
      names = {"-s", "--shared"},
      description = "Take a shared lock (other --shared holders may hold it too).")
  boolean shared;

  @Option(names = "--posix", description = "Take a POSIX record lock instead of flock(2).")
  boolean posix;

  @Option(
      names = {"-w", "--timeout"},
      paramLabel = "DURATION",
      description =
          "Give up after DURATION (10s, 500ms, 2m, 1h, 1.5 = seconds, PT10S); default: wait"
              + " forever.")
  String timeout;

  @Option(
      names = {"-n", "--nonblock"},
      description = "Fail at once (exit 75) when the lock is held.")
  boolean nonblock;

  @Parameters(index = "0", paramLabel = "FILE", description = "The lock file.")
  Path file;

  @Parameters(
      index = "1..*",
      arity = "1..*",
      paramLabel = "COMMAND",
      description = "The command and its arguments.")
  List<String> command;

  /** Whether {@link #quick} read the command line and dropped a "--" after FILE itself. */
  private boolean separatorDropped;

  /**
   * Reads the usual forms of the command line without picocli, whose start-up (~300 ms) would
   * dominate a {@code lockstep lock} in a shell loop. Returns null for anything else (help,
   * version, bundled or unknown options, a bad timeout, a missing COMMAND): picocli then parses it
   * and reports errors as usual.
   */
  static LockCommand quick(String[] args) {
    LockCommand c = new LockCommand();
    int i = 1;
    options:
    for (; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "-s", "--shared" -> c.shared = true;
        case "--posix" -> c.posix = true;
        case "-n", "--nonblock" -> c.nonblock = true;
        case "-w", "--timeout" -> {
          if (++i >= args.length) {
            return null;
          }
          c.timeout = args[i];
        }
        default -> {
          if (a.startsWith("--timeout=")) {
            c.timeout = a.substring("--timeout=".length());
          } else if (a.startsWith("-")) {
            return null;
          } else {
            break options;
          }
        }
      }
    }
    if (i >= args.length || (c.timeout != null && parseDuration(c.timeout) == null)) {
      return null;
    }
    c.file = Path.of(args[i++]);
    if (i < args.length && args[i].equals("--")) {
      i++;
    }
    if (i >= args.length) {
      return null;
    }
    c.command = List.of(args).subList(i, args.length);
    c.separatorDropped = true;
    return c;
  }

  @Override
  public Integer call() throws Exception {
    if (!separatorDropped && command.get(0).equals("--")) {
      // picocli's FILE -- COMMAND: options stopped at FILE already, so "--" is in COMMAND
      command = command.subList(1, command.size());
    }
    if (command.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "Missing required parameter: 'COMMAND'");
    }
    Duration wait = nonblock ? Duration.ZERO : parseTimeout();
    FileLock lock = FileLock.of(file, posix ? FileLockMode.POSIX : FileLockMode.FLOCK);
    FileLockHandle handle;
    try {
      handle = shared ? lock.acquireShared(wait) : lock.acquire(wait);
    } catch (LockTimeoutException e) {
      System.err.println(
          "lockstep lock: "
              + (nonblock
                  ? file + " is locked" + (e.holder() == null ? "" : " by " + e.holder())
                  : e.getMessage()));
      return EX_TEMPFAIL;
    } catch (IOException e) {
      System.err.println("lockstep lock: " + Problems.describe(e));
      return EX_NOINPUT;
    }
    try (handle) {
      return run();
    }
  }

  private int run() throws InterruptedException {
    Process process;
    try {
      process = new ProcessBuilder(command).inheritIO().start();
    } catch (IOException e) {
      System.err.println("lockstep lock: cannot run " + command.get(0) + ": " + e.getMessage());
      return CANNOT_RUN;
    }
    // SIGTERM/SIGINT end the JVM, and with it the lock: stop the command's whole tree first.
    Thread stopCommand = new Thread(() -> stopTree(process), "lockstep-lock-stop-command");
    Runtime.getRuntime().addShutdownHook(stopCommand);
    int status = process.waitFor();
    try {
      Runtime.getRuntime().removeShutdownHook(stopCommand);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway; the command has ended
    }
    return status;
  }

  /**
   * Stops the command and every process under it (SIGTERM), and waits until all have exited. The
   * tree is read before the command is stopped: once a process dies, its children are re-parented
   * and are no longer its descendants, and a grandchild left running (a shell's {@code sleep})
   * would run on without the lock. flock(1) needs none of this, because its children inherit the
   * locked descriptor; ours is the JVM's. A process that ignores SIGTERM keeps the lock until it
   * exits, as the command itself always did. Not covered: a process started or daemonized while
   * this runs.
   */
  static void stopTree(Process process) {
    List<ProcessHandle> tree = process.descendants().toList();
    process.destroy();
    tree.forEach(ProcessHandle::destroy);
    process.onExit().join(); // uninterruptible waits: the lock must outlast the whole tree
    tree.forEach(h -> h.onExit().join());
  }

  private static final Pattern DURATION =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)?", Pattern.CASE_INSENSITIVE);

  /** {@code --timeout}: a number with an optional unit (seconds by default), or ISO-8601. */
  private Duration parseTimeout() {
    if (timeout == null) {
      return Duration.ofSeconds(Long.MAX_VALUE); // forever, for all practical purposes
    }
    Duration d = parseDuration(timeout);
    if (d == null) {
      throw new ParameterException(
          spec.commandLine(),
          "--timeout must be a duration such as 10s, 500ms, 2m or PT10S, was '" + timeout + "'");
    }
    return d;
  }

  /** A duration such as 10s, 500ms, 2m, 1.5 (seconds) or PT10S; null if it is none. */
  static Duration parseDuration(String text) {
    String t = text.strip();
    Matcher m = DURATION.matcher(t);
    try {
      if (m.matches()) {
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        double seconds =
            switch (unit) {
              case "ms" -> amount / 1000;
              case "m" -> amount * 60;
              case "h" -> amount * 3600;
              case "d" -> amount * 86400;
              default -> amount;
            };
        return Duration.ofNanos(Math.round(seconds * 1e9));
      }
      Duration d = Duration.parse(t);
      if (!d.isNegative()) {
        return d;
      }
    } catch (DateTimeParseException | ArithmeticException e) {
      // not a duration
    }
    return null;
  }

  /** Everything after FILE belongs to COMMAND, options included ({@code ls -l} needs no --). */
  static final class StopAtCommand implements CommandLine.IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec spec) {
      spec.parser().stopAtPositional(true);
      return spec;
    }
  }
}
