package dev.lockstep.doc;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.LockSupport;

/**
 * One caller's change waiting to be committed: what to do with the current document, and where the
 * answer goes. Completed exactly once, by whichever thread ran the batch that held it.
 */
final class PendingCommit<T> {

  /** Computes the new value from the current one. */
  @FunctionalInterface
  interface Body<T> {
    /**
     * @param current the current value, owned by the body (it may mutate it); {@code null} when the
     *     document does not exist
     * @param revision the current revision ({@code 0} when absent)
     * @return the new value, or {@code null} to leave the document as it is
     */
    T apply(T current, long revision) throws IOException;
  }

  final Change.Operation operation;
  final Body<T> body;

  /** Whether the body reads the current value; restores do not, so they work on invalid content. */
  final boolean needsCurrent;

  final long startNanos;
  private final CompletableFuture<Versioned<T>> result = new CompletableFuture<>();

  /** The thread waiting for the answer, woken when it is set (null: nobody waits yet). */
  volatile Thread waiter;

  PendingCommit(Change.Operation operation, Body<T> body) {
    this(operation, true, body);
  }

  PendingCommit(Change.Operation operation, boolean needsCurrent, Body<T> body) {
    this.operation = operation;
    this.needsCurrent = needsCurrent;
    this.body = body;
    this.startNanos = System.nanoTime();
  }

  boolean isDone() {
    return result.isDone();
  }

  void complete(Versioned<T> value) {
    result.complete(value);
  }

  void fail(Throwable t) {
    result.completeExceptionally(t);
  }

  /** Unparks the waiting thread (once done, or when it should look again whether it may lead). */
  void wake() {
    Thread t = waiter;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  /** The answer of a completed commit, its failure rethrown as is. */
  Versioned<T> answer() throws IOException, InterruptedException {
    try {
      return result.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof InterruptedException ie) {
        throw ie;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }
}
