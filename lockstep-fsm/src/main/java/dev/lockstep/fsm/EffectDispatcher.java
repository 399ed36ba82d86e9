package dev.lockstep.fsm;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches due outbox entries after commit: at least once (a crash between the handler and {@link
 * FsmStore#markDispatched} repeats it), with exponential backoff after failures, each failure
 * logged as an {@link Outcome#EFFECT_FAILED} attempt. One platform thread, started on the first
 * {@link #wake()}, woken by commits that wrote effects and otherwise polling every second (entries
 * written by other processes and retries falling due).
 *
 * <p>A handler that throws anything — an exception, an {@link Error} such as {@link AssertionError}
 * or {@link StackOverflowError}, even an {@link OutOfMemoryError} (the handler's frames are gone by
 * then) — is a failed delivery, as a guard that throws is a failed guard. A pass that fails outside
 * a handler (the store) is logged and the thread polls on; only a {@link VirtualMachineError} there
 * ends the thread, and then the next {@link #wake()} (the next commit that writes effects) starts
 * another.
 */
final class EffectDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(EffectDispatcher.class);
  private static final long POLL_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final int BATCH = 64;

  private final FsmStore store;
  private final Map<String, CompiledMachine> machines;
  private final Map<String, Set<String>> handled; // effect names with a body here, by machine
  private final Duration initial;
  private final Duration max;
  private final boolean background;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition signal = lock.newCondition();
  private boolean woken;
  private boolean closed;
  private Thread thread;

  EffectDispatcher(
      FsmStore store,
      Map<String, CompiledMachine> machines,
      Duration initial,
      Duration max,
      boolean background) {
    this.store = store;
    this.machines = machines;
    Map<String, Set<String>> h = new HashMap<>();
    machines.forEach(
        (name, m) -> {
          if (!m.effects.isEmpty()) {
            h.put(name, Set.copyOf(m.effects.keySet()));
          }
        });
    this.handled = Map.copyOf(h);
    this.initial = initial;
    this.max = max;
    this.background = background && machines.values().stream().anyMatch(m -> !m.effects.isEmpty());
    wake(); // entries left by earlier runs or other processes are dispatched without a new commit
  }

  /** Tells the dispatcher new entries may be due; starts its thread on first use. */
  void wake() {
    if (!background) {
      return;
    }
    lock.lock();
    try {
      if (closed) {
        return;
      }
      if (thread == null) { // first use, or the last thread ended on a VirtualMachineError
        thread = new Thread(this::run, "lockstep-fsm-effects");
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler(
            (t, e) ->
                LOG.error(
                    "effect dispatcher of {} stopped; the next commit with effects restarts it",
                    store.describe(),
                    e));
        thread.start();
      }
      woken = true;
      signal.signal();
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    try {
      while (true) {
        lock.lock();
        try {
          while (!woken && !closed) {
            if (signal.awaitNanos(POLL_NANOS) <= 0) {
              break;
            }
          }
          if (closed) {
            return;
          }
          woken = false;
        } catch (InterruptedException e) {
          // not close(), which signals: a handler left its interrupt behind, or someone else's
          LOG.debug("effect dispatcher of {} interrupted; polling on", store.describe());
          continue;
        } finally {
          lock.unlock();
        }
        try {
          dispatchDue();
        } catch (VirtualMachineError e) {
          throw e; // ends this thread (logged by its handler); the next wake() starts another
        } catch (RuntimeException | Error e) {
          LOG.warn("effect dispatch pass failed on {}: {}", store.describe(), e.toString());
        }
      }
    } finally {
      lock.lock();
      try {
        if (thread == Thread.currentThread()) {
          thread = null;
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Dispatches every due entry with a handler here, on the calling thread; returns successes. The
   * store is asked only for entries with a handler here, so that entries left for another engine
   * (process) cannot fill every page; an entry is tried at most once per call.
   */
  int dispatchDue() {
    if (handled.isEmpty()) {
      return 0;
    }
    int done = 0;
    Set<Long> tried = new HashSet<>();
    while (true) {
      List<OutboxEntry> due = store.pendingEffects(Instant.now(), BATCH, handled);
      boolean fresh = false;
      for (OutboxEntry e : due) {
        if (!tried.add(e.id())) {
          continue; // failed in this call and due again already (a backoff under a millisecond)
        }
        fresh = true;
        CompiledMachine m = machines.get(e.machine());
        Action body = m == null ? null : m.effects.get(e.effect());
        if (body == null) {
          continue; // a store that did not filter: another engine with a handler dispatches it
        }
        if (dispatchOne(e, body)) {
          done++;
        }
        if (isClosed()) {
          return done;
        }
      }
      if (due.size() < BATCH || !fresh) {
        return done;
      }
    }
  }

  private boolean dispatchOne(OutboxEntry e, Action body) {
    try {
      var data = store.read(e.entityId()).map(EntityState::data).orElse(Map.of());
      body.execute(
          new ActionContext(
              e.entityId(), e.from(), e.event(), e.to(), e.version(), data, e.payload()));
    } catch (Throwable ex) { // Errors too, and checked exceptions thrown sneakily: see the class
      int n = e.dispatchAttempts() + 1;
      long delay =
          n > 30 ? max.toMillis() : Math.min(initial.toMillis() << (n - 1), max.toMillis());
      Instant now = Instant.now();
      String msg =
          "effect '"
              + e.effect()
              + "' dispatch "
              + n
              + " failed: "
              + DefaultFsmEngine.describe(ex)
              + "; next try in "
              + delay
              + " ms";
      LOG.warn("{} (entity {}, version {})", msg, e.entityId(), e.version());
      store.recordDispatchFailure(
          e.id(),
          now.plusMillis(delay),
          new Attempt(
              DefaultFsmEngine.newAttemptId(now),
              now,
              e.machine(),
              e.entityId(),
              e.event(),
              e.from(),
              e.to(),
              null,
              GuardResult.NONE,
              Outcome.EFFECT_FAILED,
              msg,
              e.version()));
      return false;
    }
    store.markDispatched(e.id(), Instant.now());
    return true;
  }

  private boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  void close() {
    Thread t;
    lock.lock();
    try {
      closed = true;
      signal.signal();
      t = thread;
    } finally {
      lock.unlock();
    }
    if (t != null) {
      boolean interrupted = false;
      while (true) {
        try {
          t.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
