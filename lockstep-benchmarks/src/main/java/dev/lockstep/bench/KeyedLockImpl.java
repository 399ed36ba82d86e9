package dev.lockstep.bench;

import com.google.common.util.concurrent.Striped;
import dev.lockstep.lock.KeyedLock;
import dev.lockstep.lock.LockHandle;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One keyed exclusive lock under test, behind a common face: {@link #acquire} returns a token that
 * {@link #release} gives back. Each JMH fork uses exactly one implementation, so the calls stay
 * monomorphic and every implementation pays the same (tiny) indirection.
 */
public abstract sealed class KeyedLockImpl {

  /** The implementation names, as they appear in the JSON. */
  public static final List<String> NAMES =
      List.of(
          "lockstep",
          "reentrantlock",
          "reentrantlock-fair",
          "chm-reentrantlock",
          "guava-striped-lazyweak",
          "guava-striped");

  /** Stripes for both Guava peers: more than the 1,000 keys of the keyed scenarios. */
  public static final int STRIPES = 1024;

  /** The wait bound handed to Lockstep; never reached in the benchmarks. */
  static final Duration TIMEOUT = Duration.ofMinutes(5);

  /** Takes the key's lock, waiting as long as needed; returns the token for {@link #release}. */
  public abstract Object acquire(Integer key) throws InterruptedException;

  /** Releases what {@link #acquire} returned. */
  public abstract void release(Object token);

  /** The implementation called {@code name} (one of {@link #NAMES}). */
  public static KeyedLockImpl create(String name) {
    return switch (name) {
      case "lockstep" -> new Lockstep();
      case "reentrantlock" -> new Bare(false);
      case "reentrantlock-fair" -> new Bare(true);
      case "chm-reentrantlock" -> new ChmReentrantLock();
      case "guava-striped-lazyweak" -> new GuavaStriped(Striped.lazyWeakLock(STRIPES));
      case "guava-striped" -> new GuavaStriped(Striped.lock(STRIPES));
      default -> throw new IllegalArgumentException("unknown keyed lock implementation: " + name);
    };
  }

  /** Lockstep's {@link KeyedLock}: FIFO per key, keeps no idle key. */
  static final class Lockstep extends KeyedLockImpl {
    final KeyedLock<Integer> lock = KeyedLock.create();

    @Override
    public Object acquire(Integer key) throws InterruptedException {
      return lock.acquire(key, TIMEOUT);
    }

    @Override
    public void release(Object token) {
      ((LockHandle) token).close();
    }
  }

  /**
   * One bare {@link ReentrantLock} for every key (the keys are ignored). The fair one is the peer
   * that shows what FIFO hand-off costs on a hot key, since Lockstep is FIFO per key by contract.
   */
  static final class Bare extends KeyedLockImpl {
    final ReentrantLock lock;

    Bare(boolean fair) {
      lock = new ReentrantLock(fair);
    }

    @Override
    public Object acquire(Integer key) {
      lock.lock();
      return lock;
    }

    @Override
    public void release(Object token) {
      ((Lock) token).unlock();
    }
  }

  /** {@code ConcurrentHashMap<K, ReentrantLock>.computeIfAbsent}, never cleaned (it leaks keys). */
  static final class ChmReentrantLock extends KeyedLockImpl {
    final ConcurrentHashMap<Integer, ReentrantLock> locks = new ConcurrentHashMap<>();

    @Override
    public Object acquire(Integer key) {
      ReentrantLock l = locks.computeIfAbsent(key, k -> new ReentrantLock());
      l.lock();
      return l;
    }

    @Override
    public void release(Object token) {
      ((Lock) token).unlock();
    }
  }

  /** Guava {@link Striped}: several keys may share a stripe. */
  static final class GuavaStriped extends KeyedLockImpl {
    final Striped<Lock> striped;

    GuavaStriped(Striped<Lock> striped) {
      this.striped = striped;
    }

    @Override
    public Object acquire(Integer key) {
      Lock l = striped.get(key);
      l.lock();
      return l;
    }

    @Override
    public void release(Object token) {
      ((Lock) token).unlock();
    }
  }
}
