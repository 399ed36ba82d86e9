package dev.lockstep.testkit;

/**
 * The ways a {@link LockStressHarness} worker asks for a key. Each operation that obtains a hold
 * runs one recorded critical section and releases it.
 */
public enum StressOp {
  /** A blocking acquire with the long wait timeout; expected to succeed. */
  ACQUIRE,
  /** A try without waiting; may find the key busy. */
  TRY_ACQUIRE,
  /** A try with the short timeout; may come back empty. */
  TRY_ACQUIRE_TIMED,
  /** A blocking acquire with the short timeout; may throw a timeout exception. */
  ACQUIRE_TIMED,
  /** An asynchronous acquire with the long timeout, then waiting for its future. */
  ASYNC,
  /** An asynchronous acquire with the short timeout; the future may fail with a timeout. */
  ASYNC_TIMED,
  /**
   * An asynchronous acquire cancelled at once or after a few yields, racing the grant; if the grant
   * won, the hold is used and released.
   */
  ASYNC_CANCEL,
  /**
   * A blocking acquire while a helper thread interrupts the worker after a random short delay,
   * racing the grant; if the grant won, the hold is used and released.
   */
  INTERRUPT
}
