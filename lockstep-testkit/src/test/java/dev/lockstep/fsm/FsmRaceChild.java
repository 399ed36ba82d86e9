package dev.lockstep.fsm;

import dev.lockstep.testkit.fsm.FsmStoreContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A child JVM of {@link ChildJvmRaceTest}: opens the SQLite file, prints {@code ready}, waits for
 * the start file, then fires {@code start} once at each entity {@code e0 … e(rounds-1)}, printing
 * {@code ROUND OUTCOME} per fire. With {@code broken} it commits through {@link
 * LostUpdateFsmStore}.
 *
 * <p>Arguments: {@code DB START_FILE ROUNDS [broken]}.
 */
public final class FsmRaceChild {
  private FsmRaceChild() {}

  public static void main(String[] args) throws Exception {
    Path db = Path.of(args[0]);
    Path start = Path.of(args[1]);
    int rounds = Integer.parseInt(args[2]);
    boolean broken = args.length > 3 && args[3].equals("broken");
    FsmStore sqlite = FsmStore.sqlite(db);
    try (FsmStore store = broken ? new LostUpdateFsmStore(sqlite) : sqlite;
        FsmEngine engine =
            FsmEngine.builder(store).machine(FsmStoreContract.JOB).dispatchEffects(false).build()) {
      System.out.println("ready");
      System.out.flush();
      while (!Files.exists(start)) {
        Thread.sleep(1);
      }
      for (int r = 0; r < rounds; r++) {
        FireResult result = engine.fire("job", "e" + r, "start", Map.of());
        System.out.println(r + " " + result.outcome());
      }
    }
    System.out.println("done");
  }
}
