package dev.lockstep.lock;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Deliberately broken {@link KeyedReadWriteLock}s, one bug each, to show that the read-write tests
 * can fail.
 */
final class BrokenReadWriteLocks {
  private BrokenReadWriteLocks() {}

  /** The timeout in nanoseconds, saturating (a real lock accepts effectively infinite timeouts). */
  static long nanos(Duration timeout) {
    try {
      return timeout.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * Reader preference: a reader enters whenever no writer holds the key, even while writers wait
   * (the classic starving read-write lock).
   */
  static <K> KeyedReadWriteLock<K> readerPreference() {
    return new MonitorReadWriteLock<>();
  }

  /** Reads are exclusive: a correct mutex, but readers never share. */
  static <K> KeyedReadWriteLock<K> readsExclusive() {
    KeyedReadWriteLock<K> real = KeyedReadWriteLock.create(LockOptions.named("reads-exclusive"));
    return new DelegatingReadWriteLock<>(real) {
      @Override
      public LockHandle acquireRead(K key, Duration timeout) throws InterruptedException {
        return real.acquireWrite(key, timeout);
      }

      @Override
      public Optional<LockHandle> tryAcquireRead(K key) {
        return real.tryAcquireWrite(key);
      }

      @Override
      public Optional<LockHandle> tryAcquireRead(K key, Duration timeout)
          throws InterruptedException {
        return real.tryAcquireWrite(key, timeout);
      }

      @Override
      public CompletableFuture<LockHandle> acquireReadAsync(K key, Duration timeout) {
        return real.acquireWriteAsync(key, timeout);
      }
    };
  }

  /** Writes are shared: writers are let in together like readers. */
  static <K> KeyedReadWriteLock<K> writesShared() {
    KeyedReadWriteLock<K> real = KeyedReadWriteLock.create(LockOptions.named("writes-shared"));
    return new DelegatingReadWriteLock<>(real) {
      @Override
      public LockHandle acquireWrite(K key, Duration timeout) throws InterruptedException {
        LockHandle r = real.acquireRead(key, timeout);
        return new ForwardingHandle(r) {
          @Override
          public LockHandle downgrade() {
            return r; // already shared
          }
        };
      }

      @Override
      public Optional<LockHandle> tryAcquireWrite(K key) {
        return real.tryAcquireRead(key);
      }

      @Override
      public Optional<LockHandle> tryAcquireWrite(K key, Duration timeout)
          throws InterruptedException {
        return real.tryAcquireRead(key, timeout);
      }

      @Override
      public CompletableFuture<LockHandle> acquireWriteAsync(K key, Duration timeout) {
        return real.acquireReadAsync(key, timeout);
      }
    };
  }

  /** Downgrades by releasing the write hold and then asking for a read hold: not atomic. */
  static <K> KeyedReadWriteLock<K> downgradeByRelease() {
    KeyedReadWriteLock<K> real = KeyedReadWriteLock.create(LockOptions.named("downgrade-gap"));
    return new DelegatingReadWriteLock<>(real) {
      @Override
      public LockHandle acquireWrite(K key, Duration timeout) throws InterruptedException {
        LockHandle w = real.acquireWrite(key, timeout);
        return new ForwardingHandle(w) {
          @Override
          public LockHandle downgrade() {
            w.close();
            try {
              return real.acquireRead(key, Duration.ofMillis(300));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IllegalStateException(e);
            }
          }
        };
      }
    };
  }

  /** Does not detect upgrades: a reader asking for the write lock just waits and times out. */
  static <K> KeyedReadWriteLock<K> upgradeWaits() {
    KeyedReadWriteLock<K> real = KeyedReadWriteLock.create(LockOptions.named("upgrade-waits"));
    return new DelegatingReadWriteLock<>(real) {
      @Override
      public LockHandle acquireWrite(K key, Duration timeout) throws InterruptedException {
        try {
          return real.acquireWrite(key, timeout);
        } catch (LockUpgradeException e) {
          Thread.sleep(timeout.toMillis());
          throw new LockTimeoutException(name(), key, timeout, "the caller itself");
        }
      }

      @Override
      public Optional<LockHandle> tryAcquireWrite(K key) {
        try {
          return real.tryAcquireWrite(key);
        } catch (LockUpgradeException e) {
          return Optional.empty();
        }
      }

      @Override
      public Optional<LockHandle> tryAcquireWrite(K key, Duration timeout)
          throws InterruptedException {
        try {
          return Optional.of(acquireWrite(key, timeout));
        } catch (LockTimeoutException e) {
          return Optional.empty();
        }
      }
    };
  }

  /** Passes everything to a real lock; subclasses override what they break. */
  abstract static class DelegatingReadWriteLock<K> implements KeyedReadWriteLock<K> {
    final KeyedReadWriteLock<K> real;

    DelegatingReadWriteLock(KeyedReadWriteLock<K> real) {
      this.real = real;
    }

    @Override
    public String name() {
      return real.name();
    }

    @Override
    public LockHandle acquireRead(K key, Duration timeout) throws InterruptedException {
      return real.acquireRead(key, timeout);
    }

    @Override
    public LockHandle acquireWrite(K key, Duration timeout) throws InterruptedException {
      return real.acquireWrite(key, timeout);
    }

    @Override
    public Optional<LockHandle> tryAcquireRead(K key) {
      return real.tryAcquireRead(key);
    }

    @Override
    public Optional<LockHandle> tryAcquireWrite(K key) {
      return real.tryAcquireWrite(key);
    }

    @Override
    public Optional<LockHandle> tryAcquireRead(K key, Duration timeout)
        throws InterruptedException {
      return real.tryAcquireRead(key, timeout);
    }

    @Override
    public Optional<LockHandle> tryAcquireWrite(K key, Duration timeout)
        throws InterruptedException {
      return real.tryAcquireWrite(key, timeout);
    }

    @Override
    public CompletableFuture<LockHandle> acquireReadAsync(K key, Duration timeout) {
      return real.acquireReadAsync(key, timeout);
    }

    @Override
    public CompletableFuture<LockHandle> acquireWriteAsync(K key, Duration timeout) {
      return real.acquireWriteAsync(key, timeout);
    }

    @Override
    public CompletableFuture<LockHandle> acquireReadAsync(
        K key, Duration timeout, LockOwner owner) {
      return real.acquireReadAsync(key, timeout, owner);
    }

    @Override
    public CompletableFuture<LockHandle> acquireWriteAsync(
        K key, Duration timeout, LockOwner owner) {
      return real.acquireWriteAsync(key, timeout, owner);
    }

    @Override
    public void release(LockHandle handle) {
      handle.close();
    }

    @Override
    public int activeKeys() {
      return real.activeKeys();
    }

    @Override
    public String toString() {
      return "Broken[" + real.name() + "]";
    }
  }

  /** A handle that forwards to another. */
  abstract static class ForwardingHandle implements LockHandle {
    private final LockHandle inner;

    ForwardingHandle(LockHandle inner) {
      this.inner = inner;
    }

    @Override
    public Object key() {
      return inner.key();
    }

    @Override
    public LockMode mode() {
      return inner.mode();
    }

    @Override
    public boolean isHeld() {
      return inner.isHeld();
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  /** A reader-preference read-write lock on one monitor; waits are condition waits. */
  static final class MonitorReadWriteLock<K> implements KeyedReadWriteLock<K> {
    private final ReentrantLock monitor = new ReentrantLock();
    private final Condition changed = monitor.newCondition();
    private final Map<K, int[]> state = new HashMap<>(); // {readers, writer, waiters}

    @Override
    public String name() {
      return "reader-preference";
    }

    private LockHandle await(K key, boolean write, long nanos) throws InterruptedException {
      monitor.lock();
      try {
        int[] s = state.computeIfAbsent(key, k -> new int[3]);
        s[2]++;
        try {
          while (write ? s[0] > 0 || s[1] > 0 : s[1] > 0) {
            if (nanos <= 0) {
              return null;
            }
            nanos = changed.awaitNanos(nanos);
          }
          if (write) {
            s[1] = 1;
          } else {
            s[0]++;
          }
          return new Handle(key, write);
        } finally {
          s[2]--;
          forgetIfIdle(key, s);
        }
      } finally {
        monitor.unlock();
      }
    }

    private void forgetIfIdle(K key, int[] s) {
      if (s[0] == 0 && s[1] == 0 && s[2] == 0) {
        state.remove(key);
      }
    }

    private LockHandle orTimeout(LockHandle h, K key, Duration timeout) {
      if (h == null) {
        throw new LockTimeoutException(name(), key, timeout, null);
      }
      return h;
    }

    @Override
    public LockHandle acquireRead(K key, Duration timeout) throws InterruptedException {
      return orTimeout(await(key, false, nanos(timeout)), key, timeout);
    }

    @Override
    public LockHandle acquireWrite(K key, Duration timeout) throws InterruptedException {
      return orTimeout(await(key, true, nanos(timeout)), key, timeout);
    }

    @Override
    public Optional<LockHandle> tryAcquireRead(K key) {
      return uninterruptibly(key, false, 0);
    }

    @Override
    public Optional<LockHandle> tryAcquireWrite(K key) {
      return uninterruptibly(key, true, 0);
    }

    private Optional<LockHandle> uninterruptibly(K key, boolean write, long nanos) {
      try {
        return Optional.ofNullable(await(key, write, nanos));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }

    @Override
    public Optional<LockHandle> tryAcquireRead(K key, Duration timeout)
        throws InterruptedException {
      return Optional.ofNullable(await(key, false, nanos(timeout)));
    }

    @Override
    public Optional<LockHandle> tryAcquireWrite(K key, Duration timeout)
        throws InterruptedException {
      return Optional.ofNullable(await(key, true, nanos(timeout)));
    }

    private CompletableFuture<LockHandle> async(K key, boolean write, Duration timeout) {
      CompletableFuture<LockHandle> f = new CompletableFuture<>();
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  LockHandle h = orTimeout(await(key, write, nanos(timeout)), key, timeout);
                  if (!f.complete(h)) {
                    h.close();
                  }
                } catch (InterruptedException | RuntimeException e) {
                  f.completeExceptionally(e);
                }
              });
      return f;
    }

    @Override
    public CompletableFuture<LockHandle> acquireReadAsync(K key, Duration timeout) {
      return async(key, false, timeout);
    }

    @Override
    public CompletableFuture<LockHandle> acquireWriteAsync(K key, Duration timeout) {
      return async(key, true, timeout);
    }

    @Override
    public CompletableFuture<LockHandle> acquireReadAsync(
        K key, Duration timeout, LockOwner owner) {
      return async(key, false, timeout);
    }

    @Override
    public CompletableFuture<LockHandle> acquireWriteAsync(
        K key, Duration timeout, LockOwner owner) {
      return async(key, true, timeout);
    }

    @Override
    public void release(LockHandle handle) {
      handle.close();
    }

    @Override
    public int activeKeys() {
      monitor.lock();
      try {
        return state.size();
      } finally {
        monitor.unlock();
      }
    }

    private final class Handle implements LockHandle {
      private final K key;
      private final boolean write;
      private final AtomicBoolean held = new AtomicBoolean(true);

      Handle(K key, boolean write) {
        this.key = key;
        this.write = write;
      }

      @Override
      public Object key() {
        return key;
      }

      @Override
      public LockMode mode() {
        return write ? LockMode.EXCLUSIVE : LockMode.SHARED;
      }

      @Override
      public boolean isHeld() {
        return held.get();
      }

      @Override
      public LockHandle downgrade() {
        throw new IllegalStateException("not supported");
      }

      @Override
      public void close() {
        if (!held.compareAndSet(true, false)) {
          return;
        }
        monitor.lock();
        try {
          int[] s = state.get(key);
          if (write) {
            s[1] = 0;
          } else {
            s[0]--;
          }
          forgetIfIdle(key, s);
          changed.signalAll();
        } finally {
          monitor.unlock();
        }
      }
    }

    @Override
    public String toString() {
      return "Broken[reader-preference]";
    }
  }

  static void sleep(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
