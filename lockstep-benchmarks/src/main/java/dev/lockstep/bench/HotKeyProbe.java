package dev.lockstep.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A probe outside JMH for the keyed exclusive lock's hot key: {@code threads} platform threads take
 * and release one key in a loop (as {@code LocksBenchmark.hotKey} does) and the probe prints, once
 * a second, the operations of that second and, when the core module was built with the temporary
 * path counters of a probe build (a public {@code long[] C} in {@code dev.lockstep.lock.Probe}),
 * the per-second counts of each path. Without that class it prints the throughput only.
 *
 * <p>Run: {@code java -cp lockstep-benchmarks.jar dev.lockstep.bench.HotKeyProbe [impl] [threads]
 * [seconds]}.
 */
public final class HotKeyProbe {
  private static final String[] PATHS = {
    "takeOk",
    "takeBusy",
    "tqFree",
    "tqQueued",
    "slowWay",
    "tqTries",
    "relLone",
    "relHandoff",
    "linkWait",
    "grants",
    "unparks",
    "parks",
    "grantSpun"
  };

  private HotKeyProbe() {}

  public static void main(String[] args) throws Exception {
    String impl = args.length > 0 ? args[0] : "lockstep";
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    KeyedLockImpl lock = KeyedLockImpl.create(impl);
    Integer key = 1_000_500;
    long[] counters = counters();
    long[][] ops = new long[threads][16]; // one padded counter per thread
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long[] mine = ops[t];
      Thread w =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      while (!stop.get()) {
                        for (int i = 0; i < 1024; i++) {
                          lock.release(lock.acquire(key));
                        }
                        mine[8] += 1024;
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  });
      workers.add(w);
    }
    long[] lastPaths = new long[PATHS.length];
    long lastOps = 0;
    for (int s = 1; s <= seconds; s++) {
      Thread.sleep(1000);
      long total = 0;
      StringBuilder line = new StringBuilder(String.format("%3ds", s));
      for (long[] o : ops) {
        total += o[8];
      }
      line.append(String.format(" %6.2f M/s", (total - lastOps) / 1e6));
      lastOps = total;
      if (counters != null) {
        for (int k = 0; k < PATHS.length; k++) {
          long sum = 0;
          for (int slot = 0; slot < 8; slot++) {
            sum += counters[slot * 32 + k];
          }
          line.append(String.format(" %s=%.3fM", PATHS[k], (sum - lastPaths[k]) / 1e6));
          lastPaths[k] = sum;
        }
      }
      System.out.println(line);
    }
    stop.set(true);
    for (Thread w : workers) {
      w.join();
    }
  }

  private static long[] counters() {
    try {
      return (long[]) Class.forName("dev.lockstep.lock.Probe").getField("C").get(null);
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }
}
