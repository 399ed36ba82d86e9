package dev.lockstep.file;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A lock file open in this JVM: its one descriptor, shared by every hold and wait on the file, and
 * the count of shared kernel holds per mode.
 *
 * <p>Exclusive holds need no state here: the in-JVM write lock on {@link #key} already guarantees
 * that nobody else in this JVM holds or takes a kernel lock on the file meanwhile. Shared holds
 * take the kernel lock once for all readers of this JVM: the first reader takes it (holding {@link
 * #gate} while it waits, so later readers of the same mode wait behind it), the last one drops it.
 */
final class OpenLockFile {
  final FileKey key;
  final int fd;

  /**
   * Why {@link #fd} is open read-only ("Permission denied (errno 13)": the file could not be opened
   * for writing), or {@code null} when it is open for reading and writing. flock(2) and POSIX read
   * locks work on a read-only descriptor; a POSIX write lock does not.
   */
  final String readOnly;

  /** Holders and waiters using this file; guarded by the table's lock. */
  int users;

  /**
   * Further descriptors of the same file, opened when a replacement raced with {@link
   * LockFileTable#open}. They are closed only with {@link #fd}: closing one earlier would drop the
   * process's POSIX locks on the file. Guarded by the table's lock.
   */
  final List<Integer> spares = new ArrayList<>(0);

  private final ReentrantLock[] gates = {new ReentrantLock(), new ReentrantLock()};
  private final int[] sharedHolds = new int[2]; // per FileLockMode ordinal, guarded by its gate

  OpenLockFile(FileKey key, int fd, String readOnly) {
    this.key = key;
    this.fd = fd;
    this.readOnly = readOnly;
  }

  /** The lock that serializes shared kernel acquisition and release in {@code mode}. */
  ReentrantLock gate(FileLockMode mode) {
    return gates[mode.ordinal()];
  }

  /** With the gate held: how many shared holds of {@code mode} this JVM has on the file. */
  int sharedHolds(FileLockMode mode) {
    return sharedHolds[mode.ordinal()];
  }

  /** With the gate held: records one more shared hold. */
  void addSharedHold(FileLockMode mode) {
    sharedHolds[mode.ordinal()]++;
  }

  /** Drops one kernel hold; the kernel lock itself goes with the last hold of its kind. */
  void unlock(FileLockMode mode, boolean shared) {
    if (!shared) {
      KernelLocks.unlock(fd, mode);
      return;
    }
    ReentrantLock gate = gate(mode);
    gate.lock(); // a reader holds it long only while sharedHolds is 0, never while we hold
    try {
      if (--sharedHolds[mode.ordinal()] == 0) {
        KernelLocks.unlock(fd, mode);
      }
    } finally {
      gate.unlock();
    }
  }

  @Override
  public String toString() {
    return "lock file " + key + " (fd " + fd + (readOnly == null ? "" : ", read-only") + ")";
  }
}
