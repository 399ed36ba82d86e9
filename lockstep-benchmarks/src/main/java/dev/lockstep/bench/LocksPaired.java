package dev.lockstep.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Scenario {@code keys-1000-2t-paired} of suite {@code locks} (no JMH): the JMH scenario {@code
 * keys-1000-2t} (two platform threads, each on its own random walk over 1,000 keys, acquire then
 * release), with Lockstep and {@code guava-striped-lazyweak} measured in adjacent short slices of
 * one JVM, so that each Lockstep slice is compared with a peer slice taken a moment away, on the
 * machine as it is then.
 *
 * <p>Why: on this VM the cost of moving a cache line between the two cores changes on its own, by a
 * factor of two to three, for seconds at a time (session 23: two threads CASing random elements of
 * a plain {@code AtomicLongArray}, no allocation and no GC, ran 355–370 M/s, then 167–176 M/s
 * within the same JVM, and back). Every keyed lock moves its key's lines between the cores on about
 * half of its acquisitions, so every implementation's {@code keys-1000-2t} fork lands in one mode
 * or the other: within single JMH forks, Lockstep moved between 95 and 35 M/s, {@code
 * chm-reentrantlock} between 135 and 44, {@code guava-striped-lazyweak} between 58 and 11. The JMH
 * row compares forks run a minute apart, so its ratio was decided by which modes the forks drew
 * (session 22's rounds: 1.04x, 1.15x, 2.61x, 1.21x). Here every round runs both for {@link
 * #SLICE_MS} each, in an order that alternates from round to round, and each round's ratio uses
 * only that round's two slices.
 *
 * <p>Each implementation has its own measuring loop (a concrete final type, so the calls stay
 * monomorphic as in a JMH fork of one implementation), and both are warmed up first. Two platform
 * threads ({@link Workers}) run every slice, each on the same precomputed random walk as JMH's
 * {@code Cursor}, until the slice's deadline (checked every 256 acquisitions), and spin between
 * slices; a slice's rate is the acquisitions done over the time until the last thread returned.
 */
final class LocksPaired {
  static final String SCENARIO = "keys-1000-2t-paired";
  static final String PEER = "guava-striped-lazyweak";

  /** Length of one slice, full run. */
  static final long SLICE_MS = 500;

  /** Rounds of a full run. */
  static final int ROUNDS = 20;

  /** Seconds of warm-up of each implementation, full run. */
  static final int WARM_SECONDS = 5;

  private LocksPaired() {}

  /** One round's rates, in acquisitions per second. */
  record Round(double lockstep, double peer) {}

  /**
   * The paired slices alone, by hand: {@code java -Xms1g -Xmx1g -cp lockstep-benchmarks.jar
   * dev.lockstep.bench.LocksPaired [rounds [slice-ms [warm-up-s [rounds-file]]]]} (default 20
   * rounds of 500 ms slices after 5 s of warm-up each). With a rounds file, each round's two rates
   * are written there instead of a report, one {@code lockstep peer} line per round (for {@link
   * #run(Report, boolean, PrintStream)}, which runs this in a child JVM).
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : ROUNDS;
    long sliceMs = args.length > 1 ? Long.parseLong(args[1]) : SLICE_MS;
    int warm = args.length > 2 ? Integer.parseInt(args[2]) : WARM_SECONDS;
    List<Round> measured = measure(rounds, sliceMs, warm, System.out);
    if (args.length > 3) {
      StringBuilder lines = new StringBuilder();
      for (Round r : measured) {
        lines.append(r.lockstep()).append(' ').append(r.peer()).append('\n');
      }
      Files.writeString(Path.of(args[3]), lines);
    } else {
      Report report = new Report("locks", false);
      addResults(report, measured);
      report.print(System.out);
    }
  }

  /**
   * Runs the paired slices in a child JVM with the JMH forks' heap and collector ({@link
   * Jmh#JVM_ARGS}) and adds the results: neither this JVM's history (the memory probe has just held
   * a million keys, which leaves the lock's slow paths in the JIT's profile) nor its default heap
   * should decide the rates. Session 23: run in this JVM after the probe, Lockstep's slices ran
   * 75–83 M/s; in a fresh JVM, 90–110.
   */
  static void run(Report report, boolean quick, PrintStream out) throws Exception {
    Path file = Files.createTempFile("lockstep-locks-paired", ".txt");
    try {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(Jmh.JVM_ARGS);
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(LocksPaired.class.getName());
      cmd.add(String.valueOf(quick ? 4 : ROUNDS));
      cmd.add(String.valueOf(quick ? 150 : SLICE_MS));
      cmd.add(String.valueOf(quick ? 1 : WARM_SECONDS));
      cmd.add(file.toString());
      Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      try (BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = lines.readLine()) != null; ) {
          out.println(line);
        }
      }
      int status = child.waitFor();
      if (status != 0) {
        throw new IllegalStateException("locks paired slices: the child JVM exited with " + status);
      }
      List<Round> measured = new ArrayList<>();
      for (String line : Files.readAllLines(file)) {
        String[] rates = line.trim().split(" ");
        measured.add(new Round(Double.parseDouble(rates[0]), Double.parseDouble(rates[1])));
      }
      addResults(report, measured);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static List<Round> measure(int rounds, long sliceMs, int warmSeconds, PrintStream out)
      throws Exception {
    long slice = sliceMs * 1_000_000L;
    Integer[] keys = LocksBenchmark.keys();
    KeyedLockImpl.Lockstep mine = (KeyedLockImpl.Lockstep) KeyedLockImpl.create("lockstep");
    KeyedLockImpl.GuavaStriped peer = (KeyedLockImpl.GuavaStriped) KeyedLockImpl.create(PEER);
    Slice lockstep = (walk, deadline) -> lockstepLoop(mine, keys, walk, deadline);
    Slice lazyweak = (walk, deadline) -> peerLoop(peer, keys, walk, deadline);
    out.printf(
        Locale.ROOT,
        "locks paired slices: warming up, then %d rounds of 2 x %d ms (lockstep, %s, 2 threads"
            + " over 1,000 keys)%n",
        rounds,
        sliceMs,
        PEER);
    List<Round> measured = new ArrayList<>();
    try (Workers workers = new Workers()) {
      for (int i = 0; i < warmSeconds; i++) {
        workers.rate(lockstep, 1_000_000_000L);
        workers.rate(lazyweak, 1_000_000_000L);
      }
      for (int r = 0; r < rounds; r++) {
        double a;
        double b;
        if (r % 2 == 0) {
          a = workers.rate(lockstep, slice);
          b = workers.rate(lazyweak, slice);
        } else {
          b = workers.rate(lazyweak, slice);
          a = workers.rate(lockstep, slice);
        }
        Round round = new Round(a, b);
        measured.add(round);
        out.printf(
            Locale.ROOT,
            "  round %2d: lockstep %6.1f M/s  %s %6.1f M/s  (%.2fx)%n",
            r + 1,
            a / 1e6,
            PEER,
            b / 1e6,
            a / b);
      }
    }
    return measured;
  }

  /**
   * Adds the two rows (mean rates), the comparison (ratio of the mean rates, as the JMH rows'
   * comparisons are) and a note with every round's ratio.
   */
  static void addResults(Report report, List<Round> rounds) {
    double mine = rounds.stream().mapToDouble(Round::lockstep).average().orElse(0);
    double theirs = rounds.stream().mapToDouble(Round::peer).average().orElse(0);
    report.rows.add(new Report.Row(SCENARIO, "lockstep", 2, mine, null, null, null, null));
    report.rows.add(new Report.Row(SCENARIO, PEER, 2, theirs, null, null, null, null));
    if (theirs > 0) {
      report.compare(SCENARIO, PEER, mine / theirs);
    }
    Targets.Target t = Targets.ratio(report.suite, SCENARIO, PEER);
    List<Double> ratios = new ArrayList<>();
    for (Round r : rounds) {
      ratios.add(r.lockstep() / r.peer());
    }
    report.notes.add(
        SCENARIO
            + " vs "
            + PEER
            + " in adjacent slices, round by round: "
            + Report.byRound(ratios, t == null ? 0 : t.value(), v -> Report.fixed(v, 2) + "x", ""));
  }

  /** One thread's share of a slice: acquisitions done over its walk until {@code deadline}. */
  @FunctionalInterface
  interface Slice {
    long run(int[] walk, long deadline) throws InterruptedException;
  }

  // Two copies of one loop on purpose: each calls one concrete final type, so its calls stay
  // monomorphic (one shared loop over KeyedLockImpl would see both types).
  private static long lockstepLoop(
      KeyedLockImpl.Lockstep lock, Integer[] keys, int[] walk, long deadline)
      throws InterruptedException {
    long n = 0;
    int next = 0;
    do {
      for (int i = 0; i < 256; i++) {
        lock.release(lock.acquire(keys[walk[next++ & WALK_MASK]]));
      }
      n += 256;
    } while (System.nanoTime() - deadline < 0);
    return n;
  }

  private static long peerLoop(
      KeyedLockImpl.GuavaStriped lock, Integer[] keys, int[] walk, long deadline) {
    long n = 0;
    int next = 0;
    do {
      for (int i = 0; i < 256; i++) {
        lock.release(lock.acquire(keys[walk[next++ & WALK_MASK]]));
      }
      n += 256;
    } while (System.nanoTime() - deadline < 0);
    return n;
  }

  /** As {@code LocksBenchmark.Cursor}: each thread's walk of random key indexes. */
  private static final int WALK_MASK = LocksBenchmark.Cursor.MASK;

  /**
   * Runs one slice on fresh {@link Workers}: acquisitions per second of {@code slice}'s two threads
   * over {@code nanos}.
   */
  static double rate(Slice slice, long nanos) throws Exception {
    try (Workers workers = new Workers()) {
      return workers.rate(slice, nanos);
    }
  }

  /**
   * Two platform threads that run the slices, each on its own random walk over the keys, and spin
   * between slices instead of ending: a vCPU left idle (a thread joined, the next one started) is
   * when this VM's host seems to re-place it, which changes the cost of a line transfer between the
   * two (session 23). GC pauses still idle them.
   */
  static final class Workers implements AutoCloseable {
    private final int[][] walks = new int[2][];
    private final long[] counts = new long[2];
    private final long[] ends = new long[2];
    private final AtomicInteger finished = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile int phase;
    private volatile boolean closed;
    private volatile Slice slice;
    private volatile long deadline;

    Workers() {
      for (int t = 0; t < 2; t++) {
        walks[t] = new int[WALK_MASK + 1];
        LocksBenchmark.Cursor.fill(walks[t], System.nanoTime() ^ (31L * t));
      }
      for (int t = 0; t < 2; t++) {
        int me = t;
        threads.add(Thread.ofPlatform().name("locks-paired-" + t).start(() -> work(me)));
      }
    }

    private void work(int me) {
      int seen = 0;
      while (true) {
        while (phase == seen) {
          if (closed) {
            return;
          }
          Thread.onSpinWait();
        }
        seen = phase;
        try {
          counts[me] = slice.run(walks[me], deadline);
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
        ends[me] = System.nanoTime();
        finished.incrementAndGet(); // publishes counts and ends
      }
    }

    /**
     * Runs {@code slice} on both threads until {@code nanos} have passed and returns acquisitions
     * per second over the time until the last one returned.
     */
    double rate(Slice next, long nanos) throws InterruptedException {
      finished.set(0);
      slice = next;
      long start = System.nanoTime();
      deadline = start + nanos;
      phase++; // only this thread writes it
      Thread.sleep(nanos / 1_000_000);
      while (finished.get() < 2) {
        Thread.sleep(1);
      }
      Throwable e = failure.get();
      if (e != null) {
        throw new IllegalStateException("locks paired slice failed: " + e, e);
      }
      long elapsed = Math.max(ends[0], ends[1]) - start;
      return (counts[0] + counts[1]) * 1e9 / elapsed;
    }

    @Override
    public void close() throws InterruptedException {
      closed = true;
      for (Thread t : threads) {
        t.join();
      }
    }
  }
}
