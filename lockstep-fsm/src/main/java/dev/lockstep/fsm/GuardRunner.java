package dev.lockstep.fsm;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Tests a guard with a timeout. A guard that answers in time gives {@code PASSED} or {@code
 * REJECTED}; one that throws, completes exceptionally or answers null gives {@code ERROR} with the
 * cause; one slower than the timeout gives {@code TIMED_OUT}.
 *
 * <p>Java guards ({@link Guard#of}, {@link Guard#async}) run user code that may block before it
 * answers, so they are tested on a virtual thread of their own and the caller waits at most the
 * timeout. When it passes, the guard's thread is interrupted (a guard sleeping or waiting on I/O or
 * a lock wakes) and an async guard's future cancelled; a thread cannot be killed, so a guard that
 * ignores the interrupt runs on until it returns, its answer ignored. Such a thread is not tracked:
 * {@link FsmEngine#close()} does not wait for it. The guard does not run on the calling thread, so
 * it does not see the caller's thread-locals.
 *
 * <p>CEL guards run no user code and cannot block or loop, so they are evaluated on the calling
 * thread; one that took longer than the timeout (a huge list, say) gives {@code TIMED_OUT} all the
 * same, its answer ignored.
 */
final class GuardRunner {

  /** What the guard said, and the error when it did not answer true or false. */
  record Verdict(GuardResult result, Throwable error) {}

  private static final Thread.Builder THREADS = Thread.ofVirtual().name("lockstep-fsm-guard");

  private final long timeoutNanos;

  GuardRunner(Duration timeout) {
    this.timeoutNanos = timeout.toNanos();
  }

  Verdict test(Guard guard, GuardContext context) {
    if (guard instanceof CelGuard) {
      long start = System.nanoTime();
      CompletableFuture<Boolean> f = guard.test(context).toCompletableFuture();
      if (System.nanoTime() - start > timeoutNanos) {
        return timedOut(guard);
      }
      return answer(guard, f, null, null);
    }
    CompletableFuture<Boolean> answer = new CompletableFuture<>();
    AtomicReference<CompletableFuture<Boolean>> own = new AtomicReference<>();
    Thread runner =
        THREADS.start(
            () -> {
              try {
                CompletableFuture<Boolean> f = guard.test(context).toCompletableFuture();
                own.set(f);
                if (answer.isCancelled()) { // timed out while the guard was still in test()
                  f.cancel(true);
                  return;
                }
                f.whenComplete(
                    (ok, e) -> {
                      if (e == null) {
                        answer.complete(ok);
                      } else {
                        answer.completeExceptionally(
                            e instanceof CompletionException && e.getCause() != null
                                ? e.getCause()
                                : e);
                      }
                    });
              } catch (Throwable e) { // Guard#test does not throw; if one does anyway, an error
                answer.completeExceptionally(e);
              }
            });
    return answer(guard, answer, runner, own);
  }

  private Verdict answer(
      Guard guard,
      CompletableFuture<Boolean> f,
      Thread runner,
      AtomicReference<CompletableFuture<Boolean>> own) {
    try {
      Boolean ok = f.isDone() ? f.join() : f.get(timeoutNanos, TimeUnit.NANOSECONDS);
      if (ok == null) {
        return new Verdict(
            GuardResult.ERROR,
            new IllegalStateException("guard '" + guard.name() + "' answered null"));
      }
      return new Verdict(ok ? GuardResult.PASSED : GuardResult.REJECTED, null);
    } catch (TimeoutException e) {
      abandon(f, runner, own);
      return timedOut(guard);
    } catch (ExecutionException | CompletionException e) {
      return new Verdict(GuardResult.ERROR, e.getCause() != null ? e.getCause() : e);
    } catch (CancellationException e) {
      return new Verdict(GuardResult.ERROR, e);
    } catch (InterruptedException e) {
      abandon(f, runner, own);
      Thread.currentThread().interrupt();
      return new Verdict(GuardResult.ERROR, e);
    }
  }

  /**
   * Stops waiting for a guard: interrupts its thread, cancels its future; its answer is ignored.
   */
  private static void abandon(
      CompletableFuture<Boolean> f,
      Thread runner,
      AtomicReference<CompletableFuture<Boolean>> own) {
    f.cancel(true);
    if (runner != null) {
      runner.interrupt();
    }
    CompletableFuture<Boolean> stage = own == null ? null : own.get();
    if (stage != null) {
      stage.cancel(true);
    }
  }

  private Verdict timedOut(Guard guard) {
    return new Verdict(
        GuardResult.TIMED_OUT,
        new TimeoutException(
            "guard '"
                + guard.name()
                + "' gave no answer within "
                + Duration.ofNanos(timeoutNanos)));
  }
}
