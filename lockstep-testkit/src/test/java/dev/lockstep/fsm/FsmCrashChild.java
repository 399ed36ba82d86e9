package dev.lockstep.fsm;

import dev.lockstep.testkit.fsm.ForwardingFsmStore;
import dev.lockstep.testkit.fsm.FsmStoreContract;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A child JVM of {@link SqliteKillTest}: fires {@code start} and {@code fail} at entity {@code c}
 * alternately, forever, printing {@code acked VERSION} after each transition the engine reported,
 * until it is killed. With {@code early-ack} its store answers commits before they are written (the
 * bug of acknowledging before COMMIT).
 *
 * <p>Arguments: {@code DB [early-ack]}.
 */
public final class FsmCrashChild {
  private FsmCrashChild() {}

  public static void main(String[] args) {
    boolean early = args.length > 1 && args[1].equals("early-ack");
    ExecutorService background = Executors.newSingleThreadExecutor();
    FsmStore sqlite = FsmStore.sqlite(Path.of(args[0]));
    FsmStore store =
        !early
            ? sqlite
            : new ForwardingFsmStore(sqlite) {
              @Override
              public CommitResult commit(TransitionCommit c) {
                background.submit(
                    () -> {
                      Thread.sleep(5); // flushed "soon", like a writer that acks when queued
                      return delegate.commit(c);
                    });
                return new CommitResult.Committed(c.expectedVersion() + 1);
              }
            };
    FsmEngine engine =
        FsmEngine.builder(store).machine(FsmStoreContract.JOB).dispatchEffects(false).build();
    System.out.println("ready");
    System.out.flush();
    for (int i = 0; ; i++) {
      FireResult r = engine.fire("job", "c", i % 2 == 0 ? "start" : "fail", Map.of());
      if (r instanceof FireResult.Transitioned t) {
        System.out.println("acked " + t.version());
        System.out.flush();
      }
    }
  }
}
