package dev.lockstep.testkit;

import dev.lockstep.lock.CapacityExceededException;
import dev.lockstep.lock.LockHandle;
import dev.lockstep.lock.LockMode;
import dev.lockstep.lock.LockTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One harness thread: performs its operations and keeps its own tallies (read by the harness after
 * joining the thread, so they need no synchronization).
 */
final class StressWorker<K> implements Runnable {
  /** How many failures each worker keeps for the report; the rest are only counted. */
  private static final int KEPT_ERRORS = 3;

  /** What all workers of one run share. */
  record Shared<K>(
      StressTarget<K> target,
      K[] keys,
      int[] counters,
      IntervalRecorder recorder,
      StressOp[] ops,
      int opsPerThread,
      double writeFraction,
      Duration waitTimeout,
      Duration shortTimeout,
      int holdYields,
      CountDownLatch start) {}

  private final Shared<K> shared;
  private final SplittableRandom random;

  final long[] attempts = new long[StressOp.values().length];
  long acquired;
  long writes;
  long busy;
  long timedOut;
  long cancelled;
  long interrupted;
  long rejected;
  long errorCount;
  final List<Throwable> errors = new ArrayList<>(KEPT_ERRORS);

  StressWorker(Shared<K> shared, SplittableRandom random) {
    this.shared = shared;
    this.random = random;
  }

  @Override
  public void run() {
    try {
      shared.start().await();
    } catch (InterruptedException e) {
      error(new AssertionError("worker interrupted before the start", e));
      return;
    }
    for (int i = 0; i < shared.opsPerThread(); i++) {
      StressOp op = shared.ops()[random.nextInt(shared.ops().length)];
      int k = random.nextInt(shared.keys().length);
      LockMode mode =
          !shared.target().readWrite() || random.nextDouble() < shared.writeFraction()
              ? LockMode.EXCLUSIVE
              : LockMode.SHARED;
      attempts[op.ordinal()]++;
      try {
        perform(op, k, mode);
      } catch (LockTimeoutException e) {
        timedOut++;
      } catch (CapacityExceededException e) {
        rejected++;
      } catch (InterruptedException e) {
        interrupted++;
      } catch (Throwable t) { // every other failure is a finding, reported with the run
        error(t);
      }
    }
  }

  private void perform(StressOp op, int k, LockMode mode) throws Exception {
    StressTarget<K> target = shared.target();
    K key = shared.keys()[k];
    switch (op) {
      case ACQUIRE -> hold(target.acquire(key, mode, shared.waitTimeout()), k, mode);
      case TRY_ACQUIRE -> holdOrCount(target.tryAcquire(key, mode), k, mode, false);
      case TRY_ACQUIRE_TIMED ->
          holdOrCount(target.tryAcquire(key, mode, shared.shortTimeout()), k, mode, true);
      case ACQUIRE_TIMED -> hold(target.acquire(key, mode, shared.shortTimeout()), k, mode);
      case ASYNC -> hold(await(target.acquireAsync(key, mode, shared.waitTimeout())), k, mode);
      case ASYNC_TIMED ->
          hold(await(target.acquireAsync(key, mode, shared.shortTimeout())), k, mode);
      case ASYNC_CANCEL -> {
        CompletableFuture<LockHandle> f = target.acquireAsync(key, mode, shared.waitTimeout());
        for (int y = random.nextInt(3); y > 0; y--) {
          Thread.yield();
        }
        if (f.cancel(false)) {
          cancelled++;
        } else {
          hold(await(f), k, mode); // the grant (or a failure) won the race
        }
      }
      case INTERRUPT -> interruptedAcquire(key, k, mode);
    }
  }

  private void interruptedAcquire(K key, int k, LockMode mode) throws Exception {
    Thread me = Thread.currentThread();
    int delay = random.nextInt(4);
    Thread helper =
        Thread.ofVirtual()
            .start(
                () -> {
                  for (int y = delay; y > 0; y--) {
                    Thread.yield();
                  }
                  me.interrupt();
                });
    try {
      hold(shared.target().acquire(key, mode, shared.waitTimeout()), k, mode);
    } finally {
      joinUninterruptibly(helper);
      Thread.interrupted(); // the interrupt may have landed after the grant
    }
  }

  private static void joinUninterruptibly(Thread t) {
    while (true) {
      try {
        t.join();
        return;
      } catch (InterruptedException e) {
        // the helper's own interrupt; keep waiting for it to finish
      }
    }
  }

  private LockHandle await(CompletableFuture<LockHandle> f) throws Exception {
    long millis = shared.waitTimeout().toMillis() + 10_000;
    try {
      return f.get(millis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    } catch (CancellationException e) {
      throw new AssertionError("a future nobody cancelled was cancelled", e);
    } catch (TimeoutException e) {
      f.cancel(false);
      throw new AssertionError("an asynchronous wait did not end within " + millis + " ms", e);
    }
  }

  private void holdOrCount(Optional<LockHandle> h, int k, LockMode mode, boolean timed) {
    if (h.isPresent()) {
      hold(h.get(), k, mode);
    } else if (timed) {
      timedOut++;
    } else {
      busy++;
    }
  }

  /** The critical section: record it, bump the key's plain counter when writing, release. */
  private void hold(LockHandle h, int k, LockMode mode) {
    try {
      if (!h.isHeld()) {
        throw new AssertionError("granted handle " + h + " reports it is not held");
      }
      K key = shared.keys()[k];
      IntervalRecorder.Section section = shared.recorder().enter(key, mode);
      try {
        int before = mode == LockMode.EXCLUSIVE ? shared.counters()[k] : 0;
        for (int y = shared.holdYields(); y > 0; y--) {
          Thread.yield();
        }
        if (mode == LockMode.EXCLUSIVE) {
          shared.counters()[k] = before + 1; // lost if another writer was inside meanwhile
          writes++;
        }
      } finally {
        section.close();
      }
    } finally {
      h.close();
    }
    acquired++;
    if (h.isHeld()) {
      throw new AssertionError("handle " + h + " still held after close()");
    }
    if (random.nextInt(8) == 0) {
      h.close(); // a second close must be a harmless no-op
    }
  }

  private void error(Throwable t) {
    errorCount++;
    if (errors.size() < KEPT_ERRORS) {
      errors.add(t);
    }
  }
}
