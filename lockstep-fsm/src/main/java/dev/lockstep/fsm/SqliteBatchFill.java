package dev.lockstep.fsm;

import java.util.List;

/**
 * How the writer fills a batch while its transaction is open: after running every operation it
 * holds, the writer takes what has been queued since, without waiting; with a wait bound ({@code
 * FULL}: every COMMIT pays an fsync) and fewer operations than the largest batch of the last
 * {@value #PEAK_WINDOW}, it waits, up to the bound counted from the batch's start, for the callers
 * that are still building their next commit. So the operations of the first callers run while the
 * last ones are still on their way, instead of after them. A lone caller (recent batches of one)
 * never waits; after a burst, at most {@value #PEAK_WINDOW} batches wait at most the bound each.
 * The writer's stop request is never taken into a batch: {@link #stopSeen} tells the writer to stop
 * after it.
 *
 * <p>Writer thread only.
 */
final class SqliteBatchFill<E> {
  /** Batches after which the largest recent batch is forgotten. */
  static final int PEAK_WINDOW = 64;

  private final SqliteWriteQueue<E> queue;
  private final E stop;
  private final int maxBatch;
  private final long waitNanos;
  private int recentPeak;
  private int sincePeak;
  private boolean open; // this batch may still grow
  private long deadline;
  private boolean stopSeen;

  SqliteBatchFill(SqliteWriteQueue<E> queue, E stop, int maxBatch, long waitNanos) {
    this.queue = queue;
    this.stop = stop;
    this.maxBatch = maxBatch;
    this.waitNanos = waitNanos;
  }

  /** A batch starts (its first operations taken); {@code stopping}: it must not grow. */
  void start(boolean stopping) {
    open = !stopping && maxBatch > 1;
    deadline = waitNanos > 0 ? System.nanoTime() + waitNanos : 0;
    stopSeen = stopping;
  }

  /**
   * The writer ran every operation of {@code batch}: adds the next queued one, waiting for it as
   * described above; returns whether the batch grew. Once it returns false, the batch is closed.
   */
  boolean more(List<? super E> batch) {
    while (open && batch.size() < maxBatch) {
      E e = queue.poll();
      if (e == stop) {
        stopSeen = true;
        break;
      }
      if (e != null) {
        batch.add(e);
        return true;
      }
      if (deadline == 0 || batch.size() >= Math.min(maxBatch, recentPeak)) {
        break;
      }
      try {
        if (!queue.awaitSize(1, deadline) && queue.size() == 0) {
          break;
        }
      } catch (InterruptedException x) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    open = false;
    return false;
  }

  /** The batch may not grow any more (it runs on the exact path, which does not fill). */
  void close() {
    open = false;
  }

  /** Whether the writer's stop request came while the batch was filling. */
  boolean stopSeen() {
    return stopSeen;
  }

  /** The batch of {@code size} operations is done: the recent peak learns it. */
  void finish(int size) {
    if (size >= recentPeak || ++sincePeak >= PEAK_WINDOW) {
      recentPeak = size;
      sincePeak = 0;
    }
  }
}
