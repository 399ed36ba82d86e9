package dev.lockstep.doc;

import dev.lockstep.file.FileLock;
import dev.lockstep.file.FileLockHandle;
import dev.lockstep.file.FileLockMode;
import dev.lockstep.lock.LockMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A deliberately broken lock that excludes nobody: the broken variant the concurrency tests are
 * checked against (with it, their no-lost-update assertions fail).
 */
final class NoLock implements FileLock {
  static final FileDocumentStore.Locks LOCKS = NoLock::new;

  private final Path path;
  private final FileLockMode mode;

  NoLock(Path path, FileLockMode mode) {
    this.path = path;
    this.mode = mode;
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public FileLockMode mode() {
    return mode;
  }

  @Override
  public FileLockHandle acquire(Duration timeout) {
    return handle();
  }

  @Override
  public Optional<FileLockHandle> tryAcquire() {
    return Optional.of(handle());
  }

  @Override
  public CompletableFuture<FileLockHandle> acquireAsync(Duration timeout) {
    return CompletableFuture.completedFuture(handle());
  }

  @Override
  public FileLockHandle acquireShared(Duration timeout) {
    return handle();
  }

  @Override
  public Optional<FileLockHandle> tryAcquireShared() {
    return Optional.of(handle());
  }

  @Override
  public CompletableFuture<FileLockHandle> acquireSharedAsync(Duration timeout) {
    return CompletableFuture.completedFuture(handle());
  }

  private FileLockHandle handle() {
    return new FileLockHandle() {
      @Override
      public Path path() {
        return path;
      }

      @Override
      public FileLockMode lockMode() {
        return mode;
      }

      @Override
      public LockMode mode() {
        return LockMode.EXCLUSIVE;
      }

      @Override
      public boolean isHeld() {
        return true;
      }

      @Override
      public boolean isValid() {
        return true;
      }

      @Override
      public void close() {}
    };
  }
}
