package dev.lockstep.cli;

import dev.lockstep.lock.KeyedLock;
import dev.lockstep.lock.LockHandle;
import dev.lockstep.lock.LockOptions;
import dev.lockstep.lock.LockRegistry;
import dev.lockstep.lock.LockSnapshot;
import dev.lockstep.lock.RegistryOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code lockstep demo}: N users each send M messages at once, on virtual threads; a per-user
 * {@link KeyedLock} serializes each user's messages through a state guard IDLE → THINKING →
 * RESPONDING → IDLE (back to IDLE when a simulated model call fails). Ends with a table that shows
 * the lock held: no overlap within a user, many users served at once, no key retained.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Simulate users sending messages through a per-user state guard protected by a KeyedLock.",
      "Exits 0 when every message was processed, no user ever ran two messages at once,"
          + " and no lock key was retained after the run."
    })
final class DemoCommand implements Callable<Integer> {

  /** The per-user state guard of an agent framework. */
  enum State {
    IDLE,
    THINKING,
    RESPONDING
  }

  @Spec CommandSpec spec;

  @Option(
      names = "--users",
      defaultValue = "500",
      description = "Simulated users (default: ${DEFAULT-VALUE}).")
  int users;

  @Option(
      names = "--messages",
      defaultValue = "20",
      description = "Messages each user sends at once (default: ${DEFAULT-VALUE}).")
  int messages;

  @Option(names = "--json", description = "Print the result as one JSON object instead of a table.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (users < 1) {
      throw new ParameterException(spec.commandLine(), "--users must be >= 1, was " + users);
    }
    if (messages < 1) {
      throw new ParameterException(spec.commandLine(), "--messages must be >= 1, was " + messages);
    }
    long total = (long) users * messages;
    long heap = Runtime.getRuntime().maxMemory();
    long most = maxMessages(heap);
    if (total > most) {
      throw new ParameterException(
          spec.commandLine(),
          String.format(
              "--users x --messages is %,d messages, more than this JVM's heap (%,d MB) holds at"
                  + " once: at most %,d (about %,d bytes each, as every message is a virtual thread"
                  + " waiting for its user's lock). Use fewer, or a larger heap:"
                  + " LOCKSTEP_JAVA_OPTS=-Xmx%dg",
              total,
              heap >> 20,
              most,
              BYTES_PER_MESSAGE,
              (long) Math.ceil(total * (BYTES_PER_MESSAGE / 0x1p30))));
    }
    PrintStream out = System.out;
    try (LockRegistry registry =
        LockRegistry.create(RegistryOptions.DEFAULTS.withWatchdogInterval(Duration.ZERO))) {
      KeyedLock<Integer> lock = registry.keyed(LockOptions.named("users").withMaxActiveKeys(users));
      Run run = new Run(users);
      long start = System.nanoTime();
      // A latch, not a list of the threads: a finished thread is garbage at once.
      CountDownLatch finished = new CountDownLatch((int) total);
      Thread progress =
          json ? null : Thread.ofPlatform().daemon().start(() -> progress(run, total));
      for (int m = 0; m < messages; m++) {
        for (int u = 0; u < users; u++) {
          int user = u;
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      run.message(lock, user);
                    } finally {
                      finished.countDown();
                    }
                  });
        }
      }
      finished.await();
      long elapsedNanos = System.nanoTime() - start;
      if (progress != null) {
        progress.interrupt();
        progress.join();
        System.err.print("\r" + bar(total, total) + "\n");
      }
      LockSnapshot s = registry.snapshot().lock("users").orElseThrow();
      int retained = lock.activeKeys();
      boolean ok = run.processed.get() == total && run.overlaps.get() == 0 && retained == 0;
      double seconds = elapsedNanos / 1e9;
      if (json) {
        out.println(
            "{\"users\":"
                + users
                + ",\"messagesPerUser\":"
                + messages
                + ",\"processed\":"
                + run.processed.get()
                + ",\"failedAndRecovered\":"
                + run.failed.get()
                + ",\"peakConcurrentUsers\":"
                + run.peak.get()
                + ",\"overlapsWithinUser\":"
                + run.overlaps.get()
                + ",\"waitP50Micros\":"
                + s.waitTime().p50Micros()
                + ",\"waitP99Micros\":"
                + s.waitTime().p99Micros()
                + ",\"holdP50Micros\":"
                + s.holdTime().p50Micros()
                + ",\"holdP99Micros\":"
                + s.holdTime().p99Micros()
                + ",\"retainedKeys\":"
                + retained
                + ",\"seconds\":"
                + seconds
                + ",\"ok\":"
                + ok
                + "}");
      } else {
        out.printf(
            "Lockstep demo: %,d users x %,d messages, one virtual thread per message%n%n",
            users, messages);
        row(out, "messages processed", String.format("%,d of %,d", run.processed.get(), total));
        row(out, "failed and recovered to IDLE", String.format("%,d", run.failed.get()));
        row(out, "users served concurrently (peak)", String.format("%,d", run.peak.get()));
        row(out, "overlaps within one user (must be 0)", String.valueOf(run.overlaps.get()));
        row(
            out,
            "wait p50 / p99",
            ms(s.waitTime().p50Micros()) + " / " + ms(s.waitTime().p99Micros()));
        row(
            out,
            "hold p50 / p99",
            ms(s.holdTime().p50Micros()) + " / " + ms(s.holdTime().p99Micros()));
        row(out, "retained keys after run (must be 0)", String.valueOf(retained));
        row(out, "elapsed", String.format("%.2f s (%,.0f messages/s)", seconds, total / seconds));
        out.println();
        out.println(ok ? "result: OK" : "result: FAILED");
      }
      return ok ? 0 : 1;
    }
  }

  /**
   * Heap each message takes while it waits for its user's lock (its virtual thread, stack and queue
   * node), with room to spare: on JDK 25 a run of 357,900 messages (the most this allows in a 1 GB
   * heap) peaked at 630-740 MB after GC, about 2.1 KB each; 1,000,000 at 1.9 GB.
   */
  static final long BYTES_PER_MESSAGE = 3_000;

  /**
   * The most messages a run may have: every one is a waiting virtual thread at once, so a run that
   * does not fit in the heap would end in an {@link OutOfMemoryError} after minutes; it is refused
   * up front instead.
   */
  static long maxMessages(long maxHeapBytes) {
    return Math.min(Integer.MAX_VALUE, maxHeapBytes / BYTES_PER_MESSAGE);
  }

  /** Shared counters of one demo run. */
  static final class Run {
    final AtomicIntegerArray inside;
    final AtomicLong processed = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicInteger overlaps = new AtomicInteger();
    final AtomicInteger current = new AtomicInteger();
    final AtomicInteger peak = new AtomicInteger();
    final State[] states;

    Run(int users) {
      inside = new AtomicIntegerArray(users);
      states = new State[users];
      java.util.Arrays.fill(states, State.IDLE);
    }

    void message(KeyedLock<Integer> lock, int user) {
      try (LockHandle h = lock.acquire(user, Duration.ofMinutes(5))) {
        if (inside.incrementAndGet(user) != 1) {
          overlaps.incrementAndGet();
        }
        peak.accumulateAndGet(current.incrementAndGet(), Math::max);
        try {
          handle(user);
        } finally {
          current.decrementAndGet();
          inside.decrementAndGet(user);
        }
        processed.incrementAndGet();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void handle(int user) throws InterruptedException {
      ThreadLocalRandom rnd = ThreadLocalRandom.current();
      transition(user, State.IDLE, State.THINKING);
      try {
        Thread.sleep(Duration.ofNanos(rnd.nextLong(100_000, 1_000_000))); // the model thinks
        if (rnd.nextInt(50) == 0) {
          throw new IllegalStateException("simulated model failure");
        }
        transition(user, State.THINKING, State.RESPONDING);
        Thread.sleep(Duration.ofNanos(rnd.nextLong(50_000, 300_000))); // the reply streams
        transition(user, State.RESPONDING, State.IDLE);
      } catch (IllegalStateException e) {
        failed.incrementAndGet();
        states[user] = State.IDLE; // the declared error transition
      }
    }

    private void transition(int user, State from, State to) {
      if (states[user] != from) {
        // Only possible if two messages of one user ran at once.
        overlaps.incrementAndGet();
      }
      states[user] = to;
    }
  }

  private static void progress(Run run, long total) {
    while (!Thread.currentThread().isInterrupted()) {
      System.err.print("\r" + bar(run.processed.get(), total));
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  static String bar(long done, long total) {
    int width = 40;
    int filled = (int) (width * done / Math.max(1, total));
    return "["
        + "#".repeat(filled)
        + ".".repeat(width - filled)
        + "] "
        + String.format("%,d/%,d messages", done, total);
  }

  private static void row(PrintStream out, String name, String value) {
    out.printf("  %-38s %s%n", name, value);
  }

  private static String ms(double micros) {
    return String.format("%.2f ms", micros / 1000.0);
  }
}
