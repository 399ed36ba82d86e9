package dev.lockstep.lock;

/**
 * A lock held on one key: the proof of an acquisition and the only way to release it.
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li>{@link #close()} releases the hold exactly once. It may be called from any thread, not only
 *       the one that acquired; later calls are harmless no-ops.
 *   <li>Closing never blocks and never throws for a hold that was granted.
 *   <li>A handle is tied to the lock that issued it: passing it to another lock's {@code release}
 *       is rejected with {@link IllegalArgumentException}.
 * </ul>
 *
 * <h2>Non-guarantees</h2>
 *
 * The lock never interrupts or cancels the holder's work: a handle stays valid until it is closed,
 * however long that takes (a registry's watchdog may report long holds, nothing more).
 *
 * <p>Handles are meant for try-with-resources:
 *
 * <pre>{@code
 * try (LockHandle h = users.acquire("alice", Duration.ofSeconds(5))) {
 *   // exclusive for "alice"
 * }
 * }</pre>
 */
public interface LockHandle extends AutoCloseable {

  /** The key this handle holds. */
  Object key();

  /** Whether this handle holds the key exclusively or shared with other readers. */
  LockMode mode();

  /** {@code true} until this handle is closed (or downgraded, which closes it). */
  boolean isHeld();

  /**
   * Turns an exclusive hold of a read-write lock into a shared (read) hold without letting any
   * writer in between. This handle is closed by the call; the returned handle holds the read lock.
   * Readers queued at the head of the key's queue are let in together with the new reader.
   *
   * @throws IllegalStateException if this handle is not a held write handle of a read-write lock
   */
  LockHandle downgrade();

  /** Releases the hold; a no-op when already released. Never throws. */
  @Override
  void close();
}
