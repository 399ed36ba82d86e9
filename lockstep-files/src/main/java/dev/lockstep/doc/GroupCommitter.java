package dev.lockstep.doc;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Combines concurrent commits of one document in this JVM into batches.
 *
 * <p>Implementation notes. A caller queues its {@link PendingCommit}; if no batch is running it
 * becomes the leader: it takes the file lock and loads the document, then takes everything queued
 * by then and runs it as one batch (outside the monitor). Every other caller parks on its own
 * thread. When the batch ends, the leader unparks (outside the monitor) those still queued (they
 * came during the batch; the first to look leads the next batch) and hands the unparks of the
 * callers it answered to another thread ({@link #wakeAnswered}), so that it returns at once and,
 * when its caller commits again, takes the file lock and loads while they wake. Batches are thus
 * bounded by the callers in flight, and the answered callers wake in parallel without taking the
 * monitor to return: waiting on one condition of the monitor instead, they woke one after another,
 * each when the one before released the monitor (8 threads on 2 cores, per-phase timers,
 * alternating runs: the next batch's fill wait and hand-off 199 / 177 µs that way, 177 / 153 µs
 * this way). A waiter whose commit is still queued when its deadline passes leaves the queue and
 * times out; once its commit is in a running batch it waits for the answer (also when interrupted,
 * keeping the interrupt status).
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
  private final Condition arrived = monitor.newCondition();
  private final int waitDivisor;
  private final Executor wakers; // unparks a batch's answered callers off the leader's thread
  private int lastBatch; // how many commits the last batch took: their callers may come back
  private long lastBatchNanos; // how long the last batch ran after its drain
  private long drainedAt; // when the running batch drained the queue (0: not yet)
  private boolean filling; // a leader waits in drain() for lastBatch commits
  private final ArrayDeque<PendingCommit<T>> queue = new ArrayDeque<>();
  private boolean running;
  private Thread leader; // the thread running the current batch
  private List<PendingCommit<T>> drained = List.of(); // the running batch's commits

  GroupCommitter() {
    this(WAIT_DIVISOR, CommitWriter.HELPERS);
  }

  /** With the leader's wait for a full batch capped at {@code 1/waitDivisor} of the last batch. */
  GroupCommitter(int waitDivisor) {
    this(waitDivisor, CommitWriter.HELPERS);
  }

  /**
   * @param wakers runs the unparks of a batch's answered callers (one task per batch); if it
   *     rejects the task, the leader unparks them itself
   */
  GroupCommitter(int waitDivisor, Executor wakers) {
    this.waitDivisor = waitDivisor;
    this.wakers = wakers;
  }

  Versioned<T> submit(
      PendingCommit<T> op, long deadlineNanos, Batch<T> batch, Supplier<RuntimeException> timeout)
      throws IOException, InterruptedException {
    op.waiter = Thread.currentThread();
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
    } finally {
      monitor.unlock();
    }
    boolean interrupted = false;
    try {
      for (Next next = next(op, deadlineNanos, timeout); next != Next.DONE; ) {
        switch (next) {
          case LEAD -> runBatch(batch, op);
          // unparked when any batch ends (this one's commit is still queued then)
          case WAIT_QUEUED -> LockSupport.parkNanos(this, deadlineNanos - System.nanoTime());
          // unparked when the batch that took the commit ends
          default -> LockSupport.park(this);
        }
        if (next != Next.LEAD && Thread.interrupted()) {
          if (remove(op)) {
            throw new InterruptedException();
          }
          interrupted = true; // in a running batch: wait for its answer
        }
        next = next(op, deadlineNanos, timeout);
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return op.answer();
  }

  /** What a caller does next. */
  private enum Next {
    DONE,
    LEAD,
    WAIT_QUEUED,
    WAIT_IN_BATCH
  }

  /**
   * Decides, in one hold of the monitor, what the caller of {@code op} does next: return, lead a
   * batch (none runs), or park until the running batch ends (it wakes every caller it took and
   * every one still queued, so that wake-up comes after this decision). The one hold matters: an
   * unpark that arrives while the caller is parked inside the monitor's own lock is used up there,
   * so a caller that decided in two holds (lead? then queued?) could find its commit answered or
   * the batch ended in between and park with no wake-up left to come: forever if its commit was
   * answered, until its deadline if still queued. Throws the timeout if {@code op} is still queued
   * after its deadline (it leaves the queue).
   */
  private Next next(PendingCommit<T> op, long deadlineNanos, Supplier<RuntimeException> timeout) {
    monitor.lock();
    try {
      if (op.isDone()) {
        return Next.DONE;
      }
      if (!running) {
        running = true;
        leader = Thread.currentThread();
        return Next.LEAD;
      }
      if (!queue.contains(op)) {
        return Next.WAIT_IN_BATCH;
      }
      if (deadlineNanos - System.nanoTime() <= 0) {
        queue.remove(op);
        throw timeout.get();
      }
      return Next.WAIT_QUEUED;
    } finally {
      monitor.unlock();
    }
  }

  /**
   * Runs a batch as its leader; then unparks the callers it answered and those still queued (one of
   * which leads next).
   */
  private void runBatch(Batch<T> batch, PendingCommit<T> op) {
    drainedAt = 0;
    List<PendingCommit<T>> answered;
    List<PendingCommit<T>> queued;
    try {
      batch.run(this::drain, op);
    } finally {
      monitor.lock();
      try {
        // from the drain on: the lock wait before it says nothing about how long callers take
        lastBatchNanos = drainedAt == 0 ? 0 : System.nanoTime() - drainedAt;
        running = false;
        leader = null;
        answered = drained;
        queued = queue.isEmpty() ? List.of() : new ArrayList<>(queue);
        drained = List.of();
      } finally {
        monitor.unlock();
      }
    }
    for (PendingCommit<T> waiting : queued) {
      waiting.wake(); // one of them leads next, unless this thread comes back first
    }
    wakeAnswered(answered, op);
  }

  /**
   * Unparks the callers a batch answered, but the leader's own, on a {@link #wakers} thread: the
   * leader returns at once and, when its caller commits again, leads the next batch (file lock,
   * load) while they wake. Each unpark costs the waker a system call and, on a VM, an
   * inter-processor interrupt (8 threads on 2 cores: 150–250 µs for 7 callers). Their commits are
   * complete, so nothing depends on when these unparks come but the callers' latency; one that
   * comes late to a caller already parked again for a later commit only makes it look again.
   */
  private void wakeAnswered(List<PendingCommit<T>> answered, PendingCommit<T> own) {
    int others = answered.size() - (answered.contains(own) ? 1 : 0);
    if (others <= 0) {
      return;
    }
    if (others > 1) {
      try {
        wakers.execute(() -> wakeAll(answered, own));
        return;
      } catch (RejectedExecutionException noThread) {
        // wake them here
      }
    }
    wakeAll(answered, own);
  }

  private static <T> void wakeAll(List<PendingCommit<T>> callers, PendingCommit<T> own) {
    for (PendingCommit<T> waiting : callers) {
      if (waiting != own) {
        waiting.wake();
      }
    }
  }

  private List<PendingCommit<T>> drain() {
    monitor.lock();
    try {
      awaitFullBatch();
      lastBatch = queue.size();
      drainedAt = System.nanoTime();
      List<PendingCommit<T>> ops = new ArrayList<>(queue);
      queue.clear();
      drained = ops;
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

  /**
   * Takes a commit out of the queue (its caller gives up, or its leader could not run the batch);
   * false if a batch already took it.
   */
  boolean remove(PendingCommit<T> op) {
    monitor.lock();
    try {
      return queue.remove(op);
    } finally {
      monitor.unlock();
    }
  }
}
