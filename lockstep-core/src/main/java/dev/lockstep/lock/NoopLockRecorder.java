package dev.lockstep.lock;

/** The recorder that records nothing; locks that have it never read the clock. */
final class NoopLockRecorder implements LockRecorder {
  static final NoopLockRecorder INSTANCE = new NoopLockRecorder();

  private NoopLockRecorder() {}

  @Override
  public boolean enabled() {
    return false;
  }
}
