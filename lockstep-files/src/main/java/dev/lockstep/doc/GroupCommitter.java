package dev.lockstep.doc;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Combines concurrent commits of one document in this JVM into batches.
 *
 * <p>Implementation notes. A caller queues its {@link PendingCommit}; if no batch is running it
 * becomes the leader: it takes the file lock and loads the document, then takes everything queued
 * by then and runs it as one batch (outside the monitor), then wakes every waiter at once. Waiters
 * whose commit the batch completed return; of the others, the first to wake leads the next batch.
 * Batches are thus bounded by the callers in flight, and a finished batch costs one wake-up round,
 * not a hand-off per caller. A waiter whose commit is still queued when its deadline passes leaves
 * the queue and times out; once its commit is in a running batch it waits for the answer (also when
 * interrupted, keeping the interrupt status).
 *
 * <p>Filling batches. The callers a batch answers usually come straight back with their next
 * commit, but on a busy machine they need a moment to be scheduled, and a leader that took only
 * those queued at once would run small batches (measured: 5.4 commits per batch on average with 8
 * threads on 2 cores). So when fewer commits are queued than the last batch took, the leader waits
 * for the rest, but no longer than a fraction ({@code 1/}{@value #WAIT_DIVISOR}) of the last
 * batch's duration from its drain to its end (its work and syncs, not its lock wait): the extra
 * latency is bounded by that fraction, a lone caller (last batch: 1) never waits, and a caller that
 * does not come back costs one such wait, after which the expected count drops to what came.
 */
final class GroupCommitter<T> {
  static final int WAIT_DIVISOR = 8;

  /**
   * Runs one batch. It calls {@code drain} once, when it is ready, to take every queued commit (the
   * leader's included) and must complete each of them; if it cannot run at all, it {@link #remove}s
   * and fails the leader's commit only, leaving the others queued.
   */
  @FunctionalInterface
  interface Batch<T> {
    void run(Supplier<List<PendingCommit<T>>> drain, PendingCommit<T> leader);
  }

  private final ReentrantLock monitor = new ReentrantLock();
  private final Condition changed = monitor.newCondition();
  private final Condition arrived = monitor.newCondition();
  private final int waitDivisor;
  private int lastBatch; // how many commits the last batch took: their callers may come back
  private long lastBatchNanos; // how long the last batch ran after its drain
  private long drainedAt; // when the running batch drained the queue (0: not yet)
  private boolean filling; // a leader waits in drain() for lastBatch commits
  private final ArrayDeque<PendingCommit<T>> queue = new ArrayDeque<>();
  private boolean running;
  private Thread leader; // the thread running the current batch

  GroupCommitter() {
    this(WAIT_DIVISOR);
  }

  /** With the leader's wait for a full batch capped at {@code 1/waitDivisor} of the last batch. */
  GroupCommitter(int waitDivisor) {
    this.waitDivisor = waitDivisor;
  }

  Versioned<T> submit(
      PendingCommit<T> op, long deadlineNanos, Batch<T> batch, Supplier<RuntimeException> timeout)
      throws IOException, InterruptedException {
    boolean interrupted = false;
    monitor.lock();
    try {
      if (running && leader == Thread.currentThread()) {
        throw new IllegalStateException(
            "a document update was called from inside an update of the same document, which would"
                + " wait for itself; return the new value from the operator instead");
      }
      queue.addLast(op);
      if (filling && queue.size() >= lastBatch) {
        arrived.signal();
      }
      while (!op.isDone()) {
        if (!running) {
          running = true;
          leader = Thread.currentThread();
          monitor.unlock();
          drainedAt = 0;
          try {
            batch.run(this::drain, op);
          } finally {
            monitor.lock();
            // from the drain on: the lock wait before it says nothing about how long callers take
            lastBatchNanos = drainedAt == 0 ? 0 : System.nanoTime() - drainedAt;
            running = false;
            leader = null;
            changed.signalAll();
          }
          continue;
        }
        boolean queued = queue.contains(op);
        long remaining = deadlineNanos - System.nanoTime();
        if (queued && remaining <= 0) {
          queue.remove(op);
          throw timeout.get();
        }
        try {
          if (queued) {
            changed.awaitNanos(remaining);
          } else {
            changed.await();
          }
        } catch (InterruptedException e) {
          if (queue.remove(op)) {
            throw e;
          }
          interrupted = true; // in a running batch: wait for its answer
        }
      }
    } finally {
      monitor.unlock();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return op.answer();
  }

  private List<PendingCommit<T>> drain() {
    monitor.lock();
    try {
      awaitFullBatch();
      lastBatch = queue.size();
      drainedAt = System.nanoTime();
      List<PendingCommit<T>> ops = new ArrayList<>(queue);
      queue.clear();
      return ops;
    } finally {
      monitor.unlock();
    }
  }

  /** Waits (holding the monitor's lock) until the last batch's count is queued, or a while. */
  private void awaitFullBatch() {
    long wait = lastBatchNanos / waitDivisor;
    if (queue.size() >= lastBatch || wait <= 0) {
      return;
    }
    long deadline = System.nanoTime() + wait;
    filling = true;
    try {
      long left = wait;
      while (queue.size() < lastBatch && left > 0) {
        arrived.awaitNanos(left);
        left = deadline - System.nanoTime();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the batch goes on with what is queued
    } finally {
      filling = false;
    }
  }

  /** How many commits are queued (for tests). */
  int queued() {
    monitor.lock();
    try {
      return queue.size();
    } finally {
      monitor.unlock();
    }
  }

  /** Takes a commit out of the queue (its leader could not run the batch). */
  void remove(PendingCommit<T> op) {
    monitor.lock();
    try {
      queue.remove(op);
    } finally {
      monitor.unlock();
    }
  }
}
