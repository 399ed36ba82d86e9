package dev.lockstep.file;

import dev.lockstep.lock.LockHandle;
import dev.lockstep.lock.LockMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/** A hold of a {@link KernelFileLock}: the table entry, the in-JVM hold and the kernel lock. */
final class FileHold implements FileLockHandle {
  private final KernelFileLock lock;
  private final OpenLockFile file;
  private final LockHandle inJvm;
  private final boolean shared;
  private final AtomicBoolean held = new AtomicBoolean(true);

  FileHold(KernelFileLock lock, OpenLockFile file, LockHandle inJvm, boolean shared) {
    this.lock = lock;
    this.file = file;
    this.inJvm = inJvm;
    this.shared = shared;
  }

  @Override
  public Path path() {
    return lock.path();
  }

  @Override
  public FileLockMode lockMode() {
    return lock.mode();
  }

  @Override
  public LockMode mode() {
    return shared ? LockMode.SHARED : LockMode.EXCLUSIVE;
  }

  @Override
  public boolean isHeld() {
    return held.get();
  }

  @Override
  public boolean isValid() {
    if (!held.get()) {
      return false;
    }
    try {
      return file.key.equals(FileKey.atPath(lock.path()));
    } catch (IOException unreadable) {
      return false; // cannot show the path still leads to our file
    }
  }

  @Override
  public void close() {
    if (held.compareAndSet(true, false)) {
      lock.release(file, inJvm, shared);
    }
  }

  @Override
  public String toString() {
    return "FileLockHandle["
        + lock.path()
        + ", "
        + lock.mode()
        + ", "
        + mode()
        + (held.get() ? "" : ", released")
        + "]";
  }
}
