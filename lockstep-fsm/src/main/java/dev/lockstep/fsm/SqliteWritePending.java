package dev.lockstep.fsm;

import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * One queued write and its caller, who parks until the writer answers. The writer answers a whole
 * batch at once ({@link #answerAll}) but wakes only the first caller; every woken caller wakes the
 * next two of its batch (a binary tree), so the writer pays one wake-up system call per batch
 * instead of one per caller and is free for the next batch sooner. A caller also returns by itself
 * if it finds its answer before parking.
 *
 * <p>Threading: {@link #await} by the submitting thread only; the rest by the writer. The fields a
 * caller reads are written before the volatile {@code done}.
 */
final class SqliteWritePending<T> {
  final SqliteWriter.Op<T> op;
  private final Thread waiter; // null for the writer's stop request
  private Object result;
  private Throwable error;
  private SqliteWritePending<?> wakeFirst; // the callers this one wakes once woken
  private SqliteWritePending<?> wakeSecond;
  private volatile boolean done;

  SqliteWritePending(SqliteWriter.Op<T> op, Thread waiter) {
    this.op = op;
    this.waiter = waiter;
  }

  /** Sets the answer unless already answered; returns whether it did. Wakes nobody. */
  boolean set(Object result, Throwable error) {
    if (done) {
      return false;
    }
    this.result = result;
    this.error = error;
    done = true;
    return true;
  }

  /** Answers this caller and wakes it (alone): for failures and a closed store. */
  void fail(Throwable error) {
    if (set(null, error)) {
      wake(this);
    }
  }

  /**
   * Answers every caller of {@code batch} ({@code errors[i]} or else {@code results[i]}) and wakes
   * the first; each woken caller wakes callers {@code 2i + 1} and {@code 2i + 2}. A caller already
   * answered keeps its answer, and its children are woken by the writer at once.
   */
  static void answerAll(
      List<? extends SqliteWritePending<?>> batch, Object[] results, Throwable[] errors) {
    int n = batch.size();
    for (int i = 0; i < n; i++) {
      SqliteWritePending<?> p = batch.get(i);
      p.wakeFirst = 2 * i + 1 < n ? batch.get(2 * i + 1) : null;
      p.wakeSecond = 2 * i + 2 < n ? batch.get(2 * i + 2) : null;
    }
    boolean[] fresh = new boolean[n];
    for (int i = n - 1; i >= 0; i--) { // children before parents: a woken parent finds them set
      fresh[i] = batch.get(i).set(results[i], errors[i]);
    }
    for (int i = 0; i < n; i++) {
      boolean parentWakes = i > 0 && fresh[(i - 1) / 2];
      if (!parentWakes) {
        wake(batch.get(i));
      }
    }
  }

  private static void wake(SqliteWritePending<?> p) {
    if (p != null && p.waiter != null) {
      LockSupport.unpark(p.waiter);
    }
  }

  /**
   * Parks until answered, wakes this caller's two children, and returns the result or throws the
   * error (unwrapped). Not interruptible: an interrupt is kept for the caller.
   */
  @SuppressWarnings("unchecked")
  T await() throws Throwable {
    boolean interrupted = false;
    while (!done) {
      LockSupport.park(this);
      if (Thread.interrupted()) {
        interrupted = true;
      }
    }
    wake(wakeFirst);
    wake(wakeSecond);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (error != null) {
      throw error;
    }
    return (T) result;
  }
}
