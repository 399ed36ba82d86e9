package dev.lockstep.lock;

/** How a {@link LockHandle} holds its key. */
public enum LockMode {
  /** The only holder of the key: the mode of {@link KeyedLock} and of write locks. */
  EXCLUSIVE,
  /** One of possibly many readers of a {@link KeyedReadWriteLock} key. */
  SHARED
}
