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
 */
final class GroupCommitter<T> {

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
  private final ArrayDeque<PendingCommit<T>> queue = new ArrayDeque<>();
  private boolean running;
  private Thread leader; // the thread running the current batch

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
      while (!op.isDone()) {
        if (!running) {
          running = true;
          leader = Thread.currentThread();
          monitor.unlock();
          try {
            batch.run(this::drain, op);
          } finally {
            monitor.lock();
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
      List<PendingCommit<T>> ops = new ArrayList<>(queue);
      queue.clear();
      return ops;
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
