package dev.lockstep.bench;

import dev.lockstep.lock.LockHandle;
import dev.lockstep.lock.LockedCall;
import dev.lockstep.lock.ReadWriteLock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.StampedLock;

/**
 * One read-write lock under test, guarding a counter: {@link #read} returns it under the read lock,
 * {@link #write} increments it under the write lock. One implementation per JMH fork.
 */
public abstract sealed class RwLockImpl {

  /** The implementation names, as they appear in the JSON. */
  public static final List<String> NAMES =
      List.of("lockstep", "lockstep-scoped", "rrwl-fair", "rrwl-nonfair", "stampedlock");

  static final Duration TIMEOUT = Duration.ofMinutes(5);

  /** The guarded counter. */
  long value;

  /** Reads the counter under the read lock. */
  public abstract long read() throws InterruptedException;

  /** Increments the counter under the write lock. */
  public abstract void write() throws InterruptedException;

  /** The counter, for checks once every thread has stopped. */
  public long value() {
    return value;
  }

  /** The implementation called {@code name} (one of {@link #NAMES}). */
  public static RwLockImpl create(String name) {
    return switch (name) {
      case "lockstep" -> new Lockstep();
      case "lockstep-scoped" -> new LockstepScoped();
      case "rrwl-fair" -> new Rrwl(true);
      case "rrwl-nonfair" -> new Rrwl(false);
      case "stampedlock" -> new Stamped();
      default ->
          throw new IllegalArgumentException("unknown read-write lock implementation: " + name);
    };
  }

  /** Lockstep's fair {@link ReadWriteLock} (FIFO, writer-preferring at arrival). */
  static final class Lockstep extends RwLockImpl {
    final ReadWriteLock lock = ReadWriteLock.create();

    @Override
    public long read() throws InterruptedException {
      LockHandle h = lock.acquireRead(TIMEOUT);
      try {
        return value;
      } finally {
        h.close();
      }
    }

    @Override
    public void write() throws InterruptedException {
      LockHandle h = lock.acquireWrite(TIMEOUT);
      try {
        value++;
      } finally {
        h.close();
      }
    }
  }

  /**
   * The same lock through its scoped methods ({@link ReadWriteLock#read}, {@link
   * ReadWriteLock#write}): no handle for a read.
   */
  static final class LockstepScoped extends RwLockImpl {
    final ReadWriteLock lock = ReadWriteLock.create();
    private final LockedCall<Long, RuntimeException> readValue = () -> value;
    private final LockedCall<Void, RuntimeException> increment =
        () -> {
          value++;
          return null;
        };

    @Override
    public long read() throws InterruptedException {
      return lock.read(TIMEOUT, readValue);
    }

    @Override
    public void write() throws InterruptedException {
      lock.write(TIMEOUT, increment);
    }
  }

  /** {@link ReentrantReadWriteLock}, fair or not. */
  static final class Rrwl extends RwLockImpl {
    final ReentrantReadWriteLock.ReadLock readLock;
    final ReentrantReadWriteLock.WriteLock writeLock;

    Rrwl(boolean fair) {
      ReentrantReadWriteLock rw = new ReentrantReadWriteLock(fair);
      readLock = rw.readLock();
      writeLock = rw.writeLock();
    }

    @Override
    public long read() {
      readLock.lock();
      try {
        return value;
      } finally {
        readLock.unlock();
      }
    }

    @Override
    public void write() {
      writeLock.lock();
      try {
        value++;
      } finally {
        writeLock.unlock();
      }
    }
  }

  /** {@link StampedLock} with pessimistic read locks (no optimistic reads: same semantics). */
  static final class Stamped extends RwLockImpl {
    final StampedLock lock = new StampedLock();

    @Override
    public long read() {
      long stamp = lock.readLock();
      try {
        return value;
      } finally {
        lock.unlockRead(stamp);
      }
    }

    @Override
    public void write() {
      long stamp = lock.writeLock();
      try {
        value++;
      } finally {
        lock.unlockWrite(stamp);
      }
    }
  }
}
