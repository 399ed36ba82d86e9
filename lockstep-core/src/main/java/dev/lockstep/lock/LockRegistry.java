package dev.lockstep.lock;

/**
 * Named locks that share statistics, deadlock detection and a watchdog — an application's lock
 * registry, without a singleton: create one per application (or per test) and close it when done.
 *
 * <h2>Deadlock detection</h2>
 *
 * All locks of a registry share one wait-for graph. An acquisition that would close a cycle of
 * owners — each waiting for a key the next one holds, across any of the registry's locks, blocking
 * and asynchronous waits alike — fails immediately with a {@link DeadlockException} naming the
 * cycle; the other waits in the cycle go on and proceed once the refused owner releases. Locks
 * created outside a registry detect only self-deadlock.
 *
 * <h2>Statistics and watchdog</h2>
 *
 * With {@link RegistryOptions#statistics()} on, every lock counts its operations, keeps wait and
 * hold histograms and a ring buffer of recent operations, and emits JFR events ({@code
 * dev.lockstep.ContendedAcquire}, {@code dev.lockstep.LongHold}). A watchdog thread reports waits
 * and holds longer than the configured thresholds to the {@link WatchdogListener} and in {@link
 * #snapshot()}. It never interrupts anyone.
 *
 * <h2>Threading</h2>
 *
 * Thread-safe. {@link #keyed(String)} and {@link #readWrite(String)} return the same lock for the
 * same name.
 */
public interface LockRegistry extends AutoCloseable {

  /** A registry with {@link RegistryOptions#DEFAULTS}. */
  static LockRegistry create() {
    return create(RegistryOptions.DEFAULTS);
  }

  /** A registry with the given options. */
  static LockRegistry create(RegistryOptions options) {
    return new WatchedLockRegistry(options);
  }

  /**
   * The keyed lock with this name, created with default options on first use.
   *
   * @throws IllegalArgumentException if the name belongs to a read-write lock
   */
  <K> KeyedLock<K> keyed(String name);

  /**
   * The keyed lock named by the options, created with them on first use. Later calls with the same
   * name return the existing lock; one that asks for another {@code maxActiveKeys} is refused,
   * while one that leaves it at the default ({@link Integer#MAX_VALUE}, as {@link #keyed(String)}
   * does) takes the lock whatever its limit.
   *
   * @throws IllegalArgumentException if the name belongs to a read-write lock, or to a keyed lock
   *     with another {@code maxActiveKeys}, or if the options carry a recorder other than {@link
   *     LockRecorder#noop()} (the registry records its locks itself, per {@link
   *     RegistryOptions#statistics()})
   */
  <K> KeyedLock<K> keyed(LockOptions options);

  /**
   * The read-write lock with this name, created with default options on first use.
   *
   * @throws IllegalArgumentException if the name belongs to a keyed lock
   */
  <K> KeyedReadWriteLock<K> readWrite(String name);

  /** The read-write lock named by the options; see {@link #keyed(LockOptions)}. */
  <K> KeyedReadWriteLock<K> readWrite(LockOptions options);

  /** An immutable picture of every lock and of the watchdog's current alerts. */
  RegistrySnapshot snapshot();

  /** Stops the watchdog. Locks keep working; holds are not touched. */
  @Override
  void close();
}
