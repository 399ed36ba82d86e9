package dev.lockstep.fsm;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A measuring probe, not a test: N platform threads each cycle their own entity through the public
 * engine API on a SQLite store; prints CPU per transition (process, writer thread, firing threads)
 * and the writer's batch sizes. CPU time depends little on machine load, unlike throughput.
 *
 * <p>Run: {@code java -cp <test classpath> dev.lockstep.fsm.TransitionCpuProbe FULL 8 20000}
 */
public final class TransitionCpuProbe {
  private TransitionCpuProbe() {}

  static final MachineDefinition AGENT = SqliteSharedFileTest.AGENT;
  static final String[] CYCLE = {"think", "respond", "done"};

  public static void main(String[] args) throws Exception {
    SqliteOptions.Synchronous sync = SqliteOptions.Synchronous.valueOf(args[0]);
    int threads = Integer.parseInt(args[1]);
    int perThread = Integer.parseInt(args[2]);
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    String[] modes = (args.length > 4 ? args[4] : "fast").split(",");
    run(sync, threads, perThread, true, "");
    for (int r = 0; r < rounds; r++) {
      for (String mode : modes) {
        SqliteWriter.fastPathEnabled = !mode.contains("exact");
        SqliteWriter.backgroundCheckpoints = !mode.contains("inline");
        SqliteWriter.fullStoreFillWaitNanos = mode.contains("nowait") ? 0 : 200_000;
        System.out.print(mode + ": ");
        run(sync, threads, perThread, false, mode);
      }
    }
  }

  /** {@code n} transitions with {@code window} fires in flight on entities {@code id-0…}. */
  static void pipeline(FsmEngine engine, String id, int window, int n) {
    java.util.List<java.util.concurrent.CompletableFuture<FireResult>> inFlight =
        new java.util.ArrayList<>();
    int[] steps = new int[window];
    for (int w = 0; w < window; w++) {
      inFlight.add(engine.fireAsync("agent-turn", id + "-" + w, CYCLE[0], Map.of()));
    }
    for (int k = 0; k < n; k++) {
      int w = k % window;
      FireResult fr = inFlight.get(w).join();
      if (!(fr instanceof FireResult.Transitioned)) {
        throw new IllegalStateException(id + "-" + w + ": " + fr);
      }
      steps[w]++;
      inFlight.set(w, engine.fireAsync("agent-turn", id + "-" + w, CYCLE[steps[w] % 3], Map.of()));
    }
    for (var f : inFlight) {
      f.join();
    }
  }

  static void run(
      SqliteOptions.Synchronous sync, int threads, int perThread, boolean warm, String mode)
      throws Exception {
    Path dir = Files.createTempDirectory("fsm-probe");
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (SqliteFsmStore store =
            SqliteFsmStore.open(
                dir.resolve("p.db"), SqliteOptions.defaults().withSynchronous(sync));
        FsmEngine engine = FsmEngine.builder(store).machine(AGENT).build()) {
      // mode "asyncW": each thread keeps W fires in flight (fireAsync) on W entities of its own
      int window =
          mode.startsWith("async") ? Integer.parseInt(mode.substring("async".length())) : 0;
      for (int i = 0; i < threads; i++) {
        engine.create("agent-turn", "e" + i);
        for (int w = 0; w < window; w++) {
          engine.create("agent-turn", "e" + i + "-" + w);
        }
      }
      Thread writer =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.getName().equals("lockstep-fsm-sqlite-writer"))
              .findFirst()
              .orElseThrow();
      long[] hist0 = store.batchHistogram();
      AtomicLong firingCpu = new AtomicLong();
      AtomicLong firingUser = new AtomicLong();
      CountDownLatch ready = new CountDownLatch(threads);
      CountDownLatch go = new CountDownLatch(1);
      CountDownLatch done = new CountDownLatch(threads);
      for (int i = 0; i < threads; i++) {
        String id = "e" + i;
        Thread t =
            new Thread(
                () -> {
                  ready.countDown();
                  try {
                    go.await();
                  } catch (InterruptedException e) {
                    return;
                  }
                  long c0 = mx.getCurrentThreadCpuTime();
                  long u0 = mx.getCurrentThreadUserTime();
                  if (window > 0) {
                    pipeline(engine, id, window, perThread);
                  }
                  for (int k = 0; window == 0 && k < perThread; k++) {
                    FireResult fr = engine.fire("agent-turn", id, CYCLE[k % 3], Map.of());
                    if (!(fr instanceof FireResult.Transitioned)) {
                      throw new IllegalStateException(id + ": " + fr);
                    }
                  }
                  firingCpu.addAndGet(mx.getCurrentThreadCpuTime() - c0);
                  firingUser.addAndGet(mx.getCurrentThreadUserTime() - u0);
                  done.countDown();
                });
        t.start();
      }
      ready.await();
      long w0 = mx.getThreadCpuTime(writer.threadId());
      long wu0 = mx.getThreadUserTime(writer.threadId());
      long p0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      go.countDown();
      done.await();
      long wall = System.nanoTime() - t0;
      long p1 = os.getProcessCpuTime();
      long w1 = mx.getThreadCpuTime(writer.threadId());
      long wu1 = mx.getThreadUserTime(writer.threadId());
      long n = (long) threads * perThread;
      long[] hist1 = store.batchHistogram();
      long batches = 0;
      long ops = 0;
      StringBuilder h = new StringBuilder();
      for (int s = 1; s < hist1.length; s++) {
        long c = hist1[s] - hist0[s];
        batches += c;
        ops += c * s;
      }
      long cum = 0;
      int p50 = 0;
      int p90 = 0;
      for (int s = 1; s < hist1.length; s++) {
        cum += hist1[s] - hist0[s];
        if (p50 == 0 && cum * 2 >= batches) {
          p50 = s;
        }
        if (p90 == 0 && cum * 10 >= batches * 9) {
          p90 = s;
        }
      }
      for (int s = 1; s < hist1.length; s++) {
        long c = hist1[s] - hist0[s];
        if (c > 0) {
          h.append(s).append(':').append(c).append(' ');
        }
      }
      System.out.printf(
          "%s%s threads=%d n=%d  cpu/transition: process %.1f us, writer %.1f us (kernel %.1f),"
              + " firing %.1f us (kernel %.1f); %.0f/s wall; batches %d, mean %.2f ops, p50 %d,"
              + " p90 %d, %.1f us/batch; load %s%n",
          warm ? "(warm-up) " : "",
          sync,
          threads,
          n,
          (p1 - p0) / 1e3 / n,
          (w1 - w0) / 1e3 / n,
          ((w1 - w0) - (wu1 - wu0)) / 1e3 / n,
          firingCpu.get() / 1e3 / n,
          (firingCpu.get() - firingUser.get()) / 1e3 / n,
          n * 1e9 / wall,
          batches,
          ops / (double) Math.max(1, batches),
          p50,
          p90,
          wall / 1e3 / Math.max(1, batches),
          Files.readString(Path.of("/proc/loadavg")).strip());
      Path wal = dir.resolve("p.db-wal");
      System.out.printf(
          "  WAL %.1f MB, background checkpoints %d%n",
          Files.exists(wal) ? Files.size(wal) / 1e6 : 0.0, store.checkpoints());
      if (!warm) {
        System.out.println("  batch sizes (size:count): " + h);
      }
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
