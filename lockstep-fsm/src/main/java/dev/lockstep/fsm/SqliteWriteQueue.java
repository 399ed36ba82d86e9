package dev.lockstep.fsm;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The writer's queue: any thread adds, one consumer thread (the writer) takes. Unlike a {@code
 * LinkedBlockingQueue}, whose every add to an empty queue signals the consumer, an add wakes the
 * writer only when the queue reaches the size the writer waits for ({@link #awaitSize}): a writer
 * of a FULL store that waits for eight callers before its fsync is woken once, by the eighth, not
 * once per caller.
 *
 * <p>Threading: {@link #awaitSize} from the consumer thread only; the other methods from any thread
 * (callers that find the writer closed drain the queue themselves).
 */
final class SqliteWriteQueue<E> {
  private final ConcurrentLinkedQueue<E> items = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private volatile int wakeAt = Integer.MAX_VALUE; // the consumer is (about to be) parked till then
  private volatile Thread consumer;
  private volatile boolean urgent; // an element that must not wait for the batch to fill (STOP)

  /** Adds {@code e}; wakes the consumer if this add brings the queue to the size it waits for. */
  void add(E e) {
    items.add(e);
    if (size.incrementAndGet() >= wakeAt) { // Dekker with awaitSize: one of the two sees the other
      LockSupport.unpark(consumer);
    }
  }

  /** Adds {@code e} and wakes the consumer whatever it waits for (the writer's stop request). */
  void addUrgent(E e) {
    urgent = true;
    items.add(e);
    size.incrementAndGet();
    LockSupport.unpark(consumer);
  }

  /**
   * Parks the consumer until the queue holds at least {@code n} elements or, when {@code
   * deadlineNanos != 0}, until {@link System#nanoTime()} reaches it, or an urgent element came.
   *
   * @return whether it holds {@code n}
   * @throws InterruptedException when the consumer is interrupted while waiting
   */
  boolean awaitSize(int n, long deadlineNanos) throws InterruptedException {
    if (size.get() >= n) {
      return true;
    }
    consumer = Thread.currentThread();
    wakeAt = n;
    try {
      while (size.get() < n) {
        if (urgent && size.get() > 0) {
          return false;
        }
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
        if (deadlineNanos == 0) {
          LockSupport.park(this);
        } else {
          long left = deadlineNanos - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          LockSupport.parkNanos(this, left);
        }
      }
      return true;
    } finally {
      wakeAt = Integer.MAX_VALUE;
    }
  }

  /** Takes the oldest element, or returns null when empty. */
  E poll() {
    E e = items.poll();
    if (e != null) {
      size.decrementAndGet();
    }
    return e;
  }

  /** Moves up to {@code max} elements, oldest first, to {@code to}; returns how many. */
  int drainTo(List<? super E> to, int max) {
    int n = 0;
    E e;
    while (n < max && (e = poll()) != null) {
      to.add(e);
      n++;
    }
    return n;
  }

  /** Returns how many elements wait. */
  int size() {
    return size.get();
  }
}
