package dev.lockstep.file;

import dev.lockstep.lock.LockMode;
import java.nio.file.Path;

/**
 * A held {@link FileLock}: the proof of an acquisition and the only way to release it.
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li>{@link #close()} releases the hold exactly once, from any thread; later calls are no-ops.
 *       It never throws and never waits for another process.
 *   <li>While the handle is held, no other holder that uses the same {@link FileLockMode} on the
 *       same file (the same device and inode) holds it in a conflicting mode: not in this JVM, not
 *       in any other process.
 * </ul>
 *
 * <h2>Non-guarantees</h2>
 *
 * The lock is advisory: it does not stop anyone from reading, writing, renaming or deleting the
 * file. If another program deletes or replaces the lock file while it is held, the hold still
 * excludes only those who opened the old file; newcomers lock the new file and get in. {@link
 * #isValid()} tells whether that happened: check it just before a commit point that relies on the
 * lock, and refuse to commit when it is {@code false}.
 */
public interface FileLockHandle extends AutoCloseable {

  /** The lock file's path, as given to {@link FileLock#of}. */
  Path path();

  /** The kind of kernel lock held. */
  FileLockMode lockMode();

  /** {@link LockMode#EXCLUSIVE} or {@link LockMode#SHARED}. */
  LockMode mode();

  /** {@code true} until {@link #close()}. */
  boolean isHeld();

  /**
   * Whether this handle is held and the file at {@link #path()} is still the file it locked (same
   * device and inode). {@code false} once the lock file was deleted, renamed away or replaced: then
   * the hold no longer excludes processes that open the path now. Costs one {@code stat}.
   */
  boolean isValid();

  /** Releases the hold; a no-op when already released. Never throws. */
  @Override
  void close();
}
