/**
 * In-process locks for many concurrent workers: {@link dev.lockstep.lock.KeyedLock} (one exclusive
 * lock per key), {@link dev.lockstep.lock.KeyedReadWriteLock} and {@link
 * dev.lockstep.lock.ReadWriteLock} (many readers or one writer), and {@link
 * dev.lockstep.lock.LockRegistry} (named locks with statistics, deadlock detection and a watchdog).
 *
 * <h2>Common rules</h2>
 *
 * <ul>
 *   <li>Every hold is a {@link dev.lockstep.lock.LockHandle}, released exactly once by {@code
 *       close()} from any thread; a second close is a no-op. The one exception is the scoped form
 *       of {@link dev.lockstep.lock.ReadWriteLock} ({@code read}/{@code write(timeout, body)}),
 *       which holds the lock for as long as its body runs, on the calling thread, and needs no
 *       handle.
 *   <li>Waits are FIFO per key; timeouts are {@link java.time.Duration}s that bound the wait only
 *       (zero: do not wait; negative: refused). Failures are the sealed {@link
 *       dev.lockstep.lock.LockException} family, each naming the lock, the key and, when known, the
 *       holder or the limit.
 *   <li>Not reentrant: blocking on a key one already holds fails at once with {@link
 *       dev.lockstep.lock.DeadlockException}.
 *   <li>Zero retention: a key with no holder and no waiter occupies no memory.
 *   <li>Virtual-thread friendly: waiting parks (no {@code synchronized} around waits, no platform
 *       thread per waiter); asynchronous waits hold no thread.
 * </ul>
 *
 * <h2>Implementation notes</h2>
 *
 * All locks share one engine ({@code LockEngine}): 64 stripes, each a small open-addressing table
 * of active keys under a spin lock held only for a few field writes; a release hands the key to the
 * next waiter directly. Statistics go through the {@link dev.lockstep.lock.LockRecorder} SPI, whose
 * no-op default makes the fast path read no clock.
 */
package dev.lockstep.lock;
