package dev.lockstep.lock;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Deliberately broken {@link KeyedLock}s, one bug each, to show that the concurrency tests can
 * fail. Each test of a property names the variant it catches; the tests run the variant and expect
 * the property check to fail.
 */
final class BrokenKeyedLocks {
  private BrokenKeyedLocks() {}

  /** The timeout in nanoseconds, saturating (a real lock accepts effectively infinite timeouts). */
  static long nanos(Duration timeout) {
    try {
      return timeout.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }

  /** Grants every request at once: no mutual exclusion at all (zero retention is right). */
  static <K> KeyedLock<K> nonLocking() {
    ConcurrentHashMap<K, Integer> holds = new ConcurrentHashMap<>();
    return new SemaphoreKeyedLock<K>("non-locking") {
      @Override
      Semaphore semaphoreFor(K key) {
        holds.merge(key, 1, Integer::sum);
        return new Semaphore(1);
      }

      @Override
      void released(K key, Semaphore s) {
        holds.computeIfPresent(key, (k, c) -> c == 1 ? null : c - 1);
      }

      @Override
      public int activeKeys() {
        return holds.size();
      }
    };
  }

  /** One fair mutex for all keys: exclusive per key, but different keys never run in parallel. */
  static <K> KeyedLock<K> globalMutex() {
    Semaphore global = new Semaphore(1, true);
    ConcurrentHashMap<K, Integer> holds = new ConcurrentHashMap<>();
    return new SemaphoreKeyedLock<K>("global-mutex") {
      @Override
      Semaphore semaphoreFor(K key) {
        holds.merge(key, 1, Integer::sum);
        return global;
      }

      @Override
      void released(K key, Semaphore s) {
        holds.computeIfPresent(key, (k, c) -> c == 1 ? null : c - 1);
      }

      @Override
      void abandoned(K key, Semaphore s) {
        released(key, s);
      }

      @Override
      public int activeKeys() {
        return holds.size();
      }
    };
  }

  /**
   * The map-of-locks users write by hand: {@code computeIfAbsent} a fair semaphore per key and
   * never remove it. Exclusion is right; every key ever used is retained.
   */
  static <K> KeyedLock<K> leaky() {
    ConcurrentHashMap<K, Semaphore> map = new ConcurrentHashMap<>();
    return new SemaphoreKeyedLock<K>("leaky") {
      @Override
      Semaphore semaphoreFor(K key) {
        return map.computeIfAbsent(key, k -> new Semaphore(1, true));
      }

      @Override
      public int activeKeys() {
        return map.size();
      }
    };
  }

  /**
   * The map-of-locks with the classic cleanup race: the releaser removes the key's semaphore when
   * nobody queues on it, while another thread that already looked it up is about to acquire it; a
   * third thread then creates a fresh semaphore for the same key. Two holders of one key result.
   */
  static <K> KeyedLock<K> racyCleanup() {
    ConcurrentHashMap<K, Semaphore> map = new ConcurrentHashMap<>();
    return new SemaphoreKeyedLock<K>("racy-cleanup") {
      @Override
      Semaphore semaphoreFor(K key) {
        Semaphore s = map.computeIfAbsent(key, k -> new Semaphore(1, true));
        Thread.yield(); // widen the window between lookup and acquire
        return s;
      }

      @Override
      void released(K key, Semaphore s) {
        if (!s.hasQueuedThreads()) {
          map.remove(key, s);
        }
      }

      @Override
      void abandoned(K key, Semaphore s) {
        released(key, s);
      }

      @Override
      public int activeKeys() {
        return map.size();
      }
    };
  }

  /** Ignores {@code maxActiveKeys}: a correct lock without the limit, whatever the options say. */
  static <K> KeyedLock<K> unlimited(LockOptions options) {
    return KeyedLock.create(options.withMaxActiveKeys(Integer.MAX_VALUE));
  }

  /**
   * Abandons waits instead of withdrawing them: an asynchronous wait is a dependent stage of the
   * real one (cancelling or timing it out never reaches the lock), and a blocking wait is that
   * future awaited with {@code get}, simply forgotten on interrupt or timeout. The forgotten wait
   * is granted later and nobody ever releases it.
   */
  static <K> KeyedLock<K> forgetfulWaits() {
    KeyedLock<K> real = KeyedLock.create(LockOptions.named("forgetful-waits"));
    return new DelegatingKeyedLock<>(real) {
      @Override
      public LockHandle acquire(K key, Duration timeout) throws InterruptedException {
        CompletableFuture<LockHandle> f = real.acquireAsync(key, Duration.ofDays(1));
        try {
          return f.get(nanos(timeout), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          throw new LockTimeoutException(name(), key, timeout, null);
        } catch (ExecutionException e) {
          throw (RuntimeException) e.getCause();
        }
      }

      @Override
      public Optional<LockHandle> tryAcquire(K key, Duration timeout) throws InterruptedException {
        try {
          return Optional.of(acquire(key, timeout));
        } catch (LockTimeoutException e) {
          return Optional.empty();
        }
      }

      @Override
      public CompletableFuture<LockHandle> acquireAsync(K key, Duration timeout) {
        // The caller's future is fed by the real wait but never withdraws it: cancelling it or
        // timing it out just drops the hold that arrives later.
        CompletableFuture<LockHandle> caller = new CompletableFuture<>();
        real.acquireAsync(key, Duration.ofDays(1))
            .whenComplete(
                (h, e) -> {
                  if (e != null) {
                    caller.completeExceptionally(e);
                  } else {
                    caller.complete(h);
                  }
                });
        CompletableFuture.delayedExecutor(nanos(timeout), TimeUnit.NANOSECONDS)
            .execute(
                () ->
                    caller.completeExceptionally(
                        new LockTimeoutException(name(), key, timeout, null)));
        return caller;
      }
    };
  }

  /**
   * A waiter that times out takes the key from its holder: it releases the holder's handle and then
   * waits again. The holder's work goes on without the lock.
   */
  static <K> KeyedLock<K> stealingOnTimeout() {
    KeyedLock<K> real = KeyedLock.create(LockOptions.named("stealing"));
    ConcurrentHashMap<K, LockHandle> holders = new ConcurrentHashMap<>();
    return new DelegatingKeyedLock<>(real) {
      @Override
      public LockHandle acquire(K key, Duration timeout) throws InterruptedException {
        LockHandle h;
        try {
          h = real.acquire(key, timeout);
        } catch (LockTimeoutException e) {
          LockHandle victim = holders.get(key);
          if (victim != null) {
            victim.close();
          }
          throw e;
        }
        holders.put(key, h);
        return h;
      }
    };
  }

  /** Releases whatever handle it is given, even one issued by another lock. */
  static <K> KeyedLock<K> lenientRelease() {
    return new DelegatingKeyedLock<>(KeyedLock.create(LockOptions.named("lenient-release"))) {
      @Override
      public void release(LockHandle handle) {
        handle.close();
      }
    };
  }

  /** Passes everything to a real lock; subclasses override what they break. */
  abstract static class DelegatingKeyedLock<K> implements KeyedLock<K> {
    final KeyedLock<K> real;

    DelegatingKeyedLock(KeyedLock<K> real) {
      this.real = real;
    }

    @Override
    public String name() {
      return real.name();
    }

    @Override
    public LockHandle acquire(K key, Duration timeout) throws InterruptedException {
      return real.acquire(key, timeout);
    }

    @Override
    public Optional<LockHandle> tryAcquire(K key) {
      return real.tryAcquire(key);
    }

    @Override
    public Optional<LockHandle> tryAcquire(K key, Duration timeout) throws InterruptedException {
      return real.tryAcquire(key, timeout);
    }

    @Override
    public CompletableFuture<LockHandle> acquireAsync(K key, Duration timeout) {
      return real.acquireAsync(key, timeout);
    }

    @Override
    public CompletableFuture<LockHandle> acquireAsync(K key, Duration timeout, LockOwner owner) {
      return real.acquireAsync(key, timeout, owner);
    }

    @Override
    public void release(LockHandle handle) {
      real.release(handle);
    }

    @Override
    public boolean isLocked(K key) {
      return real.isLocked(key);
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

  /**
   * A keyed lock made of one {@link Semaphore} per acquisition, chosen by {@link #semaphoreFor};
   * the variants differ in how they choose and forget semaphores.
   */
  abstract static class SemaphoreKeyedLock<K> implements KeyedLock<K> {
    private final String name;

    SemaphoreKeyedLock(String name) {
      this.name = name;
    }

    abstract Semaphore semaphoreFor(K key);

    /** Called after the semaphore of a hold was released. */
    void released(K key, Semaphore s) {}

    /** Called when a wait on the semaphore ended without a hold. */
    void abandoned(K key, Semaphore s) {}

    @Override
    public String name() {
      return name;
    }

    @Override
    public LockHandle acquire(K key, Duration timeout) throws InterruptedException {
      return tryAcquire(key, timeout)
          .orElseThrow(() -> new LockTimeoutException(name, key, timeout, null));
    }

    @Override
    public Optional<LockHandle> tryAcquire(K key) {
      Semaphore s = semaphoreFor(key);
      if (s.tryAcquire()) {
        return Optional.of(new Handle<>(this, key, s));
      }
      abandoned(key, s);
      return Optional.empty();
    }

    @Override
    public Optional<LockHandle> tryAcquire(K key, Duration timeout) throws InterruptedException {
      Semaphore s = semaphoreFor(key);
      boolean ok;
      try {
        ok = s.tryAcquire(nanos(timeout), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        abandoned(key, s);
        throw e;
      }
      if (ok) {
        return Optional.of(new Handle<>(this, key, s));
      }
      abandoned(key, s);
      return Optional.empty();
    }

    @Override
    public CompletableFuture<LockHandle> acquireAsync(K key, Duration timeout) {
      Optional<LockHandle> now = tryAcquire(key);
      if (now.isPresent()) {
        return CompletableFuture.completedFuture(now.get());
      }
      // A virtual thread per wait (no shared pool to clog); a grant nobody wants is released.
      CompletableFuture<LockHandle> f = new CompletableFuture<>();
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  LockHandle h = acquire(key, timeout);
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
    public CompletableFuture<LockHandle> acquireAsync(K key, Duration timeout, LockOwner owner) {
      return acquireAsync(key, timeout);
    }

    @Override
    public void release(LockHandle handle) {
      handle.close();
    }

    @Override
    public boolean isLocked(K key) {
      return activeKeys() > 0;
    }

    @Override
    public String toString() {
      return "Broken[" + name + "]";
    }

    private static final class Handle<K> implements LockHandle {
      private final SemaphoreKeyedLock<K> lock;
      private final K key;
      private final Semaphore semaphore;
      private final AtomicBoolean held = new AtomicBoolean(true);

      Handle(SemaphoreKeyedLock<K> lock, K key, Semaphore semaphore) {
        this.lock = lock;
        this.key = key;
        this.semaphore = semaphore;
      }

      @Override
      public Object key() {
        return key;
      }

      @Override
      public LockMode mode() {
        return LockMode.EXCLUSIVE;
      }

      @Override
      public boolean isHeld() {
        return held.get();
      }

      @Override
      public LockHandle downgrade() {
        throw new IllegalStateException("not a read-write lock");
      }

      @Override
      public void close() {
        if (held.compareAndSet(true, false)) {
          semaphore.release();
          lock.released(key, semaphore);
        }
      }
    }
  }
}
