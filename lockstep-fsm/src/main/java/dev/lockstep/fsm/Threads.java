package dev.lockstep.fsm;

/** Small helpers for the store's own threads. */
final class Threads {
  private Threads() {}

  /**
   * Waits for the thread to end, even when interrupted meanwhile (closing must not leave a thread
   * behind); restores the caller's interrupt status afterwards.
   */
  static void joinUninterruptibly(Thread thread) {
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
