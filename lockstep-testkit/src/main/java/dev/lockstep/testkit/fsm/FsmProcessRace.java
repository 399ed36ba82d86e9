package dev.lockstep.testkit.fsm;

import dev.lockstep.fsm.FsmStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Races separate JVMs on one SQLite file: {@code processes} child JVMs (this JVM's {@code java} and
 * class path) open the file, wait for one start signal, then each fires {@code event} once at every
 * entity {@code prefix0 … prefix(rounds-1)}, in order. Create those entities, all in a state where
 * {@code event} is allowed, before calling {@link #run}.
 *
 * <pre>{@code
 * ProcessRaceReport r = FsmProcessRace.on(db, Path.of("job.yaml"))
 *     .processes(4).rounds(25).run("e", "start");
 * r.assertOneWinnerPerRound();
 * }</pre>
 *
 * <h2>Guarantees</h2>
 *
 * <p>Children are started and, however the run ends, killed and reaped before {@link #run} returns;
 * none outlives it. The report holds what each child printed per fire; a violation is a fact, a
 * clean report evidence. The machine comes from a definition file, since children cannot share Java
 * objects; guards and effects bound only in Java are absent in the children.
 *
 * <h2>Threading</h2>
 *
 * <p>Configure from one thread; {@link #run} blocks until every child exited (or {@link #timeout}).
 */
public final class FsmProcessRace {
  private final Path database;
  private final Path definition;
  private int processes = 4;
  private int rounds = 10;
  private long timeoutSeconds = 120;
  private String storeWrapper;

  private FsmProcessRace(Path database, Path definition) {
    this.database = Objects.requireNonNull(database, "database");
    this.definition = Objects.requireNonNull(definition, "definition");
  }

  /** Returns a race on the SQLite file {@code database} with the machine in {@code definition}. */
  public static FsmProcessRace on(Path database, Path definition) {
    return new FsmProcessRace(database, definition);
  }

  /** How many child JVMs (default 4). */
  public FsmProcessRace processes(int n) {
    if (n < 2) {
      throw new IllegalArgumentException("processes must be >= 2, got " + n);
    }
    this.processes = n;
    return this;
  }

  /** How many entities each child fires at, one after the other (default 10). */
  public FsmProcessRace rounds(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("rounds must be >= 1, got " + n);
    }
    this.rounds = n;
    return this;
  }

  /** How long the children may take in all before they are killed (default 120 s). */
  public FsmProcessRace timeout(long seconds) {
    this.timeoutSeconds = seconds;
    return this;
  }

  /**
   * Has each child wrap its store in {@code className}, a class on the class path with a
   * constructor taking an {@link FsmStore} (accessible to this package's reflection): how a test
   * runs the race against a deliberately broken store to see it fail.
   */
  public FsmProcessRace storeWrapper(String className) {
    this.storeWrapper = className;
    return this;
  }

  /**
   * Runs the race: fires {@code event} at {@code prefix + round} from every child.
   *
   * @throws IllegalStateException when a child fails to start, crashes or exceeds the timeout
   */
  public ProcessRaceReport run(String prefix, String event) throws InterruptedException {
    Path start;
    try {
      start = Files.createTempFile(database.toAbsolutePath().getParent(), "race-start", ".flag");
      Files.delete(start);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot place the start file beside " + database, e);
    }
    List<Process> children = new ArrayList<>();
    List<BlockingQueue<String>> outputs = new ArrayList<>();
    try {
      for (int i = 0; i < processes; i++) {
        List<String> cmd =
            new ArrayList<>(
                List.of(
                    ProcessHandle.current().info().command().orElseThrow(),
                    "--enable-native-access=ALL-UNNAMED",
                    "--sun-misc-unsafe-memory-access=allow",
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    "-cp",
                    System.getProperty("java.class.path"),
                    FsmRaceChild.class.getName(),
                    database.toString(),
                    definition.toString(),
                    start.toString(),
                    prefix,
                    event,
                    Integer.toString(rounds)));
        if (storeWrapper != null) {
          cmd.add(storeWrapper);
        }
        Process p;
        try {
          p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot start child JVM " + i, e);
        }
        children.add(p);
        outputs.add(lines(p));
      }
      for (int i = 0; i < processes; i++) {
        List<String> seen = new ArrayList<>();
        while (!seen.contains("ready")) {
          String line = outputs.get(i).poll(timeoutSeconds, TimeUnit.SECONDS);
          if (line == null || line.equals(EOF)) {
            throw new IllegalStateException("child " + i + " did not get ready: " + seen);
          }
          seen.add(line);
        }
      }
      try {
        Files.createFile(start);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the start file " + start, e);
      }
      List<List<String>> results = new ArrayList<>();
      for (int i = 0; i < processes; i++) {
        if (!children.get(i).waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          throw new IllegalStateException(
              "child " + i + " did not finish in " + timeoutSeconds + " s");
        }
        List<String> lines = new ArrayList<>();
        for (String l; !(l = outputs.get(i).take()).equals(EOF); ) {
          lines.add(l);
        }
        if (children.get(i).exitValue() != 0) {
          throw new IllegalStateException(
              "child " + i + " exited with " + children.get(i).exitValue() + ": " + lines);
        }
        results.add(lines);
      }
      return ProcessRaceReport.parse(rounds, results);
    } finally {
      for (Process p : children) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
      try {
        Files.deleteIfExists(start);
      } catch (IOException e) {
        // a leftover flag file in the database's directory is harmless
      }
    }
  }

  private static final String EOF = "\u0000EOF";

  /** Reads the process's output lines into a queue on a virtual thread, then {@link #EOF}. */
  private static BlockingQueue<String> lines(Process p) {
    BlockingQueue<String> q = new LinkedBlockingQueue<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                  q.add(l);
                }
              } catch (IOException e) {
                q.add("read failed: " + e);
              }
              q.add(EOF);
            });
    return q;
  }
}
