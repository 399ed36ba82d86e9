package dev.lockstep.testkit.fsm;

import dev.lockstep.fsm.FireResult;
import dev.lockstep.fsm.FsmEngine;
import dev.lockstep.fsm.FsmStore;
import dev.lockstep.fsm.MachineDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The child JVM of {@link FsmProcessRace}: opens the SQLite file, prints {@code ready}, waits for
 * the start file, fires the event at each entity in turn printing {@code ROUND OUTCOME}, and ends
 * with {@code done}. Not an API; its arguments may change.
 */
final class FsmRaceChild {
  private FsmRaceChild() {}

  /**
   * Arguments: {@code DB DEFINITION START_FILE PREFIX EVENT ROUNDS [STORE_WRAPPER_CLASS]}.
   *
   * @throws Exception whatever fails; the parent reports the exit code and output
   */
  public static void main(String[] args) throws Exception {
    Path db = Path.of(args[0]);
    MachineDefinition machine = MachineDefinition.load(Path.of(args[1]));
    Path start = Path.of(args[2]);
    String prefix = args[3];
    String event = args[4];
    int rounds = Integer.parseInt(args[5]);
    FsmStore sqlite = FsmStore.sqlite(db);
    FsmStore wrapped = sqlite;
    if (args.length > 6) {
      var ctor = Class.forName(args[6]).getDeclaredConstructor(FsmStore.class);
      ctor.setAccessible(true);
      wrapped = (FsmStore) ctor.newInstance(sqlite);
    }
    try (FsmStore store = wrapped;
        FsmEngine engine =
            FsmEngine.builder(store).machine(machine).dispatchEffects(false).build()) {
      System.out.println("ready");
      System.out.flush();
      while (!Files.exists(start)) {
        Thread.sleep(1);
      }
      for (int r = 0; r < rounds; r++) {
        FireResult result = engine.fire(machine.name(), prefix + r, event, Map.of());
        System.out.println(r + " " + result.outcome());
      }
    }
    System.out.println("done");
  }
}
