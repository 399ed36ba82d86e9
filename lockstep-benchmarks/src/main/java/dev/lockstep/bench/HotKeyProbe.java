package dev.lockstep.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A probe outside JMH for the keyed exclusive lock's hot key: {@code threads} platform threads take
 * and release one key in a loop (as {@code LocksBenchmark.hotKey} does) and the probe prints, once
 * a second, the operations of that second, so that a fork's modes and drifts show second by second.
 * (Session 13 added path counters to a temporary, uncommitted build of the core module and printed
 * them beside these lines: see docs/benchmarks.md, "Session 13 runs".)
 *
 * <p>Run: {@code java -cp lockstep-benchmarks.jar dev.lockstep.bench.HotKeyProbe [impl] [threads]
 * [seconds]}.
 */
public final class HotKeyProbe {
  private HotKeyProbe() {}

  public static void main(String[] args) throws Exception {
    String impl = args.length > 0 ? args[0] : "lockstep";
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    KeyedLockImpl lock = KeyedLockImpl.create(impl);
    Integer key = 1_000_500;
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
    long lastOps = 0;
    for (int s = 1; s <= seconds; s++) {
      Thread.sleep(1000);
      long total = 0;
      for (long[] o : ops) {
        total += o[8];
      }
      System.out.println(String.format("%3ds %6.2f M/s", s, (total - lastOps) / 1e6));
      lastOps = total;
    }
    stop.set(true);
    for (Thread w : workers) {
      w.join();
    }
  }
}
