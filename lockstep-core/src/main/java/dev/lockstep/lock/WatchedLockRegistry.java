package dev.lockstep.lock;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** {@link LockRegistry} with shared wait-for graph, per-lock statistics and a watchdog thread. */
final class WatchedLockRegistry implements LockRegistry {
  private final RegistryOptions options;
  private final WaitGraph graph = new WaitGraph();
  private final Map<String, Named> locks = new ConcurrentHashMap<>();
  private final Thread watchdog;
  private volatile List<WatchdogAlert> alerts = List.of();
  private volatile boolean closed;

  /** The watchdog looks at most once a millisecond, whatever its interval. */
  private static final Duration MIN_INTERVAL = Duration.ofMillis(1);

  /** One registered lock: its engine, its statistics (or null) and its public face. */
  private record Named(LockEngine engine, LockStatistics stats, Object face, int maxActiveKeys) {}

  WatchedLockRegistry(RegistryOptions options) {
    this.options = Objects.requireNonNull(options, "options must not be null");
    if (options.watchdogInterval().isZero()) {
      watchdog = null;
    } else {
      watchdog = Thread.ofPlatform().daemon().name("lockstep-watchdog").start(this::watch);
    }
  }

  @Override
  public <K> KeyedLock<K> keyed(String name) {
    return keyed(LockOptions.named(name));
  }

  @Override
  public <K> KeyedLock<K> keyed(LockOptions lockOptions) {
    return cast(named(lockOptions, false));
  }

  @Override
  public <K> KeyedReadWriteLock<K> readWrite(String name) {
    return readWrite(LockOptions.named(name));
  }

  @Override
  public <K> KeyedReadWriteLock<K> readWrite(LockOptions lockOptions) {
    return cast(named(lockOptions, true));
  }

  @SuppressWarnings("unchecked") // the key type is the caller's choice, as with any generic factory
  private static <T> T cast(Object face) {
    return (T) face;
  }

  private Object named(LockOptions lockOptions, boolean readWrite) {
    Objects.requireNonNull(lockOptions, "options must not be null");
    if (lockOptions.recorder() != LockRecorder.noop()) {
      // It would be replaced by the registry's statistics, silently: refuse it instead.
      throw new IllegalArgumentException(
          "lock '"
              + lockOptions.name()
              + "': a registry records its locks itself (RegistryOptions.statistics); a recorder"
              + " in LockOptions is for locks made without a registry (KeyedLock.create(options))");
    }
    Named n =
        locks.computeIfAbsent(
            lockOptions.name(),
            name -> {
              LockStatistics stats =
                  options.statistics()
                      ? new LockStatistics(
                          options.recentOperations(), LockEngine.nanos(options.longHold()))
                      : null;
              LockOptions o =
                  stats == null
                      ? lockOptions.withRecorder(LockRecorder.noop())
                      : lockOptions.withRecorder(stats);
              LockEngine engine = new LockEngine(o, readWrite, graph);
              Object face =
                  readWrite
                      ? new SharedKeyedReadWriteLock<>(engine)
                      : new ExclusiveKeyedLock<>(engine);
              return new Named(engine, stats, face, lockOptions.maxActiveKeys());
            });
    if (n.engine.readWrite != readWrite) {
      throw new IllegalArgumentException(
          "lock '"
              + lockOptions.name()
              + "' is already registered as a "
              + (n.engine.readWrite ? "read-write" : "keyed")
              + " lock");
    }
    if (n.maxActiveKeys != lockOptions.maxActiveKeys()
        && lockOptions.maxActiveKeys() != Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "lock '"
              + lockOptions.name()
              + "' is already registered with maxActiveKeys "
              + n.maxActiveKeys
              + ", asked for "
              + lockOptions.maxActiveKeys());
    }
    return n.face;
  }

  @Override
  public RegistrySnapshot snapshot() {
    Instant now = Instant.now();
    long nowNanos = System.nanoTime();
    List<LockSnapshot> out = new ArrayList<>();
    for (Named n : locks.values()) {
      List<HolderInfo> holders = new ArrayList<>();
      List<HolderInfo> waiters = new ArrayList<>();
      for (Stripes.HeldOrWaiting h : n.engine.inspect()) {
        Duration since =
            n.engine.recording && h.sinceNanos() != 0
                ? Duration.ofNanos(Math.max(0, nowNanos - h.sinceNanos()))
                : Duration.ZERO;
        HolderInfo info = new HolderInfo(h.owner(), keyText(h.key()), h.mode(), since, h.async());
        (h.held() ? holders : waiters).add(info);
      }
      LockStatistics s = n.stats;
      out.add(
          new LockSnapshot(
              n.engine.name,
              n.engine.readWrite ? "read-write" : "keyed",
              n.engine.activeKeys(),
              s == null ? new LockCounters(0, 0, 0, 0, 0, 0, 0) : s.counters(),
              s == null ? LatencySummary.EMPTY : s.waitTime(),
              s == null ? LatencySummary.EMPTY : s.holdTime(),
              holders,
              waiters,
              s == null ? List.of() : s.recent()));
    }
    out.sort((a, b) -> a.name().compareTo(b.name()));
    return new RegistrySnapshot(now, out, alerts);
  }

  /** One look of the watchdog: finds long waits and holds, reports the new ones. */
  void look(Set<String> reported) {
    long nowNanos = System.nanoTime();
    long waitLimit = LockEngine.nanos(options.longWait());
    long holdLimit = LockEngine.nanos(options.longHold());
    List<WatchdogAlert> found = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Named n : locks.values()) {
      if (!n.engine.recording) {
        continue; // no timestamps without statistics
      }
      for (Stripes.HeldOrWaiting h : n.engine.inspect()) {
        if (h.sinceNanos() == 0) {
          continue;
        }
        long age = nowNanos - h.sinceNanos();
        long limit = h.held() ? holdLimit : waitLimit;
        if (age <= limit) {
          continue;
        }
        String key = keyText(h.key());
        WatchdogAlert a =
            new WatchdogAlert(
                h.held() ? WatchdogAlert.Kind.LONG_HOLD : WatchdogAlert.Kind.LONG_WAIT,
                n.engine.name,
                key,
                h.owner(),
                h.mode(),
                Duration.ofNanos(age),
                Duration.ofNanos(limit));
        found.add(a);
        String id =
            n.engine.name + "|" + key + "|" + h.owner() + "|" + h.held() + "|" + h.sinceNanos();
        seen.add(id);
        if (reported.add(id)) {
          try {
            options.listener().onAlert(a);
          } catch (Throwable e) { // an Error too (a failed assertion in a test's listener)
            warn("watchdog listener failed on: " + a.message(), e);
          }
        }
      }
    }
    reported.retainAll(seen);
    alerts = List.copyOf(found);
  }

  private void watch() {
    Set<String> reported = new HashSet<>();
    Duration interval = options.watchdogInterval();
    if (interval.compareTo(MIN_INTERVAL) < 0) {
      interval = MIN_INTERVAL;
    }
    while (!closed) {
      try {
        Thread.sleep(interval); // saturates: a huge interval just sleeps very long
      } catch (InterruptedException e) {
        return;
      }
      try {
        look(reported);
      } catch (Throwable e) { // the watchdog outlives any one bad look
        warn("watchdog look failed", e);
      }
    }
  }

  /** A key as text for snapshots and alerts; a key whose {@code toString()} throws still shows. */
  static String keyText(Object key) {
    try {
      return String.valueOf(key);
    } catch (RuntimeException e) {
      return key.getClass().getName()
          + "@"
          + Integer.toHexString(System.identityHashCode(key))
          + " (its toString() threw "
          + e.getClass().getName()
          + ")";
    }
  }

  private static void warn(String message, Throwable e) {
    try {
      org.slf4j.LoggerFactory.getLogger(WatchedLockRegistry.class).warn(message, e);
    } catch (Throwable ignored) {
      // Logging failed too (no memory, a broken binding): the watchdog goes on regardless.
    }
  }

  @Override
  public void close() {
    closed = true;
    if (watchdog != null) {
      watchdog.interrupt();
      try {
        watchdog.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "LockRegistry" + locks.keySet();
  }
}
